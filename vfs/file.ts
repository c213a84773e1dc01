// An open file description (Linux struct file, OSv vfs_file): what open() creates and dup() shares —
// the node, the access mode, the status flags and the offset. Descriptors (vfs/fdtable.ts) point at
// descriptions; a description lives until its last descriptor is closed.

import type { Dentry } from './dcache.js';
import type { Dirent } from './syscalls.js';
import type { Vnode } from './vnode.js';

export class OpenFile {
  readonly vnode: Vnode;
  /** The name it was opened by (for fchdir and directory reads); may be dead later. */
  readonly dentry: Dentry;
  /** open(2) flags as given (access mode, O_APPEND, O_NONBLOCK, ...), for F_GETFL. */
  flags: number;
  readonly readable: boolean;
  readonly writable: boolean;
  /** Opened with O_PATH: only fstat, fchdir, dup and close work on it. */
  readonly pathOnly: boolean;
  pos = 0;
  /** Descriptors referring to this description. */
  refs = 1;
  /** getdents: the directory's entries as of the first read at offset 0 (rewinddir refreshes). */
  dirents: Dirent[] | null = null;

  constructor(vnode: Vnode, dentry: Dentry, flags: number, readable: boolean, writable: boolean, pathOnly: boolean) {
    this.vnode = vnode;
    this.dentry = dentry;
    this.flags = flags;
    this.readable = readable;
    this.writable = writable;
    this.pathOnly = pathOnly;
  }
}
