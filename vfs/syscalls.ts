// The POSIX call surface the VFS offers, per process (Linux keeps cwd, umask, credentials and the
// descriptor table per task; so does a `Process` here). Every call throws an FsError on failure and
// leaves the state unchanged. Paths are strings; a name's length limit is counted in UTF-8 bytes.
// This file is the contract between vfs/ (which implements it) and the faces above it (src/node-fs,
// the property kit, the guest).

import type { Backend, Ino, StatFs } from './backend.js';

/** Who is calling: checked against mode bits; uid 0 overrides as Linux's CAP_DAC_OVERRIDE does. */
export interface Cred {
  uid: number;
  gid: number;
  /** Supplementary groups. */
  groups: readonly number[];
}

export const ROOT_CRED: Cred = Object.freeze({ uid: 0, gid: 0, groups: Object.freeze([]) as readonly number[] });

/** struct stat, with split timespecs (exact) — node-fs turns these into Stats/BigIntStats. */
export interface Stat {
  dev: number;
  ino: Ino;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
  birthtimeSec: number;
  birthtimeNsec: number;
}

export interface Dirent {
  name: string;
  ino: Ino;
  /** d_type */
  type: number;
}

/** A time for utimensat: seconds and nanoseconds, or UTIME_NOW / UTIME_OMIT in `nsec`. */
export interface TimeSpec {
  sec: number;
  nsec: number;
}

export interface ProcessOptions {
  cred?: Cred;
  umask?: number;
  cwd?: string;
}

/** mount(2) flags the VFS honours. */
export interface MountOptions {
  /** MS_RDONLY: every mutation is EROFS, reads set no atime (also forced by a read-only backend). */
  readOnly?: boolean;
}

/** The syscalls of one process. Descriptor numbers are small non-negative integers, lowest free first. */
export interface Syscalls {
  readonly cred: Cred;
  umask(mask?: number): number;
  chdir(path: string): void;
  fchdir(fd: number): void;
  getcwd(): string;

  open(path: string, flags: number, mode?: number): number;
  close(fd: number): void;
  /** `pos` null: at and advancing the descriptor's offset (read(2)); a number: pread(2). */
  read(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number;
  write(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number;
  lseek(fd: number, offset: number, whence: number): number;
  dup(fd: number): number;
  dup2(fd: number, newfd: number): number;
  /** `out`, when given, is filled and returned instead of a new object (no allocation). */
  fstat(fd: number, out?: Stat): Stat;
  ftruncate(fd: number, len: number): void;
  fsync(fd: number): void;
  fdatasync(fd: number): void;
  fchmod(fd: number, mode: number): void;
  fchown(fd: number, uid: number, gid: number): void;
  futimens(fd: number, atime: TimeSpec, mtime: TimeSpec): void;
  fallocate(fd: number, mode: number, off: number, len: number): void;
  /** getdents64 on a directory descriptor: the next entries (including '.' and '..'), [] at the end. */
  getdents(fd: number, max?: number): Dirent[];
  /** The open flags of a descriptor (fcntl F_GETFL). */
  fcntlGetfl(fd: number): number;

  stat(path: string, out?: Stat): Stat;
  lstat(path: string, out?: Stat): Stat;
  access(path: string, mode: number): void;
  /** faccessat with AT_EACCESS semantics off: checks with the real ids (same as effective here). */
  mkdir(path: string, mode: number): void;
  mknod(path: string, mode: number, dev: number): void;
  rmdir(path: string): void;
  unlink(path: string): void;
  rename(oldPath: string, newPath: string, flags?: number): void;
  link(oldPath: string, newPath: string): void;
  symlink(target: string, path: string): void;
  readlink(path: string): string;
  chmod(path: string, mode: number): void;
  chown(path: string, uid: number, gid: number): void;
  lchown(path: string, uid: number, gid: number): void;
  truncate(path: string, len: number): void;
  /** `flags` may hold AT_SYMLINK_NOFOLLOW. */
  utimensat(path: string, atime: TimeSpec, mtime: TimeSpec, flags?: number): void;
  /** The entries of a directory without '.' and '..', in the backend's stable order. */
  readdir(path: string): Dirent[];
  realpath(path: string): string;
  statfs(path: string): StatFs;
  sync(): void;

  /** Mount a backend at a directory (EBUSY if something is mounted there or it is in use as a root). */
  mount(path: string, backend: Backend, opts?: MountOptions): void;
  /** Unmount (EBUSY while a descriptor or a cwd is inside, or another mount is below). */
  umount(path: string): void;
}
