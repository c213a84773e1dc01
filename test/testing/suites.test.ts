// The kit's one-call suites (src/testing/suites.ts): each passes on ramfs, and each catches a deliberately
// broken backend with the seed and a shrunk sequence in its report, so a pass means something. Rules:
// read(2) returns the bytes last written (pwrite(2)); truncate(2) shrinking drops the data past the new size;
// Chipmunk's crash oracle (EuroSys '23) for the crash suite.
import t from 'tap';
import { createRamFs, RamFs } from '../../fs-ram/index.js';
import type { Backend } from '../../vfs/backend.js';
import { posixSuite, differentialSuite, fsxSuite, crashSuite, SuiteFailure } from '../../src/testing/suites.js';
import type { Op, Outcome } from '../../src/testing/posix-ops.js';
import { pcmfsTarget } from '../../src/testing/crash/index.js';
import { knownVfsDifference } from '../proof/known-bugs.js';

const ramfs = (): Backend => createRamFs({ ramBytes: 4 << 20 });

/** ramfs without its pager (so reads reach Backend.read), with read flipping the first byte it returns. */
function wrongBytes(b: Backend): Backend {
  return new Proxy(b, {
    get(target, prop) {
      if (prop === 'pager' || prop === 'pageCache') return undefined;
      if (prop === 'read') {
        return (ino: number, pos: number, buf: Uint8Array, off: number, len: number): number => {
          const n = target.read(ino, pos, buf, off, len);
          if (n > 0) buf[off] = buf[off]! ^ 0x40;
          return n;
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** ramfs whose truncate never shrinks a file (truncate(2): "the extra data is lost"). */
function neverShrinks(b: Backend): Backend {
  return new Proxy(b, {
    get(target, prop) {
      if (prop === 'truncate') return (ino: number, size: number) => { if (size >= target.getattr(ino).size) target.truncate(ino, size); };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const tolerate = (op: Op, got: Outcome, want: Outcome): string | undefined => knownVfsDifference(op, got, want)?.id;

t.test('posixSuite: ramfs agrees with the model; a backend returning wrong bytes is caught with a seed', async (t) => {
  const r = posixSuite({ factory: ramfs, name: 'ramfs' }, { seed: 5, numRuns: 40, tolerate });
  t.ok(r.ok && r.runs === 40, `${r.runs} sequences agree (seed ${r.seed})`);
  const bad = posixSuite({ factory: () => wrongBytes(ramfs()), name: 'wrong-bytes' }, { seed: 5, numRuns: 100, noThrow: true, tolerate });
  t.notOk(bad.ok, 'read(2) returning other bytes than written is caught');
  t.equal(bad.failure?.seed, 5);
  t.ok(bad.failure!.sequence.length > 0 && bad.failure!.sequence.length <= 8, `shrunk to:\n${bad.failure!.sequence.join('\n')}`);
  t.throws(() => posixSuite(() => wrongBytes(ramfs()), { seed: 5, numRuns: 100, tolerate }), SuiteFailure, 'throws by default');
  try { posixSuite(() => wrongBytes(ramfs()), { seed: 5, numRuns: 100, tolerate }); } catch (e) {
    t.match((e as Error).message, /seed 5/, 'the message names the seed');
  }
  const again = posixSuite(() => wrongBytes(ramfs()), { ...(bad.failure!.replay as { seed: number; path: string; replayPath?: string }), numRuns: 1, noThrow: true, tolerate });
  t.same(again.failure?.sequence, bad.failure!.sequence, 'seed + path replay the same shrunk sequence');
});

t.test('posixSuite: the per-sequence `after` check runs on each backend, and its failure fails the suite', async (t) => {
  let calls = 0;
  const r = posixSuite({ factory: ramfs, name: 'ramfs', after: () => { calls++; } }, { seed: 6, numRuns: 10, tolerate });
  t.ok(r.ok && calls >= 10, `after() ran ${calls} times`);
  const bad = posixSuite({ factory: ramfs, name: 'ramfs', after: (_b, p) => { if (p.readdir('/').length > 1) throw new Error('fsck: too many names'); } },
    { seed: 6, numRuns: 50, noThrow: true, tolerate });
  t.match(bad.failure?.what, /fsck: too many names/, 'a failing after() is reported with the shrunk sequence');
});

t.test('differentialSuite: ramfs agrees with Linux; a truncate that never shrinks is caught and shrunk', async (t) => {
  const tol = (op: Op, a: Outcome, b: Outcome): boolean => knownVfsDifference(op, a, b) !== undefined;
  const r = differentialSuite({ factory: ramfs, name: 'ramfs' }, { seed: 77, numRuns: 30, tolerate: tol });
  t.ok(r.ok && r.report.ops > 200, `${r.report.ops} ops agree with Linux`);
  const bad = differentialSuite({ factory: () => neverShrinks(ramfs()), name: 'never-shrinks' }, { seed: 77, numRuns: 60, against: 'model', noThrow: true, tolerate: tol });
  t.notOk(bad.ok, 'caught');
  t.ok(bad.failure!.sequence.some((s) => /truncate|O_TRUNC/.test(s)), `shrunk to:\n${bad.failure!.sequence.join('\n')}`);
});

t.test('fsxSuite: ramfs passes 2000 ops with mmap; a backend returning wrong bytes is caught', async (t) => {
  const r = fsxSuite({ factory: (ram) => new RamFs({ ram }), name: 'ramfs' }, { seed: 3, numRuns: 2000, ramMiB: 4 });
  t.ok(r.ok && (r.fsx.counts.mapread ?? 0) > 0, `${r.runs} ops, ${r.fsx.checkedBytes} bytes checked`);
  const bad = fsxSuite({ factory: (ram) => wrongBytes(new RamFs({ ram })), name: 'wrong-bytes' }, { seed: 3, numRuns: 2000, ramMiB: 4, noThrow: true });
  t.notOk(bad.ok, `caught: ${bad.failure?.what}`);
  t.ok(typeof bad.failure!.replay === 'string' && bad.failure!.replay.length > 0, 'an .fsxops replay comes with it');
});

t.test('crashSuite: pcmfs has no violation; pcmfs with a fence left out is caught and the workload shrunk', async (t) => {
  const r = crashSuite(pcmfsTarget({ budget: { seed: 3 } }), { seed: 2026, numRuns: 5, core: 4 });
  t.ok(r.ok && r.crashStates > 100, `${r.crashStates} crash states, no violation`);
  const bad = crashSuite(pcmfsTarget({ omitFence: true }), { seed: 2026, numRuns: 5, noThrow: true });
  t.notOk(bad.ok, `caught: ${bad.failure?.what}`);
  t.ok(bad.failure!.sequence.length > 0, `shrunk to:\n${bad.failure!.sequence.join('\n')}`);
});
