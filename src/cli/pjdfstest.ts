// `vfsim pjdfstest`: pjdfstest's command language over a fresh ramfs (JSON lines on stdin), and
// `--run-scripts DIR`, which runs the `.t` scripts of a pjdfstest checkout against vfsim and counts
// their results per file.

import type { Command } from 'commander';
import * as readline from 'node:readline';
import { SingleBar, Presets } from 'cli-progress';
import { Vfs } from '../../vfs/vfs.js';
import { createRamFs } from '../../fs-ram/index.js';
import { Clock } from '../sim/clock.js';
import { PjdfstestInterpreter, type PjdfstestWorld } from '../testing/pjdfstest.js';
import { runScripts, type ScriptResult } from '../testing/pjdfstest-scripts.js';

/** A fresh ramfs root and its own virtual clock (timestamps start at vfsim's fixed epoch), as the scripts' world. */
export function ramfsWorld(ramBytes = 32 << 20): PjdfstestWorld {
  const vfs = new Vfs({ root: createRamFs({ ramBytes }), clock: new Clock() });
  return {
    process: (o) => vfs.process(o),
    sleep: (s) => { vfs.clock.advance(Math.round(s * 1e9)); },
  };
}

interface Line { reset?: boolean; sleep?: number; argv?: unknown; cwd?: unknown }

/**
 * Serve JSON lines: reset, sleep, argv+cwd → {"stdout":[...],"exit":n[,"stderr":[...]]}; one output
 * line per command line (and per line that is not valid input, as {"error":...}).
 */
export async function serveLines(input: AsyncIterable<string>, write: (line: string) => void): Promise<void> {
  let world = ramfsWorld();
  let interp = new PjdfstestInterpreter(world);
  for await (const text of input) {
    if (text.trim() === '') continue;
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch (e) {
      write(JSON.stringify({ error: `not JSON: ${(e as Error).message}` }));
      continue;
    }
    if (line === null || typeof line !== 'object') { write(JSON.stringify({ error: 'expected an object' })); continue; }
    if (line.reset) {
      world = ramfsWorld();
      interp = new PjdfstestInterpreter(world);
    }
    if (line.sleep !== undefined) {
      if (typeof line.sleep !== 'number' || !Number.isFinite(line.sleep) || line.sleep < 0) {
        write(JSON.stringify({ error: 'sleep takes a non-negative number of seconds' }));
        continue;
      }
      world.sleep(line.sleep);
    }
    if (line.argv === undefined) continue;
    if (!Array.isArray(line.argv) || !line.argv.every((a) => typeof a === 'string')) {
      write(JSON.stringify({ error: 'argv must be an array of strings' }));
      continue;
    }
    const cwdRaw = typeof line.cwd === 'string' ? line.cwd : '/';
    const cwd = cwdRaw.startsWith('/') ? cwdRaw : '/' + cwdRaw;
    const r = interp.run(line.argv as string[], cwd);
    const o: Record<string, unknown> = { stdout: r.stdout, exit: r.exit };
    if (r.stderr.length > 0) o.stderr = r.stderr;
    write(JSON.stringify(o));
  }
}

function table(results: ScriptResult[]): string {
  const rows = results.map((r) => [r.file, r.skipped ? 'n/a' : String(r.planned), String(r.passed), String(r.failed), String(r.todo + r.todoPassed),
    r.skipped ? 'skipped (not for Linux/this fs)' : r.failed === 0 ? 'ok' : 'FAIL']);
  const head = ['file', 'planned', 'passed', 'failed', 'todo', 'result'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i === 0 || i === 5 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n');
}

export function summary(results: ScriptResult[]): Record<string, number> {
  const ran = results.filter((r) => !r.skipped);
  return {
    files: results.length,
    filesSkipped: results.length - ran.length,
    filesPassed: ran.filter((r) => r.failed === 0).length,
    filesFailed: ran.filter((r) => r.failed > 0).length,
    tests: ran.reduce((a, r) => a + r.passed + r.failed, 0),
    passed: ran.reduce((a, r) => a + r.passed, 0),
    failed: ran.reduce((a, r) => a + r.failed, 0),
    todo: ran.reduce((a, r) => a + r.todo + r.todoPassed, 0),
    todoPassed: ran.reduce((a, r) => a + r.todoPassed, 0),
  };
}

export function register(program: Command): void {
  program
    .command('pjdfstest')
    .description('pjdfstest\'s command language over a fresh ramfs (JSON lines on stdin), or run a pjdfstest checkout\'s scripts')
    .option('--run-scripts <dir>', 'run the .t scripts of the pjdfstest checkout in <dir> against vfsim')
    .option('--only <prefixes>', 'with --run-scripts: only files starting with these comma-separated prefixes (e.g. rename,chmod/00.t)')
    .option('--fs-name <name>', 'with --run-scripts: the filesystem name the scripts see', 'TMPFS')
    .option('--failures', 'with --run-scripts: print every failing test line', false)
    .option('--json', 'with --run-scripts: print JSON {"files":[...],"summary":{...}}', false)
    .addHelpText('after', `
Without --run-scripts, reads JSON lines on stdin and prints one line per command line:
  {"reset":true}                          start again on a fresh ramfs
  {"sleep":1}                             let 1 second of the model's clock pass
  {"argv":["-u","65534","open","f","O_RDONLY"],"cwd":"d"}
                                          run one pjdfstest command line in /d
  → {"stdout":["EACCES"],"exit":1,"stderr":["open returned -1"]}
The printed lines are those pjdfstest's program prints: 0, an errno name, or the stat fields asked for.

With --run-scripts DIR, the scripts run under /bin/sh against a fresh ramfs each, through a stand-in
pjdfstest program and a conf file written to a scratch directory (the checkout is only read).`)
    .action(async (o: { runScripts?: string; only?: string; fsName: string; failures: boolean; json: boolean }) => {
      if (o.runScripts === undefined) {
        await serveLines(readline.createInterface({ input: process.stdin, crlfDelay: Infinity }), (l) => process.stdout.write(l + '\n'));
        return;
      }
      const bar = o.json || !process.stderr.isTTY ? undefined : new SingleBar({ format: 'pjdfstest {bar} {value}/{total} {file}' }, Presets.shades_classic);
      let started = false;
      const results = await runScripts({
        dir: o.runScripts, only: o.only?.split(',').filter((s) => s !== ''), fsName: o.fsName, makeWorld: ramfsWorld,
        progress: (done, total, file) => {
          if (!bar) return;
          if (!started) { bar.start(total, 0, { file }); started = true; }
          bar.update(done, { file });
        },
      });
      bar?.stop();
      const s = summary(results);
      if (o.json) {
        process.stdout.write(JSON.stringify({ files: results, summary: s }) + '\n');
      } else {
        process.stdout.write(table(results) + '\n\n');
        if (o.failures) for (const r of results) for (const f of r.failures) process.stdout.write(`${r.file}: ${f}\n`);
        process.stdout.write(`${s.filesPassed} of ${s.files - s.filesSkipped} files pass (${s.filesSkipped} not for Linux/this fs); ` +
          `${s.passed} passed, ${s.failed} failed, ${s.todo} todo (${s.todoPassed} of them pass)\n`);
      }
      if (s.failed! > 0) process.exitCode = 1;
    });
}
