// The host's own filesystem as a `PosixTarget`: node:fs's synchronous calls (each one a Linux syscall)
// inside a sandbox directory, so that the differential check can run the same operations on Linux
// (tmpfs under /dev/shm when present) as on vfsim. Paths are joined by plain concatenation, never
// normalised, so '..', '.' and trailing slashes reach the kernel exactly as the op wrote them.

import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Stat, Dirent } from '../../vfs/syscalls.js';
import type { FlagTable, PosixTarget } from './posix-ops.js';
import { Unsupported } from './posix-ops.js';

/** The host's numbers for the symbolic open flags (they differ between x86-64 and AArch64). */
export const HOST_FLAGS: FlagTable = {
  O_RDONLY: fs.constants.O_RDONLY, O_WRONLY: fs.constants.O_WRONLY, O_RDWR: fs.constants.O_RDWR,
  O_CREAT: fs.constants.O_CREAT, O_EXCL: fs.constants.O_EXCL, O_TRUNC: fs.constants.O_TRUNC,
  O_APPEND: fs.constants.O_APPEND, O_DIRECTORY: fs.constants.O_DIRECTORY, O_NOFOLLOW: fs.constants.O_NOFOLLOW,
};

/** Where the sandbox goes: Linux tmpfs at /dev/shm if it is a writable directory, else the OS temp dir. */
export function hostScratchDir(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    if (fs.statSync('/dev/shm').isDirectory()) return '/dev/shm';
  } catch { /* fall through */ }
  return os.tmpdir();
}

function toStat(s: fs.BigIntStats): Stat {
  const n = (b: bigint): number => Number(b);
  return {
    dev: n(s.dev), ino: n(s.ino), mode: n(s.mode), nlink: n(s.nlink), uid: n(s.uid), gid: n(s.gid),
    rdev: n(s.rdev), size: n(s.size), blksize: n(s.blksize), blocks: n(s.blocks),
    atimeSec: n(s.atimeNs / 1_000_000_000n), atimeNsec: n(s.atimeNs % 1_000_000_000n),
    mtimeSec: n(s.mtimeNs / 1_000_000_000n), mtimeNsec: n(s.mtimeNs % 1_000_000_000n),
    ctimeSec: n(s.ctimeNs / 1_000_000_000n), ctimeNsec: n(s.ctimeNs % 1_000_000_000n),
    birthtimeSec: n(s.birthtimeNs / 1_000_000_000n), birthtimeNsec: n(s.birthtimeNs % 1_000_000_000n),
  };
}

/**
 * node:fs inside `top` (the sandbox's '/'), with `cwd` (a path under it, absolute in sandbox terms)
 * as the directory relative paths start from.
 */
export class NodeFsTarget implements PosixTarget {
  constructor(readonly top: string, readonly cwd: string = '/') {}

  /** The host path for a sandbox path. */
  host(p: string): string {
    if (p.startsWith('/')) return this.top + p;
    return this.top + (this.cwd === '/' ? '' : this.cwd) + '/' + p;
  }

  open(path: string, flags: number, mode?: number): number { return fs.openSync(this.host(path), flags, mode); }
  close(fd: number): void { fs.closeSync(fd); }
  read(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number { return fs.readSync(fd, buf, off, len, pos); }
  write(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number { return fs.writeSync(fd, buf, off, len, pos); }
  fstat(fd: number): Stat { return toStat(fs.fstatSync(fd, { bigint: true })); }
  ftruncate(fd: number, len: number): void { fs.ftruncateSync(fd, len); }
  fchmod(fd: number, mode: number): void { fs.fchmodSync(fd, mode); }
  fsync(fd: number): void { fs.fsyncSync(fd); }
  stat(path: string): Stat { return toStat(fs.statSync(this.host(path), { bigint: true })); }
  lstat(path: string): Stat { return toStat(fs.lstatSync(this.host(path), { bigint: true })); }
  access(path: string, mode: number): void { fs.accessSync(this.host(path), mode); }
  mkdir(path: string, mode: number): void { fs.mkdirSync(this.host(path), { mode }); }
  rmdir(path: string): void { fs.rmdirSync(this.host(path)); }
  unlink(path: string): void { fs.unlinkSync(this.host(path)); }
  rename(oldPath: string, newPath: string, flags = 0): void {
    if (flags !== 0) throw new Unsupported('renameat2 flags');
    fs.renameSync(this.host(oldPath), this.host(newPath));
  }
  link(oldPath: string, newPath: string): void { fs.linkSync(this.host(oldPath), this.host(newPath)); }
  symlink(target: string, path: string): void { fs.symlinkSync(target, this.host(path)); }
  readlink(path: string): string { return fs.readlinkSync(this.host(path), 'utf8'); }
  chmod(path: string, mode: number): void { fs.chmodSync(this.host(path), mode); }
  chown(path: string, uid: number, gid: number): void { fs.chownSync(this.host(path), uid, gid); }
  truncate(path: string, len: number): void { fs.truncateSync(this.host(path), len); }
  readdir(path: string): Dirent[] {
    return fs.readdirSync(this.host(path), { withFileTypes: true }).map((d) => ({ name: d.name, ino: 0, type: 0 }));
  }
}
