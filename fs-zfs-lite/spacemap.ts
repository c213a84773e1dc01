// The space allocator and its on-disk record (OpenZFS metaslab.c / space_map.c in small): free space is
// a bitmap in memory, and on disk an append-only log of ALLOC and FREE runs (a space map), replayed at
// import and condensed when it grows long. Frees are deferred for TXG_DEFER_SIZE txgs (ms_defer) so
// the trees of the last committed txgs stay intact until newer ones are safely on disk. Blocks of the
// live intent-log chain are claimed in memory only: they are not the tree's, and never in the space map.

import { fsErr } from '../vfs/errno.js';
import { invariant } from '../src/sim/assert.js';
import { allocRegion, rd32, wr32 } from './layout.js';

/** ZFS's TXG_DEFER_SIZE: a block freed in txg t is reusable from txg t + 2 on. */
export const TXG_DEFER_SIZE = 2;
/** Space map entry: start block (32 bits), run length (31 bits) and the FREE bit. */
export const SM_ENTRY = 8;
const SM_FREE = 0x80000000;

export class SpaceAllocator {
  /** 1: allocated (in the tree, deferred free, or claimed by the log). */
  readonly used: Uint8Array;
  readonly first: number;
  readonly end: number;
  /** Free blocks right now. */
  free: number;
  /** Runs allocated and freed in the open txg, not yet appended to the space map. */
  pendingAllocs: number[] = [];
  pendingFrees: number[] = [];
  /** Frees of the last TXG_DEFER_SIZE committed txgs, oldest first. */
  private deferred: number[][] = [];
  /** Blocks claimed by the intent log. */
  readonly logBlocks = new Set<number>();
  private cursor: number;

  constructor(readonly blocks: number) {
    [this.first, this.end] = allocRegion(blocks);
    this.used = new Uint8Array(blocks);
    this.used.fill(1, 0, this.first);
    this.used.fill(1, this.end);
    this.free = this.end - this.first;
    this.cursor = this.first;
  }

  /**
   * One block, next-fit from the cursor (or from `near`); ENOSPC when none is free. Allocation order
   * is deterministic.
   */
  alloc(near = -1): number {
    if (this.free === 0) throw fsErr('ENOSPC', 'metaslab_alloc');
    const u = this.used;
    const keepCursor = near >= 0;
    let b = keepCursor ? near : this.cursor;
    for (let n = this.end - this.first; n > 0; n--) {
      if (b >= this.end) b = this.first;
      if (u[b] === 0) {
        u[b] = 1;
        this.free--;
        if (!keepCursor) this.cursor = b + 1;
        this.pendingAllocs.push(b);
        return b;
      }
      b++;
    }
    invariant(false, 'free count matches the bitmap');
    return 0;
  }

  /**
   * The ditto copy of `d0`: half the allocatable region away (OpenZFS spreads ditto DVAs across
   * metaslabs, at least 1/8 of the vdev apart, so that one damaged region does not take both).
   */
  allocDitto(d0: number): number {
    const span = this.end - this.first;
    return this.alloc(this.first + ((d0 - this.first + (span >> 1)) % span));
  }

  /** Free a block of the tree in the open txg: recorded now, reusable TXG_DEFER_SIZE txgs after it commits. */
  freeDeferred(b: number): void {
    invariant(b >= this.first && b < this.end && this.used[b] === 1, 'freed block is allocated');
    this.pendingFrees.push(b);
  }

  /** Claim a block for the intent log (not recorded in the space map). */
  claimLog(): number {
    const b = this.alloc();
    this.pendingAllocs.pop();
    this.logBlocks.add(b);
    return b;
  }

  /** Mark an existing log block claimed at import (its chain is being replayed). */
  claimExisting(b: number): boolean {
    if (b < this.first || b >= this.end || this.used[b] !== 0) return false;
    this.used[b] = 1;
    this.free--;
    this.logBlocks.add(b);
    return true;
  }

  releaseLog(b: number): void {
    if (!this.logBlocks.delete(b)) return;
    this.used[b] = 0;
    this.free++;
  }

  /**
   * The txg's frees have been appended to the space map and the txg committed: start their deferral,
   * and end it for the frees of TXG_DEFER_SIZE txgs ago. When the pool is down to its slop space, the
   * txg's frees are not deferred at all but allocatable at once (metaslab_sync_done: defer_allowed is
   * false when free space <= spa_get_slop_space, and ms_freed goes straight to ms_allocatable).
   */
  commitFrees(frees: number[], deferAllowed = true): void {
    if (!deferAllowed) {
      for (const b of frees) {
        this.used[b] = 0;
        this.free++;
      }
      frees = [];
    }
    this.deferred.push(frees);
    while (this.deferred.length > TXG_DEFER_SIZE) {
      for (const b of this.deferred.shift()!) {
        this.used[b] = 0;
        this.free++;
      }
    }
  }

  /** Blocks freed but still deferred (they count as used until their deferral ends). */
  get deferredCount(): number {
    let n = 0;
    for (const d of this.deferred) n += d.length;
    return n + this.pendingFrees.length;
  }

  /** Encode runs of `blocks` (sorted here) as space-map entries appended to `out`. */
  static encodeRuns(blocks: number[], isFree: boolean, out: number[]): void {
    if (blocks.length === 0) return;
    const s = blocks.slice().sort((a, b) => a - b);
    let start = s[0]!, len = 1;
    for (let i = 1; i <= s.length; i++) {
      if (i < s.length && s[i] === start + len) { len++; continue; }
      out.push(start, len | (isFree ? SM_FREE : 0));
      if (i < s.length) { start = s[i]!; len = 1; }
    }
  }

  /** Runs of blocks allocated in the tree (not deferred-free, not log), for a condensed space map. */
  condensedRuns(): number[] {
    const skip = new Set<number>(this.pendingFrees);
    for (const d of this.deferred) for (const b of d) skip.add(b);
    const live: number[] = [];
    for (let b = this.first; b < this.end; b++) if (this.used[b] === 1 && !skip.has(b) && !this.logBlocks.has(b)) live.push(b);
    const out: number[] = [];
    SpaceAllocator.encodeRuns(live, false, out);
    return out;
  }

  /**
   * Replay a space map (import): `entries` words, pairs of (start, len|FREE). Any entry outside the
   * allocatable region, or freeing what is free, or allocating what is allocated, is a damaged map: EIO.
   *
   * Frees are not held back across an import, as in OpenZFS: a FREE entry is written in the txg that
   * frees the block (metaslab_sync), while the deferral is in memory only — metaslab_init creates
   * ms_defer[] empty, metaslab_load_impl removes only what ms_defer[] holds from ms_allocatable, and
   * nothing persists it (module/zfs/metaslab.c, openzfs/zfs be7657e). So blocks freed in the last
   * TXG_DEFER_SIZE txgs before an export or a crash are allocatable at once after import; only a rewind
   * to an older uberblock (zpool import -F) could want them, and OpenZFS does not promise that either.
   */
  replay(bytes: Uint8Array, len: number): void {
    if (len % SM_ENTRY !== 0) throw fsErr('EIO', 'space_map_load');
    for (let o = 0; o < len; o += SM_ENTRY) {
      const start = rd32(bytes, o), w = rd32(bytes, o + 4);
      const isFree = (w & SM_FREE) !== 0, n = w & ~SM_FREE;
      if (n === 0 || start < this.first || start + n > this.end) throw fsErr('EIO', 'space_map_load');
      for (let b = start; b < start + n; b++) {
        if (isFree) {
          if (this.used[b] !== 1) throw fsErr('EIO', 'space_map_load');
          this.used[b] = 0;
          this.free++;
        } else {
          if (this.used[b] !== 0) throw fsErr('EIO', 'space_map_load');
          this.used[b] = 1;
          this.free--;
        }
      }
    }
  }

  static writeEntries(words: number[], dst: Uint8Array, off: number): void {
    for (let i = 0; i < words.length; i++) wr32(dst, off + 4 * i, words[i]!);
  }
}
