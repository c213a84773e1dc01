// Pages whose frame the page cache borrows from a backend's own cache: shared-buffer mmap, OSv's
// map_arc_buf / unmap_arc_buf (core/pagecache.cc, notes/OSV.md §2), kept coherent where OSv is not:
// the borrowed page sits in the one page tree, so read(), write() and every mapping see the same page.
//
// Rules (the module's contract with the page cache, fault.ts and the lender, Pager.sharePage):
// - A borrowed frame (PG_BORROWED) is the lender's checksummed data and is never written in place.
//   It is mapped read-only and without DBM, so the first store through any mapping takes a permission
//   fault; that fault, a write() and any in-place change break the share first (`breakShare`): copy
//   into a frame the cache owns, swap it into the tree, unmap every translation of the old frame
//   (the rmap's beforeDrop, with TLBI), give the old frame back.
// - The cache gives a clean borrowed page back (reclaim, truncate, file removal) with
//   Pager.unsharePage instead of freeing it; the lender takes one back with `revoke` (ARC eviction).

import { NO_FRAME, type Frame } from '../hw/ram.js';
import { invariant } from '../sim/assert.js';
import { PG_BORROWED, PG_CACHED, PG_REFERENCED, type FileMapping } from './file-mapping.js';
import type { PageCache } from './page-cache.js';
import type { PageIndex } from './page-tree.js';

/** Borrow page `idx` of `m` from its pager (OSv map_arc_buf); NO_FRAME if the pager has none to lend. */
export function borrowPage(pc: PageCache, m: FileMapping, idx: PageIndex): Frame {
  const f = m.pager!.sharePage!(idx);
  if (f === NO_FRAME) return NO_FRAME;
  invariant(m.pages.get(idx) === NO_FRAME, 'a page is borrowed only where none is cached');
  invariant((pc.flags[f]! & PG_CACHED) === 0, 'a lent frame is in the page cache once');
  m.pages.insert(idx, f);
  pc.flags[f] = m.pageFlags | PG_BORROWED | PG_REFERENCED;
  pc.owner[f] = m.id;
  pc.index[f] = idx;
  m.nrBorrowed++;
  pc.borrowedPages++;
  pc.stats.borrows++;
  return f;
}

/**
 * Make page `idx` of `m` a frame the cache owns, copying the borrowed one (OSv's write_cache page
 * creation, but in place in the page tree, so no stale copy remains anywhere). Returns the owned frame,
 * or NO_FRAME if no frame could be had. The page may be borrowed on entry or, because the allocation
 * runs the shrinkers (the lender may evict its buffer, reclaim may give the page back), gone after it:
 * then it is read afresh into an owned frame.
 */
export function breakShare(pc: PageCache, m: FileMapping, idx: PageIndex): Frame {
  const budget = m.budget;
  if (budget !== null && budget.used >= budget.limit) return NO_FRAME;
  const nf = pc.ram.allocFrame(false);
  if (nf === NO_FRAME) return NO_FRAME;
  const f = m.pages.get(idx);
  if (f === NO_FRAME || (pc.flags[f]! & PG_BORROWED) === 0) {
    pc.ram.freeFrame(nf);
    return f !== NO_FRAME ? f : pc.findOrCreatePage(m, idx, true);
  }
  const ps = pc.pageSize, b = pc.ram.bytes;
  b.copyWithin(nf * ps, f * ps, f * ps + ps);
  pc.chargeCopy(ps);
  // Every translation of the lent frame goes (TLBI each) before the tree points elsewhere: a mapping
  // must never keep reading the lender's buffer once the page has a newer copy.
  if (pc.hooks !== null) pc.hooks.beforeDrop(f);
  invariant(m.pages.remove(idx) === f, 'the borrowed page is still in the tree after its unmapping');
  forget(pc, m, f);
  m.pager!.unsharePage!(idx, f);
  m.pages.insert(idx, nf);
  pc.flags[nf] = m.pageFlags | PG_REFERENCED;
  pc.owner[nf] = m.id;
  pc.index[nf] = idx;
  if (budget !== null) budget.used++;
  pc.stats.allocs++;
  pc.stats.shareBreaks++;
  return nf;
}

/**
 * The lender takes frame `f` back (OSv unmap_arc_buf, called as the ARC destroys a shared buffer):
 * every translation goes (TLBI each), the page leaves the tree, the frame is not freed (the lender
 * frees it) and unsharePage is not called (the lender is already forgetting the buffer). A later access
 * faults or reads the page in again.
 */
export function revokePage(pc: PageCache, f: Frame): void {
  invariant((pc.flags[f]! & PG_BORROWED) !== 0, 'a revoked frame is a borrowed page');
  const m = pc.mappingOf(f)!;
  const idx = pc.index[f]!;
  if (pc.hooks !== null) pc.hooks.beforeDrop(f);
  invariant(m.pages.remove(idx) === f, 'a revoked page is in its tree');
  forget(pc, m, f);
  pc.stats.revokes++;
}

/** Clear the cache's fields of a borrowed frame that has left the tree (not freed: it is the lender's). */
export function forget(pc: PageCache, m: FileMapping, f: Frame): void {
  pc.flags[f] = 0;
  pc.owner[f] = -1;
  m.nrBorrowed--;
  pc.borrowedPages--;
}
