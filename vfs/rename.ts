// rename(2)/renameat2(2), in the order Linux checks (fs/namei.c do_renameat2, lock_rename, vfs_rename):
//  1. flags: only RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT; EXCHANGE with either other EINVAL.
//  2. walk both parents; different mounts EXDEV; `.`/`..`/`/` as old name EBUSY, as new name EBUSY
//     (EEXIST with NOREPLACE); read-only EROFS.
//  3. old must exist (ENOENT); NOREPLACE with an existing target EEXIST; EXCHANGE with a missing target
//     ENOENT; trailing slashes only on directories (ENOTDIR).
//  4. the source may not be an ancestor of the target's directory (EINVAL); the target may not be an
//     ancestor of the source's directory (ENOTEMPTY; EINVAL for EXCHANGE).
//  5. source and target the same inode (hard links of one file, or one name): success, nothing changes.
//  6. may_delete on the source side, may_create or may_delete on the target side (EACCES, sticky EPERM,
//     EISDIR/ENOTDIR when a directory would replace a non-directory or the reverse); a directory moving
//     to another parent needs write permission on itself ('..' changes); mount points EBUSY.
//  7. the backend renames (ENOTEMPTY for a non-empty directory target). A symlink is renamed, never its
//     target: the last components are never followed.
// Times: both parents mtime+ctime; the moved inode ctime; a replaced inode ctime (and its link drops).
// RENAME_WHITEOUT needs CAP_MKNOD (EPERM) and no backend implements whiteouts (EINVAL).

import { fsErr } from './errno.js';
import { dDrop, dExchange, dMove, isAncestor } from './dcache.js';
import { LAST_NORM, lookupHere, pathWalk } from './namei.js';
import { MAY_WRITE, mayAccess } from './perm.js';
import { mayDelete } from './dirops.js';
import { mayCreate } from './open.js';
import { touchC, touchMC } from './times.js';
import { RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT, S_IFDIR } from './constants.js';
import type { Process } from './process.js';

export function rename(p: Process, oldPath: string, newPath: string, flags: number): void {
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) !== 0) {
    throw fsErr('EINVAL');
  }
  const exchange = (flags & RENAME_EXCHANGE) !== 0;
  if (exchange && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) !== 0) throw fsErr('EINVAL');
  if ((flags & RENAME_WHITEOUT) !== 0 && p.cred.uid !== 0) throw fsErr('EPERM');

  const o = p.nd;
  pathWalk(p, o, oldPath);
  const n = p.nd2;
  pathWalk(p, n, newPath);
  const oldDir = o.dir;
  const newDir = n.dir;
  if (oldDir.vnode.mnt !== newDir.vnode.mnt) throw fsErr('EXDEV');
  if (o.type !== LAST_NORM) throw fsErr('EBUSY');
  if (n.type !== LAST_NORM) throw fsErr((flags & RENAME_NOREPLACE) !== 0 ? 'EEXIST' : 'EBUSY');
  if (oldDir.vnode.mnt.readOnly) throw fsErr('EROFS');

  const src = lookupHere(p, oldDir, o.path, o.start, o.end, o.hash);
  if (src === null) throw fsErr('ENOENT');
  const dst = n.lookupLast(p);
  if ((flags & RENAME_NOREPLACE) !== 0 && dst !== null) throw fsErr('EEXIST');
  if (exchange) {
    if (dst === null) throw fsErr('ENOENT');
    if (dst.vnode.type !== S_IFDIR && n.trailing) throw fsErr('ENOTDIR');
  }
  const isDir = src.vnode.type === S_IFDIR;
  if (!isDir) {
    if (o.trailing) throw fsErr('ENOTDIR');
    if (!exchange && n.trailing) throw fsErr('ENOTDIR');
  }
  if (oldDir !== newDir) {
    if (isAncestor(src, newDir)) throw fsErr('EINVAL');
    if (dst !== null && isAncestor(dst, oldDir)) throw fsErr(exchange ? 'EINVAL' : 'ENOTEMPTY');
  }
  if (dst !== null && dst.vnode === src.vnode) return;

  const dstIsDir = dst !== null && dst.vnode.type === S_IFDIR;
  mayDelete(p, oldDir, src, isDir);
  if (dst === null) mayCreate(p, newDir);
  else mayDelete(p, newDir, dst, exchange ? dstIsDir : isDir);
  if (oldDir !== newDir) {
    if (isDir) mayAccess(p.cred, src.vnode, MAY_WRITE);
    if (exchange && dstIsDir) mayAccess(p.cred, dst!.vnode, MAY_WRITE);
  }
  if (src.mounted !== null || (dst !== null && dst.mounted !== null)) throw fsErr('EBUSY');
  if ((flags & RENAME_WHITEOUT) !== 0) throw fsErr('EINVAL');

  const ov = oldDir.vnode;
  const nv = newDir.vnode;
  const newName = dst !== null ? dst.name : n.name();
  ov.mnt.backend.rename(ov.ino, src.name, nv.ino, newName, flags);
  p.vfs.nsGen++;
  if (exchange) dExchange(src, dst!);
  else {
    if (dst !== null) dDrop(dst);
    dMove(src, newDir, newName, n.hash);
  }
  const now = p.vfs.now();
  touchMC(now, ov);
  if (nv !== ov) touchMC(now, nv);
  touchC(now, src.vnode);
  if (dst !== null) {
    touchC(now, dst.vnode);
    if (!exchange) p.vfs.nameGone(dst.vnode);
  }
}
