// The Adaptive Replacement Cache of Megiddo and Modha, "ARC: A Self-Tuning, Low Overhead Replacement
// Cache", FAST '03, Fig. 4: resident lists T1 (seen once recently) and T2 (seen at least twice), ghost
// lists B1/B2 of recently evicted keys, and the target p for |T1| that ghost hits adapt. Extended as
// ZFS's arc.c does: entries have sizes (bytes), the target size c shrinks under memory pressure down
// to c_min and grows back up to c_max, and buffers mapped by the page cache (OSv `arc_share_buf`)
// are unmapped through a callback before they are destroyed.

import { invariant } from '../src/sim/assert.js';
import { fsErr } from '../vfs/errno.js';
import { FLAG_SHARED, FREE, NIL, SlotLists, type Slot } from './arc-lists.js';
import { checkArcInvariants, type ArcStats } from './arc-stats.js';

export type { ArcStats } from './arc-stats.js';

/** The four lists of Fig. 4. L1 = T1 ∪ B1, L2 = T2 ∪ B2. */
export const T1 = 1;
export const T2 = 2;
export const B1 = 3;
export const B2 = 4;
const LISTS = 4;

export interface ArcOptions<V> {
  /**
   * The cache size c (the paper's c; ZFS's arc_c_max), in the unit of the sizes passed to `put`:
   * pages when every size is 1 (the paper's setting), bytes for ZFS buffers.
   */
  c: number;
  /** Floor below which `shrink` will not take c (ZFS arc_c_min). Default c/32, as ZFS's allmem/32. */
  cMin?: number;
  /**
   * Called for every buffer that leaves the cache (evicted to a ghost list, dropped, removed or
   * replaced): the owner frees its memory here (ZFS arc_buf_destroy). Not called for ghosts.
   */
  release?: (key: number, value: V) => void;
  /**
   * Called before `release` when the buffer leaving is shared with the page cache, so the page cache
   * unmaps it and shoots down the TLB first (OSv `unmap_arc_buf`, notes/OSV.md §2).
   */
  onEvict?: (key: number, value: V) => void;
  /** Record p every this many requests (`get` calls); 0 (default) records nothing. */
  pSampleEvery?: number;
  /** Directory slots to allocate up front (it doubles when full). */
  initialSlots?: number;
}

/**
 * An ARC. `get(key)` looks a buffer up (a hit moves it to T2's MRU end, Fig. 4 case I); on a miss the
 * caller reads the block and `put(key, value, size)`s it, which runs cases II–IV. With every size 1
 * and no shrinking, the sequence of decisions is exactly the paper's; with sizes, the paper's
 * "|T1|" is the byte total of T1, the adaptation step is scaled by the buffer's size (ZFS arc_adapt),
 * and REPLACE repeats until the new buffer fits.
 */
export class Arc<V> {
  /** Target size for T1 (the paper's p), a real number in [0, c]. */
  private p = 0;
  private c: number;
  readonly cMax: number;
  readonly cMin: number;
  /** False after a shrink, until `resumeGrowth` (ZFS arc_no_grow). */
  private growAllowed = true;
  private readonly d: SlotLists<V>;
  private readonly release: ((key: number, value: V) => void) | undefined;
  private onEvict: ((key: number, value: V) => void) | undefined;

  private hits = 0;
  private misses = 0;
  private t1Hits = 0;
  private t2Hits = 0;
  private b1Hits = 0;
  private b2Hits = 0;
  private evictions = 0;
  private sharedEvictions = 0;
  private ghostDrops = 0;
  private shrinks = 0;
  private shrunk = 0;
  private tooBig = 0;

  private readonly pSampleEvery: number;
  private nextSample: number;
  private readonly samples: number[] = [];

  constructor(opts: ArcOptions<V>) {
    if (!(opts.c > 0) || !Number.isFinite(opts.c)) throw fsErr('EINVAL', 'arc');
    const cMin = opts.cMin ?? opts.c / 32;
    if (!(cMin >= 0) || cMin > opts.c) throw fsErr('EINVAL', 'arc');
    this.c = this.cMax = opts.c;
    this.cMin = cMin;
    this.release = opts.release;
    this.onEvict = opts.onEvict;
    this.d = new SlotLists<V>(LISTS, opts.initialSlots ?? 1024);
    const every = opts.pSampleEvery ?? 0;
    if (!(every >= 0) || !Number.isInteger(every)) throw fsErr('EINVAL', 'arc');
    this.pSampleEvery = every;
    this.nextSample = every > 0 ? every : Number.MAX_SAFE_INTEGER;
  }

  /**
   * Look `key` up. A hit (in T1 or T2) returns the value and moves it to the MRU end of T2 (Fig. 4,
   * case I). A miss — absent, or only a ghost — returns undefined; the caller fetches and `put`s.
   * Allocates nothing.
   */
  get(key: number): V | undefined {
    const d = this.d;
    const s = d.index.get(key);
    if (this.hits + this.misses + 1 === this.nextSample) this.sampleP();
    if (s === NIL) {
      this.misses++;
      return undefined;
    }
    const l = d.list[s]!;
    if (l === T1) this.t1Hits++;
    else if (l === T2) this.t2Hits++;
    else {
      this.misses++;
      return undefined;
    }
    this.hits++;
    d.moveToHead(T2, s);
    return d.values[s];
  }

  /** The value if resident, without counting a request or changing any list. */
  peek(key: number): V | undefined {
    const s = this.d.index.get(key);
    if (s === NIL) return undefined;
    const l = this.d.list[s];
    return l === T1 || l === T2 ? this.d.values[s] : undefined;
  }

  /** True if `key` is resident (T1 or T2). */
  has(key: number): boolean {
    const s = this.d.index.get(key);
    if (s === NIL) return false;
    const l = this.d.list[s];
    return l === T1 || l === T2;
  }

  /** Which list holds `key`: 'T1', 'T2', 'B1', 'B2', or undefined. */
  where(key: number): 'T1' | 'T2' | 'B1' | 'B2' | undefined {
    const s = this.d.index.get(key);
    if (s === NIL) return undefined;
    return (['T1', 'T2', 'B1', 'B2'] as const)[this.d.list[s]! - 1];
  }

  /**
   * Insert the buffer for `key` after a miss (the paper's "fetch x into the cache"). A key on B1 or
   * B2 is a ghost hit, Fig. 4 cases II/III; a new key is case IV. A key already resident has its
   * value replaced (the old one is released) and counts as an access. Returns false, caching
   * nothing, if the buffer is larger than c.
   */
  put(key: number, value: V, size = 1): boolean {
    if (!Number.isSafeInteger(key)) throw fsErr('EINVAL', 'arc_put');
    if (!(size > 0) || !Number.isFinite(size)) throw fsErr('EINVAL', 'arc_put');
    const d = this.d;
    const s = d.index.get(key);
    if (size > this.c) {
      // Even an empty cache cannot hold it (ZFS refuses blocks above its maximum too).
      if (s !== NIL) this.drop(s);
      this.tooBig++;
      return false;
    }
    if (s === NIL) {
      this.caseIV(key, value, size);
      return true;
    }
    const l = d.list[s]!;
    if (l === T1 || l === T2) {
      this.replaceValue(s, value, size);
      return true;
    }
    const b1 = d.bytes[B1]!;
    const b2 = d.bytes[B2]!;
    let xInB2: boolean;
    if (l === B1) {
      // Case II: x ∈ B1. δ1 = 1 if |B1| ≥ |B2|, else |B2|/|B1| (a real ratio: truncating it is
      // measurably off, see data/arc/README.md); p = min(p + δ1, c).
      this.b1Hits++;
      const delta = b1 >= b2 ? size : size * (b2 / b1);
      this.p = Math.min(this.p + delta, this.c);
      xInB2 = false;
    } else {
      // Case III: x ∈ B2. δ2 = 1 if |B2| ≥ |B1|, else |B1|/|B2|; p = max(p − δ2, 0).
      this.b2Hits++;
      const delta = b2 >= b1 ? size : size * (b1 / b2);
      this.p = Math.max(this.p - delta, 0);
      xInB2 = true;
    }
    this.maybeGrow(size);
    // REPLACE(x, p) with x still on its ghost list (the tie rule looks at x ∈ B2), then move x to
    // the MRU end of T2.
    this.makeRoom(size, xInB2);
    d.unlink(s);
    d.resize(s, size);
    d.values[s] = value;
    d.pushHead(T2, s);
    this.trimGhosts(0); // only byte mode can need this: x's size may differ from its ghost's
    return true;
  }

  /** Fig. 4 case IV: x is in none of the lists. */
  private caseIV(key: number, value: V, size: number): void {
    const d = this.d;
    this.maybeGrow(size);
    if (d.bytes[T1]! + d.bytes[B1]! + size > this.c) {
      // Case A: L1 = T1 ∪ B1 is full. If B1 has entries (|T1| < c), delete B1's LRU and REPLACE
      // (below); otherwise B1 is empty and T1's LRU page leaves the cache without a ghost.
      while (d.bytes[T1]! + d.bytes[B1]! + size > this.c) {
        if (d.count[B1]! > 0) this.dropLru(B1);
        else this.evictLru(T1, FREE);
      }
    }
    // Case B: if the directory would exceed 2c, delete B2's LRU page (B1's if B2 is empty, which
    // only variable sizes can cause).
    this.trimGhosts(size);
    // REPLACE while the cache is full (in pages, |T1| + |T2| = c, exactly Fig. 4's "≥ c" test).
    this.makeRoom(size, false);
    const s = d.alloc(key, size);
    d.values[s] = value;
    d.pushHead(T1, s);
  }

  /** REPLACE(x, p) until |T1| + |T2| + size ≤ c. */
  private makeRoom(size: number, xInB2: boolean): void {
    const d = this.d;
    while (d.bytes[T1]! + d.bytes[T2]! + size > this.c) this.replace(xInB2);
  }

  /**
   * Fig. 4's REPLACE(x, p): if T1 is not empty and (|T1| > p, or x ∈ B2 and |T1| = p), T1's LRU
   * page goes to B1; otherwise T2's LRU page goes to B2.
   */
  private replace(xInB2: boolean): void {
    const d = this.d;
    const t1 = d.bytes[T1]!;
    if (d.count[T1]! > 0 && (t1 > this.p || (xInB2 && t1 === this.p))) this.evictLru(T1, B1);
    else if (d.count[T2]! > 0) this.evictLru(T2, B2);
    else this.evictLru(T1, B1); // T2 empty: unreachable in the paper's page setting, possible with sizes
  }

  /** Take the LRU buffer of `from` out of the cache: to the MRU end of ghost list `to`, or forget it. */
  private evictLru(from: number, to: number): number {
    const d = this.d;
    const s = d.tail[from]!;
    invariant(s !== NIL, 'evicting from a non-empty list');
    const size = d.sizes[s]!;
    d.unlink(s);
    this.evictions++;
    this.destroyBuf(s);
    if (to === FREE) d.free(s);
    else d.pushHead(to, s);
    return size;
  }

  /** Forget the LRU ghost of `l`. */
  private dropLru(l: number): void {
    const d = this.d;
    const s = d.tail[l]!;
    d.unlink(s);
    d.free(s);
    this.ghostDrops++;
  }

  /** Unmap (if shared) and release the buffer in slot `s`, leaving the slot as a ghost. */
  private destroyBuf(s: Slot): void {
    const d = this.d;
    const v = d.values[s] as V;
    const key = d.keys[s]!;
    d.values[s] = undefined;
    if (d.flags[s]! & FLAG_SHARED) {
      d.flags[s] = 0;
      this.sharedEvictions++;
      this.onEvict?.(key, v);
    }
    this.release?.(key, v);
  }

  /** Keep the directory within 2c after `size` more is added, and L1 within c. */
  private trimGhosts(size: number): void {
    const d = this.d;
    const c2 = 2 * this.c;
    while (d.bytes[T1]! + d.bytes[T2]! + d.bytes[B1]! + d.bytes[B2]! + size > c2) {
      if (d.count[B2]! > 0) this.dropLru(B2);
      else if (d.count[B1]! > 0) this.dropLru(B1);
      else break;
    }
    while (d.bytes[T1]! + d.bytes[B1]! > this.c && d.count[B1]! > 0) this.dropLru(B1);
  }

  /** A put on a resident key: the block's buffer was rewritten. Counts as an access (to T2). */
  private replaceValue(s: Slot, value: V, size: number): void {
    const d = this.d;
    const old = d.values[s] as V;
    if (old !== value) {
      // The page cache may map the old buffer: it must unmap before the buffer goes.
      this.destroyBuf(s);
      d.values[s] = value;
    }
    d.resize(s, size);
    d.moveToHead(T2, s);
    // Evict others (never x: it is at T2's MRU end and fits alone) until the cache fits again.
    while (d.bytes[T1]! + d.bytes[T2]! > this.c) this.replace(false);
    this.trimGhosts(0);
  }

  /** ZFS arc_adapt: while memory is not short, a full cache grows c by the incoming size, up to c_max. */
  private maybeGrow(size: number): void {
    if (this.c >= this.cMax || !this.growAllowed) return;
    const d = this.d;
    if (d.bytes[T1]! + d.bytes[T2]! + size > this.c) this.c = Math.min(this.cMax, this.c + size);
  }

  /** Drop `key` from the cache and the ghost lists (the block was freed). True if it was resident. */
  remove(key: number): boolean {
    const s = this.d.index.get(key);
    if (s === NIL) return false;
    return this.drop(s);
  }

  /** Release every buffer and forget every ghost (export of the pool). p returns to 0, c to c_max. */
  clear(): void {
    const d = this.d;
    for (const l of [T1, T2, B1, B2]) while (d.tail[l]! !== NIL) this.drop(d.tail[l]!);
    this.p = 0;
    this.c = this.cMax;
    this.growAllowed = true;
  }

  private drop(s: Slot): boolean {
    const d = this.d;
    const l = d.list[s]!;
    d.unlink(s);
    const resident = l === T1 || l === T2;
    if (resident) this.destroyBuf(s);
    d.free(s);
    return resident;
  }

  /**
   * Install the page cache's unmap hook after construction (the pool makes the ARC before the file
   * system that shares its buffers exists). One hook: a second would silently replace the first user's
   * unmapping, a bug in the caller (an invariant, not an errno: no user input reaches here).
   */
  setOnEvict(fn: ((key: number, value: V) => void) | undefined): void {
    invariant(fn === undefined || this.onEvict === undefined, 'one ARC eviction hook at a time');
    this.onEvict = fn;
  }

  /**
   * Mark a resident buffer as mapped by the page cache (OSv arc_share_buf). Its eviction will call
   * onEvict first. False if `key` is not resident.
   */
  share(key: number): boolean {
    const s = this.d.index.get(key);
    if (s === NIL || !this.isResidentSlot(s)) return false;
    this.d.flags[s]! |= FLAG_SHARED;
    return true;
  }

  /** The page cache dropped its last mapping (OSv arc_unshare_buf). False if not resident. */
  unshare(key: number): boolean {
    const s = this.d.index.get(key);
    if (s === NIL || !this.isResidentSlot(s)) return false;
    this.d.flags[s]! &= ~FLAG_SHARED;
    return true;
  }

  isShared(key: number): boolean {
    const s = this.d.index.get(key);
    return s !== NIL && this.isResidentSlot(s) && (this.d.flags[s]! & FLAG_SHARED) !== 0;
  }

  private isResidentSlot(s: Slot): boolean {
    const l = this.d.list[s];
    return l === T1 || l === T2;
  }

  /**
   * Give back memory: lower c by `amount` (not below c_min; first down to the resident size, as ZFS
   * arc_reduce_target_size does, so that a shrink of a cache that is not full still frees) and evict
   * until the cache fits. Returns the resident size released. Stops growth until `resumeGrowth`.
   * This is the page cache's reclaim hook and the body of a RAM shrinker.
   */
  shrink(amount: number): number {
    if (!(amount > 0)) return 0;
    const d = this.d;
    this.shrinks++;
    this.growAllowed = false;
    const resident = d.bytes[T1]! + d.bytes[T2]!;
    this.c = Math.max(this.cMin, Math.min(this.c, resident) - amount);
    if (this.p > this.c) this.p = this.c;
    let released = 0;
    while (d.bytes[T1]! + d.bytes[T2]! > this.c) {
      const before = d.bytes[T1]! + d.bytes[T2]!;
      this.replace(false);
      released += before - (d.bytes[T1]! + d.bytes[T2]!);
    }
    this.trimGhosts(0);
    this.shrunk += released;
    return released;
  }

  /** Memory is plentiful again: c may grow back towards c_max on later misses. */
  resumeGrowth(): void {
    this.growAllowed = true;
  }

  /** The current target size c. */
  get size(): number {
    return this.c;
  }

  /** The current adaptation target p. */
  get target(): number {
    return this.p;
  }

  /** Resident size |T1| + |T2|. */
  get used(): number {
    return this.d.bytes[T1]! + this.d.bytes[T2]!;
  }

  /** Resident entries. */
  get residentCount(): number {
    return this.d.count[T1]! + this.d.count[T2]!;
  }

  private sampleP(): void {
    this.samples.push(this.p);
    this.nextSample += this.pSampleEvery;
  }

  /** p after every `pSampleEvery` requests, oldest first (p over time). */
  pHistory(): readonly number[] {
    return this.samples;
  }

  stats(): ArcStats {
    const d = this.d;
    return {
      requests: this.hits + this.misses,
      hits: this.hits,
      misses: this.misses,
      t1Hits: this.t1Hits,
      t2Hits: this.t2Hits,
      b1Hits: this.b1Hits,
      b2Hits: this.b2Hits,
      evictions: this.evictions,
      sharedEvictions: this.sharedEvictions,
      ghostDrops: this.ghostDrops,
      shrinks: this.shrinks,
      shrunk: this.shrunk,
      tooBig: this.tooBig,
      p: this.p,
      c: this.c,
      cMin: this.cMin,
      cMax: this.cMax,
      t1: d.bytes[T1]!,
      t2: d.bytes[T2]!,
      b1: d.bytes[B1]!,
      b2: d.bytes[B2]!,
      size: d.bytes[T1]! + d.bytes[T2]!,
    };
  }

  /** Keys of list `l` (T1..B2) from MRU to LRU. For tests and debugging; allocates. */
  keysOf(l: typeof T1 | typeof T2 | typeof B1 | typeof B2): number[] {
    const d = this.d;
    const out: number[] = [];
    for (let s = d.head[l]!; s !== NIL; s = d.next[s]!) out.push(d.keys[s]!);
    return out;
  }

  /**
   * Check the paper's invariants (Sec. III-A, generalised to sizes) and the directory's consistency
   * (arc-stats.ts checkArcInvariants). Throws InvariantError.
   */
  checkInvariants(): void {
    const d = this.d;
    checkArcInvariants(d, LISTS, [B1, B2], {
      t1: d.bytes[T1]!, t2: d.bytes[T2]!, b1: d.bytes[B1]!, b2: d.bytes[B2]!,
      p: this.p, c: this.c, cMin: this.cMin, cMax: this.cMax,
    });
  }
}
