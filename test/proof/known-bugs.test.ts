// The Linux rules behind the differences the proof suites found (known-bugs.ts): open ones as TAP todo
// checks (reported, not failing the run; "todo passing" once fixed), fixed ones as regression tests.

import t from 'tap';
import { Vfs } from '../../vfs/vfs.js';
import { createRamFs } from '../../fs-ram/index.js';
import { KNOWN_VFS_BUGS, FIXED_VFS_BUGS } from './known-bugs.js';
import { compareSequence, linuxSide } from '../../src/testing/posix-differential.js';
import { vfsimSide } from '../../src/cli/check.js';

for (const bug of KNOWN_VFS_BUGS) {
  t.test(`open ${bug.owner} bug ${bug.id}: ${bug.rule}`, async (t) => {
    const todo = `filed against ${bug.owner}; once this passes, move '${bug.id}' to FIXED_VFS_BUGS in test/proof/known-bugs.ts`;
    const vfs = new Vfs({ root: createRamFs({ ramBytes: 4 << 20 }) });
    t.ok(bug.holds(vfs.process({})), 'vfsim follows the Linux rule', { todo });
    if (bug.replay) {
      // The minimal sequence on vfsim and on Linux: while the bug is open they differ as described.
      const d = compareSequence(bug.replay, vfsimSide, (l) => linuxSide(l));
      if (d) t.ok(bug.matches!(bug.replay[d.step]!, d.a as never, d.b as never), `the replay differs from Linux as described: ${JSON.stringify([d.a, d.b])}`);
      t.equal(d, undefined, 'the replay agrees with Linux', { todo });
    }
  });
}

for (const bug of FIXED_VFS_BUGS) {
  t.test(`regression (found by the proof suites, fixed in ${bug.fixedIn}): ${bug.rule}`, async (t) => {
    const vfs = new Vfs({ root: createRamFs({ ramBytes: 4 << 20 }) });
    t.ok(bug.holds(vfs.process({})), bug.id);
  });
}
