// The foundation's Linux-differential suite on zfs-lite (issue 7: "the foundation's model-based and
// Linux-differential suites run against it too"): the same random sequences on zfs-lite behind vfsim's
// VFS and on node:fs in a scratch directory on Linux tmpfs; every result, errno and the final tree agree.
import t from 'tap';
import { differentialSuite } from '../../src/testing/suites.js';
import type { Op, Outcome } from '../../src/testing/posix-ops.js';
import { createZfsLite } from '../../fs-zfs-lite/index.js';
import { knownVfsDifference } from '../proof/known-bugs.js';

t.test('zfs-lite agrees with Linux tmpfs (fixed seed; txgs commit mid-sequence)', async (t) => {
  const tolerate = (op: Op, a: Outcome, b: Outcome): boolean => knownVfsDifference(op, a, b) !== undefined;
  // A txg every 50 µs of virtual time, so sequences run across commits, not only in the open txg.
  const factory = () => createZfsLite({ deviceBytes: 8 << 20, ramBytes: 8 << 20, txgTimeoutNs: 50_000 });
  const r = differentialSuite({ factory, name: 'zfs-lite' }, { seed: 7, numRuns: 40, noThrow: true, tolerate });
  t.ok(r.report.ops > 500, `ran ${r.report.ops} operations`);
  t.ok(r.ok, r.failure ? `${r.failure.what}\n${r.failure.sequence.join('\n')}` : 'no disagreement');
});
