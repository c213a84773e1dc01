// Each known difference from Linux (known-bugs.ts) still reproduces with its minimal case. When one is
// fixed this test fails with "fixed": delete the entry, and the property suites then hold vfsim to the
// rule again.

import t from 'tap';
import { Vfs } from '../../vfs/vfs.js';
import { createRamFs } from '../../fs-ram/index.js';
import { KNOWN_VFS_BUGS } from './known-bugs.js';
import { compareSequence, linuxSide } from '../../src/testing/posix-differential.js';
import { vfsimSide } from '../../src/cli/check.js';

for (const bug of KNOWN_VFS_BUGS) {
  t.test(`known ${bug.owner} bug ${bug.id}: ${bug.rule}`, async (t) => {
    const vfs = new Vfs({ root: createRamFs({ ramBytes: 4 << 20 }) });
    const p = vfs.process({});
    t.ok(bug.reproduces(p), `still reproduces (if fixed: remove '${bug.id}' from test/proof/known-bugs.ts)`);
    if (bug.replay) {
      // The same minimal sequence, run on vfsim and on Linux, shows the difference the entry describes.
      const d = compareSequence(bug.replay, vfsimSide, (l) => linuxSide(l));
      t.ok(d && bug.matches!(bug.replay[d.step]!, d.a as never, d.b as never), `differs from Linux as described: ${JSON.stringify(d && [d.a, d.b])}`);
    }
  });
}
