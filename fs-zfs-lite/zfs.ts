// ZFS-lite's file system (OpenZFS zfs_vnops.c / zfs_dir.c in small): the vfs/backend.ts contract over a
// Pool. Objects are files, ZAPs are directories, file data goes through the unified page cache with a
// Pager over the DMU (zfs-pager.ts), and blocks read from disk go through the ARC; file pages either
// copy ARC buffers (double caching) or are the ARC buffers (shared, arc-share.ts). Every change is also
// an intent-log record (zfs_log_*), so fsync is a log commit; import replays the log (zfs-replay.ts).

import { fsErr, FsError } from '../vfs/errno.js';
import { NO_INO } from '../vfs/backend.js';
import type { Attr, Backend, BackendCapabilities, DirEntry, Ino, NewNode, SetAttr, StatFs } from '../vfs/backend.js';
import { S_IFMT, S_IFDIR, S_IFREG, S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK, ALLPERMS, NAME_MAX, PATH_MAX, modeToDtype } from '../vfs/constants.js';
import { PageCache, NO_SPACE, type FileMapping } from '../src/mm/page-cache.js';
import { invariant } from '../src/sim/assert.js';
import { ArcShare, MMAP_CACHES, auditFrames, type MmapCache } from './arc-share.js';
import { DmuPager, SharedDmuPager } from './zfs-pager.js';
import { replayLog } from './zfs-replay.js';
import { zfsRename } from './zfs-rename.js';
import { zfsCreate, zfsLink, zfsRemove, zfsRmdir } from './zfs-dir.js';
import { Pool, DELETE_QUEUE_OBJ } from './pool.js';
import { DmuObject, capacity } from './dmu.js';
import { BLOCK, MAX_LEVELS } from './layout.js';
import { SA_ATIME, SA_CTIME, SA_GID, SA_MODE, SA_MTIME, SA_UID } from './zil.js';
import { TX_CREATE, TX_MKDIR, TX_PUNCH, TX_SETATTR, TX_SYMLINK, TX_TRUNCATE, TX_WRITE } from './zil.js';

/** statfs f_type of ZFS on Linux (ZFS_SUPER_MAGIC, include/sys/zfs_vfsops.h). */
export const ZFS_SUPER_MAGIC = 0x2fc12fc1;

const CREATE_TYPES = (1 << (S_IFREG >> 12)) | (1 << (S_IFIFO >> 12)) | (1 << (S_IFSOCK >> 12)) |
  (1 << (S_IFCHR >> 12)) | (1 << (S_IFBLK >> 12));

/** Blocks a namespace change may need: a dnode block, a ZAP leaf, their indirects, two copies each. */
export const META_OP_BLOCKS = 8;

export class ZfsLite implements Backend {
  readonly fsType = 'zfs-lite';
  readonly rootIno: Ino;
  readonly capabilities: BackendCapabilities;
  /** Records replayed from the intent log at import. */
  replayed = 0;
  /** Inside log replay (zfs-replay.ts): operations log nothing and skip the txg checks. @internal */
  replaying = false;
  /** Shared-buffer mmap's ARC side; null in double-caching mode. */
  readonly arcShare: ArcShare | null;
  readonly mmapCache: MmapCache;

  constructor(
    readonly pool: Pool,
    readonly pageCache: PageCache,
    opts: { mmapCache?: MmapCache } = {},
  ) {
    if (pageCache.pageSize !== BLOCK) throw fsErr('EINVAL', 'zfs_mount');
    const mode = opts.mmapCache ?? 'double';
    if (!MMAP_CACHES.includes(mode) || (mode === 'shared' && (pool.arc === null || pool.arc.ram !== pageCache.ram))) {
      throw fsErr('EINVAL', 'zfs_mount');
    }
    this.mmapCache = mode;
    this.arcShare = mode === 'shared' ? new ArcShare(pool, pageCache) : null;
    this.rootIno = pool.rootIno;
    this.capabilities = Object.freeze({
      nameMax: NAME_MAX,
      maxFileSize: Math.min(capacity(MAX_LEVELS) * BLOCK, 2 ** 53 - BLOCK),
      punchHole: true,
      readOnly: false,
    });
    pool.hooks = { beforeSync: () => this.beforeSync() };
    try {
      if (pool.replayStream !== null) replayLog(this, pool.replayStream);
      this.drainDeleteQueue();
    } catch (e) {
      // A failed mount leaves the machine running: its pages (owned or borrowed) leave the cache.
      for (const obj of pool.objects.values()) {
        if (obj.mapping !== null) pageCache.releaseMapping(obj.mapping);
        obj.mapping = null;
      }
      this.arcShare?.close();
      throw e;
    }
  }

  /**
   * zfs_unlinked_drain: nodes that had no names left but were still open when the pool last went down
   * are freed at mount (nothing is open after a crash), so their space is not leaked.
   */
  drainDeleteQueue(): void {
    const dq = this.pool.deleteQueue.zap!;
    if (dq.entries.size === 0) return;
    for (const e of [...dq.entries.values()]) {
      let obj: DmuObject | null = null;
      try {
        obj = this.pool.getObject(e.ino);
      } catch (err) {
        if (!(err instanceof FsError)) throw err;
      }
      if (obj !== null && obj.dn.nlink === 0 && e.ino !== this.rootIno) this.inactive(e.ino);
      else this.pool.deleteQueueRemove(e.ino); // a stale or damaged entry: just drop it
    }
  }

  /**
   * The page cache's dirty pages go to the DMU before a txg is written (the writeback half of spa_sync).
   * Every file with cached pages is visited, not only objects the pool knows are dirty: a store through
   * a shared mapping dirties a page (or, with hardware DBM, only its descriptor) without touching the
   * object, and writeback first gathers the mapped pages' dirty state (OSv §2.4, PR #1398: sync must not
   * miss mmap stores).
   */
  private beforeSync(): void {
    for (const obj of this.pool.objects.values()) {
      if (obj.mapping !== null && obj.mapping.nrPages > 0) this.pageCache.writeback(obj.mapping);
    }
  }

  // ---- filesystem level ----

  statfs(): StatFs {
    const a = this.pool.alloc;
    const total = a.end - a.first;
    const free = Math.max(0, a.free - this.pool.slop - this.pool.dirtyEstimate);
    return {
      type: ZFS_SUPER_MAGIC,
      bsize: BLOCK,
      frsize: BLOCK,
      blocks: total,
      bfree: free,
      bavail: free,
      // ZFS reports as many inodes as could be made in the free space (each dnode is 256 bytes).
      files: this.pool.nextObj + free * 16,
      ffree: free * 16,
      namelen: NAME_MAX,
    };
  }

  sync(): void {
    this.pool.sync();
  }

  unmount(): void {
    for (const obj of this.pool.objects.values()) {
      if (obj.mapping !== null && this.pool.failed === null) this.pageCache.writeback(obj.mapping);
    }
    // Closing the ARC destroys its shared buffers, which unmaps and drops their pages (unmap_arc_buf).
    if (this.pool.failed === null) this.pool.close();
    else this.pool.arc?.close();
    this.arcShare?.close();
    for (const obj of this.pool.objects.values()) {
      if (obj.mapping !== null) this.pageCache.releaseMapping(obj.mapping);
      obj.mapping = null;
    }
  }

  /**
   * Frame accounting across the page cache and the ARC (auditFrames): problems found, or an empty
   * list. `otherFrames`: frames the caller knows are neither (translation tables, private pages).
   */
  auditFrames(otherFrames = 0): string[] {
    return this.pool.arc === null ? [] : auditFrames(this.pageCache, this.pool.arc, this.arcShare, otherFrames);
  }

  /**
   * `sync; echo 1 > /proc/sys/vm/drop_caches` (fs/drop_caches.c → invalidate_mapping_pages): dirty
   * pages are written to the DMU first, then every clean page no descriptor maps is dropped (a
   * borrowed one given back to the ARC), so the next reads of unmapped files come from the ARC or
   * the disk. Mapped and locked pages stay, and each file keeps its mapping object: a VMA holds it,
   * and stores through the VMA must reach the cache read() and fsync use. Returns the pages dropped.
   */
  dropPageCache(): number {
    let dropped = 0;
    for (const obj of this.pool.objects.values()) {
      if (obj.mapping === null) continue;
      if (obj.mapping.nrDirty > 0) this.pageCache.writeback(obj.mapping);
      dropped += this.pageCache.invalidate(obj.mapping);
    }
    return dropped;
  }

  // ---- lookups and attributes ----

  lookup(dir: Ino, name: string): Ino {
    const d = this.dir(dir);
    const e = d.zap!.entries.get(name);
    return e === undefined ? NO_INO : e.ino;
  }

  getattr(ino: Ino): Readonly<Attr> {
    return this.obj(ino).dn;
  }

  setattr(ino: Ino, set: SetAttr): void {
    this.begin();
    const obj = this.obj(ino);
    const n = obj.dn;
    let mask = 0;
    if (set.mode !== undefined) { n.mode = (n.mode & S_IFMT) | (set.mode & ALLPERMS); mask |= SA_MODE; }
    if (set.uid !== undefined) { n.uid = set.uid; mask |= SA_UID; }
    if (set.gid !== undefined) { n.gid = set.gid; mask |= SA_GID; }
    if (set.atimeSec !== undefined) { n.atimeSec = set.atimeSec; mask |= SA_ATIME; }
    if (set.atimeNsec !== undefined) { n.atimeNsec = set.atimeNsec; mask |= SA_ATIME; }
    if (set.mtimeSec !== undefined) { n.mtimeSec = set.mtimeSec; mask |= SA_MTIME; }
    if (set.mtimeNsec !== undefined) { n.mtimeNsec = set.mtimeNsec; mask |= SA_MTIME; }
    if (set.ctimeSec !== undefined) { n.ctimeSec = set.ctimeSec; mask |= SA_CTIME; }
    if (set.ctimeNsec !== undefined) { n.ctimeNsec = set.ctimeNsec; mask |= SA_CTIME; }
    this.pool.touch(obj);
    if (!this.replaying) {
      this.pool.itx.begin(TX_SETATTR).u64(ino).u32(mask).u32(n.mode).u32(n.uid).u32(n.gid)
        .u64(n.atimeSec).u32(n.atimeNsec).u64(n.mtimeSec).u32(n.mtimeNsec).u64(n.ctimeSec).u32(n.ctimeNsec).end();
    }
  }

  // ---- names ----

  create(dir: Ino, name: string, node: NewNode): Ino {
    this.begin();
    const type = node.mode & S_IFMT;
    if (((CREATE_TYPES >> (type >> 12)) & 1) === 0) throw fsErr('EINVAL');
    return this.doCreate(TX_CREATE, dir, name, node, '', undefined);
  }

  mkdir(dir: Ino, name: string, node: NewNode): Ino {
    this.begin();
    return this.doCreate(TX_MKDIR, dir, name, { ...node, mode: S_IFDIR | (node.mode & ALLPERMS) }, '', undefined);
  }

  symlink(dir: Ino, name: string, target: string, node: NewNode): Ino {
    this.begin();
    if (Buffer.byteLength(target, 'utf8') >= PATH_MAX) throw fsErr('ENAMETOOLONG');
    return this.doCreate(TX_SYMLINK, dir, name, { ...node, mode: S_IFLNK | 0o777 }, target, undefined);
  }

  /** create/mkdir/symlink's common part; replay passes the logged `ino`. @internal */
  doCreate(tx: number, dir: Ino, name: string, node: NewNode, target: string, ino: Ino | undefined): Ino {
    return zfsCreate(this, tx, dir, name, node, target, ino);
  }

  readlink(ino: Ino): string {
    const obj = this.obj(ino);
    if ((obj.dn.mode & S_IFMT) !== S_IFLNK) throw fsErr('EINVAL');
    if (obj.target !== null) return obj.target;
    const size = obj.dn.size;
    if (size >= PATH_MAX) throw fsErr('EIO');
    const b = new Uint8Array(Math.ceil(size / BLOCK) * BLOCK);
    for (let i = 0; i * BLOCK < size; i++) this.pool.dmu.readBlock(obj, i, b, i * BLOCK);
    try {
      obj.target = new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, size));
    } catch {
      throw fsErr('EIO');
    }
    return obj.target;
  }

  link(dir: Ino, name: string, ino: Ino): void {
    zfsLink(this, dir, name, ino);
  }

  unlink(dir: Ino, name: string): void {
    zfsRemove(this, dir, name);
  }

  rmdir(dir: Ino, name: string): void {
    zfsRmdir(this, dir, name);
  }

  rename(srcDir: Ino, srcName: string, dstDir: Ino, dstName: string, flags: number): void {
    zfsRename(this, srcDir, srcName, dstDir, dstName, flags);
  }

  /** Entries in ZAP hash order (stable for a given tree, across export and import), as ZFS's readdir. */
  readdir(dir: Ino): readonly DirEntry[] {
    const d = this.dir(dir);
    if (d.dirents !== null) return d.dirents;
    const es = [...d.zap!.entries].sort((a, b) => a[1].hash - b[1].hash || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    d.dirents = es.map(([name, e]) => ({ name, ino: e.ino, type: e.type }));
    return d.dirents;
  }

  // ---- data ----

  read(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number {
    const obj = this.regular(ino);
    checkIo(pos, buf, off, len);
    const m = obj.mapping ?? this.attach(obj, ino);
    const r = this.pageCache.read(m, pos, buf, off, len);
    if (r === NO_SPACE) throw fsErr('ENOMEM');
    return r;
  }

  write(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number {
    this.begin();
    const obj = this.regular(ino);
    checkIo(pos, buf, off, len);
    if (len === 0) return 0;
    const max = this.capabilities.maxFileSize;
    if (pos >= max) throw fsErr('EFBIG');
    if (len > max - pos) len = max - pos;
    const pages = Math.floor((pos + len - 1) / BLOCK) - Math.floor(pos / BLOCK) + 1;
    // Data blocks, plus indirect blocks (two copies) for every 64 of them.
    this.pool.reserve(pages + 2 * (Math.ceil(pages / 64) + MAX_LEVELS));
    const m = obj.mapping ?? this.attach(obj, ino);
    const w = this.pageCache.write(m, pos, buf, off, len);
    if (w === NO_SPACE) throw fsErr('ENOSPC');
    obj.dn.size = m.size;
    this.pool.touch(obj);
    if (!this.replaying) {
      // WR_COPIED: the data goes into the record now (zfs_log_write), charged as a copy.
      this.pool.clock.now += w * this.pool.profile.cpu.memcpyNsPerByte;
      this.pool.itx.begin(TX_WRITE).u64(ino).u64(pos).bytes(buf, off, w).end();
    }
    return w;
  }

  truncate(ino: Ino, size: number): void {
    this.begin();
    const obj = this.regular(ino);
    if (!Number.isSafeInteger(size) || size < 0) throw fsErr('EINVAL');
    if (size > this.capabilities.maxFileSize) throw fsErr('EFBIG');
    this.pool.reserve(META_OP_BLOCKS + 2 * MAX_LEVELS);
    const m = obj.mapping ?? this.attach(obj, ino);
    const old = obj.dn.size;
    this.pageCache.truncate(m, size);
    if (size < old) {
      const from = Math.ceil(size / BLOCK);
      const keep = size % BLOCK;
      this.pool.dmu.freeFrom(obj, from, keep !== 0 ? from - 1 : -1, keep);
    }
    obj.dn.size = size;
    this.pool.touch(obj);
    if (!this.replaying) this.pool.itx.begin(TX_TRUNCATE).u64(ino).u64(size).end();
  }

  punchHole(ino: Ino, off: number, len: number): void {
    this.begin();
    const obj = this.regular(ino);
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len) || off < 0 || len <= 0) throw fsErr('EINVAL');
    if (off + len > this.capabilities.maxFileSize) throw fsErr('EFBIG');
    this.pool.reserve(META_OP_BLOCKS + 2 * MAX_LEVELS);
    const m = obj.mapping ?? this.attach(obj, ino);
    this.pageCache.punchHole(m, off, len);
    const end = Math.min(off + len, obj.dn.size);
    if (end > off) {
      const dmu = this.pool.dmu;
      const first = Math.ceil(off / BLOCK), last = Math.floor(end / BLOCK);
      if (first < last) dmu.freeRange(obj, first, last);
      // Partial blocks at either end are zeroed in the DMU too (their pages may not be cached).
      const hb = Math.floor(off / BLOCK);
      if (off % BLOCK !== 0) dmu.zeroRange(obj, hb, off % BLOCK, Math.min(BLOCK, end - hb * BLOCK));
      const tb = Math.floor(end / BLOCK);
      if (end % BLOCK !== 0 && (tb !== hb || off % BLOCK === 0)) dmu.zeroRange(obj, tb, Math.max(0, off - tb * BLOCK), end % BLOCK);
    }
    this.pool.touch(obj);
    if (!this.replaying) this.pool.itx.begin(TX_PUNCH).u64(ino).u64(off).u64(len).end();
  }

  /** zil_commit: every pending record (this file's and all others', ZFS's zil_commit(zilog, 0)) is made durable. */
  fsync(ino: Ino, _dataOnly: boolean): void {
    const obj = this.obj(ino);
    // Linux writes the file's dirty pages before the filesystem's fsync (filemap_write_and_wait_range):
    // stores through a shared mapping reach the DMU and the log through zfs_putpage, so the commit below
    // makes them durable too (OSv PR #1398: fsync that missed mmap stores).
    if (obj.mapping !== null) this.pageCache.writeback(obj.mapping);
    this.pool.commitLog();
  }

  inactive(ino: Ino): void {
    const obj = this.obj(ino);
    invariant(obj.dn.nlink === 0, 'inactive is called only on a node without names');
    if (obj.mapping !== null) this.pageCache.releaseMapping(obj.mapping);
    obj.mapping = null;
    this.pool.deleteQueueRemove(ino);
    this.pool.freeObject(obj);
  }

  /** The page-cache hook: a regular file's mapping (pages filled from the DMU by its Pager). */
  pager(ino: Ino): FileMapping | undefined {
    let obj: DmuObject;
    try {
      obj = this.obj(ino);
    } catch {
      return undefined;
    }
    if ((obj.dn.mode & S_IFMT) !== S_IFREG) return undefined;
    return obj.mapping ?? this.attach(obj, ino);
  }

  // ---- helpers ----

  /** Every operation: the pool must be healthy; a txg may be due (the background sync thread). */
  /** @internal */
  begin(): void {
    const p = this.pool;
    if (p.failed !== null) throw fsErr('EIO');
    if (this.replaying) return;
    p.tick();
    // A big itx list or much dirty data forces a txg early (zfs_dirty_data_max).
    if (p.itx.len > (8 << 20) || p.dirtyEstimate > (p.alloc.end - p.alloc.first) / 4) p.sync();
  }

  /** @internal */
  obj(ino: Ino): DmuObject {
    if (this.pool.failed !== null) throw fsErr('EIO');
    // The pool's own objects are never files; a name pointing at one is damage.
    if (ino !== this.rootIno && ino <= DELETE_QUEUE_OBJ && ino > 0) throw fsErr('EIO');
    return this.pool.getObject(ino);
  }

  /** @internal */
  dir(ino: Ino): DmuObject {
    const o = this.obj(ino);
    if (o.zap === null) throw fsErr('ENOTDIR');
    return o;
  }

  private regular(ino: Ino): DmuObject {
    const o = this.obj(ino);
    if ((o.dn.mode & S_IFMT) !== S_IFREG) throw fsErr(o.zap !== null ? 'EISDIR' : 'EINVAL');
    return o;
  }

  private attach(obj: DmuObject, ino: Ino): FileMapping {
    const pager = this.arcShare === null ? new DmuPager(this, obj, ino) : new SharedDmuPager(this, obj, ino, this.arcShare);
    const m = this.pageCache.createMapping({ pager });
    m.size = obj.dn.size;
    obj.mapping = m;
    return m;
  }

  /** @internal */
  addEntry(d: DmuObject, name: string, ino: Ino, mode: number): void {
    d.zap!.add(name, ino, modeToDtype(mode));
    d.dn.size++;
    d.dirents = null;
    this.pool.touch(d);
  }

  /** @internal */
  removeEntry(d: DmuObject, name: string): void {
    d.zap!.remove(name);
    d.dn.size--;
    d.dirents = null;
    this.pool.touch(d);
  }


}

function checkIo(pos: number, buf: Uint8Array, off: number, len: number): void {
  if (!Number.isSafeInteger(pos) || pos < 0 || !Number.isSafeInteger(len) || len < 0) throw fsErr('EINVAL');
  if (!Number.isSafeInteger(off) || off < 0 || off + len > buf.length) throw fsErr('EFAULT');
}
