// Differential check against Linux (issue 3, "Proof"): the same seeded sequences run on vfsim (ramfs)
// and on the host kernel through node:fs in a fresh directory on tmpfs (/dev/shm), comparing every
// result, errno and the final tree. The reference model used by posix-model.test.ts is held to the same
// standard here, so the model is itself checked against Linux. Exclusions (inode numbers, times, block
// counts, directory sizes, readdir order, descriptor numbers, ops node:fs lacks) are listed in
// src/testing/posix-differential.ts with the reason for each.

import t from 'tap';
import { Command } from 'commander';
import { PosixModel } from '../../src/testing/posix-model.js';
import { VFSIM_FLAGS, formatOp, type Op, type Outcome } from '../../src/testing/posix-ops.js';
import {
  compareSequence, linuxSide, runDifferential, shrinkSequence, targetSide, EXCLUSIONS, type SideFactory,
} from '../../src/testing/posix-differential.js';
import { register as registerCheck, vfsimSide, modelSide } from '../../src/cli/check.js';
import { knownVfsDifference } from './known-bugs.js';

const linux: SideFactory = (l) => linuxSide(l);

t.test('the reference model agrees with Linux tmpfs (fixed seed)', async (t) => {
  const r = runDifferential({ seed: 4242, ops: 40, sequences: 250 }, modelSide, linux);
  t.ok(r.ops > 4000, `ran ${r.ops} operations`);
  t.same(r.disagreements.map((d) => `${d.what}: model ${JSON.stringify(d.a)} linux ${JSON.stringify(d.b)}`), []);
});

t.test('vfsim agrees with Linux tmpfs on every result, errno and the final tree (fixed seed)', async (t) => {
  // Differences already filed against the VFS (known-bugs.ts) are counted, not reported.
  const known = new Map<string, number>();
  const tolerate = (op: Op, a: Outcome, b: Outcome): boolean => {
    const k = knownVfsDifference(op, a, b);
    if (k) known.set(k.id, (known.get(k.id) ?? 0) + 1);
    return k !== undefined;
  };
  const r = runDifferential({ seed: 1, ops: 40, sequences: 200, tolerate, userLinks: true }, vfsimSide, linux);
  t.comment(`known differences met: ${known.size === 0 ? 'none' : [...known].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  t.ok(r.ops > 3000, `ran ${r.ops} operations`);
  const shown = r.minimal ? `\nshrunk:\n${r.minimal.ops.map(formatOp).join('\n')}\nvfsim ${JSON.stringify(r.minimal.a)} linux ${JSON.stringify(r.minimal.b)}` : '';
  t.equal(r.disagreements.length, 0, `disagreements: ${r.disagreements.map((d) => d.what).join('; ')}${shown}`);
});

t.test('vfsim moves mtime and ctime on the calls Linux moves them on (stamp ops; fixed seed)', async (t) => {
  // Linux stamps from a coarse clock: the host side waits 10 ms (more than one tick at HZ >= 100) before
  // each call so that every update shows (see linuxSide).
  const r = runDifferential({ seed: 5, ops: 40, sequences: 12, times: true }, vfsimSide, (l) => linuxSide(l, undefined, 10));
  const shown = r.minimal ? `\nshrunk:\n${r.minimal.ops.map(formatOp).join('\n')}\nvfsim ${JSON.stringify(r.minimal.a)} linux ${JSON.stringify(r.minimal.b)}` : '';
  t.equal(r.disagreements.length, 0, `disagreements: ${r.disagreements.map((d) => d.what).join('; ')}${shown}`);
});

t.test('stamp ops see the Linux rules: chmod moves ctime only, a write both, a failed call neither (inode(7) timestamps)', async (t) => {
  const ops: Op[] = [
    { op: 'open', path: 'f', flags: ['O_RDWR', 'O_CREAT'], mode: 0o644 },
    { op: 'stamp', path: 'f' }, { op: 'stamp', path: '.' },
    { op: 'chmod', path: 'f', mode: 0o600 },
    { op: 'stamp', path: 'f' }, { op: 'stamp', path: '.' },
    { op: 'write', fd: 0, data: 'xyz' },
    { op: 'stamp', path: 'f' },
    { op: 'mkdir', path: 'f', mode: 0o755 },
    { op: 'stamp', path: 'f' }, { op: 'stamp', path: '.' },
    { op: 'rename', from: 'f', to: 'g', flags: 0 },
    { op: 'stamp', path: '.' }, { op: 'stamp', path: 'f' },
  ];
  const seen: string[] = [];
  const d = compareSequence(ops, vfsimSide, (l) => linuxSide(l, undefined, 10), undefined, 0, (_i, op, a) => {
    if (op.op === 'stamp') seen.push(a.ok ? JSON.stringify(a.value) : a.error);
  });
  t.equal(d, undefined, 'vfsim and Linux agree at every step');
  const same = '{"mtime":"same","ctime":"same"}', conly = '{"mtime":"same","ctime":"moved"}', both = '{"mtime":"moved","ctime":"moved"}';
  t.same(seen, ['"first"', '"first"', conly, same, both, same, same, both, 'ENOENT']);
});

t.test('the check can fail: a target with another umask disagrees, and the sequence shrinks (self-test)', async (t) => {
  const wrong: SideFactory = (l) => targetSide('model', new PosixModel({ umask: 0o077 }), VFSIM_FLAGS, l);
  const ops: Op[] = [
    { op: 'mkdir', path: 'a', mode: 0o755 },
    { op: 'symlink', target: 'a', path: 'b' },
    { op: 'open', path: 'c', flags: ['O_RDWR', 'O_CREAT'], mode: 0o666 },
    { op: 'write', fd: 0, data: 'xyz' },
    { op: 'stat', path: 'c' },
  ];
  const d = compareSequence(ops, wrong, linux);
  t.ok(d, 'a difference is found');
  t.equal(d!.what, 'stat("c")', 'at the first op whose result shows the mode');
  const s = shrinkSequence(ops, wrong, linux);
  t.same(s.ops, [ops[0]], 'shrunk to the one op that matters: the directory is made with another mode');
  t.equal(s.d.what, 'final tree: /p1/p2/w/a', 'found in the final tree, the sequence having been cut before stat');
});

t.test('final trees are compared, not only results (self-test)', async (t) => {
  // A side that starts with one extra file: no op result differs, only the final tree.
  const withFile: SideFactory = (l) => {
    const m = new PosixModel({ umask: l.umask });
    const side = targetSide('model', m, VFSIM_FLAGS, l);
    const fd = m.open('/p1/p2/w/x', VFSIM_FLAGS.O_CREAT | VFSIM_FLAGS.O_WRONLY, 0o644);
    m.close(fd);
    return side;
  };
  const d = compareSequence([{ op: 'fsync', fd: -1 }], withFile, linux);
  t.ok(d);
  t.equal(d!.what, 'final tree: /p1/p2/w/x');
});

t.test('vfsim check posix --json prints {"sequences","ops","disagreements"} (CLI)', async (t) => {
  const program = new Command().exitOverride();
  registerCheck(program);
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => { chunks.push(String(s)); return true; }) as typeof process.stdout.write;
  const exitCode = process.exitCode;
  try {
    await program.parseAsync(['check', 'posix', '--seed', '3', '--sequences', '20', '--ops', '10', '--json', '--subject', 'model'], { from: 'user' });
  } finally {
    process.stdout.write = write;
    process.exitCode = exitCode;
  }
  const j = JSON.parse(chunks.join('')) as { sequences: number; ops: number; disagreements: unknown[]; excluded: Record<string, string> };
  t.equal(j.sequences, 20);
  t.ok(j.ops >= 20 && j.ops <= 200);
  t.same(j.disagreements, []);
  t.same(Object.keys(j.excluded), Object.keys(EXCLUSIONS), 'every exclusion is reported with its reason');
});
