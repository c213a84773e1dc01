// One file's pages, Linux `struct address_space` (include/linux/fs.h): the page index, the size as the
// page cache sees it, the dirty count, the pager, and the space budget it draws on; and the per-page
// flags the cache keeps for every frame (include/linux/page-flags.h names). See page-cache.ts.

import type { DaxState } from './dax.js';
import { PageTree } from './page-tree.js';
import type { Pager, PageBudget } from './pager.js';

// Per-page flags (Linux include/linux/page-flags.h names).
/** The frame belongs to the page cache (the other fields of its `struct page` are meaningful). */
export const PG_CACHED = 1;
/** Written since it was last written back (or, without a pager, ever: the page is the only copy). */
export const PG_DIRTY = 2;
/** Accessed since the reclaim clock last looked (the software access bit; issue 5's clock clears it). */
export const PG_REFERENCED = 4;
/** Never a reclaim victim: ramfs pages are the data itself (tmpfs without swap, Linux's unevictable LRU). */
export const PG_UNEVICTABLE = 8;
/**
 * The frame is lent by the backend's own cache (shared-buffer mmap: the ZFS ARC buffer itself, OSv's
 * cached_page_arc): never written in place, never freed by the page cache, handed back instead.
 */
export const PG_BORROWED = 16;
/**
 * Being read in from the pager (Linux PG_locked over read_folio): reclaim must not take the page while
 * its frame is filling — the read may allocate (an ARC buffer) and so run reclaim itself.
 */
export const PG_LOCKED = 32;

export interface FileMappingOptions {
  /** The backing store; null (ramfs) when the pages are the data. */
  pager?: Pager | null;
  /** Whether reclaim may evict the pages (false for ramfs). Default: true when there is a pager. */
  evictable?: boolean;
  /** A cap shared with other mappings (ramfs' sizeLimit). */
  budget?: PageBudget | null;
}

/** One file's pages: Linux `struct address_space`. Create with `PageCache.createMapping`. */
export class FileMapping {
  /** The file's size in bytes (i_size as the page cache sees it): reads stop here, writes extend it. */
  size = 0;
  /** Pages with PG_DIRTY set. */
  nrDirty = 0;
  readonly pages = new PageTree();
  readonly pager: Pager | null;
  readonly evictable: boolean;
  readonly budget: PageBudget | null;
  /**
   * Set for a file on persistent memory mapped with DAX (dax.ts): faults map the device's blocks, the
   * page tree stays empty, and msync/fsync flush the mapped lines instead of writing pages back.
   */
  dax: DaxState | null = null;
  /** Flags every new page of this mapping starts with. */
  readonly pageFlags: number;
  /** Whether the pager lends its own frames (Pager.sharePage): missing pages are borrowed before filled. */
  readonly lends: boolean;
  /** Pages whose frame is borrowed (PG_BORROWED). */
  nrBorrowed = 0;

  constructor(
    /** Slot in the cache's mapping table; frames point back to it (`PageCache.owner`). */
    readonly id: number,
    opts: FileMappingOptions,
  ) {
    this.pager = opts.pager ?? null;
    this.evictable = opts.evictable ?? this.pager !== null;
    this.budget = opts.budget ?? null;
    this.pageFlags = PG_CACHED | (this.evictable ? 0 : PG_UNEVICTABLE);
    this.lends = this.pager !== null && this.pager.sharePage !== undefined;
  }

  /** Pages cached (for ramfs: allocated). */
  get nrPages(): number {
    return this.pages.count;
  }
}
