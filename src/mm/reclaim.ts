// Page reclaim under memory pressure: a clock (second chance) over the page cache's frames, after
// Linux's shrink_folio_list with folio_referenced and OSv's access_scanner. A page referenced since
// the hand last passed — PG_REFERENCED from read/write, or the access flag of any descriptor mapping
// it, found through the rmap and cleared (with TLBI) — gets another round; otherwise it is evicted:
// dirty state gathered from the descriptors, written back through the backend's Pager, unmapped from
// every address space, TLB entries invalidated, the frame freed. Registered on Ram as a Shrinker, so
// an allocation that finds no free frame runs it before failing with ENOMEM/ENOSPC/SIGBUS.

import type { Shrinker } from '../hw/ram.js';
import type { Mm } from './mm.js';
import { PG_CACHED, PG_REFERENCED, PG_UNEVICTABLE } from './page-cache.js';

export class Reclaim implements Shrinker {
  readonly name = 'page-cache';
  readonly stats = { scanned: 0, evicted: 0, writebacks: 0, secondChances: 0, failures: 0, runs: 0 };
  private hand = 0;
  /**
   * The page cache's allocation count when a whole sweep last found nothing evictable. Pages become
   * candidates only by being added (a page's PG_UNEVICTABLE never clears), so until the count moves
   * another sweep would find nothing either (ramfs under memory pressure).
   */
  private emptyAt = -1;

  /** The page cache's flags four frames to a word (the tail past a multiple of four in `tail`). */
  private readonly flags32: Uint32Array;

  constructor(private readonly mm: Mm) {
    const f = mm.pageCache.flags;
    this.flags32 = f.byteOffset % 4 === 0 ? new Uint32Array(f.buffer, f.byteOffset, f.length >>> 2) : new Uint32Array(0);
  }

  /**
   * Whether any frame is a candidate (PG_CACHED without PG_UNEVICTABLE), four frames per word: a
   * machine of unevictable pages (ramfs, as tmpfs without swap) under memory pressure learns that it
   * has nothing to give in frameCount / 4 steps instead of a clock sweep.
   */
  private anyCandidate(): boolean {
    const w32 = this.flags32, ones = 0x01010101;
    const cachedBit = Math.imul(PG_CACHED, ones), unevShift = Math.log2(PG_UNEVICTABLE / PG_CACHED);
    for (let i = 0; i < w32.length; i++) {
      const w = w32[i]!;
      if ((w & cachedBit & ~((w >>> unevShift) & cachedBit)) !== 0) return true;
    }
    const flags = this.mm.pageCache.flags;
    for (let f = w32.length * 4; f < flags.length; f++) if ((flags[f]! & (PG_CACHED | PG_UNEVICTABLE)) === PG_CACHED) return true;
    return false;
  }

  /**
   * Free at least `want` frames if the page cache can: at most two sweeps of the clock (the first may
   * only clear reference bits). Returns the frames freed; pages whose writeback fails stay (dirty).
   */
  shrink(want: number): number {
    const mm = this.mm, pc = mm.pageCache, flags = pc.flags;
    const n = flags.length;
    this.stats.runs++;
    if (pc.stats.allocs === this.emptyAt) return 0;
    if (!this.anyCandidate()) {
      this.emptyAt = pc.stats.allocs;
      return 0;
    }
    let freed = 0;
    let candidates = 0;
    // Evict in batches of at least 32 (Linux SWAP_CLUSTER_MAX) so that one fault does not pay a scan each.
    const goal = Math.max(want, 32);
    for (let scanned = 0; scanned < 2 * n && freed < goal; scanned++) {
      const f = this.hand;
      this.hand = f + 1 === n ? 0 : f + 1;
      const fl = flags[f]!;
      if (scanned === n && candidates === 0) {
        this.emptyAt = pc.stats.allocs; // a whole sweep found nothing evictable
        break;
      }
      if ((fl & PG_CACHED) === 0 || (fl & PG_UNEVICTABLE) !== 0 || f === mm.pinned) continue;
      candidates++;
      this.stats.scanned++;
      const young = mm.testAndClearYoung(f);
      if ((fl & PG_REFERENCED) !== 0 || young) {
        flags[f] = fl & ~PG_REFERENCED;
        this.stats.secondChances++;
        continue;
      }
      const m = pc.mappingOf(f)!;
      const wb = pc.stats.writebacks;
      try {
        if (pc.evictPage(m, pc.index[f]!)) {
          freed++;
          this.stats.evicted++;
        }
      } catch {
        this.stats.failures++; // the pager failed: the page stays cached and dirty (Linux: redirty)
      }
      this.stats.writebacks += pc.stats.writebacks - wb;
    }
    return freed;
  }
}
