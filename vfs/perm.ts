// Permission checks, as Linux's generic_permission() (fs/namei.c) with CAP_DAC_OVERRIDE and
// CAP_DAC_READ_SEARCH held by uid 0: the owner class is chosen first (owner, else group member, else
// other) and only that class's bits count; root may read and write anything, search any directory, and
// execute a non-directory only if some execute bit is set. EROFS comes first for writes to a regular
// file, directory or symlink on a read-only mount (sb_permission).

import { fsErr } from './errno.js';
import type { Cred } from './syscalls.js';
import type { Vnode } from './vnode.js';
import { S_IFDIR, S_IFLNK, S_IFREG } from './constants.js';

export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;

export function inGroup(cred: Cred, gid: number): boolean {
  return cred.gid === gid || cred.groups.includes(gid);
}

/** Whether `cred` passes the mode-bit check for `mask` (MAY_* bits) on `v`. */
export function allowed(cred: Cred, v: Vnode, mask: number): boolean {
  if (cred.uid === 0) {
    if (v.type === S_IFDIR) return true;
    // Read/write always; execute only when at least one x bit is set (generic_permission).
    return (mask & MAY_EXEC) === 0 || (v.perm & 0o111) !== 0;
  }
  let mode = v.perm;
  if (cred.uid === v.uid) mode >>= 6;
  else if (inGroup(cred, v.gid)) mode >>= 3;
  return (mask & ~mode & 7) === 0;
}

/** inode_permission(): EROFS for writes on a read-only mount, EACCES when the mode bits refuse. */
export function mayAccess(cred: Cred, v: Vnode, mask: number): void {
  if ((mask & MAY_WRITE) !== 0 && v.mnt.readOnly && (v.type === S_IFREG || v.type === S_IFDIR || v.type === S_IFLNK)) {
    throw fsErr('EROFS');
  }
  if (!allowed(cred, v, mask)) throw fsErr('EACCES');
}

/** inode_owner_or_capable(): the caller owns the node or is root. */
export function ownerOrRoot(cred: Cred, v: Vnode): boolean {
  return cred.uid === 0 || cred.uid === v.uid;
}

/**
 * The sticky-directory rule (check_sticky): in a directory with S_ISVTX only the owner of the entry,
 * the owner of the directory, or root may remove or rename the entry.
 */
export function stickyDenies(cred: Cred, dir: Vnode, v: Vnode): boolean {
  if ((dir.perm & 0o1000) === 0) return false;
  if (cred.uid === 0) return false;
  return cred.uid !== v.uid && cred.uid !== dir.uid;
}
