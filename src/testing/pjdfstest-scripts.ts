// Runs the real pjdfstest `.t` shell scripts (from a checkout the user has; they are not part of vfsim)
// against vfsim. The scripts find their program as `pjdfstest` in an ancestor directory and their
// settings in a `conf` file: we lay out a scratch tree where the program is a small shell stand-in that
// hands each command line through a pair of FIFOs to this process, and `conf` is our own, which also
// redirects the few file operations the scripts do themselves (cd, pwd, sleep, mkdir -p, rm -rf,
// dd of=, ln [-s], touch) into vfsim. The scripts' TAP output is then counted per file.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { spawn, execFileSync } from 'node:child_process';
import type { ProcessOptions, Syscalls } from '../../vfs/syscalls.js';
import * as C from '../../vfs/constants.js';
import { Prng } from '../sim/prng.js';
import { PjdfstestInterpreter, type PjdfstestWorld } from './pjdfstest.js';

export interface ScriptResult {
  /** Path relative to the checkout's tests/ directory, e.g. 'chmod/00.t'. */
  file: string;
  planned: number;
  passed: number;
  failed: number;
  /** Tests the script marks TODO for this os/fs and that failed, as the script expects on Linux (prove counts them apart). */
  todo: number;
  /** Tests marked TODO that passed anyway (vfsim does what the TODO message says Linux does not). */
  todoPassed: number;
  /** The script exited through quick_exit without a call: not applicable to Linux or to this fs. */
  skipped: boolean;
  /** The "not ok" lines, as the script printed them. */
  failures: string[];
  calls: number;
}

export interface RunScriptsOptions {
  /** The pjdfstest checkout (the directory holding tests/). */
  dir: string;
  /** Run only files whose path (e.g. 'rename/09.t') starts with one of these. */
  only?: string[];
  /** The `fs` name the scripts see (their `supported`/`todo` switch on it). Default TMPFS. */
  fsName?: string;
  /** A fresh world per script (a new ramfs). */
  makeWorld: () => PjdfstestWorld;
  progress?: (done: number, total: number, file: string) => void;
}

const SHIM = `#!/bin/sh
# vfsim's stand-in for the pjdfstest program: it hands its command line, and the directory the
# script is in inside vfsim, to the \`vfsim pjdfstest --run-scripts\` process that wrote it.
{
  printf '%s\\n' "\${VFSIM_CWD:-/}" "$#"
  for a in "$@"; do printf '%s\\n' "$a"; done
} > "@REQ@"
{ IFS= read -r rc; cat; } < "@RESP@"
exit "$rc"
`;

const CONF = (fsName: string): string => `# Settings for pjdfstest's scripts running against vfsim (written by \`vfsim pjdfstest --run-scripts\`).
os=Linux
GREP=grep
fs=${fsName}
# The scripts' own file operations act on vfsim too: cd and pwd track a directory inside vfsim, sleep
# lets vfsim's clock run, and mkdir -p, rm -rf, dd of=, ln [-s] and touch work on vfsim's tree.
cd() { _vfsim_to=$("$fstest" __cd "\${1:-/}") || return 1; VFSIM_CWD=$_vfsim_to; export VFSIM_CWD; }
pwd() { printf '%s\\n' "\${VFSIM_CWD:-/}"; }
sleep() { "$fstest" __sleep "$@" >/dev/null; }
mkdir() { "$fstest" __mkdir "$@" >/dev/null; }
rm() { "$fstest" __rm "$@" >/dev/null; }
dd() { case "$*" in *of=*) "$fstest" __dd "$@" >/dev/null ;; *) command dd "$@" ;; esac; }
ln() { "$fstest" __ln "$@" >/dev/null; }
touch() { "$fstest" __touch "$@" >/dev/null; }
`;

/** List the .t files under dir/tests, sorted, filtered by `only`. */
export function listScripts(dir: string, only?: string[]): string[] {
  const tests = path.join(dir, 'tests');
  const out: string[] = [];
  for (const group of fs.readdirSync(tests).sort()) {
    const g = path.join(tests, group);
    if (!fs.statSync(g).isDirectory()) continue;
    for (const f of fs.readdirSync(g).sort()) if (f.endsWith('.t')) out.push(`${group}/${f}`);
  }
  return only && only.length > 0 ? out.filter((f) => only.some((o) => f.startsWith(o))) : out;
}

/** The shell's own commands, done in vfsim by a root process with the shell's umask (022). */
class ShellOps {
  constructor(private readonly world: PjdfstestWorld) {}

  private proc(cwd: string): Syscalls {
    return this.world.process({ cwd, umask: 0o022 } satisfies ProcessOptions);
  }

  /** Create or truncate `name` in `cwd` with `data` (the shell's `>` with umask 022). */
  put(name: string, cwd: string, data: Uint8Array): void {
    const p = this.proc(cwd);
    try {
      const fd = p.open(name, C.O_WRONLY | C.O_CREAT | C.O_TRUNC, 0o666);
      p.write(fd, data, 0, data.length, null);
      p.close(fd);
    } finally {
      (p as { exit?: () => void }).exit?.();
    }
  }

  run(argv: string[], cwd: string): { exit: number; stdout: string[] } {
    const verb = argv[0]!;
    const args = argv.slice(1);
    const p = this.proc(cwd);
    try {
      switch (verb) {
        case '__cd': p.chdir(args[0] ?? '/'); return { exit: 0, stdout: [p.getcwd()] };
        case '__sleep': this.world.sleep(Number(args[0] ?? 0)); return { exit: 0, stdout: [] };
        case '__mkdir': {
          const parents = args.some((a) => /^-[a-z]*p/.test(a));
          for (const a of args.filter((x) => !x.startsWith('-'))) {
            if (!parents) { p.mkdir(a, 0o777); continue; }
            const parts = a.split('/');
            for (let i = 1; i <= parts.length; i++) {
              const prefix = parts.slice(0, i).join('/');
              if (prefix === '' || prefix.endsWith('/')) continue;
              try { p.mkdir(prefix, 0o777); } catch (e) { if ((e as { code?: string }).code !== 'EEXIST') throw e; }
            }
          }
          return { exit: 0, stdout: [] };
        }
        case '__rm': {
          const force = args.some((a) => /^-[a-z]*f/.test(a));
          for (const a of args.filter((x) => !x.startsWith('-'))) {
            try { removeTree(p, a); } catch (e) { if (!force) throw e; }
          }
          return { exit: 0, stdout: [] };
        }
        case '__ln': {
          const names = args.filter((x) => !x.startsWith('-'));
          if (names.length !== 2) return { exit: 1, stdout: [] };
          if (args.some((a) => /^-[a-z]*s/.test(a))) p.symlink(names[0]!, names[1]!);
          else p.link(names[0]!, names[1]!);
          return { exit: 0, stdout: [] };
        }
        case '__touch': {
          for (const a of args.filter((x) => !x.startsWith('-'))) {
            const fd = p.open(a, C.O_WRONLY | C.O_CREAT, 0o666);
            p.close(fd);
            p.utimensat(a, { sec: 0, nsec: C.UTIME_NOW }, { sec: 0, nsec: C.UTIME_NOW });
          }
          return { exit: 0, stdout: [] };
        }
        case '__dd': {
          const kv = Object.fromEntries(args.map((a) => a.split('=', 2) as [string, string]));
          const bs = Number(kv.bs ?? 512), count = Number(kv.count ?? 1);
          const data = new Uint8Array(bs * count);
          const r = new Prng(bs * 31 + count);
          for (let i = 0; i < data.length; i++) data[i] = r.u32() & 0xff;
          const fd = p.open(kv.of!, C.O_WRONLY | C.O_CREAT | C.O_TRUNC, 0o666);
          p.write(fd, data, 0, data.length, null);
          p.close(fd);
          return { exit: 0, stdout: [] };
        }
      }
      return { exit: 1, stdout: [] };
    } catch {
      return { exit: 1, stdout: [] };
    } finally {
      (p as { exit?: () => void }).exit?.();
    }
  }
}

function removeTree(p: Syscalls, at: string): void {
  const s = p.lstat(at);
  if ((s.mode & C.S_IFMT) === C.S_IFDIR) {
    // Make sure root can walk it even if a test left it mode 0 (root may anyway; kept for clarity).
    for (const d of p.readdir(at)) removeTree(p, `${at}/${d.name}`);
    p.rmdir(at);
  } else p.unlink(at);
}

function readFifo(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(65536);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A shell redirection (`echo test > name`, once in open/00.t) cannot be turned into a call: the shell
 * writes the host file itself, in its host working directory (an empty directory of its own). Before
 * each command, such files move into vfsim, at the script's directory there.
 */
function importRedirects(hostCwd: string, shell: ShellOps, cwd: string): void {
  for (const name of fs.readdirSync(hostCwd)) {
    const host = path.join(hostCwd, name);
    try {
      if (fs.lstatSync(host).isFile()) shell.put(name, cwd, fs.readFileSync(host));
    } catch { /* not ours to import: it goes, and the script's next check reports what is missing */ }
    fs.rmSync(host, { recursive: true, force: true });
  }
}

/** Parse a script's TAP output. */
export function parseTap(file: string, text: string, calls: number): ScriptResult {
  const r: ScriptResult = { file, planned: 0, passed: 0, failed: 0, todo: 0, todoPassed: 0, skipped: false, failures: [], calls };
  for (const line of text.split('\n')) {
    const plan = /^1\.\.(\d+)/.exec(line);
    if (plan) { r.planned = Number(plan[1]); continue; }
    const m = /^(not )?ok \d+/.exec(line);
    if (!m) continue;
    if (/# TODO/.test(line)) { if (m[1]) r.todo++; else r.todoPassed++; continue; }
    if (m[1]) { r.failed++; r.failures.push(line); } else r.passed++;
  }
  r.skipped = calls === 0 && r.planned === 1 && r.passed === 1;
  // Tests the plan promised but the script never reached count as failures (a crash or an early exit).
  const missing = r.planned - (r.passed + r.failed + r.todo + r.todoPassed);
  if (missing > 0) { r.failed += missing; r.failures.push(`# ${missing} planned test(s) never ran`); }
  return r;
}

/** Run one script against a fresh world; the scratch tree is shared by all scripts of a run. */
async function runOne(scratch: string, file: string, world: PjdfstestWorld): Promise<ScriptResult> {
  const req = path.join(scratch, 'req'), resp = path.join(scratch, 'resp'), out = path.join(scratch, 'out');
  const interp = new PjdfstestInterpreter(world);
  const shell = new ShellOps(world);
  const outFd = fs.openSync(out, 'w');
  // The script runs from the scratch directory; when it ends, an end marker goes down the same FIFO.
  const hostCwd = path.join(scratch, 'cwd');
  const child = spawn('/bin/sh', ['-c', 'sh "$1" >"$2" 2>/dev/null; printf "__END__\\n" >"$3"', 'sh',
    path.join(scratch, 'tests', file), out, req], { cwd: hostCwd, stdio: ['ignore', outFd, 'ignore'] });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  fs.closeSync(outFd);
  let calls = 0;
  for (;;) {
    const msg = readFifo(req);
    if (msg.startsWith('__END__')) break;
    const lines = msg.split('\n');
    const cwd = lines[0] || '/';
    const argc = Number(lines[1]);
    const argv = lines.slice(2, 2 + argc);
    let res: { exit: number; stdout: string[] };
    // Whatever happens, the shim gets an answer: a script must never hang on its FIFO.
    try {
      importRedirects(hostCwd, shell, cwd);
      if (argv[0]?.startsWith('__')) res = shell.run(argv, cwd);
      else {
        calls++;
        res = interp.run(argv, cwd);
      }
    } catch (e) {
      res = { exit: 1, stdout: [`vfsim error: ${e instanceof Error ? e.message : String(e)}`] };
    }
    const w = fs.openSync(resp, 'w');
    fs.writeSync(w, `${res.exit}\n${res.stdout.map((l) => l + '\n').join('')}`);
    fs.closeSync(w);
  }
  await exited;
  return parseTap(file, fs.readFileSync(out, 'utf8'), calls);
}

/** Run the scripts; returns one result per file. */
export async function runScripts(o: RunScriptsOptions): Promise<ScriptResult[]> {
  const checkout = path.resolve(o.dir);
  if (!fs.existsSync(path.join(checkout, 'tests', 'misc.sh'))) throw new Error(`${checkout} has no tests/misc.sh: not a pjdfstest checkout`);
  const files = listScripts(checkout, o.only);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vfsim-pjdfstest-'));
  try {
    const req = path.join(scratch, 'req'), resp = path.join(scratch, 'resp');
    execFileSync('mkfifo', [req, resp]);
    fs.writeFileSync(path.join(scratch, 'pjdfstest'), SHIM.replace('@REQ@', req).replace('@RESP@', resp), { mode: 0o755 });
    // tests/: our conf, and links to the checkout's misc.sh and test groups (read in place, not copied).
    fs.mkdirSync(path.join(scratch, 'cwd'));
    fs.mkdirSync(path.join(scratch, 'tests'));
    fs.writeFileSync(path.join(scratch, 'tests', 'conf'), CONF(o.fsName ?? 'TMPFS'));
    fs.symlinkSync(path.join(checkout, 'tests', 'misc.sh'), path.join(scratch, 'tests', 'misc.sh'));
    for (const g of new Set(files.map((f) => f.split('/')[0]!))) fs.symlinkSync(path.join(checkout, 'tests', g), path.join(scratch, 'tests', g));
    const results: ScriptResult[] = [];
    for (const [i, f] of files.entries()) {
      results.push(await runOne(scratch, f, o.makeWorld()));
      o.progress?.(i + 1, files.length, f);
    }
    return results;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
