// Data calls on descriptors (Linux fs/read_write.c, mm/filemap.c generic paths, fs/open.c):
// - read/write need a descriptor opened for it (EBADF; O_PATH descriptors do neither); a directory is
//   EISDIR; the buffer range must lie inside the buffer (EFAULT), counts and offsets are integers >= 0
//   (EINVAL); a FIFO has no offset (pread/pwrite/lseek: ESPIPE).
// - O_APPEND writes at the end of the file even through pwrite (Linux's documented deviation from
//   POSIX); pwrite/pread never move the offset. A write at or past the backend's maximum size is EFBIG,
//   one straddling it is cut short (generic_write_check_limits). A zero-length write changes nothing.
// - write sets mtime+ctime and (non-root) drops set-ID bits; with O_DSYNC/O_SYNC it fsyncs the node
//   (data only / data and metadata) before returning; read sets atime by relatime unless
//   O_NOATIME. lseek follows generic_file_llseek_size (SEEK_DATA/SEEK_HOLE treat a file as all data,
//   ENXIO at or past EOF) and dcache_dir_lseek for directories (SEEK_SET/SEEK_CUR only).

import { fsErr } from './errno.js';
import {
  FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, O_APPEND, O_DSYNC, O_NOATIME, O_SYNC, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, S_IFSOCK,
  SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET, DT_DIR,
} from './constants.js';
import type { OpenFile } from './file.js';
import { checkLength, killPriv, truncateV } from './attr.js';
import { touchAtime, touchMC } from './times.js';
import { dotdot, resolve } from './namei.js';
import { MAY_READ, mayAccess } from './perm.js';
import type { Dirent } from './syscalls.js';
import type { Process } from './process.js';

/** The buffer range [off, off+len) of `buf`. */
function checkBuf(buf: Uint8Array, off: number, len: number): void {
  if (!(buf instanceof Uint8Array)) throw fsErr('EFAULT');
  if (typeof off !== 'number' || typeof len !== 'number' || !Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0) {
    throw fsErr('EINVAL');
  }
  if (off + len > buf.length) throw fsErr('EFAULT');
}

export function readFd(p: Process, fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number {
  const f = p.fds.get(fd);
  checkBuf(buf, off, len);
  if (!f.readable) throw fsErr('EBADF');
  const v = f.vnode;
  if (v.type === S_IFDIR) throw fsErr('EISDIR');
  if (v.type === S_IFIFO) {
    if (pos !== null) throw fsErr('ESPIPE');
    if (len === 0) return 0;
    const fifo = v.fifo!;
    const n = fifo.read(buf, off, len);
    if (n === 0 && fifo.writers > 0) throw fsErr('EAGAIN');
    return n;
  }
  let at: number;
  if (pos === null) at = f.pos;
  else {
    checkLength(pos);
    at = pos;
  }
  if (len === 0) return 0;
  const b = v.mnt.backend;
  const n = b.read(v.ino, at, buf, off, len);
  if (pos === null) f.pos = at + n;
  if ((f.flags & O_NOATIME) === 0) touchAtime(p.vfs.now(), v, b.getattr(v.ino));
  return n;
}

export function writeFd(p: Process, fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number {
  const f = p.fds.get(fd);
  checkBuf(buf, off, len);
  if (!f.writable) throw fsErr('EBADF');
  const v = f.vnode;
  if (v.type === S_IFIFO) {
    if (pos !== null) throw fsErr('ESPIPE');
    const fifo = v.fifo!;
    if (fifo.readers === 0) throw fsErr('EPIPE');
    if (len === 0) return 0;
    const n = fifo.write(buf, off, len);
    if (n === 0) throw fsErr('EAGAIN');
    return n;
  }
  if (pos !== null) checkLength(pos);
  if (len === 0) return 0;
  const b = v.mnt.backend;
  const at = (f.flags & O_APPEND) !== 0 ? b.getattr(v.ino).size : pos === null ? f.pos : pos;
  const max = v.mnt.maxFileSize;
  if (at >= max) throw fsErr('EFBIG');
  const n = len < max - at ? len : max - at;
  const now = p.vfs.now();
  killPriv(p.cred, v, now);
  const done = b.write(v.ino, at, buf, off, n);
  touchMC(now, v);
  if (pos === null) f.pos = at + done;
  // O_DSYNC: the data (and what is needed to read it back) is durable on return; O_SYNC: all metadata too.
  if ((f.flags & O_DSYNC) !== 0) b.fsync(v.ino, (f.flags & O_SYNC) !== O_SYNC);
  return done;
}

export function lseekFd(p: Process, fd: number, offset: number, whence: number): number {
  const f = p.fds.get(fd);
  if (f.pathOnly) throw fsErr('EBADF');
  const v = f.vnode;
  if (v.type === S_IFIFO || v.type === S_IFSOCK) throw fsErr('ESPIPE');
  if (typeof offset !== 'number' || !Number.isInteger(offset)) throw fsErr('EINVAL');
  if (v.type === S_IFDIR) {
    let n: number;
    if (whence === SEEK_SET) n = offset;
    else if (whence === SEEK_CUR) n = f.pos + offset;
    else throw fsErr('EINVAL');
    if (n < 0) throw fsErr('EINVAL');
    if (n === 0) f.dirents = null;
    f.pos = n;
    return n;
  }
  let n: number;
  switch (whence) {
    case SEEK_SET:
      n = offset;
      break;
    case SEEK_CUR:
      n = f.pos + offset;
      break;
    case SEEK_END:
      n = v.mnt.backend.getattr(v.ino).size + offset;
      break;
    case SEEK_DATA: {
      const size = v.mnt.backend.getattr(v.ino).size;
      if (offset < 0 || offset >= size) throw fsErr('ENXIO');
      n = offset;
      break;
    }
    case SEEK_HOLE: {
      const size = v.mnt.backend.getattr(v.ino).size;
      if (offset < 0 || offset >= size) throw fsErr('ENXIO');
      n = size;
      break;
    }
    default:
      throw fsErr('EINVAL');
  }
  if (n < 0 || n > v.mnt.maxFileSize) throw fsErr('EINVAL');
  f.pos = n;
  return n;
}

/** getdents64: '.', '..' and the backend's entries, snapshotted at offset 0, from the offset on. */
export function getdentsFd(p: Process, fd: number, max: number): Dirent[] {
  const f = p.fds.get(fd);
  if (f.pathOnly) throw fsErr('EBADF');
  const v = f.vnode;
  if (v.type !== S_IFDIR) throw fsErr('ENOTDIR');
  if (typeof max !== 'number' || !(max >= 1)) throw fsErr('EINVAL');
  if (f.dentry.dead) throw fsErr('ENOENT');
  let list = f.dirents;
  if (list === null || f.pos === 0) list = f.dirents = snapshot(p, f);
  const out: Dirent[] = [];
  let i = f.pos;
  while (i < list.length && out.length < max) out.push(list[i++]!);
  f.pos = i;
  touchAtime(p.vfs.now(), v, v.mnt.backend.getattr(v.ino));
  return out;
}

function snapshot(p: Process, f: OpenFile): Dirent[] {
  const v = f.vnode;
  const up = dotdot(p, f.dentry).vnode;
  const list: Dirent[] = [
    { name: '.', ino: v.ino, type: DT_DIR },
    { name: '..', ino: up.ino, type: DT_DIR },
  ];
  for (const e of v.mnt.backend.readdir(v.ino)) list.push({ name: e.name, ino: e.ino, type: e.type });
  return list;
}

export function ftruncateFd(p: Process, fd: number, len: number): void {
  const f = p.fds.get(fd);
  if (f.pathOnly) throw fsErr('EBADF');
  checkLength(len);
  const v = f.vnode;
  if (v.type !== S_IFREG || !f.writable) throw fsErr('EINVAL');
  truncateV(p.cred, v, len, p.vfs.now());
}

/** fallocate(2): mode 0 (allocate, extending the size) or PUNCH_HOLE|KEEP_SIZE; others EOPNOTSUPP. */
export function fallocateFd(p: Process, fd: number, mode: number, off: number, len: number): void {
  const f = p.fds.get(fd);
  if (f.pathOnly) throw fsErr('EBADF');
  if (typeof mode !== 'number' || !Number.isInteger(mode)) throw fsErr('EINVAL');
  if (typeof off !== 'number' || typeof len !== 'number' || !Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len <= 0) {
    throw fsErr('EINVAL');
  }
  if ((mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) !== 0) throw fsErr('EOPNOTSUPP');
  const punch = (mode & FALLOC_FL_PUNCH_HOLE) !== 0;
  if (punch && (mode & FALLOC_FL_KEEP_SIZE) === 0) throw fsErr('EOPNOTSUPP');
  if (!f.writable) throw fsErr('EBADF');
  const v = f.vnode;
  if (v.type === S_IFDIR) throw fsErr('EISDIR');
  if (v.type === S_IFIFO) throw fsErr('ESPIPE');
  if (v.type !== S_IFREG) throw fsErr('ENODEV');
  if (off + len > v.mnt.maxFileSize) throw fsErr('EFBIG');
  const b = v.mnt.backend;
  const now = p.vfs.now();
  if (punch) {
    if (!v.mnt.backend.capabilities.punchHole || b.punchHole === undefined) throw fsErr('EOPNOTSUPP');
    killPriv(p.cred, v, now);
    b.punchHole(v.ino, off, len);
  } else {
    killPriv(p.cred, v, now);
    // The model allocates on write; mode 0 only guarantees the size (blocks stay unallocated).
    if ((mode & FALLOC_FL_KEEP_SIZE) === 0 && off + len > b.getattr(v.ino).size) b.truncate(v.ino, off + len);
  }
  touchMC(now, v);
}

export function fsyncFd(p: Process, fd: number, dataOnly: boolean): void {
  const f = p.fds.get(fd);
  if (f.pathOnly) throw fsErr('EBADF');
  f.vnode.mnt.backend.fsync(f.vnode.ino, dataOnly);
}

/** Drop one descriptor's reference to a description; the last one releases the node (fput). */
export function putFile(p: Process, f: OpenFile): void {
  if (--f.refs > 0) return;
  const fifo = f.vnode.fifo;
  if (fifo !== null && !f.pathOnly) {
    if (f.readable) fifo.readers--;
    if (f.writable) fifo.writers--;
  }
  p.vfs.release(f.vnode);
}

/** readlink(2): the target of a final symlink (EINVAL for anything else); sets its atime by relatime. */
export function readlinkPath(p: Process, path: string): string {
  const v = resolve(p, p.nd, path, false).vnode;
  if (v.type !== S_IFLNK) throw fsErr('EINVAL');
  const b = v.mnt.backend;
  const t = b.readlink(v.ino);
  touchAtime(p.vfs.now(), v, b.getattr(v.ino));
  return t;
}

/** opendir+readdir without '.' and '..': read permission needed; the backend's stable order. */
export function readdirPath(p: Process, path: string): Dirent[] {
  const d = resolve(p, p.nd, path, true);
  const v = d.vnode;
  if (v.type !== S_IFDIR) throw fsErr('ENOTDIR');
  mayAccess(p.cred, v, MAY_READ);
  if (d.dead) throw fsErr('ENOENT');
  const b = v.mnt.backend;
  const entries = b.readdir(v.ino);
  const out: Dirent[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    out[i] = { name: e.name, ino: e.ino, type: e.type };
  }
  touchAtime(p.vfs.now(), v, b.getattr(v.ino));
  return out;
}
