// A filesystem whose file data lives in a separate store behind the page cache, so that pages can be
// evicted and read back (a disk-backed filesystem in miniature: Linux's address_space_operations over
// a block store). Names and attributes are ramfs's; data pages go through a Pager over a Map of page
// copies. It exists to prove reclaim, writeback and mmap coherence before pcmfs and zfs-lite plug in.

import { RamFs, type RamFsOptions } from '../../fs-ram/index.js';
import type { Attr, Backend, DirEntry, Ino, NewNode, SetAttr, StatFs } from '../../vfs/backend.js';
import { fsErr } from '../sim/errno.js';
import { NO_SPACE, type FileMapping, type PageCache } from '../mm/page-cache.js';
import type { Pager } from '../mm/pager.js';
import type { PageIndex } from '../mm/page-tree.js';

/** One file's store: page index → page bytes (absent pages are holes). */
export class MapStorePager implements Pager {
  readonly pages = new Map<number, Uint8Array>();
  reads = 0;
  writes = 0;
  constructor(private readonly pageSize: number) {}

  readPage(index: PageIndex, bytes: Uint8Array, offset: number): void {
    this.reads++;
    const p = this.pages.get(index);
    if (p !== undefined) bytes.set(p, offset);
  }

  writePage(index: PageIndex, bytes: Uint8Array, offset: number, len: number): void {
    this.writes++;
    let p = this.pages.get(index);
    if (p === undefined) {
      p = new Uint8Array(this.pageSize);
      this.pages.set(index, p);
    } else p.fill(0, len);
    p.set(bytes.subarray(offset, offset + len), 0);
  }

  /** Forget pages wholly at or past `size`, zero the tail of the last one (truncate). */
  truncate(size: number): void {
    const ps = this.pageSize;
    for (const i of [...this.pages.keys()]) if (i * ps >= size) this.pages.delete(i);
    const last = this.pages.get(Math.floor(size / ps));
    if (last !== undefined && size % ps !== 0) last.fill(0, size % ps);
  }

  /** Zero [off, off + len) in the store. */
  punch(off: number, len: number): void {
    const ps = this.pageSize;
    for (let i = Math.floor(off / ps); i * ps < off + len; i++) {
      const p = this.pages.get(i);
      if (p === undefined) continue;
      const a = Math.max(off, i * ps) - i * ps, b = Math.min(off + len, (i + 1) * ps) - i * ps;
      if (a === 0 && b === ps) this.pages.delete(i);
      else p.fill(0, a, b);
    }
  }
}

/**
 * The `store` backend (`vfsim fsx --fs store`): ramfs namespace, page-cache data evictable through a
 * MapStorePager per file. fsync writes the file's dirty pages to the store.
 */
export class StoreFs implements Backend {
  readonly fsType = 'store';
  readonly inner: RamFs;
  readonly pageCache: PageCache;
  private readonly files = new Map<Ino, { m: FileMapping; store: MapStorePager }>();

  constructor(opts: RamFsOptions) {
    this.inner = new RamFs(opts);
    this.pageCache = this.inner.pageCache;
  }

  get rootIno(): Ino { return this.inner.rootIno; }
  get capabilities() { return this.inner.capabilities; }
  statfs(): StatFs { return this.inner.statfs(); }
  sync(): void { for (const f of this.files.values()) this.pageCache.writeback(f.m); }
  unmount(): void {
    for (const f of this.files.values()) this.pageCache.releaseMapping(f.m);
    this.files.clear();
    this.inner.unmount();
  }
  lookup(dir: Ino, name: string): Ino { return this.inner.lookup(dir, name); }
  getattr(ino: Ino): Readonly<Attr> { return this.inner.getattr(ino); }
  setattr(ino: Ino, set: SetAttr): void { this.inner.setattr(ino, set); }
  create(dir: Ino, name: string, node: NewNode): Ino { return this.inner.create(dir, name, node); }
  mkdir(dir: Ino, name: string, node: NewNode): Ino { return this.inner.mkdir(dir, name, node); }
  symlink(dir: Ino, name: string, target: string, node: NewNode): Ino { return this.inner.symlink(dir, name, target, node); }
  readlink(ino: Ino): string { return this.inner.readlink(ino); }
  link(dir: Ino, name: string, ino: Ino): void { this.inner.link(dir, name, ino); }
  unlink(dir: Ino, name: string): void { this.inner.unlink(dir, name); }
  rmdir(dir: Ino, name: string): void { this.inner.rmdir(dir, name); }
  rename(a: Ino, an: string, b: Ino, bn: string, flags: number): void { this.inner.rename(a, an, b, bn, flags); }
  readdir(dir: Ino): readonly DirEntry[] { return this.inner.readdir(dir); }

  /** The file's page-cache mapping with its store (made on first use, sized as the inode). */
  file(ino: Ino): { m: FileMapping; store: MapStorePager } {
    let f = this.files.get(ino);
    if (f === undefined) {
      const a = this.inner.getattr(ino); // ENOENT for a dead inode
      if ((a.mode & 0o170000) !== 0o100000) throw fsErr('EINVAL');
      const store = new MapStorePager(this.pageCache.pageSize);
      const m = this.pageCache.createMapping({ pager: store });
      m.size = a.size;
      f = { m, store };
      this.files.set(ino, f);
    }
    return f;
  }

  read(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number {
    const r = this.pageCache.read(this.file(ino).m, pos, buf, off, len);
    if (r === NO_SPACE) throw fsErr('ENOMEM');
    return r;
  }

  write(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number {
    const f = this.file(ino);
    const w = this.pageCache.write(f.m, pos, buf, off, len);
    if (w === NO_SPACE) throw fsErr('ENOSPC');
    if (f.m.size !== this.inner.getattr(ino).size) this.inner.truncate(ino, f.m.size);
    return w;
  }

  truncate(ino: Ino, size: number): void {
    const f = this.file(ino);
    this.inner.truncate(ino, size); // checks and the inode's size
    f.store.truncate(size);
    this.pageCache.truncate(f.m, size);
  }

  punchHole(ino: Ino, off: number, len: number): void {
    const f = this.file(ino);
    this.inner.punchHole(ino, off, len); // checks
    f.store.punch(off, len);
    this.pageCache.punchHole(f.m, off, len);
  }

  fsync(ino: Ino, _dataOnly: boolean): void {
    const f = this.files.get(ino);
    if (f !== undefined) this.pageCache.writeback(f.m);
  }

  inactive(ino: Ino): void {
    const f = this.files.get(ino);
    if (f !== undefined) {
      this.pageCache.releaseMapping(f.m);
      this.files.delete(ino);
    }
    this.inner.inactive(ino);
  }

  pager(ino: Ino): FileMapping | undefined {
    try {
      return this.file(ino).m;
    } catch {
      return undefined;
    }
  }
}
