// The ARC's page-cache hooks are programming contracts, not user input (CONVENTIONS: bad input gets an
// errno, a broken internal contract an InvariantError): one eviction hook at a time (OSv installs one
// unmap_arc_buf callback), and checkInvariants still reports the paper's bounds (Megiddo and Modha,
// FAST '03, Sec. III-A) after moving to arc-stats.ts.
import t from 'tap';
import { Arc, T1 } from '../../fs-zfs-lite/arc.js';
import { InvariantError } from '../../src/sim/assert.js';

t.test('a second eviction hook is an InvariantError, not an errno (one unmap_arc_buf callback)', async (t) => {
  const arc = new Arc<number>({ c: 4 });
  arc.setOnEvict(() => {});
  t.throws(() => arc.setOnEvict(() => {}), InvariantError, 'replacing the hook would lose the first user\'s unmapping');
  arc.setOnEvict(undefined);
  t.doesNotThrow(() => arc.setOnEvict(() => {}), 'after removing it, a hook can be installed again');
});

t.test('the eviction hook runs for a shared buffer before its release (OSv unmap_arc_buf before arc_buf_destroy)', async (t) => {
  const order: string[] = [];
  const arc = new Arc<number>({ c: 2, release: (k) => order.push(`release ${k}`) });
  arc.setOnEvict((k) => order.push(`unmap ${k}`));
  arc.put(1, 10);
  t.ok(arc.share(1), 'a resident buffer can be shared');
  t.notOk(arc.share(99), 'an absent one cannot');
  arc.put(2, 20);
  arc.put(3, 30); // case IV: T1's LRU (key 1) goes to B1
  t.same(order, ['unmap 1', 'release 1'], 'unmapped first, then released');
  t.same(arc.keysOf(T1), [3, 2]);
  t.doesNotThrow(() => arc.checkInvariants(), 'the paper\'s bounds hold');
});
