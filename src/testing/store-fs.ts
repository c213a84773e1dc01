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

/**
 * One file's store: its pages in slots of one growable slab, found through a page index → slot map
 * (absent pages are holes), as a block store keeps blocks at addresses. Page copies go through views
 * made once per RAM frame and per slot (a 4 KiB set() through a cached view measured ~200 ns against
 * ~250 ns with a fresh subarray and ~1.2 µs for a 32-bit word loop, Node 20), so a writeback or a fill
 * allocates nothing once warm; freed slots are reused before the slab grows (doubling).
 */
export class MapStorePager implements Pager {
  /** Page index → slot in the slab. */
  private readonly slots = new Map<number, number>();
  private readonly freeSlots: number[] = [];
  private slab: Uint8Array;
  /** One view per slot of the slab (dropped when the slab grows). */
  private slotViews: (Uint8Array | undefined)[] = [];
  private used = 0;
  /** Above every stored page index. */
  private hi = 0;
  /** The RAM buffer pages come from, and one view per page-aligned page of it (frames never move). */
  private src: Uint8Array | null = null;
  private srcViews: (Uint8Array | undefined)[] = [];
  reads = 0;
  writes = 0;

  constructor(private readonly pageSize: number) {
    this.slab = new Uint8Array(pageSize * 4);
  }

  /** Pages the store holds. */
  get size(): number {
    return this.slots.size;
  }

  /** Page `index` as stored (a view into the slab, valid until the store next grows), or undefined for a hole. */
  page(index: PageIndex): Uint8Array | undefined {
    const s = this.slots.get(index);
    return s === undefined ? undefined : this.slab.subarray(s * this.pageSize, (s + 1) * this.pageSize);
  }

  readPage(index: PageIndex, bytes: Uint8Array, offset: number): void {
    this.reads++;
    const s = this.slots.get(index);
    if (s === undefined) return;
    let v = this.slotViews[s];
    if (v === undefined) v = this.slotViews[s] = this.slab.subarray(s * this.pageSize, (s + 1) * this.pageSize);
    bytes.set(v, offset);
  }

  writePage(index: PageIndex, bytes: Uint8Array, offset: number, len: number): void {
    this.writes++;
    const ps = this.pageSize;
    let s = this.slots.get(index);
    if (s === undefined) {
      s = this.takeSlot();
      this.slots.set(index, s);
      if (index >= this.hi) this.hi = index + 1;
    }
    const at = s * ps;
    if (offset % ps === 0 && offset + ps <= bytes.length) {
      if (bytes !== this.src) {
        this.src = bytes;
        this.srcViews = [];
      }
      const k = offset / ps;
      let v = this.srcViews[k];
      if (v === undefined) v = this.srcViews[k] = bytes.subarray(offset, offset + ps);
      this.slab.set(v, at);
    } else this.slab.set(bytes.subarray(offset, offset + len), at);
    // Bytes past end-of-file are not the file's: the slot holds zeros there.
    if (len < ps) this.slab.fill(0, at + len, at + ps);
  }

  private takeSlot(): number {
    if (this.freeSlots.length > 0) return this.freeSlots.pop()!;
    const ps = this.pageSize;
    if ((this.used + 1) * ps > this.slab.length) {
      const bigger = new Uint8Array(this.slab.length * 2);
      bigger.set(this.slab);
      this.slab = bigger;
      this.slotViews = [];
    }
    return this.used++;
  }

  private freeSlot(index: number, s: number): void {
    this.slots.delete(index);
    this.freeSlots.push(s);
  }

  /** Forget pages wholly at or past `size`, zero the tail of the last one (truncate). */
  truncate(size: number): void {
    const ps = this.pageSize;
    const first = Math.ceil(size / ps);
    if (this.hi - first <= 4 * this.slots.size) {
      // Few indices to try: look each up (no iterator, nothing allocated).
      for (let i = first; i < this.hi; i++) {
        const s = this.slots.get(i);
        if (s !== undefined) this.freeSlot(i, s);
      }
    } else {
      for (const i of [...this.slots.keys()]) if (i >= first) this.freeSlot(i, this.slots.get(i)!);
    }
    if (first < this.hi) this.hi = first;
    const last = this.slots.get(Math.floor(size / ps));
    if (last !== undefined && size % ps !== 0) this.slab.fill(0, last * ps + (size % ps), (last + 1) * ps);
  }

  /** Zero [off, off + len) in the store. */
  punch(off: number, len: number): void {
    const ps = this.pageSize;
    for (let i = Math.floor(off / ps); i * ps < off + len; i++) {
      const s = this.slots.get(i);
      if (s === undefined) continue;
      const a = Math.max(off, i * ps) - i * ps, b = Math.min(off + len, (i + 1) * ps) - i * ps;
      if (a === 0 && b === ps) this.freeSlot(i, s);
      else this.slab.fill(0, s * ps + a, s * ps + b);
    }
  }
}

/**
 * The `store` backend (`vfsim fsx --fs store`): ramfs namespace, page-cache data evictable through a
 * MapStorePager per file. fsync writes the file's dirty pages to the store.
 */
export interface StoreFsOptions extends RamFsOptions {
  /**
   * Makes each file's store (default: a MapStorePager). Tests pass a deliberately broken one — say, a
   * store that drops what it is given — to show that fsx catches the loss and that its replay file
   * reproduces it.
   */
  store?: (pageSize: number) => MapStorePager;
}

export class StoreFs implements Backend {
  readonly fsType = 'store';
  readonly inner: RamFs;
  readonly pageCache: PageCache;
  private readonly files = new Map<Ino, { m: FileMapping; store: MapStorePager }>();
  private readonly makeStore: (pageSize: number) => MapStorePager;

  constructor(opts: StoreFsOptions) {
    this.inner = new RamFs(opts);
    this.pageCache = this.inner.pageCache;
    this.makeStore = opts.store ?? ((ps) => new MapStorePager(ps));
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
      const store = this.makeStore(this.pageCache.pageSize);
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

  fsync(ino: Ino, _dataOnly: boolean, start = 0, end = Number.MAX_SAFE_INTEGER): void {
    const f = this.files.get(ino);
    // file_write_and_wait_range: only the pages of [start, end) (the whole file without a range).
    const ps = this.pageCache.pageSize;
    if (f !== undefined) this.pageCache.writeback(f.m, Math.floor(start / ps), Math.ceil(end / ps));
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
