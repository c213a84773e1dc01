// examples/user-backend/pagefs.mjs, a backend written outside the source tree against the public API
// only, passes the testing kit: random POSIX call sequences (fast-check fc.commands) run on it through
// vfsim's VFS and on the kit's reference model (Linux rules: open(2), rename(2), unlink(2), truncate(2),
// ...) must agree call by call and in the final tree, as vfsim's own backends must (test/proof).
// It also agrees with Linux (differentialSuite) and passes fsx (fsxSuite). Everything is imported as a
// user imports it: 'vfsim' and 'vfsim/testing' (the built package; `npm run build` first).
import t from 'tap';
import { Vfs } from 'vfsim';
import { posixSuite, differentialSuite, fsxSuite, VFSIM_FLAGS, type Op, type Outcome } from 'vfsim/testing';
import { PageFs } from '../../examples/user-backend/pagefs.mjs';
import { knownVfsDifference } from '../proof/known-bugs.js';

// Differences of the shared VFS already filed in test/proof/known-bugs.ts are counted, not blamed on the backend.
const known = (op: Op, got: Outcome, want: Outcome): string | undefined => knownVfsDifference(op as never, got as never, want as never)?.id;

t.test('a user-written backend agrees with the POSIX reference model (vfsim/testing posixSuite)', async (t) => {
  const r = posixSuite({ factory: () => new PageFs(), name: 'pagefs' }, { seed: 20261125, numRuns: 150, tolerate: known });
  t.ok(r.ok, `${r.runs} sequences agree (seed ${r.seed})`);
  const met = Object.entries(r.tolerated);
  t.comment(met.length === 0 ? 'no known VFS differences met' : `known VFS differences met: ${met.map(([k, n]) => `${k}: ${n}`).join(', ')}`);
});

t.test('the same backend agrees with Linux (node:fs on tmpfs) call by call (differentialSuite)', async (t) => {
  const r = differentialSuite({ factory: () => new PageFs(), name: 'pagefs' }, {
    seed: 77, numRuns: 40, tolerate: (op, a, b) => known(op, a, b) !== undefined,
  });
  t.ok(r.ok && r.report.ops > 300, `${r.report.ops} operations agree with Linux`);
});

t.test('fsx on the backend: reads always return the bytes written (fsxSuite; no pager, so mmap ops are skipped)', async (t) => {
  const r = fsxSuite({ factory: () => new PageFs(), name: 'pagefs' }, { seed: 9, numRuns: 2000, fileSize: 64 * 1024 });
  t.ok(r.ok, `${r.runs} ops, ${r.fsx.checkedBytes} bytes checked`);
  t.ok((r.fsx.skipped.mapread ?? 0) > 0, 'mapread skipped by name: pagefs offers no pager');
});

t.test('holes read as zeros after truncate grows a file (truncate(2))', async (t) => {
  const p = new Vfs({ root: new PageFs() }).root;
  const fd = p.open('/f', VFSIM_FLAGS.O_RDWR | VFSIM_FLAGS.O_CREAT, 0o644);
  p.write(fd, Uint8Array.of(9, 9), 0, 2, 0);
  p.ftruncate(fd, 10000);
  p.ftruncate(fd, 1);
  p.ftruncate(fd, 3);
  const b = new Uint8Array(3);
  t.equal(p.read(fd, b, 0, 3, 0), 3);
  t.same([...b], [9, 0, 0], 'bytes past a shrink come back as zeros');
});
