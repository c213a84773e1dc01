// The in-core inode (OSv's struct vnode, Linux's struct inode): one object per (mount, inode number)
// while something refers to it. It caches what the VFS itself decides — type, mode, owner — so that
// permission checks on the lookup hot path never call the backend (the VFS is the only writer of them).
//
// Reference rules (after the "Memo" table in OSv fs/vfs/vfs_vnode.cc; here there is no locking, the
// model is single-threaded):
//
//   holder                           | effect on the vnode              | undone by
//   ---------------------------------+----------------------------------+-----------------------------------
//   mount.vnodes (the icache)        | keeps the object for (mnt, ino)  | inactive (no names, opens == 0)
//   a dentry (dcache entry)          | names it; no count (a directory   | unlink/rmdir/rename-over drops
//                                    | has exactly one dentry)           | the dentry (d.dead = true)
//   an open file description         | opens += 1, mount.opens += 1     | the last close of the description
//   a process's cwd                  | opens += 1, mount.opens += 1     | chdir elsewhere or Process.exit()
//
//   - `orphan` is set when the last name goes (nlink reached 0, or the directory was removed). An
//     orphan with opens == 0 is handed to backend.inactive() at once and leaves the icache; an orphan
//     still open is inactivated by the release that brings opens to 0 (Linux iput -> evict_inode).
//   - nlink can never rise again once 0 (linkat of an unlinked file is ENOENT), so `orphan` is final.
//   - mount.opens > 0 makes umount EBUSY.

import type { Ino } from './backend.js';
import type { Mount } from './mount.js';

export class Vnode {
  readonly mnt: Mount;
  readonly ino: Ino;
  /** S_IFMT bits: an inode's type never changes. */
  readonly type: number;
  /** Permission bits incl. S_ISUID/S_ISGID/S_ISVTX (no type bits), kept equal to the backend's. */
  perm: number;
  uid: number;
  gid: number;
  /** Open file descriptions and cwds referring to this node. */
  opens = 0;
  /** No names left: inactive once `opens` drops to 0. */
  orphan = false;
  /** Cached symlink target (immutable for a symlink's life). */
  link: string | null = null;
  /** FIFO state: bytes written and not yet read, and the open ends (see vfs/fifo.ts). */
  fifo: import('./fifo.js').FifoBuffer | null = null;

  constructor(mnt: Mount, ino: Ino, mode: number, uid: number, gid: number) {
    this.mnt = mnt;
    this.ino = ino;
    this.type = mode & 0o170000;
    this.perm = mode & 0o7777;
    this.uid = uid;
    this.gid = gid;
  }
}
