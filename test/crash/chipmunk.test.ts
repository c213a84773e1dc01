// Chipmunk's persistent-memory workloads (EuroSys '23): all 56 seq-1 and a fixed sample of seq-2 (every
// 32nd of 3,136), plus CrashMonkey's 328 stored seq-1 workloads, on pcmfs. For Chipmunk only the marked
// call is explored: the calls before it are set-up, so a crash inside it must give the state before or
// after it (NOVA_BUG4-style lost renames would show here). The whole seq-2 set is the documented
// command `vfsim crash --fs pcmfs --workload ../shared/data/crash/chipmunk-ace-pm-seq1-seq2.tar.zst --seq 2`.

import t, { type Test } from 'tap';
import { chipmunkWorkloads, crashmonkeyStoredWorkloads, pcmfsTarget, type Workload } from '../../src/testing/crash/index.js';
import { exploreClean } from './helpers.js';

const D = '/work/shared/data/crash/';
const LEAN = { allUpTo: 1, cap: 4, tail: 1, samples: 0 };

function check(t: Test, wls: Workload[], budget: object | undefined, minStates: number, usability = false): void {
  t.comment(`${wls.length} workloads`);
  exploreClean(t, pcmfsTarget(budget ? { budget } : {}), wls, minStates, { maxViolations: 1, usability });
}

t.test('Chipmunk seq-1 (all 56), default subset budget: the marked call is atomic, every image usable', async (t) => {
  check(t, chipmunkWorkloads(D + 'chipmunk-ace-pm-seq1-seq2.tar.zst', 1), undefined, 1000, true);
});

t.test('Chipmunk seq-2, every 32nd of 3,136 (98 workloads)', async (t) => {
  const all = chipmunkWorkloads(D + 'chipmunk-ace-pm-seq1-seq2.tar.zst', 2);
  check(t, all.filter((_, i) => i % 32 === 0), undefined, 1000);
});

t.test('CrashMonkey stored seq-1 (all 328)', async (t) => {
  check(t, crashmonkeyStoredWorkloads(D + 'crashmonkey-ace-seq1-stored.tar.zst'), LEAN, 10000);
});
