// What the page cache asks of the layer above it: a Pager moves one page between a frame and the
// backend's own store (Linux `address_space_operations`: read_folio / writepage; OSv's vnode read/write
// under `pagecache::get`). The page cache lives in src/mm, below the backends, so it names this small
// interface and the backend implements it (DESIGN.md, "Layers").

import type { Frame } from '../hw/ram.js';
import type { PageIndex } from './page-tree.js';

/**
 * The backing store of one file's pages. A mapping without a pager (ramfs) has no store: its pages are
 * the data, never read in and never written back, and holes read as zeros without taking a frame.
 */
export interface Pager {
  /**
   * Fill `bytes[offset, offset + pageSize)` with page `index` of the file from the store. The frame is
   * zero-filled before the call, so a hole in the store needs nothing written. May throw an FsError
   * (EIO); the page cache then frees the frame and passes the error on.
   */
  readPage(index: PageIndex, bytes: Uint8Array, offset: number): void;
  /**
   * Write page `index` to the store from `bytes[offset, offset + len)`; `len` is the page size, or less
   * for the last page of the file (bytes past end-of-file are not the file's). May throw an FsError;
   * the page then stays dirty.
   */
  writePage(index: PageIndex, bytes: Uint8Array, offset: number, len: number): void;
  /**
   * Shared-buffer mode (OSv's map_arc_buf, notes/OSV.md §2): the frame of the backend's own cache that
   * holds page `index` now, lent to the page cache as it is — no copy — or NO_FRAME when there is none
   * to lend (a hole, data not yet in a block, a cache that could not hold it), and the page cache then
   * fills a frame of its own. A lent frame is the backend's checksummed data: the page cache never
   * writes it (a store first copies it, page-share.ts), and the backend takes it back with
   * `PageCache.revoke` before it frees or reuses it (OSv unmap_arc_buf). Truncate and punch hole give
   * a borrowed page in their range back rather than zero it (truncate.ts): the lender applies them to
   * its own store, as any backend with a store does. Optional: a pager without it is read into the
   * cache's own frames (double caching).
   */
  sharePage?(index: PageIndex): Frame;
  /** The page cache gave a lent frame back (OSv arc_unshare_buf): the backend may evict it freely again. */
  unsharePage?(index: PageIndex, frame: Frame): void;
  /**
   * read() or a page fault found lent page `index` (OSv's access_scanner calling arc_buf_accessed):
   * the backend's cache decides how long the page stays, so it must see the accesses.
   */
  accessShared?(index: PageIndex, frame: Frame): void;
}

/**
 * A cap on the frames a group of mappings may hold, shared by the group: tmpfs' `max_blocks` /
 * `used_blocks` (mm/shmem.c, `shmem_inode_acct_blocks`). ramfs gives one to all its files so that
 * `sizeLimit` bounds the filesystem; the machine's RAM bounds it in any case.
 */
export class PageBudget {
  /** Frames charged to the group now. */
  used = 0;
  constructor(
    /** Most frames the group may hold (Infinity: only RAM bounds it). */
    public limit: number,
  ) {}

  get free(): number {
    return this.limit - this.used;
  }
}
