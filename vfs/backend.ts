// The backend interface: what a filesystem implements to plug into the VFS (OSv's vfsops + vnops,
// Linux's super_operations + inode_operations). It is deliberately small. Everything POSIX that does not
// depend on the backend — path walking, symlink following, permission checks, open-flag semantics,
// descriptors, offsets, O_APPEND, umask, timestamps, the rename rules — lives once, in the VFS.
//
// Contract, for someone writing a backend:
// - Nodes are named by inode numbers (`Ino`) the backend chooses; the root's is `rootIno`.
// - The VFS has already checked permissions, types and names before it calls; a backend checks only what
//   only it can know (no space: ENOSPC; a directory not empty: ENOTEMPTY; an I/O or checksum error: EIO)
//   and reports it by throwing an FsError (`throw fsErr('ENOSPC')`). The VFS adds syscall and path.
// - A failed call leaves the backend unchanged.
// - Timestamps are decided by the VFS and stored by the backend: `create`/`mkdir`/`symlink` receive the
//   initial times, and the VFS calls `setattr` with new times after each operation that changes them.
// - `unlink`/`rmdir`/`rename` remove names and drop link counts but never free an inode: the VFS calls
//   `inactive(ino)` once a node has no names left and no open descriptors (OSv VOP_INACTIVE, Linux
//   evict_inode), so a file unlinked while open keeps its data until the last close.
// - Once mounted, a backend's names and attributes change only through the VFS: the VFS caches names
//   (the dentry cache) and each node's type, mode and owner, and would not see a change made behind it.
// - The SetAttr objects the VFS passes may be reused by it after the call returns: copy the fields.

import type { FsError } from './errno.js';

/** An inode number, chosen by the backend. */
export type Ino = number;

/** Returned by `lookup` when the name does not exist (cheaper than throwing ENOENT on every create). */
export const NO_INO: Ino = -1;

/**
 * A node's attributes, as `getattr` returns them. Times are split into seconds and nanoseconds, like
 * `struct timespec`: a nanosecond count since 1970 does not fit a JS number exactly.
 */
export interface Attr {
  ino: Ino;
  /** File type (S_IFMT bits) and permission bits. */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  /** Device number of a character or block device node; 0 otherwise. */
  rdev: number;
  /** Bytes; for a symlink the length of its target; for a directory whatever the backend reports. */
  size: number;
  /** 512-byte units actually allocated (holes take none). */
  blocks: number;
  blksize: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
  birthtimeSec: number;
  birthtimeNsec: number;
}

/** What `setattr` changes: only the fields present. Size changes go through `truncate`. */
export interface SetAttr {
  mode?: number;
  uid?: number;
  gid?: number;
  atimeSec?: number;
  atimeNsec?: number;
  mtimeSec?: number;
  mtimeNsec?: number;
  ctimeSec?: number;
  ctimeNsec?: number;
}

/** The attributes of a node being created. `mode` includes the file type. */
export interface NewNode {
  mode: number;
  uid: number;
  gid: number;
  rdev: number;
  timeSec: number;
  timeNsec: number;
}

export interface DirEntry {
  name: string;
  ino: Ino;
  /** d_type (DT_REG, DT_DIR, ...). */
  type: number;
}

export interface StatFs {
  /** f_type magic (e.g. RAMFS_MAGIC 0x858458f6). */
  type: number;
  bsize: number;
  frsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namelen: number;
}

export interface BackendCapabilities {
  /** Longest file name in bytes (255 on Linux filesystems). */
  readonly nameMax: number;
  /** Largest file size in bytes. */
  readonly maxFileSize: number;
  /** Whether `punchHole` is implemented (fsx uses it when present). */
  readonly punchHole: boolean;
  /** Read-only filesystems reject every mutation with EROFS before the backend is called. */
  readonly readOnly: boolean;
}

/** The page-cache hook a backend may offer (see src/mm); typed loosely here to keep vfs/ below mm. */
export interface PagerHook {
  readonly pager?: (ino: Ino) => unknown;
  /**
   * DAX (a backend on persistent memory, no page cache): the src/mm FileMapping whose `dax` state maps
   * the file's blocks straight into an address space. mmap uses it when there is no `pager`.
   */
  readonly daxMapping?: (ino: Ino) => unknown;
}

export interface Backend extends PagerHook {
  /** The type name users type: 'ramfs', 'pcmfs', 'zfs-lite', or a user's own. */
  readonly fsType: string;
  readonly rootIno: Ino;
  readonly capabilities: BackendCapabilities;

  // ---- filesystem level (vfsops) ----
  statfs(): StatFs;
  /** Make everything durable (sync(2)). */
  sync(): void;
  /** Called once when the VFS unmounts it; the backend must not be used afterwards. */
  unmount(): void;

  // ---- node level (vnops) ----
  /** The inode named `name` in directory `dir`, or NO_INO. `name` is never '.', '..' or empty. */
  lookup(dir: Ino, name: string): Ino;
  /** Attributes of a live node. The object may be the backend's own: the VFS reads it and does not keep it. */
  getattr(ino: Ino): Readonly<Attr>;
  setattr(ino: Ino, set: SetAttr): void;
  /** Create a non-directory, non-symlink node (regular, fifo, socket, char or block device). */
  create(dir: Ino, name: string, node: NewNode): Ino;
  mkdir(dir: Ino, name: string, node: NewNode): Ino;
  symlink(dir: Ino, name: string, target: string, node: NewNode): Ino;
  readlink(ino: Ino): string;
  /** Add a name for an existing non-directory node; the backend increments its nlink. */
  link(dir: Ino, name: string, ino: Ino): void;
  /** Remove a name of a non-directory; the backend decrements its nlink. */
  unlink(dir: Ino, name: string): void;
  /** Remove an empty directory (ENOTEMPTY otherwise); the backend fixes the parent's nlink. */
  rmdir(dir: Ino, name: string): void;
  /**
   * Rename atomically. `flags` is 0 (replace the target if any: the VFS has checked types and that a
   * replaced directory is empty... except for the emptiness, which the backend checks: ENOTEMPTY),
   * RENAME_NOREPLACE (the VFS has checked the target is absent) or RENAME_EXCHANGE (both exist; swap).
   */
  rename(srcDir: Ino, srcName: string, dstDir: Ino, dstName: string, flags: number): void;
  /** The entries of a directory, without '.' and '..', in a stable order (same tree, same order). */
  readdir(dir: Ino): readonly DirEntry[];
  /** Read up to `len` bytes at `pos` into `buf[off..]`; returns bytes read (0 at or past EOF). Holes read as zeros. */
  read(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number;
  /** Write `len` bytes from `buf[off..]` at `pos`, extending the file; returns bytes written. ENOSPC if full. */
  write(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number;
  /** Set the size: shrinking drops data past it, growing adds a hole. */
  truncate(ino: Ino, size: number): void;
  /**
   * Make the node's data (and, unless `dataOnly`, its metadata) durable. `start`/`end` bound the bytes
   * the caller needs (Linux's ->fsync(file, start, end, datasync): msync(MS_SYNC) passes the mapped range);
   * absent, the whole file. Syncing more than asked is allowed (ZFS's zil_commit covers the whole file).
   */
  fsync(ino: Ino, dataOnly: boolean, start?: number, end?: number): void;
  /** The node has no names and no open descriptors: free it. */
  inactive(ino: Ino): void;
  /** Deallocate [off, off+len) keeping the size (fallocate PUNCH_HOLE|KEEP_SIZE). Only if capabilities.punchHole. */
  punchHole?(ino: Ino, off: number, len: number): void;
  /**
   * lseek SEEK_DATA (3) / SEEK_HOLE (4) on a regular file: the offset found, or ENXIO (offset at or past
   * the end, or no data after it). Optional: without it a file is all data (generic_file_llseek_size).
   */
  seekHoleData?(ino: Ino, offset: number, whence: number): number;
}

/** Something a backend may throw; anything else escaping a backend is a bug in it. */
export type BackendError = FsError;
