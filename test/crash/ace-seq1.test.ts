// Every seq-1 workload ACE generates (CrashMonkey, OSDI '18; 435 at the commit in the data README) on
// pcmfs: crash at every fence and after every call, recover, and hold the state to Chipmunk's oracle for
// persistent-memory file systems (EuroSys '23): completed calls present, the call in flight whole or
// absent, the image mounts, fsck clean. A lean subset budget per cut keeps this under a few seconds
// of CPU; `vfsim crash --workload` runs the default budget.

import t from 'tap';
import { aceGeneratedWorkloads, pcmfsTarget } from '../../src/testing/crash/index.js';
import { exploreClean } from './helpers.js';

const D = '/work/shared/data/crash/';
const LEAN = { allUpTo: 1, cap: 4, tail: 1, samples: 0 };

t.test('ACE seq-1 (all 435 generated workloads): no violation on pcmfs', async (t) => {
  const wls = aceGeneratedWorkloads(D + 'crashmonkey-ace-seq1-generated.jlang.zst', 'ace-seq1');
  exploreClean(t, pcmfsTarget({ budget: LEAN }), wls, 15000, { maxViolations: 1 });
});
