// ramfs: a filesystem whose storage is the page cache, as Linux tmpfs without swap (mm/shmem.c) — file
// data lives in frames of the machine's RAM, bounded by that RAM and an optional size limit (ENOSPC
// when full), holes take no frames. It implements vfs/backend.ts exactly: the VFS has checked
// permissions, types and names; this stores what it is told and checks what only it can know.

import { fsErr } from '../vfs/errno.js';
import { NO_INO } from '../vfs/backend.js';
import type { Attr, Backend, BackendCapabilities, DirEntry, Ino, NewNode, SetAttr, StatFs } from '../vfs/backend.js';
import {
  S_IFMT, S_IFDIR, S_IFREG, S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK, ALLPERMS, NAME_MAX,
  RENAME_NOREPLACE, RENAME_EXCHANGE, modeToDtype, SEEK_DATA, SEEK_HOLE,
} from '../vfs/constants.js';
import { Ram } from '../src/hw/ram.js';
import { Clock, VIRTUAL_EPOCH_NS } from '../src/sim/clock.js';
import type { CostProfile } from '../src/sim/profile.js';
import { invariant } from '../src/sim/assert.js';
import { PageCache, NO_SPACE } from '../src/mm/page-cache.js';
import type { FileMapping } from '../src/mm/page-cache.js';
import { PageBudget } from '../src/mm/pager.js';
import { RamInode, BOGO_DIRENT_SIZE } from './inode.js';
import { renameEntry } from './rename.js';
import { fsck } from './fsck.js';

/** Symlink targets this long or longer (with their NUL) take a page, as in tmpfs (mm/shmem.c). */
export const SHORT_SYMLINK_LEN = 128;

/** statfs f_type of Linux ramfs (include/uapi/linux/magic.h). */
export const RAMFS_MAGIC = 0x858458f6;
/** statfs f_type of Linux tmpfs, for users who want ramfs to pass for tmpfs (`statfsType`). */
export const TMPFS_MAGIC = 0x01021994;

export interface RamFsOptions {
  /** The machine's RAM, where file data lives. Ignored if `pageCache` is given (its RAM is used). */
  ram?: Ram;
  /** The machine's page cache, shared with other filesystems and mmap; one is made over `ram` if absent. */
  pageCache?: PageCache;
  /** Virtual clock: the root's timestamps, and the page cache's copy and allocation costs. */
  clock?: Clock;
  profile?: CostProfile;
  /** Bytes of file data the filesystem may hold (tmpfs `size=`), rounded down to pages. Default: all RAM. */
  sizeLimit?: number;
  /**
   * Live inodes allowed (tmpfs `nr_inodes=`); creating more is ENOSPC. Default: half the RAM's frames,
   * tmpfs' default, but at least 65,536 (inodes here live on the JS heap, not in RAM frames).
   */
  maxInodes?: number;
  /** The root directory's permission bits and owner. Default 0o755, uid 0, gid 0. */
  rootMode?: number;
  rootUid?: number;
  rootGid?: number;
  /** statfs f_type. Default RAMFS_MAGIC. */
  statfsType?: number;
}

/** The types `create` makes, as a bit set over S_IFMT >> 12 (directories and symlinks have their own calls). */
const CREATE_TYPES = (1 << (S_IFREG >> 12)) | (1 << (S_IFIFO >> 12)) | (1 << (S_IFSOCK >> 12)) |
  (1 << (S_IFCHR >> 12)) | (1 << (S_IFBLK >> 12));

export class RamFs implements Backend {
  readonly fsType = 'ramfs';
  readonly rootIno: Ino = 1;
  readonly capabilities: BackendCapabilities;
  readonly pageCache: PageCache;
  readonly ram: Ram;
  /** The frames this filesystem may hold and holds (shared by all its files' mappings). */
  readonly budget: PageBudget;
  readonly maxInodes: number;

  /** Indexed by inode number; numbers are never reused, as tmpfs' get_next_ino, so a stale one cannot alias. */
  private inodes: (RamInode | undefined)[] = [undefined];
  private nextIno = 1;
  private liveInodes = 0;
  private readonly sectorsPerPage: number;
  private readonly statfsType: number;

  constructor(opts: RamFsOptions = {}) {
    const clock = opts.clock ?? new Clock();
    if (opts.sizeLimit !== undefined && !(opts.sizeLimit >= 0)) throw new RangeError(`RamFs sizeLimit must be >= 0, got ${opts.sizeLimit}`);
    if (opts.maxInodes !== undefined && !(Number.isInteger(opts.maxInodes) && opts.maxInodes >= 1)) {
      throw new RangeError(`RamFs maxInodes must be a positive integer, got ${opts.maxInodes}`);
    }
    if (opts.pageCache !== undefined) this.pageCache = opts.pageCache;
    else {
      if (opts.ram === undefined) throw new TypeError('RamFs needs { ram } or { pageCache }');
      this.pageCache = new PageCache(opts.ram, { clock, ...(opts.profile ? { profile: opts.profile } : {}) });
    }
    this.ram = this.pageCache.ram;
    const ps = this.pageCache.pageSize;
    this.sectorsPerPage = ps / 512;
    const limit = opts.sizeLimit === undefined ? Infinity : Math.floor(opts.sizeLimit / ps);
    this.budget = new PageBudget(limit);
    this.maxInodes = opts.maxInodes ?? Math.max(this.ram.frameCount >> 1, 65536);
    this.statfsType = opts.statfsType ?? RAMFS_MAGIC;
    this.capabilities = Object.freeze({
      nameMax: NAME_MAX,
      // Linux tmpfs allows MAX_LFS_FILESIZE (2^63 - 1); positions here must stay exact JS integers.
      maxFileSize: Number.MAX_SAFE_INTEGER,
      punchHole: true,
      readOnly: false,
    });
    // Seconds and nanoseconds apart: the epoch in ns (~1.8e18) is past what a double holds exactly.
    const s = Math.floor(clock.now / 1e9);
    const root = this.newInode(
      {
        mode: S_IFDIR | ((opts.rootMode ?? 0o755) & ALLPERMS),
        uid: opts.rootUid ?? 0,
        gid: opts.rootGid ?? 0,
        rdev: 0,
        timeSec: VIRTUAL_EPOCH_NS / 1e9 + s,
        timeNsec: Math.floor(clock.now - s * 1e9),
      },
      2,
    );
    root.entries = new Map();
    root.parent = root.ino;
    root.size = 2 * BOGO_DIRENT_SIZE;
  }

  // ---- filesystem level ----

  statfs(): StatFs {
    const total = Math.min(this.budget.limit, this.ram.frameCount);
    const free = Math.max(0, Math.min(total - this.budget.used, this.ram.freeFrames));
    return {
      type: this.statfsType,
      bsize: this.pageCache.pageSize,
      frsize: this.pageCache.pageSize,
      blocks: total,
      bfree: free,
      bavail: free,
      files: this.maxInodes,
      ffree: this.maxInodes - this.liveInodes,
      namelen: NAME_MAX,
    };
  }

  /** Nothing to do: the page cache is the storage (tmpfs' sync is a no-op). */
  sync(): void {}

  /** The filesystem goes away with its contents (Linux kill_litter_super): every frame goes back to RAM. */
  unmount(): void {
    for (const n of this.inodes) if (n?.mapping) this.pageCache.releaseMapping(n.mapping);
    this.inodes = [undefined];
    this.liveInodes = 0;
  }

  // ---- lookups and attributes (no allocation: the hot path of every path walk and stat) ----

  lookup(dir: Ino, name: string): Ino {
    const d = this.inodes[dir];
    if (d === undefined) throw fsErr('ENOENT');
    const entries = d.entries;
    if (entries === null) throw fsErr('ENOTDIR');
    const ino = entries.get(name);
    return ino === undefined ? NO_INO : ino;
  }

  getattr(ino: Ino): Readonly<Attr> {
    const n = this.inodes[ino];
    if (n === undefined) throw fsErr('ENOENT');
    return n;
  }

  setattr(ino: Ino, set: SetAttr): void {
    const n = this.node(ino);
    if (set.mode !== undefined) n.mode = (n.mode & S_IFMT) | (set.mode & ALLPERMS);
    if (set.uid !== undefined) n.uid = set.uid;
    if (set.gid !== undefined) n.gid = set.gid;
    if (set.atimeSec !== undefined) n.atimeSec = set.atimeSec;
    if (set.atimeNsec !== undefined) n.atimeNsec = set.atimeNsec;
    if (set.mtimeSec !== undefined) n.mtimeSec = set.mtimeSec;
    if (set.mtimeNsec !== undefined) n.mtimeNsec = set.mtimeNsec;
    if (set.ctimeSec !== undefined) n.ctimeSec = set.ctimeSec;
    if (set.ctimeNsec !== undefined) n.ctimeNsec = set.ctimeNsec;
  }

  // ---- names ----

  create(dir: Ino, name: string, node: NewNode): Ino {
    const type = node.mode & S_IFMT;
    if (((CREATE_TYPES >> (type >> 12)) & 1) === 0) throw fsErr('EINVAL');
    const d = this.freeName(dir, name);
    const n = this.newInode(node, 1);
    if (type !== S_IFCHR && type !== S_IFBLK) n.rdev = 0;
    d.addEntry(name, n.ino);
    return n.ino;
  }

  mkdir(dir: Ino, name: string, node: NewNode): Ino {
    const d = this.freeName(dir, name);
    const n = this.newInode(node, 2);
    n.mode = S_IFDIR | (node.mode & ALLPERMS);
    n.rdev = 0;
    n.entries = new Map();
    n.parent = d.ino;
    n.size = 2 * BOGO_DIRENT_SIZE;
    d.addEntry(name, n.ino);
    d.nlink++; // the new directory's '..'
    return n.ino;
  }

  /**
   * As tmpfs (mm/shmem.c shmem_symlink): a target of SHORT_SYMLINK_LEN (128) bytes or more, counting
   * its NUL, lives in a page of its own, charged to the filesystem (8 blocks in stat; ENOSPC when
   * full); a shorter one is kept with the inode and takes no space. The string is kept either way so
   * that readlink need not decode the page.
   */
  symlink(dir: Ino, name: string, target: string, node: NewNode): Ino {
    const d = this.freeName(dir, name);
    const bytes = Buffer.byteLength(target, 'utf8');
    if (bytes + 1 > this.pageCache.pageSize) throw fsErr('ENAMETOOLONG'); // shmem_symlink: len > PAGE_SIZE
    if (this.liveInodes >= this.maxInodes) throw fsErr('ENOSPC');
    let m: FileMapping | null = null;
    if (bytes + 1 > SHORT_SYMLINK_LEN) {
      m = this.pageCache.createMapping({ budget: this.budget, evictable: false });
      const enc = Buffer.from(target, 'utf8');
      if (this.pageCache.write(m, 0, enc, 0, enc.length) !== enc.length) {
        this.pageCache.releaseMapping(m);
        throw fsErr('ENOSPC');
      }
    }
    const n = this.newInode(node, 1);
    n.mode = S_IFLNK | 0o777; // symlink(7): a symlink's permission bits are always 0777 on Linux
    n.rdev = 0;
    n.target = target;
    n.size = bytes;
    if (m !== null) {
      n.mapping = m;
      n.blocks = m.pages.count * this.sectorsPerPage;
    }
    d.addEntry(name, n.ino);
    return n.ino;
  }

  readlink(ino: Ino): string {
    const n = this.node(ino);
    if (n.target === null) throw fsErr('EINVAL');
    return n.target;
  }

  link(dir: Ino, name: string, ino: Ino): void {
    const n = this.node(ino);
    if (n.entries !== null) throw fsErr('EPERM'); // link(2): hard links to directories are refused
    if (n.nlink === 0) throw fsErr('ENOENT'); // linkat of an unlinked file without O_TMPFILE (Linux)
    const d = this.freeName(dir, name);
    d.addEntry(name, ino);
    n.nlink++;
  }

  unlink(dir: Ino, name: string): void {
    const d = this.dir(dir);
    const ino = d.entries!.get(name);
    if (ino === undefined) throw fsErr('ENOENT');
    const n = this.inodes[ino]!;
    if (n.entries !== null) throw fsErr('EISDIR');
    d.removeEntry(name);
    n.nlink--;
  }

  rmdir(dir: Ino, name: string): void {
    const d = this.dir(dir);
    const ino = d.entries!.get(name);
    if (ino === undefined) throw fsErr('ENOENT');
    const n = this.inodes[ino]!;
    if (n.entries === null) throw fsErr('ENOTDIR');
    if (n.entries.size !== 0) throw fsErr('ENOTEMPTY');
    d.removeEntry(name);
    d.nlink--; // its '..' is gone
    n.nlink = 0; // its name and its own '.'
  }

  rename(srcDir: Ino, srcName: string, dstDir: Ino, dstName: string, flags: number): void {
    if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) !== 0 || flags === (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
      throw fsErr('EINVAL');
    }
    renameEntry(this.inodes, this.dir(srcDir), srcName, this.dir(dstDir), dstName, flags);
  }

  readdir(dir: Ino): readonly DirEntry[] {
    const d = this.dir(dir);
    if (d.dirents !== null) return d.dirents;
    const out: DirEntry[] = [];
    for (const [name, ino] of d.entries!) out.push({ name, ino, type: modeToDtype(this.inodes[ino]!.mode) });
    d.dirents = out;
    return out;
  }

  // ---- data ----

  read(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number {
    const n = this.regular(ino);
    checkIo(pos, buf, off, len);
    const m = n.mapping;
    if (m === null) return 0; // never written nor truncated: the file is empty
    const r = this.pageCache.read(m, pos, buf, off, len);
    // Without a pager a read never allocates, so NO_SPACE cannot happen; kept as an errno all the same.
    if (r === NO_SPACE) throw fsErr('ENOMEM');
    return r;
  }

  write(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number {
    const n = this.regular(ino);
    checkIo(pos, buf, off, len);
    if (len === 0) return 0;
    const max = this.capabilities.maxFileSize;
    if (pos >= max) throw fsErr('EFBIG');
    if (len > max - pos) len = max - pos; // a write crossing the limit is cut short (write(2), EFBIG)
    const m = n.mapping ?? this.attach(n);
    const w = this.pageCache.write(m, pos, buf, off, len);
    if (w === NO_SPACE) throw fsErr('ENOSPC');
    n.size = m.size;
    n.blocks = m.pages.count * this.sectorsPerPage;
    return w;
  }

  truncate(ino: Ino, size: number): void {
    const n = this.regular(ino);
    if (!Number.isInteger(size) || size < 0) throw fsErr('EINVAL');
    if (size > this.capabilities.maxFileSize) throw fsErr('EFBIG');
    const m = n.mapping ?? this.attach(n);
    this.pageCache.truncate(m, size);
    n.size = size;
    n.blocks = m.pages.count * this.sectorsPerPage;
  }

  punchHole(ino: Ino, off: number, len: number): void {
    const n = this.regular(ino);
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len) || off < 0 || len <= 0) throw fsErr('EINVAL');
    if (off + len > this.capabilities.maxFileSize) throw fsErr('EFBIG');
    const m = n.mapping;
    if (m === null) return;
    this.pageCache.punchHole(m, off, len);
    n.blocks = m.pages.count * this.sectorsPerPage;
  }

  /**
   * lseek(2) SEEK_DATA (`whence` 3) / SEEK_HOLE (4) as tmpfs answers them (shmem_file_llseek): pages
   * held are data, holes are where no page is; ENXIO at or past the end, or when no data follows.
   */
  seekHoleData(ino: Ino, offset: number, whence: number): number {
    const n = this.regular(ino);
    if (whence !== SEEK_DATA && whence !== SEEK_HOLE) throw fsErr('EINVAL');
    const m = n.mapping; // null only for an empty file, where every offset is past the end
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= n.size || m === null) throw fsErr('ENXIO');
    const r = whence === SEEK_DATA ? this.pageCache.seekData(m, offset) : this.pageCache.seekHole(m, offset);
    if (r < 0) throw fsErr('ENXIO');
    return r;
  }

  /** Nothing to make durable: the data lives only in RAM (tmpfs' fsync is noop_fsync). */
  fsync(ino: Ino, _dataOnly: boolean): void {
    this.node(ino);
  }

  inactive(ino: Ino): void {
    const n = this.node(ino);
    invariant(n.nlink === 0, 'inactive is called only on a node without names');
    if (n.mapping !== null) this.pageCache.releaseMapping(n.mapping);
    n.mapping = null;
    this.inodes[ino] = undefined;
    this.liveInodes--;
  }

  /**
   * The page-cache hook (vfs/backend.ts PagerHook): a regular file's mapping, so that mmap maps the
   * same frames read and write use. ramfs has no Pager: the mapping's pages are the file.
   */
  pager(ino: Ino): FileMapping | undefined {
    const n = this.inodes[ino];
    if (n === undefined || (n.mode & S_IFMT) !== S_IFREG) return undefined;
    return n.mapping ?? this.attach(n);
  }

  /** Consistency problems found (empty if none): link counts, directory sizes, page accounting. See fsck.ts. */
  fsck(): string[] {
    return fsck(this.inodes, this.rootIno, this.budget, this.sectorsPerPage);
  }

  // ---- helpers ----

  /** Live inodes (for tests and statfs). */
  get inodeCount(): number {
    return this.liveInodes;
  }

  private newInode(node: NewNode, nlink: number): RamInode {
    if (this.liveInodes >= this.maxInodes) throw fsErr('ENOSPC');
    const n = new RamInode(this.nextIno++, node, nlink, this.pageCache.pageSize);
    this.inodes.push(n);
    this.liveInodes++;
    return n;
  }

  private attach(n: RamInode): FileMapping {
    const m = this.pageCache.createMapping({ budget: this.budget, evictable: false });
    m.size = n.size;
    n.mapping = m;
    return m;
  }

  private node(ino: Ino): RamInode {
    const n = this.inodes[ino];
    if (n === undefined) throw fsErr('ENOENT');
    return n;
  }

  private dir(ino: Ino): RamInode {
    const n = this.node(ino);
    if (n.entries === null) throw fsErr('ENOTDIR');
    return n;
  }

  private regular(ino: Ino): RamInode {
    const n = this.node(ino);
    if ((n.mode & S_IFMT) !== S_IFREG) throw fsErr(n.entries !== null ? 'EISDIR' : 'EINVAL');
    return n;
  }

  /** The directory `dir`, checked to have no entry `name` (before anything is allocated). */
  private freeName(dir: Ino, name: string): RamInode {
    const d = this.dir(dir);
    if (d.entries!.has(name)) throw fsErr('EEXIST');
    if (d.nlink === 0) throw fsErr('ENOENT'); // a removed directory takes no new entries (Linux)
    return d;
  }
}

/** Arguments of read/write: integer, non-negative, inside the buffer (EINVAL/EFAULT otherwise). */
function checkIo(pos: number, buf: Uint8Array, off: number, len: number): void {
  if (!Number.isSafeInteger(pos) || pos < 0 || !Number.isSafeInteger(len) || len < 0) throw fsErr('EINVAL');
  if (!Number.isSafeInteger(off) || off < 0 || off + len > buf.length) throw fsErr('EFAULT');
}
