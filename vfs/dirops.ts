// Calls that add or remove one name (Linux fs/namei.c: filename_create, may_create, may_delete,
// do_mkdirat, do_mknodat, do_rmdir, do_unlinkat, do_symlinkat, do_linkat), in Linux's order of checks:
// - creating: `.`/`..`/`/` as the name or an existing name is EEXIST (before EROFS or EACCES); a trailing
//   slash is allowed only for mkdir, otherwise ENOENT; then EROFS; then may_create (a removed
//   directory: ENOENT; write+search on the directory: EACCES). The new node's times are now, the
//   parent's mtime+ctime move.
// - removing: rmdir of `.` is EINVAL, of `..` ENOTEMPTY, of `/` EBUSY; unlink of any of them EISDIR;
//   unlink with a trailing slash is EISDIR on a directory, ENOTDIR otherwise; may_delete needs
//   write+search on the directory, the sticky rule (EPERM), and the right type (EISDIR for unlink of a
//   directory, ENOTDIR for rmdir of a non-directory); a mount point is EBUSY; emptiness is the
//   backend's (ENOTEMPTY). The victim's ctime and the parent's mtime+ctime move.
// - mknod: S_IFDIR is EPERM, an unknown type EINVAL (may_mknod, before the lookup); char and block
//   devices need root (EPERM, CAP_MKNOD); type 0 means a regular file.
// - link: never follows a final symlink in the old path (link(2) on Linux); across mounts EXDEV; with
//   fs.protected_hardlinks (VfsOptions, off by default as in the kernel) a non-owner may link only a regular, non-set-ID file it can read and write
//   (EPERM, may_linkat); a directory EPERM; a file already unlinked ENOENT.

import { fsErr } from './errno.js';
import { dAdd, dDrop, type Dentry } from './dcache.js';
import { LAST_DOT, LAST_DOTDOT, LAST_NORM, lookupHere, checkPath, pathWalk, resolve, type Nameidata } from './namei.js';
import { allowed, MAY_EXEC, MAY_READ, MAY_WRITE, mayAccess, ownerOrRoot, stickyDenies } from './perm.js';
import type { Vnode } from './vnode.js';
import { mayCreate, newNode } from './open.js';
import { checkMode } from './attr.js';
import { touchC, touchMC } from './times.js';
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK, S_ISGID, S_ISUID } from './constants.js';
import type { Process } from './process.js';

/** filename_create(): walk to the parent and check the name is free (EEXIST, ENOENT, EROFS). */
function createLookup(p: Process, nd: Nameidata, path: string, wantDir: boolean): Dentry {
  pathWalk(p, nd, path);
  if (nd.type !== LAST_NORM) throw fsErr('EEXIST');
  const dir = nd.dir;
  if (nd.lookupLast(p) !== null) throw fsErr('EEXIST');
  if (nd.trailing && !wantDir) throw fsErr('ENOENT');
  if (dir.vnode.mnt.readOnly) throw fsErr('EROFS');
  return dir;
}

/** may_delete(): the checks on removing `victim` from `dir` (also used for rename's two sides). */
export function mayDelete(p: Process, dir: Dentry, victim: Dentry, isDir: boolean): void {
  const cred = p.cred;
  mayAccess(cred, dir.vnode, MAY_WRITE | MAY_EXEC);
  if (stickyDenies(cred, dir.vnode, victim.vnode)) throw fsErr('EPERM');
  if (isDir) {
    if (victim.vnode.type !== S_IFDIR) throw fsErr('ENOTDIR');
  } else if (victim.vnode.type === S_IFDIR) throw fsErr('EISDIR');
  if (dir.dead) throw fsErr('ENOENT');
}

/**
 * may_linkat's safe_hardlink_source (fs.protected_hardlinks): a regular file, not set-user-ID, not
 * set-group-ID with group-execute, that the caller may read and write.
 */
function safeHardlinkSource(p: Process, v: Vnode): boolean {
  if (v.type !== S_IFREG) return false;
  if ((v.perm & S_ISUID) !== 0) return false;
  if ((v.perm & (S_ISGID | 0o010)) === (S_ISGID | 0o010)) return false;
  return allowed(p.cred, v, MAY_READ | MAY_WRITE);
}

export function mkdir(p: Process, path: string, mode: number): void {
  checkMode(mode);
  const nd = p.nd;
  const dir = createLookup(p, nd, path, true);
  mayCreate(p, dir);
  const name = nd.name();
  const dv = dir.vnode;
  const node = newNode(p, dir, S_IFDIR | (mode & 0o1777 & ~p.umaskValue), 0);
  const ino = dv.mnt.backend.mkdir(dv.ino, name, node);
  dAdd(dir, name, nd.hash, p.vfs.vget(dv.mnt, ino));
  touchMC(p.vfs.time, dv);
}

export function mknod(p: Process, path: string, mode: number, dev: number): void {
  checkMode(mode);
  let type = mode & S_IFMT;
  if (type === S_IFDIR) throw fsErr('EPERM');
  if (type === 0) type = S_IFREG;
  else if (type !== S_IFREG && type !== S_IFCHR && type !== S_IFBLK && type !== S_IFIFO && type !== S_IFSOCK) throw fsErr('EINVAL');
  if (typeof dev !== 'number' || !Number.isInteger(dev) || dev < 0 || dev > 0xffffffff) throw fsErr('EINVAL');
  const nd = p.nd;
  const dir = createLookup(p, nd, path, false);
  mayCreate(p, dir);
  const isDev = type === S_IFCHR || type === S_IFBLK;
  if (isDev && p.cred.uid !== 0) throw fsErr('EPERM');
  const name = nd.name();
  const dv = dir.vnode;
  const node = newNode(p, dir, type | (mode & 0o7777 & ~p.umaskValue), isDev ? dev : 0);
  const ino = dv.mnt.backend.create(dv.ino, name, node);
  dAdd(dir, name, nd.hash, p.vfs.vget(dv.mnt, ino));
  touchMC(p.vfs.time, dv);
}

export function symlink(p: Process, target: string, path: string): void {
  checkPath(target);
  const nd = p.nd;
  const dir = createLookup(p, nd, path, false);
  mayCreate(p, dir);
  const name = nd.name();
  const dv = dir.vnode;
  const node = newNode(p, dir, S_IFLNK | 0o777, 0);
  const ino = dv.mnt.backend.symlink(dv.ino, name, target, node);
  dAdd(dir, name, nd.hash, p.vfs.vget(dv.mnt, ino));
  touchMC(p.vfs.time, dv);
}

export function link(p: Process, oldPath: string, newPath: string): void {
  const old = resolve(p, p.nd, oldPath, false);
  const nd = p.nd2;
  const dir = createLookup(p, nd, newPath, false);
  const v = old.vnode;
  const dv = dir.vnode;
  if (v.mnt !== dv.mnt) throw fsErr('EXDEV');
  if (p.vfs.protectedHardlinks && !ownerOrRoot(p.cred, v) && !safeHardlinkSource(p, v)) throw fsErr('EPERM');
  mayCreate(p, dir);
  if (v.type === S_IFDIR) throw fsErr('EPERM');
  if (v.orphan) throw fsErr('ENOENT');
  const name = nd.name();
  dv.mnt.backend.link(dv.ino, name, v.ino);
  dAdd(dir, name, nd.hash, v);
  const now = p.vfs.now();
  touchC(now, v);
  touchMC(now, dv);
}

export function rmdir(p: Process, path: string): void {
  const nd = p.nd;
  pathWalk(p, nd, path);
  if (nd.type === LAST_DOT) throw fsErr('EINVAL');
  if (nd.type === LAST_DOTDOT) throw fsErr('ENOTEMPTY');
  if (nd.type !== LAST_NORM) throw fsErr('EBUSY');
  const dir = nd.dir;
  if (dir.vnode.mnt.readOnly) throw fsErr('EROFS');
  const c = lookupHere(p, dir, nd.path, nd.start, nd.end, nd.hash);
  if (c === null) throw fsErr('ENOENT');
  mayDelete(p, dir, c, true);
  if (c.mounted !== null) throw fsErr('EBUSY');
  const dv = dir.vnode;
  dv.mnt.backend.rmdir(dv.ino, c.name);
  dDrop(c);
  p.vfs.nsGen++;
  touchMC(p.vfs.now(), dv);
  p.vfs.nameGone(c.vnode);
}

export function unlink(p: Process, path: string): void {
  const nd = p.nd;
  pathWalk(p, nd, path);
  if (nd.type !== LAST_NORM) throw fsErr('EISDIR');
  const dir = nd.dir;
  if (dir.vnode.mnt.readOnly) throw fsErr('EROFS');
  const c = lookupHere(p, dir, nd.path, nd.start, nd.end, nd.hash);
  if (c === null) throw fsErr('ENOENT');
  if (nd.trailing) throw fsErr(c.vnode.type === S_IFDIR ? 'EISDIR' : 'ENOTDIR');
  mayDelete(p, dir, c, false);
  if (c.mounted !== null) throw fsErr('EBUSY');
  const dv = dir.vnode;
  const v = c.vnode;
  dv.mnt.backend.unlink(dv.ino, c.name);
  dDrop(c);
  p.vfs.nsGen++;
  const now = p.vfs.now();
  touchMC(now, dv);
  // The inode's ctime moves; nobody can see it if this was its last name and nothing holds it open.
  if (v.opens > 0 || dv.mnt.backend.getattr(v.ino).nlink > 0) touchC(now, v);
  p.vfs.nameGone(v);
}
