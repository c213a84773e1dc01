// open(2) (Linux fs/namei.c path_openat/open_last_lookups/do_open, fs/open.c build_open_flags):
// - flags: unknown bits are ignored (open(2), unlike openat2); O_CREAT|O_DIRECTORY is EINVAL (Linux
//   6.4+); O_TMPFILE is EOPNOTSUPP (no backend call makes an unnamed inode); O_PATH keeps only
//   O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC and checks no permission on the file itself.
// - O_CREAT: `.`, `..`, `/` is EEXIST with O_EXCL, else EISDIR; a trailing slash is EISDIR; an
//   existing name with O_EXCL is EEXIST even when it is a dangling symlink; otherwise a final symlink
//   is followed (O_NOFOLLOW: ELOOP), and a dangling one creates its target. Creating needs write+search on the directory (EACCES, EROFS) and
//   sets the parent's mtime/ctime; a file just created is opened without further permission checks.
// - no O_CREAT: O_DIRECTORY or a trailing slash on a non-directory is ENOTDIR, checked before
//   O_NOFOLLOW's ELOOP on a final symlink (do_open, then may_open); write access (or O_TRUNC) on a directory is EISDIR; the mode bits must
//   grant the access mode, and write for O_TRUNC — O_RDONLY|O_TRUNC truncates when writable (Linux).
// - sockets and device nodes have no driver here: ENXIO after the permission check (Linux gives ENXIO
//   for a socket, and for a device without a driver).

import { fsErr } from './errno.js';
import {
  O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOATIME, O_NOFOLLOW, O_NONBLOCK, O_PATH, O_RDONLY,
  O_TRUNC, O_WRONLY, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, S_IFSOCK, S_ISGID,
} from './constants.js';
import { dAdd, type Dentry } from './dcache.js';
import { OpenFile } from './file.js';
import { FifoBuffer } from './fifo.js';
import { followLast, LAST_NORM, lookupHere, pathWalk, resolve } from './namei.js';
import { inGroup, MAY_EXEC, MAY_READ, MAY_WRITE, mayAccess, ownerOrRoot } from './perm.js';
import { checkMode, truncateV } from './attr.js';
import { touchMC } from './times.js';
import type { NewNode } from './backend.js';
import type { Process } from './process.js';

const O_TMPFILE_BIT = 0o20000000;

/** ACC_MODE(): O_RDONLY reads, O_WRONLY writes, O_RDWR and the odd mode 3 both. */
function accMode(flags: number): number {
  const a = flags & O_ACCMODE;
  return a === O_RDONLY ? MAY_READ : a === O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE;
}

/**
 * The attributes of a node created in `dir` (inode_init_owner, mode_strip_sgid): the caller's uid, the
 * directory's gid if it is set-group-ID (directories inherit the bit), else the caller's gid.
 */
export function newNode(p: Process, dir: Dentry, mode: number, rdev: number): NewNode {
  const dv = dir.vnode;
  const cred = p.cred;
  let gid = cred.gid;
  if ((dv.perm & S_ISGID) !== 0) {
    gid = dv.gid;
    if ((mode & 0o170000) === S_IFDIR) mode |= S_ISGID;
    else if ((mode & (S_ISGID | 0o010)) === (S_ISGID | 0o010) && cred.uid !== 0 && !inGroup(cred, dv.gid)) mode &= ~S_ISGID;
  }
  const now = p.vfs.now();
  return { mode, uid: cred.uid, gid, rdev, timeSec: now.sec, timeNsec: now.nsec };
}

/** may_create(): the directory is alive and writable+searchable. */
export function mayCreate(p: Process, dir: Dentry): void {
  if (dir.dead) throw fsErr('ENOENT');
  mayAccess(p.cred, dir.vnode, MAY_WRITE | MAY_EXEC);
}

export function openPath(p: Process, path: string, flags: number, mode: number): number {
  if (typeof flags !== 'number' || !Number.isInteger(flags)) throw fsErr('EINVAL');
  checkMode(mode);
  if ((flags & (O_DIRECTORY | O_CREAT)) === (O_DIRECTORY | O_CREAT)) throw fsErr('EINVAL');
  if ((flags & O_TMPFILE_BIT) !== 0) {
    if ((flags & O_DIRECTORY) === 0 || (accMode(flags) & MAY_WRITE) === 0) throw fsErr('EINVAL');
    throw fsErr('EOPNOTSUPP');
  }
  p.fds.checkFree();
  const pathOnly = (flags & O_PATH) !== 0;
  if (pathOnly) flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
  const vfs = p.vfs;
  const nd = p.nd;
  let created = false;
  let d: Dentry;
  if ((flags & O_CREAT) === 0) d = resolve(p, nd, path, (flags & O_NOFOLLOW) === 0);
  else for (pathWalk(p, nd, path); ;) {
    // `.`, `..` or `/`: do_open's O_EXCL check comes before its O_CREAT-on-a-directory check.
    if (nd.type !== LAST_NORM) throw fsErr((flags & O_EXCL) !== 0 ? 'EEXIST' : 'EISDIR');
    if (nd.mustDir) throw fsErr('EISDIR');
    const dir = nd.dir;
    let c = nd.lookupLast(p);
    if (c === null) {
      if (dir.vnode.mnt.readOnly) throw fsErr('EROFS');
      mayCreate(p, dir);
      const name = nd.name();
      const node = newNode(p, dir, S_IFREG | (mode & 0o7777 & ~p.umaskValue), 0);
      const dv = dir.vnode;
      const ino = dv.mnt.backend.create(dv.ino, name, node);
      d = dAdd(dir, name, nd.hash, vfs.vget(dv.mnt, ino));
      touchMC(vfs.time, dv);
      created = true;
      break;
    }
    if ((flags & O_EXCL) !== 0) throw fsErr('EEXIST');
    while (c.mounted !== null) c = c.mounted.root;
    if (c.vnode.type === S_IFLNK) {
      if ((flags & O_NOFOLLOW) !== 0) throw fsErr('ELOOP');
      followLast(p, nd, c);
      continue;
    }
    d = c;
    break;
  }
  const v = d.vnode;
  const t = v.type;
  if (pathOnly) {
    if ((flags & O_DIRECTORY) !== 0 && t !== S_IFDIR) throw fsErr('ENOTDIR');
    return install(p, new OpenFile(v, d, flags, false, false, true), flags);
  }
  // do_open's order: O_CREAT on a directory, then O_DIRECTORY, then may_open (a symlink: ELOOP).
  if (t === S_IFDIR && (flags & O_CREAT) !== 0) throw fsErr('EISDIR');
  if ((flags & O_DIRECTORY) !== 0 && t !== S_IFDIR) throw fsErr('ENOTDIR');
  if (t === S_IFLNK) throw fsErr('ELOOP');
  const acc = accMode(flags);
  if (!created) {
    const want = (flags & O_TRUNC) !== 0 && t !== S_IFIFO && t !== S_IFSOCK ? acc | MAY_WRITE : acc;
    if (t === S_IFDIR && (want & MAY_WRITE) !== 0) throw fsErr('EISDIR');
    mayAccess(p.cred, v, want);
    if ((flags & O_NOATIME) !== 0 && !ownerOrRoot(p.cred, v)) throw fsErr('EPERM');
  }
  if (t === S_IFSOCK || t === S_IFCHR || t === S_IFBLK) throw fsErr('ENXIO');
  const readable = (acc & MAY_READ) !== 0 && (flags & O_ACCMODE) !== 3;
  const writable = (acc & MAY_WRITE) !== 0 && (flags & O_ACCMODE) !== 3;
  if (t === S_IFIFO) {
    let fifo = v.fifo;
    if (fifo === null) fifo = v.fifo = new FifoBuffer();
    // fifo_open(): a non-blocking writer with no reader is ENXIO; the model never waits.
    if (writable && !readable && (flags & O_NONBLOCK) !== 0 && fifo.readers === 0) throw fsErr('ENXIO');
    if (readable) fifo.readers++;
    if (writable) fifo.writers++;
  }
  if (!created && t === S_IFREG && (flags & O_TRUNC) !== 0) truncateV(p.cred, v, 0, vfs.now());
  return install(p, new OpenFile(v, d, flags, readable, writable, false), flags);
}

function install(p: Process, f: OpenFile, flags: number): number {
  const fd = p.fds.install(f);
  p.vfs.hold(f.vnode);
  f.flags = flags & ~(O_CLOEXEC | O_CREAT | O_EXCL | O_TRUNC | 0o400);
  return fd;
}
