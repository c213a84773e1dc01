// `vfsim pjdfstest` itself: the JSON-lines protocol, the command language as pjdfstest's program parses
// it (options, ':' chains, descriptor numbering, usage errors), and the script runner's machinery
// (stand-in program, FIFOs, our conf redirecting cd/pwd/sleep/mkdir -p/ln -s/shell redirections into
// vfsim), exercised on a small synthetic checkout written here. The real pjdfstest scripts are run by
// `npm run test:pjdfstest` with PJDFSTEST_DIR pointing at a checkout (not part of `npm test`: the
// scripts cannot be committed here).

import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serveLines, summary } from '../../src/cli/pjdfstest.js';
import { ramfsWorld } from '../../src/cli/pjdfstest.js';
import { PjdfstestInterpreter, makedev, major, minor, PJDFSTEST_SYSCALLS } from '../../src/testing/pjdfstest.js';
import { runScripts, parseTap } from '../../src/testing/pjdfstest-scripts.js';

async function* lines(xs: string[]): AsyncIterable<string> { for (const x of xs) yield x; }

async function serve(input: unknown[]): Promise<unknown[]> {
  const out: unknown[] = [];
  await serveLines(lines(input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))), (l) => out.push(JSON.parse(l)));
  return out;
}

t.test('JSON lines: one answer per command line; reset starts a fresh ramfs; sleep moves the clock', async (t) => {
  const out = await serve([
    { argv: ['mkdir', 'd', '0755'] },
    { argv: ['create', 'f', '0644'], cwd: 'd' },
    { argv: ['stat', 'd/f', 'type,mode,ctime'] },
    { sleep: 3 },
    { argv: ['chmod', 'f', '0600'], cwd: '/d' },
    { argv: ['stat', 'd/f', 'mode,ctime'] },
    { reset: true },
    { argv: ['stat', 'd', 'type'] },
    'not json',
    { argv: 'mkdir x' },
    { sleep: -1 },
  ]) as { stdout?: string[]; exit?: number; error?: string }[];
  t.equal(out.length, 9, 'reset and sleep print nothing; every other line one answer');
  t.same(out[0], { stdout: ['0'], exit: 0 });
  t.same(out[1], { stdout: ['0'], exit: 0 });
  const [type, mode, c1] = out[2]!.stdout![0]!.split(',');
  t.equal(`${type},${mode}`, 'regular,0644');
  t.same(out[3], { stdout: ['0'], exit: 0 });
  const [mode2, c2] = out[4]!.stdout![0]!.split(',');
  t.equal(mode2, '0600');
  t.equal(Number(c2) - Number(c1), 3, 'ctime moved by the 3 s slept');
  t.same(out[5], { stdout: ['ENOENT'], exit: 1, stderr: ['stat returned -1'] }, 'after reset the tree is empty');
  t.match(out[6]!.error, /^not JSON/);
  t.match(out[7]!.error, /argv must be an array/);
  t.match(out[8]!.error, /sleep takes/);
});

t.test('command language: -u/-g/-U options, ":" chains, descriptors numbered in order, stop at the first error (pjdfstest.c main, call_syscall)', async (t) => {
  const it = new PjdfstestInterpreter(ramfsWorld());
  const run = (s: string): { stdout: string[]; stderr: string[]; exit: number } => it.run(s.split(' '), '/');
  t.same(run('mkdir d 0777').stdout, ['0']);
  t.same(run('-u 1000 -g 2000,3000 -U 077 create d/f 0666').stdout, ['0']);
  t.same(run('stat d/f uid,gid,mode').stdout, ['1000,2000,0600']);
  t.same(run('-u1000 -g2000 -U0 create d/g 0666').stdout, ['0'], 'option values may be attached');
  t.same(run('stat d/g mode').stdout, ['0666'], 'the program\'s umask is 0 unless -U says otherwise');
  // Two descriptors: 0 and 1 are the program's numbering, not the kernel's.
  t.same(run('open d/f O_RDWR : open d/g O_WRONLY : write 1 xyz : fstat 1 size : fstat 0 size').stdout, ['0', '0', '0', '3', '0']);
  // The chain stops at the first failure, printing its errno last.
  const r = run('open d/nope O_RDONLY : fstat 0 size');
  t.same(r.stdout, ['ENOENT']);
  t.equal(r.exit, 1);
  // Usage errors print nothing on stdout.
  for (const bad of ['open d/f O_CREAT', 'open d/f O_RDONLY 0644', 'mkdir x', 'mkdir x 0755 extra', 'fstat 5 size', 'open d/f O_BOGUS', 'chflags d/f none', 'mkdir x 08']) {
    const b = run(bad);
    t.same(b.stdout, [], `${bad}: no stdout`);
    t.equal(b.exit, 1);
    t.ok(b.stderr.length > 0, `${bad}: says why on stderr (${b.stderr[0]})`);
  }
  t.same(run('mkdir x 0x1ed').stdout, ['0'], 'numbers are strtoll(,,0): hex');
  t.same(run('stat x mode').stdout, ['0755']);
  t.same(run('pathconf / _PC_NAME_MAX').stdout, ['255']);
  t.same(run('pathconf / _PC_PATH_MAX').stdout, ['4096']);
  t.same(run('stat NULL type').stdout, ['EFAULT'], 'NULL and DEADCODE are pointers the kernel cannot read');
  t.ok(PJDFSTEST_SYSCALLS.includes('utimensat') && !PJDFSTEST_SYSCALLS.includes('chflags'), 'the Linux build\'s table');
});

t.test('device numbers encode as Linux does (12-bit major, 20-bit minor; glibc makedev)', async (t) => {
  t.equal(makedev(1, 2), 0x102);
  t.equal(makedev(8, 0x12345), 0x12345 & 0xff | 0x800 | (0x12300 << 12));
  for (const [M, m] of [[0, 0], [1, 2], [4095, 1048575], [259, 65536]] as const) {
    t.same([major(makedev(M, m)), minor(makedev(M, m))], [M, m]);
  }
});

t.test('parseTap counts passes, failures, TODOs and tests that never ran', async (t) => {
  const r = parseTap('x/00.t', '1..6\nok 1\nnot ok 2 - tried x\nok 3 # TODO linux\nnot ok 4 # TODO linux\nok 5\n', 5);
  t.match(r, { planned: 6, passed: 2, failed: 2, todo: 1, todoPassed: 1, skipped: false });
  t.same(r.failures, ['not ok 2 - tried x', '# 1 planned test(s) never ran']);
  t.equal(parseTap('y/01.t', '1..1\nok 1\n', 0).skipped, true, 'quick_exit without a call: not for this os/fs');
});

// A synthetic checkout: our own minimal misc.sh (the same lookups the real one makes, through the
// logical path as the shell's cd gives it: the program in an ancestor directory, conf beside the
// tests) and three scripts.
const MISC = `# vfsim's test of its pjdfstest runner: a minimal misc.sh
ntest=1
fstest="$(cd "$(dirname "$0")/../.." && pwd)/pjdfstest"
. "$(cd "$(dirname "$0")/.." && pwd)/conf"
expect() {
  e="$1"; shift
  r=$("$fstest" "$@" 2>/dev/null | tail -1)
  if echo "$r" | grep -Eq "^($e)\\$"; then echo "ok $ntest"; else echo "not ok $ntest - tried '$*', expected $e, got $r"; fi
  ntest=$((ntest + 1))
}
check() { if [ "$@" ]; then echo "ok $ntest"; else echo "not ok $ntest"; fi; ntest=$((ntest + 1)); }
`;

const SCRIPT_OK = `#!/bin/sh
. "$(dirname "$0")/../misc.sh"
echo "1..10"
expect 0 mkdir d 0755
cd d
check "$(pwd)" = /d
expect 0 create f 0644
t1=$("$fstest" stat f ctime)
sleep 5
expect 0 chmod f 0600
t2=$("$fstest" stat f ctime)
check $((t2 - t1)) -eq 5
mkdir -p x/y/z
expect dir lstat x/y/z type
ln -s f lnk
expect symlink,1 lstat lnk type,size
echo hello > r
expect 6 stat r size
dd if=/dev/zero of=big bs=1000 count=3 >/dev/null 2>&1
expect 3000 stat big size
cd ..
rm -rf d
expect ENOENT stat d type
`;

const SCRIPT_FAIL = `#!/bin/sh
. "$(dirname "$0")/../misc.sh"
echo "1..3"
expect 0 mkdir q 0755
expect ENOENT mkdir q 0755
`;

const SCRIPT_SKIP = `#!/bin/sh
echo "1..1"
echo "ok 1"
`;

t.test('--run-scripts: the stand-in program and our conf run a checkout\'s scripts against vfsim', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vfsim-fake-pjdfstest-'));
  try {
    fs.mkdirSync(path.join(dir, 'tests', 'grp'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'tests', 'misc.sh'), MISC);
    fs.writeFileSync(path.join(dir, 'tests', 'grp', '00.t'), SCRIPT_OK);
    fs.writeFileSync(path.join(dir, 'tests', 'grp', '01.t'), SCRIPT_FAIL);
    fs.writeFileSync(path.join(dir, 'tests', 'grp', '02.t'), SCRIPT_SKIP);
    const seen: string[] = [];
    const results = await runScripts({ dir, makeWorld: () => ramfsWorld(), progress: (_d, _n, f) => seen.push(f) });
    t.same(seen, ['grp/00.t', 'grp/01.t', 'grp/02.t']);
    const [ok, fail, skip] = results;
    t.match(ok, { file: 'grp/00.t', planned: 10, passed: 10, failed: 0 }, ok!.failures.join('\n'));
    t.match(fail, { file: 'grp/01.t', planned: 3, passed: 1, failed: 2 });
    t.match(fail!.failures[0], /expected ENOENT, got EEXIST/);
    t.match(skip, { skipped: true });
    t.match(summary(results), { files: 3, filesSkipped: 1, filesPassed: 1, filesFailed: 1, passed: 11, failed: 2 });
    t.notOk(fs.existsSync(path.join(dir, 'tests', 'conf')), 'the checkout is only read');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
