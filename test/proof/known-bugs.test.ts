// Each open difference from Linux (known-bugs.ts) still reproduces with its minimal case (when one is
// fixed this fails with "fixed": move the entry to FIXED_VFS_BUGS), and each fixed one stays fixed: the
// Linux rule it broke is checked here as a regression test.

import t from 'tap';
import { Vfs } from '../../vfs/vfs.js';
import { createRamFs } from '../../fs-ram/index.js';
import { KNOWN_VFS_BUGS, FIXED_VFS_BUGS } from './known-bugs.js';
import { compareSequence, linuxSide } from '../../src/testing/posix-differential.js';
import { vfsimSide } from '../../src/cli/check.js';

for (const bug of KNOWN_VFS_BUGS) {
  t.test(`known ${bug.owner} bug ${bug.id}: ${bug.rule}`, async (t) => {
    const vfs = new Vfs({ root: createRamFs({ ramBytes: 4 << 20 }) });
    const p = vfs.process({});
    t.ok(bug.reproduces(p), `still reproduces (if fixed: move '${bug.id}' to FIXED_VFS_BUGS in test/proof/known-bugs.ts)`);
    if (bug.replay) {
      // The same minimal sequence, run on vfsim and on Linux, shows the difference the entry describes.
      const d = compareSequence(bug.replay, vfsimSide, (l) => linuxSide(l));
      t.ok(d && bug.matches!(bug.replay[d.step]!, d.a as never, d.b as never), `differs from Linux as described: ${JSON.stringify(d && [d.a, d.b])}`);
    }
  });
}

for (const bug of FIXED_VFS_BUGS) {
  t.test(`regression (found by the proof suites, fixed in ${bug.fixedIn}): ${bug.rule}`, async (t) => {
    const vfs = new Vfs({ root: createRamFs({ ramBytes: 4 << 20 }) });
    t.ok(bug.holds(vfs.process({})), bug.id);
  });
}
