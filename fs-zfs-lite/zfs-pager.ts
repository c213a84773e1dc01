// ZFS-lite's pagers (zfs_getpage / zfs_putpage in small): how the unified page cache moves a file's
// pages to and from the DMU. DmuPager copies (double caching: the page cache's own frames, the ARC
// holding a second copy); SharedDmuPager lends the ARC buffer's own frame (shared-buffer mmap,
// arc-share.ts), copying only where no buffer holds the page's current data.

import { fsErr } from '../vfs/errno.js';
import type { Ino } from '../vfs/backend.js';
import type { Frame } from '../src/hw/ram.js';
import type { Pager } from '../src/mm/pager.js';
import type { ArcShare } from './arc-share.js';
import type { DmuObject } from './dmu.js';
import { BLOCK } from './layout.js';
import { TX_WRITE } from './zil.js';
import type { ZfsLite } from './zfs.js';

/** The DMU behind one file's pages. */
export class DmuPager implements Pager {
  constructor(protected readonly fs: ZfsLite, protected readonly obj: DmuObject, private readonly ino: Ino) {}
  readPage(index: number, bytes: Uint8Array, offset: number): void {
    this.fs.pool.dmu.readBlock(this.obj, index, bytes, offset);
  }
  writePage(index: number, bytes: Uint8Array, offset: number, len: number): void {
    const pool = this.fs.pool;
    // Reclaim can run inside a txg sync (an ARC allocation finding RAM short): the tree being written
    // must not change under the sync, so the page stays dirty for now (the pager contract allows it).
    if (pool.writingTree) throw fsErr('EAGAIN', 'zfs_putpage');
    pool.dmu.setBlock(this.obj, index, bytes, offset, len);
    pool.touch(this.obj, false);
    // zfs_putpage logs the page (zfs_log_write), so a page written back outside a txg sync — by fsync
    // or by reclaim — is durable at the next log commit. Pages written by write() are already in the
    // log; stores through a shared mapping reach the DMU only here. Inside the txg sync the data goes
    // into the txg itself and a record would be redundant.
    if (!pool.syncing && !pool.replaying) {
      pool.clock.now += len * pool.profile.cpu.memcpyNsPerByte;
      pool.itx.begin(TX_WRITE).u64(this.ino).u64(index * BLOCK).bytes(bytes, offset, len).end();
    }
  }
}

/**
 * Shared-buffer mode's pager: a missing page is the block's ARC buffer itself (OSv map_arc_buf), lent
 * through ArcShare; holes and blocks dirty in the DMU are filled by copying (readPage), as before.
 */
export class SharedDmuPager extends DmuPager {
  constructor(fs: ZfsLite, obj: DmuObject, ino: Ino, private readonly share: ArcShare) {
    super(fs, obj, ino);
  }
  sharePage(index: number): Frame {
    return this.share.share(this.obj, index);
  }
  unsharePage(_index: number, frame: Frame): void {
    this.share.unshare(frame);
  }
  accessShared(_index: number, frame: Frame): void {
    this.share.access(frame);
  }
}
