// The ARC's report and self-check (fs-zfs-lite/arc.ts has the cache): the counters `arcstats`
// shows (OpenZFS module/zfs/arc.c arc_stats) and the invariants of Megiddo and Modha, FAST '03,
// Sec. III-A, generalised to sizes as arc.ts explains.

import { invariant } from '../src/sim/assert.js';
import { NIL, type SlotLists } from './arc-lists.js';

/** Counters, as `arcstats` reports them. */
export interface ArcStats {
  requests: number;
  hits: number;
  misses: number;
  /** Hits on T1 and on T2 (ZFS mru_hits, mfu_hits). */
  t1Hits: number;
  t2Hits: number;
  /** Misses whose key was on a ghost list: Fig. 4 cases II and III (ZFS mru_ghost_hits, mfu_ghost_hits). */
  b1Hits: number;
  b2Hits: number;
  /** Buffers evicted from T1/T2 (to a ghost list, or dropped by case IV.A and by shrinking). */
  evictions: number;
  /** Evictions of buffers shared with the page cache (each called onEvict). */
  sharedEvictions: number;
  /** Ghost entries dropped from B1/B2. */
  ghostDrops: number;
  /** Calls to `shrink` and the resident size they released. */
  shrinks: number;
  shrunk: number;
  /** Puts refused because the buffer alone is larger than c. */
  tooBig: number;
  p: number;
  c: number;
  cMin: number;
  cMax: number;
  t1: number;
  t2: number;
  b1: number;
  b2: number;
  /** Resident size |T1| + |T2|. */
  size: number;
}

/** The sizes and targets checkArcInvariants reads (resident and ghost list totals, p, c and its bounds). */
export interface ArcSizes {
  t1: number;
  t2: number;
  b1: number;
  b2: number;
  p: number;
  c: number;
  cMin: number;
  cMax: number;
}

/**
 * Check |T1| + |T2| ≤ c, |T1| + |B1| ≤ c, |T1| + |T2| + |B1| + |B2| ≤ 2c, 0 ≤ p ≤ c,
 * c_min ≤ c ≤ c_max, every key on at most one list and the lists consistent with the directory
 * (SlotLists.check), and that the ghost lists `ghosts` hold no buffer and no share flag. Throws
 * InvariantError.
 */
export function checkArcInvariants<V>(d: SlotLists<V>, lists: number, ghosts: readonly number[], z: ArcSizes): void {
  d.check(lists);
  const eps = 1e-9 * Math.max(1, z.c);
  const { t1, t2, b1, b2 } = z;
  invariant(t1 + t2 <= z.c + eps, '|T1| + |T2| ≤ c');
  invariant(t1 + b1 <= z.c + eps, '|T1| + |B1| ≤ c');
  invariant(t1 + t2 + b1 + b2 <= 2 * z.c + eps, '|T1| + |T2| + |B1| + |B2| ≤ 2c');
  invariant(z.p >= 0 && z.p <= z.c + eps, '0 ≤ p ≤ c');
  invariant(z.c >= z.cMin && z.c <= z.cMax, 'c_min ≤ c ≤ c_max');
  for (const l of ghosts) {
    for (let s = d.head[l]!; s !== NIL; s = d.next[s]!) {
      invariant(d.values[s] === undefined, 'a ghost holds no buffer');
      invariant(d.flags[s] === 0, 'a ghost is not shared');
    }
  }
}
