// Size changes and holes in the page cache (Linux mm/truncate.c: truncate_pagecache,
// truncate_inode_partial_folio, pagecache_isize_extended; truncate_pagecache_range for PUNCH_HOLE):
// pages wholly outside the file go (unmapped first, through the cache's hooks), partial pages are
// zeroed in place, and a borrowed page (page-share.ts) is given back instead of written, so none of
// this ever needs a frame and none of it can fail.

import { NO_FRAME } from '../hw/ram.js';
import { PG_BORROWED, PG_DIRTY, PG_LOCKED, PG_UNEVICTABLE, type FileMapping } from './file-mapping.js';
import type { PageCache } from './page-cache.js';
import type { PageIndex } from './page-tree.js';

/**
 * Set the size (Linux truncate_setsize + truncate_pagecache): shrinking frees the pages wholly past
 * the new end and zeroes the tail of the last page, so that growing back reads zeros. The backend
 * trims its own store; this never allocates, so it cannot fail.
 */
export function truncatePages(pc: PageCache, m: FileMapping, size: number): void {
  const ps = pc.pageSize;
  const old = m.size;
  if (size > old) zeroPastEof(pc, m);
  m.size = size;
  if (size >= old) return;
  pc.dropRange(m, Math.ceil(size / ps), Number.MAX_SAFE_INTEGER);
  if (pc.hooks !== null) pc.hooks.truncated(m, size);
  const tail = size % ps;
  if (tail !== 0) {
    const idx = Math.floor(size / ps);
    const f = m.pages.get(idx);
    // A borrowed page cannot be zeroed in place; it is given back instead (allocation-free, so
    // truncate still cannot fail) and the next access reads the backend's trimmed block.
    if (f !== NO_FRAME && (pc.flags[f]! & PG_BORROWED) !== 0) pc.dropPage(m, idx);
    else if (f !== NO_FRAME) pc.ram.bytes.fill(0, f * ps + tail, (f + 1) * ps);
  }
}

/**
 * Deallocate [off, off + len) keeping the size (fallocate PUNCH_HOLE|KEEP_SIZE; Linux
 * truncate_pagecache_range): whole pages are freed, the partial pages at either end are zeroed in
 * place and marked dirty. Never allocates.
 */
export function punchPages(pc: PageCache, m: FileMapping, off: number, len: number): void {
  if (len <= 0) return;
  const ps = pc.pageSize;
  const end = off + len;
  const firstWhole = Math.ceil(off / ps);
  const endWhole = Math.floor(end / ps);
  if (firstWhole < endWhole) pc.dropRange(m, firstWhole, endWhole);
  const headIdx = Math.floor(off / ps);
  if (off % ps !== 0) zeroInPage(pc, m, headIdx, off % ps, Math.min(ps, end - headIdx * ps));
  const tailIdx = Math.floor(end / ps);
  if (end % ps !== 0 && (tailIdx !== headIdx || off % ps === 0)) {
    zeroInPage(pc, m, tailIdx, Math.max(0, off - tailIdx * ps), end % ps);
  }
}

/**
 * Zero the last page from the end of file on, before the size grows over it: stores through a
 * shared mapping may have left bytes there that are not the file's (mmap(2): they are not written
 * to the file), and growing must read zeros (Linux pagecache_isize_extended; fsx's EOF pollution).
 */
export function zeroPastEof(pc: PageCache, m: FileMapping): void {
  const ps = pc.pageSize;
  const tail = m.size % ps;
  if (tail === 0) return;
  const idx = Math.floor(m.size / ps);
  const f = m.pages.get(idx);
  if (f === NO_FRAME) return;
  const b = pc.ram.bytes;
  if ((pc.flags[f]! & PG_BORROWED) === 0) b.fill(0, f * ps + tail, (f + 1) * ps);
  else {
    // A borrowed page holds the block as stored, zeros past the end unless the store is damaged in
    // a way its checksum cannot see; if it does not, it is given back rather than written.
    for (let i = f * ps + tail; i < (f + 1) * ps; i++) {
      if (b[i] !== 0) {
        pc.dropPage(m, idx);
        return;
      }
    }
  }
}

function zeroInPage(pc: PageCache, m: FileMapping, idx: PageIndex, from: number, to: number): void {
  const f = m.pages.get(idx);
  if (f === NO_FRAME || from >= to) return;
  if ((pc.flags[f]! & PG_BORROWED) !== 0) {
    // Not zeroed in place: given back (the backend zeroes its own block in the same operation, as
    // Pager.sharePage asks of a lender), so punching needs no frame and cannot fail.
    pc.dropPage(m, idx);
    return;
  }
  const base = f * pc.pageSize;
  pc.ram.bytes.fill(0, base + from, base + to);
  if ((pc.flags[f]! & PG_DIRTY) === 0) {
    pc.flags[f]! |= PG_DIRTY;
    m.nrDirty++;
  }
}

/**
 * Drop the clean, unmapped, unlocked pages with index in [start, end) (Linux invalidate_mapping_pages,
 * mm/truncate.c, as fs/drop_caches.c calls it for every inode): dirty pages, pages some descriptor
 * maps (`PageCacheHooks.mapCount`), locked (filling) and unevictable pages stay. Each goes through the
 * cache's evict path, so a borrowed page is given back to its lender. The mapping object itself stays:
 * a VMA may hold it, and a store through it must land in the same cache as read(). Never allocates.
 * Returns the pages dropped.
 */
export function invalidatePages(pc: PageCache, m: FileMapping, start: PageIndex, end: PageIndex): number {
  const flags = pc.flags;
  const hooks = pc.hooks;
  let dropped = 0;
  for (let i = m.pages.next(start, end); i >= 0; i = m.pages.next(i + 1, end)) {
    const f = m.pages.get(i);
    if ((flags[f]! & (PG_DIRTY | PG_LOCKED | PG_UNEVICTABLE)) !== 0) continue;
    if (hooks !== null && hooks.mapCount !== undefined && hooks.mapCount(f) > 0) continue;
    pc.evictPage(m, i);
    dropped++;
  }
  return dropped;
}
