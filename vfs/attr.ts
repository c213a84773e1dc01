// Attribute changes, as Linux's notify_change()/setattr_prepare() (fs/attr.c) and chmod_common,
// chown_common, vfs_utimes, do_truncate (fs/open.c, fs/utimes.c):
// - chmod: owner or root (EPERM); a caller outside the file's group (not root) loses S_ISGID silently.
// - chown: only root changes the owner (EPERM), except to the same value; the owner may change the
//   group to one it belongs to; -1 leaves a field alone. On a non-directory S_ISUID is always dropped and
//   S_ISGID is dropped when group-execute is set or the caller is not in the group and not root
//   (setattr_should_drop_sgid) — for root too, as Linux has done since 2.2.13; dropping them is a mode
//   change, so a caller who is neither owner nor root gets EPERM when there is one. ctime always moves.
// - utimensat: explicit times need owner or root (EPERM); UTIME_NOW for both needs owner, root or
//   write permission (EACCES); UTIME_OMIT for both does nothing at all, not even a lookup.
// - a write or truncate by a non-root caller drops S_ISUID, and S_ISGID if group-execute is set or
//   the caller is not in the file's group (file_remove_privs -> setattr_should_drop_sgid; Linux 6.18).

import type { SetAttr } from './backend.js';
import { fsErr } from './errno.js';
import { S_IFDIR, S_IFREG, S_ISGID, S_ISUID, UTIME_NOW, UTIME_OMIT } from './constants.js';
import { allowed, inGroup, MAY_WRITE, mayAccess, ownerOrRoot } from './perm.js';
import { touchC, touchMC, type Now } from './times.js';
import type { Cred, Stat, TimeSpec } from './syscalls.js';
import type { Vnode } from './vnode.js';

const S_IXGRP = 0o010;

/** struct stat of `v`, into `out` when given (no allocation) or a new object. */
export function fillStat(v: Vnode, out?: Stat): Stat {
  const a = v.mnt.backend.getattr(v.ino);
  if (out === undefined) {
    return {
      dev: v.mnt.dev, ino: a.ino, mode: a.mode, nlink: a.nlink, uid: a.uid, gid: a.gid, rdev: a.rdev,
      size: a.size, blksize: a.blksize, blocks: a.blocks,
      atimeSec: a.atimeSec, atimeNsec: a.atimeNsec, mtimeSec: a.mtimeSec, mtimeNsec: a.mtimeNsec,
      ctimeSec: a.ctimeSec, ctimeNsec: a.ctimeNsec, birthtimeSec: a.birthtimeSec, birthtimeNsec: a.birthtimeNsec,
    };
  }
  out.dev = v.mnt.dev;
  out.ino = a.ino;
  out.mode = a.mode;
  out.nlink = a.nlink;
  out.uid = a.uid;
  out.gid = a.gid;
  out.rdev = a.rdev;
  out.size = a.size;
  out.blksize = a.blksize;
  out.blocks = a.blocks;
  out.atimeSec = a.atimeSec;
  out.atimeNsec = a.atimeNsec;
  out.mtimeSec = a.mtimeSec;
  out.mtimeNsec = a.mtimeNsec;
  out.ctimeSec = a.ctimeSec;
  out.ctimeNsec = a.ctimeNsec;
  out.birthtimeSec = a.birthtimeSec;
  out.birthtimeNsec = a.birthtimeNsec;
  return out;
}

/** A mode argument: an integer that fits a mode_t (0 .. 2^32-1); the kernel masks the bits it ignores. */
export function checkMode(mode: number): void {
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0xffffffff) throw fsErr('EINVAL');
}

function setMode(v: Vnode, perm: number, now: Now): void {
  const set: SetAttr = { mode: v.type | perm, ctimeSec: now.sec, ctimeNsec: now.nsec };
  v.mnt.backend.setattr(v.ino, set);
  v.perm = perm;
}

/** file_remove_privs(): before a write or truncate by a non-root caller. */
export function killPriv(cred: Cred, v: Vnode, now: Now): void {
  if (cred.uid === 0 || v.type !== S_IFREG) return;
  let p = v.perm;
  if ((p & S_ISUID) !== 0) p &= ~S_ISUID;
  // setattr_should_drop_sgid: with group-execute, or when the caller is not in the file's group.
  if ((p & S_ISGID) !== 0 && ((p & S_IXGRP) !== 0 || !inGroup(cred, v.gid))) p &= ~S_ISGID;
  if (p !== v.perm) setMode(v, p, now);
}

export function chmodV(cred: Cred, v: Vnode, mode: number, now: Now): void {
  checkMode(mode);
  if (v.mnt.readOnly) throw fsErr('EROFS');
  if (!ownerOrRoot(cred, v)) throw fsErr('EPERM');
  let perm = mode & 0o7777;
  if (cred.uid !== 0 && !inGroup(cred, v.gid)) perm &= ~S_ISGID;
  setMode(v, perm, now);
}

function checkId(id: number): void {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < -1 || id > 0xfffffffe) throw fsErr('EINVAL');
}

export function chownV(cred: Cred, v: Vnode, uid: number, gid: number, now: Now): void {
  checkId(uid);
  checkId(gid);
  if (v.mnt.readOnly) throw fsErr('EROFS');
  const root = cred.uid === 0;
  if (uid !== -1 && !root && !(cred.uid === v.uid && uid === v.uid)) throw fsErr('EPERM');
  if (gid !== -1 && !root && !(cred.uid === v.uid && (gid === v.gid || inGroup(cred, gid)))) throw fsErr('EPERM');
  let perm = v.perm;
  if (v.type !== S_IFDIR) {
    perm &= ~S_ISUID;
    if ((perm & S_ISGID) !== 0 && ((perm & S_IXGRP) !== 0 || !(root || inGroup(cred, v.gid)))) perm &= ~S_ISGID;
  }
  // Dropping the bits is a mode change (ATTR_MODE), and setattr_prepare lets only the owner or root
  // change a mode: a stranger's chown(-1, -1) of a set-ID file is EPERM (measured on Linux 6.18).
  if (perm !== v.perm && !ownerOrRoot(cred, v)) throw fsErr('EPERM');
  const set: SetAttr = { ctimeSec: now.sec, ctimeNsec: now.nsec };
  if (uid !== -1) set.uid = uid;
  if (gid !== -1) set.gid = gid;
  if (perm !== v.perm) set.mode = v.type | perm;
  v.mnt.backend.setattr(v.ino, set);
  if (uid !== -1) v.uid = uid;
  if (gid !== -1) v.gid = gid;
  v.perm = perm;
}

/** A utimensat timespec: integer seconds and nanoseconds in [0, 1e9) or UTIME_NOW/UTIME_OMIT. */
export function checkTimeSpec(t: TimeSpec): void {
  if (t === null || typeof t !== 'object') throw fsErr('EFAULT');
  const { sec, nsec } = t;
  if (typeof nsec !== 'number' || !Number.isInteger(nsec)) throw fsErr('EINVAL');
  if (nsec === UTIME_NOW || nsec === UTIME_OMIT) return;
  if (nsec < 0 || nsec > 999_999_999 || typeof sec !== 'number' || !Number.isSafeInteger(sec)) throw fsErr('EINVAL');
}

export function bothOmitted(atime: TimeSpec, mtime: TimeSpec): boolean {
  return atime.nsec === UTIME_OMIT && mtime.nsec === UTIME_OMIT;
}

export function utimensV(cred: Cred, v: Vnode, atime: TimeSpec, mtime: TimeSpec, now: Now): void {
  if (v.mnt.readOnly) throw fsErr('EROFS');
  const touch = atime.nsec === UTIME_NOW && mtime.nsec === UTIME_NOW;
  if (touch) {
    if (!ownerOrRoot(cred, v) && !allowed(cred, v, MAY_WRITE)) throw fsErr('EACCES');
  } else if (!ownerOrRoot(cred, v)) throw fsErr('EPERM');
  const set: SetAttr = { ctimeSec: now.sec, ctimeNsec: now.nsec };
  if (atime.nsec !== UTIME_OMIT) {
    set.atimeSec = atime.nsec === UTIME_NOW ? now.sec : atime.sec;
    set.atimeNsec = atime.nsec === UTIME_NOW ? now.nsec : atime.nsec;
  }
  if (mtime.nsec !== UTIME_OMIT) {
    set.mtimeSec = mtime.nsec === UTIME_NOW ? now.sec : mtime.sec;
    set.mtimeNsec = mtime.nsec === UTIME_NOW ? now.nsec : mtime.nsec;
  }
  v.mnt.backend.setattr(v.ino, set);
}

/** A length or offset: an integer >= 0 below 2^63 (what fits a loff_t); anything else EINVAL. */
export function checkLength(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= 2 ** 63) throw fsErr('EINVAL');
}

/**
 * Set the size of a regular file (do_truncate). mtime and ctime move even when the size does not
 * change: so Linux 6.18 tmpfs does for truncate(2), ftruncate(2) and O_TRUNC alike (measured on the
 * host: truncate to the same size moved both).
 */
export function truncateV(cred: Cred, v: Vnode, len: number, now: Now): void {
  if (len > v.mnt.maxFileSize) throw fsErr('EFBIG');
  killPriv(cred, v, now);
  const b = v.mnt.backend;
  if (b.getattr(v.ino).size !== len) b.truncate(v.ino, len);
  touchMC(now, v);
}

/** access(2)/faccessat: F_OK, or the R/W/X bits checked as for the real ids (same as effective here). */
export function accessV(cred: Cred, v: Vnode, mode: number): void {
  if (mode === 0) return;
  mayAccess(cred, v, mode);
}


