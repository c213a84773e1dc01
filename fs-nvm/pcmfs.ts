// pcmfs: a DAX filesystem on byte-addressable persistent memory, after NOVA (Xu & Swanson, FAST 2016).
// Metadata is log-structured (per-inode logs committed by one 8-byte store, multi-inode operations through
// a small undo journal: log.ts), data is copy-on-write (new blocks written with streaming stores, then
// the log entry that maps them is committed), so every call is atomic and durable when it returns.
// Reads and writes copy between the caller's buffer and PCM directly: there is no page cache, so
// fsync has nothing to write back and costs one fence, unless the file is mmapped: mmap maps its blocks
// (DAX, daxMapping), and fsync/msync then flush the mapped lines first. mount() runs recovery (recovery.ts);
// directory operations are in namei.ts, file data in file-data.ts.

import { NO_INO } from '../vfs/backend.js';
import type { Attr, Backend, BackendCapabilities, DirEntry, Ino, NewNode, SetAttr, StatFs } from '../vfs/backend.js';
import { S_IFMT, S_IFDIR, S_IFLNK, ALLPERMS, NAME_MAX, modeToDtype } from '../vfs/constants.js';
import { fsErr } from '../vfs/errno.js';
import { PcmDevice, type PersistentMemory } from '../src/hw/pcm/pcm.js';
import { VIRTUAL_EPOCH_NS } from '../src/sim/clock.js';
import { invariant } from '../src/sim/assert.js';
import { BlockAllocator } from './alloc.js';
import { LogCommitter, TxPart, lastPageUsed, pagesFor, writeChain, type CommitOptions } from './log.js';
import { PInode, encAttr, encDentAdd, encInit } from './inode.js';
import { recover, writeSuperblock, type RecoveryReport } from './recovery.js';
import { BLOCK, PCMFS_STATFS_MAGIC, geometryFor, slotOffset, type Geometry } from './layout.js';
import { FileData } from './file-data.js';
import { PcmNamei } from './namei.js';
import { FileMapping } from '../src/mm/file-mapping.js';
import { DaxState, daxInvalidate, daxWriteback } from '../src/mm/dax.js';

export interface PcmFsOptions extends CommitOptions {
  /** Rotate block and inode-slot allocation to spread wear (default true). */
  rotate?: boolean;
  /** Rewrite an inode's log compactly once this many entries have been appended to it (default 256). */
  compactAfter?: number;
}

export interface MkfsOptions {
  /** Inode slots (default: one per 16 KiB, at least 64). */
  inodes?: number;
  rootMode?: number;
  rootUid?: number;
  rootGid?: number;
  /** Root's timestamps (default: the device clock's time on the virtual epoch). */
  timeSec?: number;
  timeNsec?: number;
}

/** Largest file: 2^44 bytes (block numbers and page indexes stay well inside exact integers). */
export const PCMFS_MAX_FILE_SIZE = 2 ** 44;
/** Longest symlink target stored inline in the inode's first log entry. */
export const PCMFS_SYMLINK_MAX = 4000;

const enc = new TextEncoder();
const SCRATCH_ATTR: Attr = new PInode(0).attr;
const clockOf = (dev: PersistentMemory): (() => number) =>
  dev instanceof PcmDevice ? () => dev.clock.now : () => 0;

/** The zeros a DAX fault on a hole writes. */
const DAX_ZERO = new Uint8Array(BLOCK);

export class PcmFs implements Backend {
  readonly fsType = 'pcmfs';
  readonly rootIno: Ino = 1;
  readonly capabilities: BackendCapabilities = Object.freeze({
    nameMax: NAME_MAX, maxFileSize: PCMFS_MAX_FILE_SIZE, punchHole: true, readOnly: false,
  });
  readonly dev: PersistentMemory;
  readonly geometry: Geometry;
  readonly alloc: BlockAllocator;
  readonly tx: LogCommitter;
  /** What the mount's recovery found and did. */
  readonly recovery: RecoveryReport;
  readonly rotate: boolean;
  readonly compactAfter: number;
  /** Live inodes by number (slot + 1). */
  readonly inodes: (PInode | undefined)[];
  readonly data: FileData;
  readonly namei: PcmNamei;
  private slotCursor = 1;
  private liveInodes = 0;
  /** DAX mappings of files that were mmapped (daxMapping), by inode. */
  private readonly daxMaps = new Map<Ino, FileMapping>();
  private mounted = true;
  /** Log compactions done since mount. */
  compactions = 0;

  /** Format `dev`: superblock, empty journal, empty inode table, the root directory. */
  static mkfs(dev: PersistentMemory, opts: MkfsOptions = {}): Geometry {
    const g = geometryFor(dev.size, opts.inodes);
    const zero = new Uint8Array(BLOCK);
    for (let b = 0; b < g.dataStart; b++) dev.write(b * BLOCK, zero);
    const rootPage = g.dataStart;
    const root = new PInode(1);
    const clock = clockOf(dev)();
    const s = Math.floor(clock / 1e9);
    Object.assign(root.attr, {
      mode: S_IFDIR | ((opts.rootMode ?? 0o755) & ALLPERMS), uid: opts.rootUid ?? 0, gid: opts.rootGid ?? 0, nlink: 2,
      birthtimeSec: opts.timeSec ?? VIRTUAL_EPOCH_NS / 1e9 + s, birthtimeNsec: opts.timeNsec ?? Math.floor(clock - s * 1e9),
    });
    const p = new TxPart();
    p.reset(root);
    encInit(p, root.attr, '');
    p.seal();
    writeChain(dev, p.buf, p.starts, p.len, [rootPage]);
    dev.store64(slotOffset(0), rootPage * BLOCK);
    dev.flushRange(0, g.dataStart * BLOCK);
    dev.fence();
    writeSuperblock(dev, g);
    dev.fence();
    return g;
  }

  /** Mount `dev`, running recovery: EINVAL for a foreign image, EIO for a damaged one. */
  static mount(dev: PersistentMemory, opts: PcmFsOptions = {}): PcmFs {
    return new PcmFs(dev, opts);
  }

  /** A fresh device of `bytes`, formatted and mounted (tests, the CLI). */
  static create(bytes: number, opts: PcmFsOptions & MkfsOptions & { device?: Omit<ConstructorParameters<typeof PcmDevice>[0], 'bytes'> } = {}): PcmFs {
    const dev = new PcmDevice({ bytes, ...(opts.device ?? {}) });
    PcmFs.mkfs(dev, opts);
    return PcmFs.mount(dev, opts);
  }

  private constructor(dev: PersistentMemory, opts: PcmFsOptions) {
    this.dev = dev;
    this.rotate = opts.rotate ?? true;
    this.compactAfter = opts.compactAfter ?? 256;
    const r = recover(dev, this.rotate, PCMFS_MAX_FILE_SIZE, clockOf(dev));
    this.geometry = r.geometry;
    this.alloc = r.alloc;
    this.inodes = r.inodes;
    this.recovery = r.report;
    this.liveInodes = r.report.inodes;
    this.tx = new LogCommitter(dev, this.alloc, { ...opts, rotate: this.rotate });
    this.data = new FileData(this);
    this.namei = new PcmNamei(this);
  }

  // ---- filesystem level ----

  statfs(): StatFs {
    const g = this.geometry;
    return {
      type: PCMFS_STATFS_MAGIC, bsize: BLOCK, frsize: BLOCK, blocks: g.blocks - g.dataStart, bfree: this.alloc.free,
      bavail: this.alloc.free, files: g.inodes, ffree: g.inodes - this.liveInodes, namelen: NAME_MAX,
    };
  }

  /** Every call is durable when it returns; stores through DAX mappings are flushed (as fsync), then a fence. */
  sync(): void {
    for (const m of this.daxMaps.values()) daxWriteback(m.dax!, 0, Infinity);
    this.dev.fence();
  }

  unmount(): void {
    this.dev.fence();
    this.mounted = false;
  }

  // ---- lookups and attributes ----

  node(ino: Ino): PInode {
    const n = this.inodes[ino];
    if (n === undefined || !this.mounted) throw fsErr('EIO');
    return n;
  }

  lookup(dir: Ino, name: string): Ino {
    return this.node(dir).entries?.get(name) ?? NO_INO;
  }

  getattr(ino: Ino): Readonly<Attr> {
    return this.node(ino).attr;
  }

  setattr(ino: Ino, set: SetAttr): void {
    const n = this.node(ino);
    // The new attributes in a scratch copy (no allocation: the VFS calls this after most operations).
    const a = Object.assign(SCRATCH_ATTR, n.attr);
    if (set.mode !== undefined) a.mode = (a.mode & S_IFMT) | (set.mode & ALLPERMS);
    if (set.uid !== undefined) a.uid = set.uid;
    if (set.gid !== undefined) a.gid = set.gid;
    if (set.atimeSec !== undefined) a.atimeSec = set.atimeSec;
    if (set.atimeNsec !== undefined) a.atimeNsec = set.atimeNsec;
    if (set.mtimeSec !== undefined) a.mtimeSec = set.mtimeSec;
    if (set.mtimeNsec !== undefined) a.mtimeNsec = set.mtimeNsec;
    if (set.ctimeSec !== undefined) a.ctimeSec = set.ctimeSec;
    if (set.ctimeNsec !== undefined) a.ctimeNsec = set.ctimeNsec;
    this.tx.begin();
    encAttr(this.tx.part(n), a);
    this.commit();
    Object.assign(n.attr, a);
    this.appended(n, 1);
  }

  readlink(ino: Ino): string {
    return this.node(ino).target;
  }

  readdir(dir: Ino): readonly DirEntry[] {
    const out: DirEntry[] = [];
    for (const [name, ino] of this.node(dir).entries!) out.push({ name, ino, type: modeToDtype(this.node(ino).attr.mode) });
    return out;
  }

  // ---- namespace (namei.ts) ----

  create(dir: Ino, name: string, node: NewNode): Ino {
    return this.namei.makeNode(dir, name, node, '');
  }

  mkdir(dir: Ino, name: string, node: NewNode): Ino {
    return this.namei.makeNode(dir, name, node, '');
  }

  symlink(dir: Ino, name: string, target: string, node: NewNode): Ino {
    if (enc.encode(target).length > PCMFS_SYMLINK_MAX) throw fsErr('ENAMETOOLONG');
    return this.namei.makeNode(dir, name, { ...node, mode: S_IFLNK | (node.mode & ALLPERMS) }, target);
  }

  link(dir: Ino, name: string, ino: Ino): void {
    this.namei.link(dir, name, ino);
  }

  unlink(dir: Ino, name: string): void {
    this.namei.unlink(dir, name);
  }

  rmdir(dir: Ino, name: string): void {
    this.namei.rmdir(dir, name);
  }

  rename(srcDir: Ino, srcName: string, dstDir: Ino, dstName: string, flags: number): void {
    this.namei.rename(srcDir, srcName, dstDir, dstName, flags);
  }

  // ---- data (file-data.ts) ----

  read(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number {
    return this.data.read(this.node(ino), pos, buf, off, len);
  }

  write(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number {
    const n = this.node(ino);
    const r = this.data.write(n, pos, buf, off, len);
    this.appended(n, 1);
    if (r > 0) this.daxMoved(ino, Math.floor(pos / BLOCK), Math.ceil((pos + r) / BLOCK));
    return r;
  }

  truncate(ino: Ino, size: number): void {
    const n = this.node(ino);
    const old = n.attr.size;
    this.data.truncate(n, size);
    this.appended(n, 2);
    // The page holding the new (or old) end is rewritten (its tail zeroed), the pages past it are gone.
    this.daxMoved(ino, Math.floor(Math.min(old, size) / BLOCK), Infinity);
  }

  punchHole(ino: Ino, off: number, len: number): void {
    const n = this.node(ino);
    this.data.punchHole(n, off, len);
    this.appended(n, 3);
    this.daxMoved(ino, Math.floor(off / BLOCK), Math.ceil((off + len) / BLOCK));
  }

  /**
   * Every call is durable when it returns (its commit was fenced) and there is no page cache, so fsync
   * is one fence, as NOVA's is (FAST 2016 §3.1: "fsync is a no-op") — except for stores made through a
   * DAX mapping of the file, which sit in the CPU cache: their lines are flushed first (DC CVAP), as
   * Linux's dax_writeback_mapping_range does for fsync of a DAX-mapped file.
   */
  fsync(ino: Ino, _dataOnly: boolean): void {
    const m = this.daxMaps.get(ino);
    if (m !== undefined) daxWriteback(m.dax!, 0, Infinity);
    else this.dev.fence();
  }

  inactive(ino: Ino): void {
    const n = this.node(ino);
    invariant(n.attr.nlink === 0 || (n.isDir && n.attr.nlink <= 1), 'inactive inode has no names');
    // Clear the slot first: after it, a crash finds nothing of the inode; before, an orphan recovery frees.
    const so = slotOffset(ino - 1);
    this.dev.store64(so, 0);
    this.dev.flush(so);
    this.dev.fence();
    if (n.map !== null) for (const b of n.map.values()) this.alloc.release(b);
    for (const b of n.pages) this.alloc.release(b);
    this.inodes[ino] = undefined;
    this.liveInodes--;
    this.daxMaps.delete(ino);
  }

  /**
   * DAX hook for the mm layer (issue 5): the physical address of file page `pgoff` of `ino` (the PCM
   * frame to map into an address space), or -1 for a hole. A page so mapped is the file's current copy;
   * a later write() copies-on-write to a new block, so a mapping layer must re-query after writes.
   * Stores through a mapping are durable after DC CVAP + DSB of the lines (msync). Needs a PcmDevice.
   */
  daxPhysAddr(ino: Ino, pgoff: number): number {
    const n = this.node(ino);
    if (n.map === null) throw fsErr('EINVAL');
    const b = n.map.get(pgoff);
    if (b === undefined) return -1;
    if (!(this.dev instanceof PcmDevice)) throw fsErr('ENODEV');
    return this.dev.base + b * BLOCK;
  }

  /**
   * mmap's DAX hook (Backend.daxMapping): the file's mapping, whose faults map its blocks on the PCM
   * device straight into the address space (src/mm/dax.ts). Undefined (mmap: ENODEV) on a device that
   * is not a PcmDevice (no physical address to map). Stability: data is copy-on-write, so a write(),
   * truncate or hole punch moves the pages it touches to new blocks; it then zaps every translation of
   * those pages (daxInvalidate) before returning, and the next access faults and maps the new block. The
   * copy carries the old block's contents as the CPU cache holds them, so stores through the mapping
   * are never lost by a write to the same page. A fault on a hole allocates a zeroed block (a store of
   * zeros within end-of-file: pcmfs has no shared zero page to map), which updates mtime.
   */
  daxMapping(ino: Ino): FileMapping | undefined {
    const n = this.node(ino);
    if (n.map === null || !(this.dev instanceof PcmDevice)) return undefined;
    let m = this.daxMaps.get(ino);
    if (m === undefined) {
      const dev = this.dev;
      m = new FileMapping(-1, { evictable: false });
      m.dax = new DaxState(dev, (idx) => this.daxPage(ino, idx));
      m.size = n.attr.size;
      this.daxMaps.set(ino, m);
    }
    return m;
  }

  /** PA of page `idx` of `ino` for a DAX fault, a hole filled with a zeroed block first; -1 on ENOSPC. */
  private daxPage(ino: Ino, idx: number): number {
    const pa = this.daxPhysAddr(ino, idx);
    if (pa >= 0) return pa;
    const n = this.node(ino);
    const len = Math.min(BLOCK, n.attr.size - idx * BLOCK);
    if (len <= 0) return -1;
    try {
      this.write(ino, idx * BLOCK, DAX_ZERO, 0, len);
    } catch {
      return -1; // ENOSPC: the fault is a SIGBUS (VM_FAULT_SIGBUS)
    }
    return this.daxPhysAddr(ino, idx);
  }

  /** Pages [first, last) of `ino` moved to new blocks (or went): keep the DAX mapping's size and PTEs right. */
  private daxMoved(ino: Ino, first: number, last: number): void {
    const m = this.daxMaps.get(ino);
    if (m === undefined) return;
    m.size = this.node(ino).attr.size;
    daxInvalidate(m, first, last);
  }

  // ---- internals ----

  /** Commit the transaction being built (log.ts); the fence inside also covers data written before it. */
  commit(): void {
    this.tx.commit();
  }

  /** A new inode's slot is taken and its log committed (namei.ts): it is live from now on. */
  adopt(n: PInode): void {
    this.inodes[n.ino] = n;
    this.liveInodes++;
  }

  /** A free inode slot (slot 0 is the root's), rotating from the last one taken when `rotate`; ENOSPC. */
  allocSlot(): number {
    const total = this.geometry.inodes;
    for (let k = 0; k < total; k++) {
      const s = this.rotate ? 1 + ((this.slotCursor - 1 + k) % (total - 1)) : 1 + k;
      if (s < total && this.inodes[s + 1] === undefined) {
        this.slotCursor = s + 1 >= total ? 1 : s + 1;
        return s;
      }
    }
    throw fsErr('ENOSPC');
  }

  /** Count appended entries; past `compactAfter`, rewrite the log compactly. */
  appended(n: PInode, k: number): void {
    n.entriesSinceCompact += k;
    if (n.entriesSinceCompact >= this.compactAfter && this.inodes[n.ino] === n && n.pages.length > 1) this.compact(n);
  }

  /**
   * Log cleaning (NOVA §4.5, here whole-log): write the inode's current state as a fresh log, switch the
   * slot's head to it with one 8-byte store, free the old pages. ENOSPC just leaves the log as it is.
   */
  compact(n: PInode): void {
    const p = new TxPart();
    p.reset(n);
    encInit(p, n.attr, n.target);
    encAttr(p, n.attr);
    if (n.entries !== null) for (const [name, ino] of n.entries) encDentAdd(p, enc.encode(name), ino);
    if (n.map !== null) this.data.encodeMap(p, n);
    p.seal();
    let pages: number[];
    try {
      pages = this.allocPages(p);
    } catch {
      return;
    }
    writeChain(this.dev, p.buf, p.starts, p.len, pages);
    this.dev.fence();
    const so = slotOffset(n.ino - 1);
    this.dev.store64(so, pages[0]! * BLOCK);
    this.dev.flush(so);
    this.dev.fence();
    for (const b of n.pages) this.alloc.release(b);
    n.pages = pages;
    n.tailUsed = lastPageUsed(p);
    n.entriesSinceCompact = 0;
    this.compactions++;
  }

  private allocPages(p: TxPart): number[] {
    const need = pagesFor(p), out: number[] = [];
    try {
      for (let i = 0; i < need; i++) out.push(this.alloc.allocRun(1));
    } catch (e) {
      for (const b of out) this.alloc.release(b);
      throw e;
    }
    return out;
  }
}
