// The host's own filesystem as a `PosixTarget`: node:fs's synchronous calls (each one a Linux syscall)
// inside a sandbox directory, so that the differential check can run the same operations on Linux
// (tmpfs under /dev/shm when present) as on vfsim. Absolute sandbox paths are joined to the sandbox
// by plain concatenation, never normalised, and relative ones go to the kernel as they are, from the
// process's working directory (which the caller sets to the sandbox's cwd): so '..', '.' and trailing
// slashes, and the search permission of the directories above the cwd, work exactly as the op wrote them.

import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Cred, Stat, Dirent } from '../../vfs/syscalls.js';
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
 * node:fs inside `top` (the sandbox's '/'). Relative paths are passed as they are: the process's
 * working directory must be the sandbox's cwd (`enter()` makes it so and returns the way back).
 */
export class NodeFsTarget implements PosixTarget {
  constructor(readonly top: string, readonly cwd: string = '/') {}

  /** chdir into the sandbox's cwd; returns a function that goes back. */
  enter(): () => void {
    const back = process.cwd();
    process.chdir(this.top + this.cwd);
    return () => process.chdir(back);
  }

  /** The host path for a sandbox path. */
  host(p: string): string {
    return p.startsWith('/') ? this.top + p : p;
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
  truncate(path: string, len: number): void {
    // fs.truncateSync opens 'r+', which needs read permission too; truncate(2) needs only write.
    const fd = fs.openSync(this.host(path), fs.constants.O_WRONLY);
    try { fs.ftruncateSync(fd, len); } finally { fs.closeSync(fd); }
  }
  readdir(path: string): Dirent[] {
    return fs.readdirSync(this.host(path), { withFileTypes: true }).map((d) => ({ name: d.name, ino: 0, type: 0 }));
  }
}

/**
 * The same target, each call made with another user's effective ids (setgroups, setegid, seteuid around
 * the call, back to root after it). Needs a root process, as the differential check runs.
 */
export function asHostUser(target: NodeFsTarget, cred: Cred): NodeFsTarget {
  const groups = process.getgroups?.() ?? [0];
  return new Proxy(target, {
    get(obj, key, recv) {
      const v = Reflect.get(obj, key, recv) as unknown;
      if (typeof v !== 'function' || key === 'host' || key === 'constructor') return v;
      return (...args: unknown[]) => {
        process.setgroups!(cred.groups as number[]);
        process.setegid!(cred.gid);
        process.seteuid!(cred.uid);
        try {
          return (v as (...a: unknown[]) => unknown).apply(obj, args);
        } finally {
          process.seteuid!(0);
          process.setegid!(0);
          process.setgroups!(groups);
        }
      };
    },
  });
}
