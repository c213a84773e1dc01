// Crash consistency (issue 7): every crash state the block device allows at every flush point of a
// workload imports to the tree of some prefix of the workload between the last durable point (a
// completed fsync/sync, or a committed txg) and the step that was running — CrashMonkey's check (OSDI
// 2018) with ZFS's guarantees: a txg is atomic (the uberblock is written only after its tree is
// flushed) and fsync'ed operations survive through the intent log. A pool that writes its uberblock
// before flushing its tree must be caught.
import t from 'tap';
import fc from 'fast-check';
import { crashCheck, type CrashStep } from '../../fs-zfs-lite/crash-check.js';
import type { Process } from '../../vfs/process.js';
import { enc } from './zfs-helpers.js';

const O_CREAT_RDWR = 0o102;

const scripted: CrashStep[] = [
  { name: 'mkdir /a', run: (p) => p.mkdir('/a', 0o755) },
  { name: 'open /a/x', run: (p, fds) => { fds.set('x', p.open('/a/x', O_CREAT_RDWR, 0o644)); } },
  { name: 'write x', run: (p, fds) => { p.write(fds.get('x')!, enc('first'), 0, 5, null); } },
  { name: 'fsync x', run: (p, fds) => p.fsync(fds.get('x')!), durable: true },
  { name: 'write /y', run: (p) => { const fd = p.open('/y', 0o101, 0o644); p.write(fd, enc('yyyy'), 0, 4, null); p.close(fd); } },
  { name: 'sync', run: (p) => p.sync(), durable: true },
  { name: 'rename /y /a/z', run: (p) => p.rename('/y', '/a/z') },
  { name: 'unlink /a/x', run: (p, fds) => { p.close(fds.get('x')!); p.unlink('/a/x'); } },
  {
    name: 'write /a/z + fsync',
    run: (p) => { const fd = p.open('/a/z', 1, 0); p.write(fd, new Uint8Array(9000).fill(90), 0, 9000, 100); p.fsync(fd); p.close(fd); },
    durable: true,
  },
  { name: 'truncate /a/z', run: (p) => p.truncate('/a/z', 10) },
  { name: 'symlink', run: (p) => p.symlink('/a/z', '/link') },
  { name: 'sync', run: (p) => p.sync(), durable: true },
];

t.test('every crash state at every flush point imports to an allowed prefix: nothing lost, nothing invented', async (t) => {
  const r = crashCheck({ steps: scripted });
  t.same(r.violations, [], 'no violations');
  t.ok(r.cuts >= 6 && r.crashStates > 50, `${r.crashStates} crash states at ${r.cuts} flush points`);
});

t.test('torn writes (each sector on its own) and sampled subsets, with txgs committing in the background', async (t) => {
  const r = crashCheck({ steps: scripted }, {
    atomicity: 'sector', subsets: { kind: 'sample', count: 6, seed: 11 }, txgTimeoutNs: 200_000,
  });
  t.same(r.violations, [], 'no violations');
  t.ok(r.crashStates > 30, `${r.crashStates} crash states`);
});

t.test('the broken pool (uberblock before the tree is flushed, a test-only option) is caught', async (t) => {
  const r = crashCheck({ steps: scripted }, { unsafeUberblockBeforeFlush: true, maxViolations: 3 });
  t.ok(r.violations.length > 0, `${r.violations.length} violations found`);
  const v = r.violations[0]!;
  t.match(v.reason, /import failed: EIO|no allowed prefix/, `first: ${v.reason.split('\n')[0]} at flush ${v.cut}, keeping writes ${v.kept.join(',')}`);
});

// Random workloads over a small vocabulary, each step optionally followed by fsync/sync.
type Act = { k: 'write'; f: number; off: number; len: number; fill: number } | { k: 'trunc'; f: number; size: number }
  | { k: 'unlink'; f: number } | { k: 'rename'; f: number; g: number } | { k: 'mkdir'; f: number } | { k: 'fsync'; f: number } | { k: 'sync' };

const actArb: fc.Arbitrary<Act> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('write' as const), f: fc.nat(3), off: fc.nat(9000), len: fc.integer({ min: 1, max: 6000 }), fill: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('trunc' as const), f: fc.nat(3), size: fc.nat(12000) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('unlink' as const), f: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('rename' as const), f: fc.nat(3), g: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('mkdir' as const), f: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('fsync' as const), f: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('sync' as const) }) },
);

function toStep(a: Act): CrashStep {
  const path = (f: number): string => `/f${f}`;
  const quiet = (fn: () => void): void => { try { fn(); } catch { /* an errno is a result too */ } };
  switch (a.k) {
    case 'write': return { name: `write f${a.f} @${a.off}+${a.len}`, run: (p: Process) => quiet(() => {
      const fd = p.open(path(a.f), O_CREAT_RDWR, 0o644); p.write(fd, new Uint8Array(a.len).fill(a.fill), 0, a.len, a.off); p.close(fd);
    }) };
    case 'trunc': return { name: `truncate f${a.f} ${a.size}`, run: (p) => quiet(() => p.truncate(path(a.f), a.size)) };
    case 'unlink': return { name: `unlink f${a.f}`, run: (p) => quiet(() => p.unlink(path(a.f))) };
    case 'rename': return { name: `rename f${a.f} f${a.g}`, run: (p) => quiet(() => p.rename(path(a.f), path(a.g))) };
    case 'mkdir': return { name: `mkdir d${a.f}`, run: (p) => quiet(() => p.mkdir(`/d${a.f}`, 0o755)) };
    case 'fsync': return { name: `fsync f${a.f}`, durable: true, run: (p) => quiet(() => {
      let fd: number;
      try { fd = p.open(path(a.f), 0, 0); } catch { p.sync(); return; } // nothing to fsync: sync instead, durable either way
      p.fsync(fd); p.close(fd);
    }) };
    case 'sync': return { name: 'sync', durable: true, run: (p) => p.sync() };
  }
}

t.test('random workloads: every crash state of every flush point is an allowed prefix (fast-check)', async (t) => {
  const seed = process.env.VFSIM_SEED !== undefined ? Number(process.env.VFSIM_SEED) : 4242;
  fc.assert(fc.property(fc.array(actArb, { minLength: 3, maxLength: 14 }), (acts) => {
    const r = crashCheck({ steps: acts.map(toStep) }, { subsets: { kind: 'sample', count: 4, seed: acts.length }, maxViolations: 1 });
    if (r.violations.length > 0) {
      const v = r.violations[0]!;
      throw new Error(`step ${v.step} (${acts.map(toStep).map((s) => s.name).join('; ')}), flush ${v.cut}, kept ${v.kept}: ${v.reason}`);
    }
  }), { seed, numRuns: 15 });
  t.pass(`15 random workloads hold (4 sampled crash states per flush point, seed ${seed})`);
});
