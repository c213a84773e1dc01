// Shared-buffer mmap for ZFS-lite: the page cache maps the ARC buffer itself, as OSv's BSD-ZFS bridge
// does (dmu_map_uio → map_arc_buf → arc_share_buf; arc_buf_destroy → unmap_arc_buf; notes/OSV.md §2),
// so a clean mapped page costs no frame of its own (OSv measured ~5 MB extra RAM to mmap-read a
// 512 MiB file against ~501 MB with double caching). Unlike OSv it stays coherent: the borrowed page is
// the page cache's one page for that offset, so read(), write() and every mapping see the same bytes,
// and a write copies it first (src/mm/page-share.ts).
//
// With 4 KiB records a block is one ARC buffer of one frame, so a page is a frame: `keyOf` maps each
// lent frame to its buffer's key (the block's first DVA, the ARC's key throughout ZFS-lite).

import { NO_FRAME, type Frame } from '../src/hw/ram.js';
import { PG_BORROWED, PG_CACHED, type PageCache } from '../src/mm/page-cache.js';
import { invariant } from '../src/sim/assert.js';
import type { ArcBuf, ArcRam } from './arc-ram.js';
import type { DmuObject } from './dmu.js';
import type { Pool } from './pool.js';
import { BP_DVA0, BP_SIZE, rd32 } from './layout.js';

/**
 * How file pages and the ARC meet (issue 7, "mmap: two modes, selectable"): 'double' — page-cache
 * pages are the page cache's own frames, filled by copying from the ARC (OpenZFS on OSv, Linux ZFS);
 * 'shared' — a clean page is the ARC buffer's frame itself (OSv's BSD-ZFS arc_share_buf).
 */
export type MmapCache = 'double' | 'shared';
export const MMAP_CACHES: readonly MmapCache[] = ['double', 'shared'];

/** The ARC side of shared-buffer mmap: lends buffers' frames to the page cache, takes them back on eviction. */
export class ArcShare {
  /** Frame → key of the ARC buffer it is lent as, or -1. */
  private readonly keyOf: Float64Array;
  /** Frames lent now. */
  lent = 0;
  readonly stats = { shared: 0, unshared: 0, revoked: 0, refused: 0 };
  private readonly bp = new Uint8Array(BP_SIZE);
  private readonly arc: ArcRam;

  constructor(
    private readonly pool: Pool,
    private readonly pc: PageCache,
  ) {
    invariant(pool.arc !== null, 'shared-buffer mmap needs the ARC');
    this.arc = pool.arc;
    this.keyOf = new Float64Array(pc.ram.frameCount).fill(-1);
    this.arc.setOnEvict((key, buf) => this.evicted(key, buf));
  }

  /**
   * The frame of data block `blkid` of `obj` as the ARC holds it, shared (arc_share_buf); NO_FRAME for a
   * hole, a block whose current data is dirty in memory (not in any ARC buffer yet) or one the ARC could
   * not take. EIO as a read.
   */
  share(obj: DmuObject, blkid: number): Frame {
    if (this.pool.dmu.leafBp(obj, blkid, this.bp, 0) !== 1) return NO_FRAME;
    const buf = this.pool.vdev.arcBuffer(this.bp, 0);
    if (buf === undefined) {
      this.stats.refused++;
      return NO_FRAME;
    }
    invariant(buf.frames.length === 1, 'a 4 KiB record is one ARC frame');
    const key = rd32(this.bp, BP_DVA0);
    const f = buf.frames[0]!;
    // A DVA belongs to one block of one file (no dedup or clones here), so no frame is lent twice.
    invariant(this.keyOf[f] === -1, 'an ARC frame is lent to one page');
    // The vdev just found the buffer resident under this key, and nothing ran between: the ARC must agree.
    invariant(this.arc.share(key), 'a buffer the vdev found resident is shared by the ARC');
    this.keyOf[f] = key;
    this.lent++;
    this.stats.shared++;
    return f;
  }

  /** The page cache gave frame `f` back (arc_unshare_buf): the ARC may evict it without unmapping. */
  unshare(f: Frame): void {
    const key = this.keyOf[f]!;
    invariant(key >= 0, 'an unshared frame was lent');
    this.arc.unshare(key);
    this.keyOf[f] = -1;
    this.lent--;
    this.stats.unshared++;
  }

  /** A read() or a fault used lent frame `f`: an ARC access (arc_buf_accessed), keeping its recency true. */
  access(f: Frame): void {
    this.arc.get(this.keyOf[f]!);
  }

  /** onEvict: the ARC destroys a shared buffer; the page cache drops the page first (unmap_arc_buf). */
  private evicted(key: number, buf: ArcBuf): void {
    const f = buf.frames[0]!;
    invariant(this.keyOf[f] === key, 'a shared ARC buffer is lent to the page cache');
    this.keyOf[f] = -1;
    this.lent--;
    this.stats.revoked++;
    this.pc.revoke(f);
  }

  /** Stop lending (unmount): remove the ARC's hook. */
  close(): void {
    this.arc.setOnEvict(undefined);
  }

  /** The key of the ARC buffer frame `f` is lent as, or -1. */
  keyOfFrame(f: Frame): number {
    return this.keyOf[f]!;
  }
}

/**
 * Frame accounting (an fsck), for either mode: every frame is counted once — free, the page cache's
 * own, the ARC's (lent or not), or one of the `otherFrames` the caller knows of (translation tables,
 * private pages) — and they add up to the RAM; every borrowed page is a frame the ARC still holds,
 * shared, under the key recorded for it; every shared ARC buffer is borrowed. Returns the problems
 * found, or an empty list. `share` is null in double-caching mode (then nothing may be borrowed).
 */
export function auditFrames(pc: PageCache, arc: ArcRam, share: ArcShare | null, otherFrames = 0): string[] {
  const out: string[] = [];
  const ram = pc.ram, flags = pc.flags;
  const arcFrame = new Uint8Array(ram.frameCount);
  let arcFrames = 0;
  let shared = 0;
  for (const [key, buf] of arc.buffers()) {
    for (let i = 0; i < buf.frames.length; i++) {
      const f = buf.frames[i]!;
      if (arcFrame[f] !== 0) out.push(`frame ${f} is in two ARC buffers`);
      arcFrame[f] = 1;
      arcFrames++;
      if (!ram.isAllocated(f)) out.push(`ARC buffer ${key} holds free frame ${f}`);
    }
    if (arc.isShared(key)) {
      shared++;
      const f = buf.frames[0]!;
      if ((flags[f]! & PG_BORROWED) === 0 || share?.keyOfFrame(f) !== key) out.push(`shared ARC buffer ${key} (frame ${f}) is not a borrowed page`);
    }
  }
  let owned = 0;
  let borrowed = 0;
  for (let f = 0; f < ram.frameCount; f++) {
    const fl = flags[f]!;
    const lentAs = share === null ? -1 : share.keyOfFrame(f);
    if ((fl & PG_CACHED) === 0) {
      if (lentAs !== -1) out.push(`frame ${f} is recorded as lent but is not in the page cache`);
      continue;
    }
    if ((fl & PG_BORROWED) === 0) {
      owned++;
      if (arcFrame[f] !== 0) out.push(`frame ${f} is both the page cache's and the ARC's`);
      if (!ram.isAllocated(f)) out.push(`page-cache frame ${f} is free`);
      continue;
    }
    borrowed++;
    const key = lentAs;
    const buf = key < 0 ? undefined : arc.peek(key);
    if (buf === undefined || buf.frames[0] !== f) out.push(`borrowed page (frame ${f}) points at a frame the ARC no longer holds as buffer ${key}`);
    else if (!arc.isShared(key)) out.push(`borrowed page (frame ${f}) of ARC buffer ${key} is not marked shared`);
  }
  const lent = share === null ? 0 : share.lent;
  if (borrowed !== lent || borrowed !== pc.borrowedPages) out.push(`borrowed pages: ${borrowed} in the cache, ${lent} lent, ${pc.borrowedPages} counted`);
  if (shared !== borrowed) out.push(`${shared} shared ARC buffers, ${borrowed} borrowed pages`);
  const total = ram.freeFrames + owned + arcFrames + otherFrames;
  if (total !== ram.frameCount) {
    out.push(`frames: ${ram.freeFrames} free + ${owned} page cache + ${arcFrames} ARC + ${otherFrames} other = ${total}, RAM has ${ram.frameCount}`);
  }
  return out;
}
