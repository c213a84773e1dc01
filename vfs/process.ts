// A process's view of the namespace (Linux task_struct's fs_struct, files_struct and cred): credentials,
// umask, root and cwd, and the descriptor table. It implements the POSIX surface (vfs/syscalls.ts):
// each method charges the clock one kernel.vfsCallNs, does the work in the module for its concern
// (namei, open, io, dirops, rename, attr) and, on failure, throws the FsError with the syscall name and
// path filled in, having changed nothing.

import { FsError, fsErr } from './errno.js';
import type { Backend, StatFs } from './backend.js';
import type { Cred, Dirent, MountOptions, ProcessOptions, Stat, Syscalls, TimeSpec } from './syscalls.js';
import { ROOT_CRED } from './syscalls.js';
import type { Dentry } from './dcache.js';
import { FdTable } from './fdtable.js';
import { dentryPath, Nameidata, resolve, type WalkCtx } from './namei.js';
import { MAY_EXEC, mayAccess } from './perm.js';
import { openPath } from './open.js';
import { fallocateFd, fsyncFd, ftruncateFd, getdentsFd, lseekFd, putFile, readdirPath, readFd, readlinkPath, writeFd } from './io.js';
import { link, mkdir, mknod, rmdir, symlink, unlink } from './dirops.js';
import { rename } from './rename.js';
import {
  accessV, bothOmitted, checkLength, checkTimeSpec, chmodV, chownV, fillStat, truncateV, utimensV,
} from './attr.js';
import { AT_SYMLINK_NOFOLLOW, O_CLOEXEC, O_CREAT, O_EXCL, O_TRUNC, S_IFDIR, S_IFREG } from './constants.js';
import type { Vfs } from './vfs.js';

/** Rethrow with the call's context; a non-string path argument (the EFAULT case) is not echoed. */
function fail(e: unknown, syscall: string, path?: string, dest?: string): never {
  if (e instanceof FsError) {
    throw e.at(syscall, typeof path === 'string' ? path : undefined, typeof dest === 'string' ? dest : undefined);
  }
  throw e;
}

export class Process implements Syscalls, WalkCtx {
  readonly vfs: Vfs;
  readonly cred: Cred;
  /** The file-mode creation mask (umask(2)). */
  umaskValue: number;
  readonly rootDentry: Dentry;
  cwdDentry: Dentry;
  readonly fds: FdTable;
  /** Walk state, reused by every call (two for calls with two paths). */
  readonly nd = new Nameidata();
  readonly nd2 = new Nameidata();
  private exited = false;

  constructor(vfs: Vfs, opts: ProcessOptions) {
    this.vfs = vfs;
    const c = opts.cred ?? ROOT_CRED;
    this.cred = Object.freeze({ uid: c.uid, gid: c.gid, groups: Object.freeze([...c.groups]) });
    this.umaskValue = (opts.umask ?? 0o022) & 0o777;
    this.rootDentry = vfs.rootMount.root;
    this.cwdDentry = this.rootDentry;
    this.fds = new FdTable();
    vfs.hold(this.rootDentry.vnode);
    if (opts.cwd !== undefined && opts.cwd !== '/') this.chdir(opts.cwd);
  }

  /** Close every descriptor and drop the cwd (exit(2)); the process must not be used afterwards. */
  exit(): void {
    if (this.exited) return;
    for (const fd of this.fds.open()) putFile(this, this.fds.remove(fd));
    this.vfs.release(this.cwdDentry.vnode);
    this.exited = true;
  }

  umask(mask?: number): number {
    const old = this.umaskValue;
    if (mask !== undefined) {
      if (typeof mask !== 'number' || !Number.isInteger(mask)) throw fsErr('EINVAL', 'umask');
      this.umaskValue = mask & 0o777;
    }
    return old;
  }

  private setCwd(d: Dentry): void {
    this.vfs.hold(d.vnode);
    this.vfs.release(this.cwdDentry.vnode);
    this.cwdDentry = d;
  }

  chdir(path: string): void {
    this.vfs.tick();
    try {
      const d = resolve(this, this.nd, path, true);
      if (d.vnode.type !== S_IFDIR) throw fsErr('ENOTDIR');
      mayAccess(this.cred, d.vnode, MAY_EXEC);
      this.setCwd(d);
    } catch (e) {
      fail(e, 'chdir', path);
    }
  }

  fchdir(fd: number): void {
    this.vfs.tick();
    try {
      const f = this.fds.get(fd);
      if (f.vnode.type !== S_IFDIR) throw fsErr('ENOTDIR');
      mayAccess(this.cred, f.vnode, MAY_EXEC);
      this.setCwd(f.dentry);
    } catch (e) {
      fail(e, 'fchdir');
    }
  }

  getcwd(): string {
    this.vfs.tick();
    try {
      return dentryPath(this, this.cwdDentry);
    } catch (e) {
      fail(e, 'getcwd');
    }
  }

  open(path: string, flags: number, mode = 0o666): number {
    this.vfs.tick();
    try {
      return openPath(this, path, flags, mode);
    } catch (e) {
      fail(e, 'open', path);
    }
  }

  /** creat(2): open(path, O_CREAT|O_WRONLY|O_TRUNC, mode). */
  creat(path: string, mode = 0o666): number {
    return this.open(path, O_CREAT | 1 | O_TRUNC, mode);
  }

  close(fd: number): void {
    this.vfs.tick();
    try {
      this.fds.get(fd);
      putFile(this, this.fds.remove(fd));
    } catch (e) {
      fail(e, 'close');
    }
  }

  read(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number {
    this.vfs.tick();
    try {
      return readFd(this, fd, buf, off, len, pos);
    } catch (e) {
      fail(e, 'read');
    }
  }

  write(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number {
    this.vfs.tick();
    try {
      return writeFd(this, fd, buf, off, len, pos);
    } catch (e) {
      fail(e, 'write');
    }
  }

  lseek(fd: number, offset: number, whence: number): number {
    this.vfs.tick();
    try {
      return lseekFd(this, fd, offset, whence);
    } catch (e) {
      fail(e, 'lseek');
    }
  }

  dup(fd: number): number {
    this.vfs.tick();
    try {
      const f = this.fds.get(fd);
      const n = this.fds.install(f);
      f.refs++;
      return n;
    } catch (e) {
      fail(e, 'dup');
    }
  }

  dup2(fd: number, newfd: number): number {
    this.vfs.tick();
    try {
      const f = this.fds.get(fd);
      if (typeof newfd !== 'number' || !Number.isInteger(newfd) || newfd < 0 || newfd >= this.fds.max) throw fsErr('EBADF');
      if (newfd === fd) return fd;
      f.refs++;
      const old = this.fds.replace(newfd, f);
      if (old !== null) putFile(this, old);
      return newfd;
    } catch (e) {
      fail(e, 'dup2');
    }
  }

  fstat(fd: number, out?: Stat): Stat {
    this.vfs.tick();
    try {
      return fillStat(this.fds.get(fd).vnode, out);
    } catch (e) {
      fail(e, 'fstat');
    }
  }

  ftruncate(fd: number, len: number): void {
    this.vfs.tick();
    try {
      ftruncateFd(this, fd, len);
    } catch (e) {
      fail(e, 'ftruncate');
    }
  }

  fsync(fd: number): void {
    this.vfs.tick();
    try {
      fsyncFd(this, fd, false);
    } catch (e) {
      fail(e, 'fsync');
    }
  }

  fdatasync(fd: number): void {
    this.vfs.tick();
    try {
      fsyncFd(this, fd, true);
    } catch (e) {
      fail(e, 'fdatasync');
    }
  }

  fchmod(fd: number, mode: number): void {
    this.vfs.tick();
    try {
      const f = this.fds.get(fd);
      if (f.pathOnly) throw fsErr('EBADF');
      chmodV(this.cred, f.vnode, mode, this.vfs.now());
      this.vfs.nsGen++;
    } catch (e) {
      fail(e, 'fchmod');
    }
  }

  fchown(fd: number, uid: number, gid: number): void {
    this.vfs.tick();
    try {
      const f = this.fds.get(fd);
      if (f.pathOnly) throw fsErr('EBADF');
      chownV(this.cred, f.vnode, uid, gid, this.vfs.now());
      this.vfs.nsGen++;
    } catch (e) {
      fail(e, 'fchown');
    }
  }

  futimens(fd: number, atime: TimeSpec, mtime: TimeSpec): void {
    this.vfs.tick();
    try {
      const f = this.fds.get(fd);
      checkTimeSpec(atime);
      checkTimeSpec(mtime);
      if (bothOmitted(atime, mtime)) return;
      if (f.pathOnly) throw fsErr('EBADF');
      utimensV(this.cred, f.vnode, atime, mtime, this.vfs.now());
    } catch (e) {
      fail(e, 'futime');
    }
  }

  fallocate(fd: number, mode: number, off: number, len: number): void {
    this.vfs.tick();
    try {
      fallocateFd(this, fd, mode, off, len);
    } catch (e) {
      fail(e, 'fallocate');
    }
  }

  getdents(fd: number, max = Number.MAX_SAFE_INTEGER): Dirent[] {
    this.vfs.tick();
    try {
      return getdentsFd(this, fd, max);
    } catch (e) {
      fail(e, 'getdents');
    }
  }

  fcntlGetfl(fd: number): number {
    this.vfs.tick();
    try {
      return this.fds.get(fd).flags & ~(O_CLOEXEC | O_CREAT | O_EXCL | O_TRUNC);
    } catch (e) {
      fail(e, 'fcntl');
    }
  }

  stat(path: string, out?: Stat): Stat {
    this.vfs.tick();
    try {
      return fillStat(resolve(this, this.nd, path, true).vnode, out);
    } catch (e) {
      fail(e, 'stat', path);
    }
  }

  lstat(path: string, out?: Stat): Stat {
    this.vfs.tick();
    try {
      return fillStat(resolve(this, this.nd, path, false).vnode, out);
    } catch (e) {
      fail(e, 'lstat', path);
    }
  }

  access(path: string, mode: number): void {
    this.vfs.tick();
    try {
      if (typeof mode !== 'number' || !Number.isInteger(mode) || (mode & ~7) !== 0) throw fsErr('EINVAL');
      accessV(this.cred, resolve(this, this.nd, path, true).vnode, mode);
    } catch (e) {
      fail(e, 'access', path);
    }
  }

  mkdir(path: string, mode: number): void {
    this.vfs.tick();
    try {
      mkdir(this, path, mode);
    } catch (e) {
      fail(e, 'mkdir', path);
    }
  }

  mknod(path: string, mode: number, dev: number): void {
    this.vfs.tick();
    try {
      mknod(this, path, mode, dev);
    } catch (e) {
      fail(e, 'mknod', path);
    }
  }

  rmdir(path: string): void {
    this.vfs.tick();
    try {
      rmdir(this, path);
    } catch (e) {
      fail(e, 'rmdir', path);
    }
  }

  unlink(path: string): void {
    this.vfs.tick();
    try {
      unlink(this, path);
    } catch (e) {
      fail(e, 'unlink', path);
    }
  }

  rename(oldPath: string, newPath: string, flags = 0): void {
    this.vfs.tick();
    try {
      rename(this, oldPath, newPath, flags);
    } catch (e) {
      fail(e, 'rename', oldPath, newPath);
    }
  }

  link(oldPath: string, newPath: string): void {
    this.vfs.tick();
    try {
      link(this, oldPath, newPath);
    } catch (e) {
      fail(e, 'link', oldPath, newPath);
    }
  }

  symlink(target: string, path: string): void {
    this.vfs.tick();
    try {
      symlink(this, target, path);
    } catch (e) {
      fail(e, 'symlink', target, path);
    }
  }

  readlink(path: string): string {
    this.vfs.tick();
    try {
      return readlinkPath(this, path);
    } catch (e) {
      fail(e, 'readlink', path);
    }
  }

  chmod(path: string, mode: number): void {
    this.vfs.tick();
    try {
      chmodV(this.cred, resolve(this, this.nd, path, true).vnode, mode, this.vfs.now());
      this.vfs.nsGen++;
    } catch (e) {
      fail(e, 'chmod', path);
    }
  }

  chown(path: string, uid: number, gid: number): void {
    this.vfs.tick();
    try {
      chownV(this.cred, resolve(this, this.nd, path, true).vnode, uid, gid, this.vfs.now());
      this.vfs.nsGen++;
    } catch (e) {
      fail(e, 'chown', path);
    }
  }

  lchown(path: string, uid: number, gid: number): void {
    this.vfs.tick();
    try {
      chownV(this.cred, resolve(this, this.nd, path, false).vnode, uid, gid, this.vfs.now());
      this.vfs.nsGen++;
    } catch (e) {
      fail(e, 'lchown', path);
    }
  }

  truncate(path: string, len: number): void {
    this.vfs.tick();
    try {
      checkLength(len);
      const v = resolve(this, this.nd, path, true).vnode;
      if (v.type === S_IFDIR) throw fsErr('EISDIR');
      if (v.type !== S_IFREG) throw fsErr('EINVAL');
      mayAccess(this.cred, v, 2);
      truncateV(this.cred, v, len, this.vfs.now());
    } catch (e) {
      fail(e, 'truncate', path);
    }
  }

  utimensat(path: string, atime: TimeSpec, mtime: TimeSpec, flags = 0): void {
    this.vfs.tick();
    try {
      if (typeof flags !== 'number' || (flags & ~AT_SYMLINK_NOFOLLOW) !== 0) throw fsErr('EINVAL');
      checkTimeSpec(atime);
      checkTimeSpec(mtime);
      if (bothOmitted(atime, mtime)) return;
      const v = resolve(this, this.nd, path, (flags & AT_SYMLINK_NOFOLLOW) === 0).vnode;
      utimensV(this.cred, v, atime, mtime, this.vfs.now());
    } catch (e) {
      fail(e, 'utime', path);
    }
  }

  readdir(path: string): Dirent[] {
    this.vfs.tick();
    try {
      return readdirPath(this, path);
    } catch (e) {
      fail(e, 'scandir', path);
    }
  }

  realpath(path: string): string {
    this.vfs.tick();
    try {
      return dentryPath(this, resolve(this, this.nd, path, true));
    } catch (e) {
      fail(e, 'realpath', path);
    }
  }

  statfs(path: string): StatFs {
    this.vfs.tick();
    try {
      return resolve(this, this.nd, path, true).vnode.mnt.backend.statfs();
    } catch (e) {
      fail(e, 'statfs', path);
    }
  }

  sync(): void {
    this.vfs.tick();
    try {
      for (const m of this.vfs.mounts) m.backend.sync();
    } catch (e) {
      fail(e, 'sync');
    }
  }

  mount(path: string, backend: Backend, opts: MountOptions = {}): void {
    this.vfs.tick();
    try {
      if (this.cred.uid !== 0) throw fsErr('EPERM');
      const d = resolve(this, this.nd, path, true);
      if (d.vnode.type !== S_IFDIR) throw fsErr('ENOTDIR');
      if (d === d.vnode.mnt.root || this.vfs.isMounted(backend)) throw fsErr('EBUSY');
      if (d.dead) throw fsErr('ENOENT');
      this.vfs.attach(backend, d, opts.readOnly === true);
    } catch (e) {
      fail(e, 'mount', path);
    }
  }

  umount(path: string): void {
    this.vfs.tick();
    try {
      if (this.cred.uid !== 0) throw fsErr('EPERM');
      const d = resolve(this, this.nd, path, true);
      const mnt = d.vnode.mnt;
      if (d !== mnt.root) throw fsErr('EINVAL');
      if (mnt.covered === null || mnt.opens > 0 || mnt.submounts > 0) throw fsErr('EBUSY');
      this.vfs.detach(mnt);
    } catch (e) {
      fail(e, 'umount', path);
    }
  }
}
