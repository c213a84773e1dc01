// A ramfs inode: the attributes the VFS reads (the object `getattr` returns, so that a stat allocates
// nothing) plus what the node's type needs: a directory's entries, a symlink's target, a regular file's
// page-cache mapping. After Linux mm/shmem.c's shmem_inode_info, where the page cache is the storage.

import type { Attr, DirEntry, Ino, NewNode } from '../vfs/backend.js';
import type { FileMapping } from '../src/mm/page-cache.js';

/**
 * What a directory entry adds to its directory's size, as tmpfs counts it (mm/shmem.c,
 * BOGO_DIRENT_SIZE): a directory's st_size is 2 × 20 plus 20 per entry, so `ls -l` looks like tmpfs'.
 */
export const BOGO_DIRENT_SIZE = 20;

export class RamInode implements Attr {
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size = 0;
  blocks = 0;
  blksize: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
  birthtimeSec: number;
  birthtimeNsec: number;

  /** A directory's entries in insertion order (a Map: names like `__proto__` are plain keys). */
  entries: Map<string, Ino> | null = null;
  /** A directory's parent (itself for the root), kept to fix link counts when it moves. */
  parent: Ino = 0;
  /** readdir's answer, kept until the directory changes. */
  dirents: DirEntry[] | null = null;
  /** A symlink's target. */
  target: string | null = null;
  /**
   * A regular file's pages, made on first write or truncate (an empty file takes no mapping), or the
   * page holding a long symlink's target.
   */
  mapping: FileMapping | null = null;

  constructor(
    readonly ino: Ino,
    node: NewNode,
    nlink: number,
    blksize: number,
  ) {
    this.mode = node.mode;
    this.nlink = nlink;
    this.uid = node.uid;
    this.gid = node.gid;
    this.rdev = node.rdev;
    this.blksize = blksize;
    this.atimeSec = this.mtimeSec = this.ctimeSec = this.birthtimeSec = node.timeSec;
    this.atimeNsec = this.mtimeNsec = this.ctimeNsec = this.birthtimeNsec = node.timeNsec;
  }

  /** Add a directory entry; the size grows as tmpfs' does. */
  addEntry(name: string, ino: Ino): void {
    this.entries!.set(name, ino);
    this.size += BOGO_DIRENT_SIZE;
    this.dirents = null;
  }

  removeEntry(name: string): void {
    this.entries!.delete(name);
    this.size -= BOGO_DIRENT_SIZE;
    this.dirents = null;
  }
}
