// The unified page cache: (file, page index) → frame of the machine's RAM, after Linux mm/filemap.c
// (`struct address_space`, filemap_read, generic_perform_write, truncate_inode_pages_range) and OSv's
// core/pagecache.cc. read/write copy through these frames and mmap maps the same frames, so they are
// coherent by construction (DESIGN.md, "Memory management").
//
// Two halves, as in Linux: per-file `FileMapping`s (the address_space: an index of pages, the size, the
// dirty count, the pager) and, per frame, the fields of `struct page` (flags, owner, index) in typed
// arrays indexed by frame number, so that a walk over frames (reclaim) can go from a frame to its file.
//
// How mm (mm.ts, rmap.ts, reclaim.ts, fault.ts) plugs in:
// - `dropPage` is the only place a page leaves the cache; `hooks.beforeDrop` unmaps it first (rmap).
// - PG_REFERENCED is set on every read/write hit; reclaim's clock hand over `flags` (skipping
//   PG_UNEVICTABLE and frames without PG_CACHED) clears it and picks victims for `evictPage`, which
//   writes dirty ones back through the Pager first (`hooks.beforeWriteback` folds PTE dirty bits in).
// - `findOrCreatePage` is what the page-fault handler calls to get the frame to map; `markDirty` is
//   how stores through a mapping reach PG_DIRTY.
// - Sharing a frame with the ARC (OSv's way, issue 7): a pager that lends frames (Pager.sharePage)
//   has missing pages borrowed, not filled, under PG_BORROWED; `dropPage` hands such a frame back
//   instead of freeing it, and any write breaks the share first (page-share.ts has the rules).
//
// Errors: frame allocation failure is the return value NO_SPACE, never an exception, so each caller
// turns it into the errno its interface names (ENOSPC for a filesystem write, ENOMEM for a fault).
// src/mm sits below vfs/ and does not import FsError; a Pager's own FsError (EIO) passes through.

import { NO_FRAME } from '../hw/ram.js';
import type { Frame, Ram } from '../hw/ram.js';
import { Clock } from '../sim/clock.js';
import { OSV_AARCH64_KVM } from '../sim/profile.js';
import type { CostProfile } from '../sim/profile.js';
import { invariant } from '../sim/assert.js';
import type { PageIndex } from './page-tree.js';
import { FileMapping, PG_BORROWED, PG_CACHED, PG_DIRTY, PG_LOCKED, PG_REFERENCED, PG_UNEVICTABLE } from './file-mapping.js';
import type { FileMappingOptions } from './file-mapping.js';
import { borrowPage, breakShare, forget, revokePage } from './page-share.js';
import { invalidatePages, punchPages, truncatePages } from './truncate.js';
import { filemapRead, performWrite } from './page-copy.js';

export type { PageIndex } from './page-tree.js';
export { FileMapping, PG_BORROWED, PG_CACHED, PG_DIRTY, PG_LOCKED, PG_REFERENCED, PG_UNEVICTABLE } from './file-mapping.js';
export type { FileMappingOptions } from './file-mapping.js';

/** What `read` and `write` return when a frame was needed, none could be had, and nothing was copied. */
export const NO_SPACE = -1;

/**
 * What the mm layer (src/mm/rmap.ts) hangs on the cache so that mapped pages stay coherent: a page
 * leaving the cache is unmapped from every address space first; writeback first gathers the dirty
 * state the page-table entries hold (hardware DBM) and write-protects them, so later stores dirty the
 * page again (OSv §2 item 5); a size change lets private copies past the new end go too.
 */
export interface PageCacheHooks {
  /** Page `idx` of `m` (frame `f`) is about to be written back: move PTE dirty state into PG_DIRTY, clean the PTEs. */
  beforeWriteback(m: FileMapping, idx: PageIndex, f: Frame): void;
  /** Dirty state of the mapped pages of `m` in [start, end) into PG_DIRTY (before a range writeback). */
  gatherDirty(m: FileMapping, start: PageIndex, end: PageIndex): void;
  /** Frame `f` leaves the cache: remove every translation of it. */
  beforeDrop(f: Frame): void;
  /**
   * How many descriptors map frame `f` (Linux folio_mapped): invalidation leaves mapped pages alone.
   * Without it every page counts as unmapped (a dropped page is still unmapped first, by beforeDrop).
   */
  mapCount?(f: Frame): number;
  /** The size of `m` went down to `size`. */
  truncated(m: FileMapping, size: number): void;
}

export interface PageCacheOptions {
  /** Charged for copies and frame allocations; a private clock if absent. */
  clock?: Clock;
  profile?: CostProfile;
}

export class PageCache {
  readonly ram: Ram;
  readonly pageSize: number;
  readonly pageShift: number;
  // `struct page`, one slot per frame of RAM (Linux mem_map). Only page-cache frames are written.
  readonly flags: Uint8Array;
  /** Mapping id owning the frame, or -1. */
  readonly owner: Int32Array;
  /** Page index of the frame in its file (a float array: indices pass 2^31 in files past 8 TiB). */
  readonly index: Float64Array;
  readonly stats = {
    lookups: 0, holes: 0, fills: 0, allocs: 0, frees: 0, writebacks: 0,
    /** Shared-buffer mode (page-share.ts): pages borrowed, shares broken by a write, frames taken back by the lender. */
    borrows: 0, shareBreaks: 0, revokes: 0, unshares: 0,
  };
  /** Pages whose frame is borrowed from a backend's cache now (PG_BORROWED), over all mappings. */
  borrowedPages = 0;
  /** Installed by src/mm's address-space layer (rmap); null while nothing maps pages. */
  hooks: PageCacheHooks | null = null;

  private readonly bytes: Uint8Array;
  private readonly mappings: (FileMapping | undefined)[] = [];
  private readonly freeIds: number[] = [];
  readonly clock: Clock;
  private readonly copyNsPerByte: number;
  private readonly allocNs: number;

  constructor(ram: Ram, opts: PageCacheOptions = {}) {
    this.ram = ram;
    this.bytes = ram.bytes;
    this.pageSize = ram.frameSize;
    this.pageShift = ram.frameShift;
    this.flags = new Uint8Array(ram.frameCount);
    this.owner = new Int32Array(ram.frameCount).fill(-1);
    this.index = new Float64Array(ram.frameCount);
    this.clock = opts.clock ?? new Clock();
    const profile = opts.profile ?? OSV_AARCH64_KVM;
    this.copyNsPerByte = profile.cpu.memcpyNsPerByte;
    this.allocNs = profile.kernel.frameAllocNs;
  }

  // ---- mappings ----

  createMapping(opts: FileMappingOptions = {}): FileMapping {
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.mappings.length;
    const m = new FileMapping(id, opts);
    if (id === this.mappings.length) this.mappings.push(m);
    else this.mappings[id] = m;
    return m;
  }

  /** Free every page of `m` (dirty ones are not written back: the file is gone) and retire its id. */
  releaseMapping(m: FileMapping): void {
    invariant(this.mappings[m.id] === m, 'a released mapping is registered');
    this.dropRange(m, 0, Number.MAX_SAFE_INTEGER);
    this.mappings[m.id] = undefined;
    this.freeIds.push(m.id);
  }

  /** The mapping a frame's page belongs to (the reverse of the page index: frame → file). */
  mappingOf(frame: Frame): FileMapping | undefined {
    const id = this.owner[frame];
    return id === undefined || id < 0 ? undefined : this.mappings[id];
  }

  get mappingCount(): number {
    return this.mappings.length - this.freeIds.length;
  }

  // ---- pages ----

  /** The frame of page `index`, or NO_FRAME if it is not cached (Linux filemap_get_page without create). */
  findPage(m: FileMapping, index: PageIndex): Frame {
    return m.pages.get(index);
  }

  /**
   * The frame of page `index`, reading it from the pager or zero-filling it if absent (Linux
   * find_or_create_page / filemap_fault's page lookup). NO_FRAME if no frame could be had. With
   * `write`, the frame is one the cache owns (a borrowed page's share is broken first), so the caller
   * may store into it; without, it may be borrowed from the pager (PG_BORROWED: read-only).
   */
  findOrCreatePage(m: FileMapping, index: PageIndex, write = false): Frame {
    const f = m.pages.get(index);
    if (f !== NO_FRAME) {
      const fl = this.flags[f]!;
      this.flags[f] = fl | PG_REFERENCED;
      if ((fl & PG_BORROWED) === 0) return f;
      if (write) return breakShare(this, m, index);
      m.pager!.accessShared?.(index, f);
      return f;
    }
    if (m.pager === null) return this.addPage(m, index, true);
    return write ? this.fillPage(m, index) : this.obtainPage(m, index);
  }

  /** A missing page of a mapping with a pager: borrowed when the pager lends (shared mode), else filled. */
  /** @internal (page-copy.ts) */
  obtainPage(m: FileMapping, index: PageIndex): Frame {
    if (m.lends) {
      const f = borrowPage(this, m, index);
      if (f !== NO_FRAME) return f;
    }
    return this.fillPage(m, index);
  }

  /** Lender side of shared-buffer mode: take borrowed frame `f` back (page-share.ts revokePage). */
  revoke(f: Frame): void {
    revokePage(this, f);
  }

  /** Charge a kernel copy of `bytes` (the profile's memcpy rate). */
  chargeCopy(bytes: number): void {
    this.clock.now += bytes * this.copyNsPerByte;
  }

  /** Whether page `index` is cached and dirty. */
  isDirty(m: FileMapping, index: PageIndex): boolean {
    const f = m.pages.get(index);
    return f !== NO_FRAME && (this.flags[f]! & PG_DIRTY) !== 0;
  }

  // ---- read and write (the copy loops, the hot path: page-copy.ts) ----

  /**
   * Copy up to `len` bytes of the file at `pos` into `buf[off..]` (Linux filemap_read). Stops at the
   * file's size; holes read as zeros without taking a frame. Returns the bytes copied, or NO_SPACE
   * when a page had to be read from the pager, no frame was free and nothing had been copied yet.
   */
  read(m: FileMapping, pos: number, buf: Uint8Array, off: number, len: number): number {
    return filemapRead(this, m, pos, buf, off, len);
  }

  /**
   * Copy `len` bytes from `buf[off..]` into the file at `pos`, allocating pages as needed and marking
   * them dirty, and extend the size (Linux generic_perform_write). If frames run out part-way, the
   * bytes already copied stay and their count is returned (a short write); if none could be copied,
   * NO_SPACE is returned and nothing has changed. The caller checks `pos + len` against its limits.
   */
  write(m: FileMapping, pos: number, buf: Uint8Array, off: number, len: number): number {
    return performWrite(this, m, pos, buf, off, len);
  }

  // ---- size changes and holes (truncate.ts) ----

  /**
   * Set the size (Linux truncate_setsize + truncate_pagecache): shrinking frees the pages wholly past
   * the new end and zeroes the tail of the last page, so that growing back reads zeros. The backend
   * trims its own store; this never allocates, so it cannot fail.
   */
  truncate(m: FileMapping, size: number): void {
    truncatePages(this, m, size);
  }

  /**
   * Deallocate [off, off + len) keeping the size (fallocate PUNCH_HOLE|KEEP_SIZE; Linux
   * truncate_pagecache_range): whole pages are freed, the partial pages at either end are zeroed in
   * place and marked dirty. Never allocates.
   */
  punchHole(m: FileMapping, off: number, len: number): void {
    punchPages(this, m, off, len);
  }

  /**
   * Drop the clean, unmapped pages with index in [start, end) and keep the rest (Linux
   * invalidate_mapping_pages: drop_caches, POSIX_FADV_DONTNEED). Returns the pages dropped.
   */
  invalidate(m: FileMapping, start: PageIndex = 0, end: PageIndex = Number.MAX_SAFE_INTEGER): number {
    return invalidatePages(this, m, start, end);
  }

  /** Free the cached pages with index in [start, end), highest first (see PageTree.prev). @internal */
  dropRange(m: FileMapping, start: PageIndex, end: PageIndex): void {
    let i: PageIndex;
    while ((i = m.pages.prev(start, end)) >= 0) {
      this.dropPage(m, i);
      end = i;
    }
  }

  /** The one place a page leaves the cache (issue 5 unmaps it here through the rmap first). @internal */
  dropPage(m: FileMapping, idx: PageIndex): void {
    const f0 = m.pages.get(idx);
    if (f0 !== NO_FRAME && this.hooks !== null) this.hooks.beforeDrop(f0);
    const f = m.pages.remove(idx);
    if (f === NO_FRAME) return;
    const fl = this.flags[f]!;
    if ((fl & PG_BORROWED) !== 0) {
      // Not the cache's to free: handed back to the lender (OSv ~cached_page_arc → arc_unshare_buf).
      forget(this, m, f);
      this.stats.unshares++;
      m.pager!.unsharePage!(idx, f);
      return;
    }
    if ((fl & PG_DIRTY) !== 0) m.nrDirty--;
    this.flags[f] = 0;
    this.owner[f] = -1;
    if (m.budget !== null) m.budget.used--;
    this.ram.freeFrame(f);
    this.stats.frees++;
  }

  // ---- holes (lseek SEEK_DATA / SEEK_HOLE) ----

  /**
   * The first offset at or after `pos` that lies in a cached page, or -1 if none before the end
   * (lseek(2) SEEK_DATA's ENXIO). Linux mapping_seek_hole_data, as tmpfs uses it: a page present is
   * data, even if it holds zeros. For a mapping with a pager, pages not cached may be data in the
   * store: the backend must answer for those itself.
   */
  seekData(m: FileMapping, pos: number): number {
    if (pos < 0 || pos >= m.size) return -1;
    const ps = this.pageSize;
    const i = m.pages.next(Math.floor(pos / ps), Math.ceil(m.size / ps));
    return i < 0 ? -1 : Math.max(pos, i * ps);
  }

  /** The first offset at or after `pos` in a hole, the size if there is none (lseek(2) SEEK_HOLE); -1 past the end. */
  seekHole(m: FileMapping, pos: number): number {
    if (pos < 0 || pos >= m.size) return -1;
    const ps = this.pageSize;
    const end = Math.ceil(m.size / ps);
    let i = Math.floor(pos / ps);
    while (i < end && m.pages.get(i) !== NO_FRAME) i++;
    return Math.min(m.size, Math.max(pos, i * ps));
  }

  // ---- allocation ----

  /** Take a frame for page `idx` of `m` (zeroed if asked); NO_FRAME if the budget or RAM is exhausted. */
  /** @internal (page-copy.ts) */
  addPage(m: FileMapping, idx: PageIndex, zero: boolean): Frame {
    const budget = m.budget;
    if (budget !== null && budget.used >= budget.limit) return NO_FRAME;
    const f = this.ram.allocFrame(zero);
    if (f === NO_FRAME) return NO_FRAME;
    if (budget !== null) budget.used++;
    m.pages.insert(idx, f);
    this.flags[f] = m.pageFlags;
    this.owner[f] = m.id;
    this.index[f] = idx;
    this.stats.allocs++;
    this.clock.now += this.allocNs;
    return f;
  }

  /** Allocate page `idx` and read it from the pager (clean). On a pager error the frame is freed. */
  /** @internal (page-copy.ts) */
  fillPage(m: FileMapping, idx: PageIndex): Frame {
    const f = this.addPage(m, idx, true);
    if (f === NO_FRAME) return NO_FRAME;
    // Locked while it fills: the pager's read may allocate (a block into the ARC), which runs reclaim,
    // and an unlocked new page is its first victim — freed, then mapped by the caller all the same.
    this.flags[f]! |= PG_LOCKED;
    try {
      m.pager!.readPage(idx, this.bytes, f * this.pageSize);
    } catch (e) {
      this.flags[f]! &= ~PG_LOCKED;
      this.dropPage(m, idx);
      throw e;
    }
    this.flags[f] = (this.flags[f]! & ~PG_LOCKED) | PG_REFERENCED;
    this.stats.fills++;
    return f;
  }

  // ---- writeback ----

  /**
   * Write the dirty pages with index in [start, end) to the pager and mark them clean (Linux
   * filemap_write_and_wait_range: data integrity). Returns the pages written. A mapping without a
   * pager has nowhere to write: its pages stay dirty and 0 is returned (tmpfs' fsync is a no-op).
   */
  writeback(m: FileMapping, start: PageIndex = 0, end: PageIndex = Number.MAX_SAFE_INTEGER): number {
    if (m.pager === null) return 0;
    if (this.hooks !== null) this.hooks.gatherDirty(m, start, end);
    if (m.nrDirty === 0) return 0;
    let written = 0;
    for (let i = m.pages.next(start, end); i >= 0; i = m.pages.next(i + 1, end)) {
      if (this.writebackPage(m, i)) written++;
    }
    return written;
  }

  /**
   * Take page `idx` out of the cache, writing it back first if it is dirty (Linux shrink_folio_list:
   * pageout, then __remove_mapping). Refused (false) for PG_UNEVICTABLE pages, whose frame is the only
   * copy. A pager error leaves the page cached and dirty and passes on. The unit of issue 5's reclaim,
   * which will also unmap the page through the rmap first. Returns whether a frame went back to RAM: a
   * borrowed page (always clean) is unmapped and given back to its lender, but its frame stays the
   * ARC's, so that is false (reclaim must not count it as memory freed).
   */
  evictPage(m: FileMapping, idx: PageIndex): boolean {
    const f = m.pages.get(idx);
    if (f === NO_FRAME || (this.flags[f]! & (PG_UNEVICTABLE | PG_LOCKED)) !== 0) return false;
    const borrowed = (this.flags[f]! & PG_BORROWED) !== 0;
    this.writebackPage(m, idx);
    this.dropPage(m, idx);
    return !borrowed;
  }

  /** Mark page `idx` dirty (Linux folio_mark_dirty): for stores that bypass `write`, such as mmap. */
  markDirty(m: FileMapping, idx: PageIndex): boolean {
    const f = m.pages.get(idx);
    if (f === NO_FRAME) return false;
    invariant((this.flags[f]! & PG_BORROWED) === 0, 'a borrowed page is never dirtied (its share is broken first)');
    if ((this.flags[f]! & PG_DIRTY) === 0) {
      this.flags[f]! |= PG_DIRTY;
      m.nrDirty++;
    }
    return true;
  }

  /** Write one page back if it is dirty; true if it was written. The unit reclaim will use. */
  writebackPage(m: FileMapping, idx: PageIndex): boolean {
    const f = m.pages.get(idx);
    if (f === NO_FRAME || m.pager === null) return false;
    if (this.hooks !== null) this.hooks.beforeWriteback(m, idx, f);
    if ((this.flags[f]! & PG_DIRTY) === 0) return false;
    const ps = this.pageSize;
    const valid = Math.min(ps, m.size - idx * ps);
    if (valid > 0) m.pager.writePage(idx, this.bytes, f * ps, valid);
    this.flags[f]! &= ~PG_DIRTY;
    m.nrDirty--;
    this.stats.writebacks++;
    return true;
  }
}
