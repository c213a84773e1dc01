// Errors as values a caller can match. FsError has the shape of Node's own system errors (`code`,
// negative `errno` as libuv reports it, `syscall`, `path`, `dest`, and the message
// "ENOENT: no such file or directory, open '/x'"), so code written against node:fs handles it unchanged.
// It lives in src/sim, the bottom layer, so that the machine (RAM, devices, MMU) reports errnos without
// importing upward; vfs/errno.ts re-exports it for the POSIX layers.
// Numbers and texts are Linux's (asm-generic/errno-base.h, errno.h; strerror texts as libuv prints them).

export const ERRNO = {
  EPERM: [1, 'operation not permitted'],
  ENOENT: [2, 'no such file or directory'],
  EIO: [5, 'i/o error'],
  ENXIO: [6, 'no such device or address'],
  E2BIG: [7, 'argument list too long'],
  EBADF: [9, 'bad file descriptor'],
  EAGAIN: [11, 'resource temporarily unavailable'],
  ENOMEM: [12, 'not enough memory'],
  EACCES: [13, 'permission denied'],
  EFAULT: [14, 'bad address in system call argument'],
  EBUSY: [16, 'resource busy or locked'],
  EEXIST: [17, 'file already exists'],
  EXDEV: [18, 'cross-device link not permitted'],
  ENODEV: [19, 'no such device'],
  ENOTDIR: [20, 'not a directory'],
  EISDIR: [21, 'illegal operation on a directory'],
  EINVAL: [22, 'invalid argument'],
  ENFILE: [23, 'file table overflow'],
  EMFILE: [24, 'too many open files'],
  ENOTTY: [25, 'inappropriate ioctl for device'],
  ETXTBSY: [26, 'text file is busy'],
  EFBIG: [27, 'file too large'],
  ENOSPC: [28, 'no space left on device'],
  ESPIPE: [29, 'invalid seek'],
  EROFS: [30, 'read-only file system'],
  EMLINK: [31, 'too many links'],
  EPIPE: [32, 'broken pipe'],
  ERANGE: [34, 'result too large'],
  ENAMETOOLONG: [36, 'name too long'],
  ENOSYS: [38, 'function not implemented'],
  ENOTEMPTY: [39, 'directory not empty'],
  ELOOP: [40, 'too many symbolic links encountered'],
  ENODATA: [61, 'no data available'],
  EOVERFLOW: [75, 'value too large for defined data type'],
  EOPNOTSUPP: [95, 'operation not supported on socket'],
  EADDRINUSE: [98, 'address already in use'],
  ENOTSUP: [95, 'operation not supported on socket'],
  EDQUOT: [122, 'disk quota exceeded'],
  ECANCELED: [125, 'operation canceled'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrnoCode = keyof typeof ERRNO;

/** The positive Linux errno number of a code. */
export function errnoNumber(code: ErrnoCode): number {
  return ERRNO[code][0];
}

/** The code of a positive Linux errno number (EOPNOTSUPP for 95). */
export function errnoCode(n: number): ErrnoCode | undefined {
  for (const k of Object.keys(ERRNO) as ErrnoCode[]) if (ERRNO[k][0] === n) return k;
  return undefined;
}

export class FsError extends Error {
  readonly code: ErrnoCode;
  /** Negative, as Node reports it (`-2` for ENOENT). */
  readonly errno: number;
  syscall: string | undefined;
  path: string | undefined;
  dest: string | undefined;

  constructor(code: ErrnoCode, syscall?: string, path?: string, dest?: string) {
    super('');
    this.name = 'Error';
    this.code = code;
    this.errno = -ERRNO[code][0];
    this.syscall = syscall;
    this.path = path;
    this.dest = dest;
    this.message = this.format();
  }

  /** Fill in the call context if a lower layer did not know it (a backend knows neither). */
  at(syscall: string, path?: string, dest?: string): this {
    if (this.syscall === undefined) this.syscall = syscall;
    if (this.path === undefined && path !== undefined) this.path = path;
    if (this.dest === undefined && dest !== undefined) this.dest = dest;
    this.message = this.format();
    return this;
  }

  private format(): string {
    let m = `${this.code}: ${ERRNO[this.code][1]}`;
    if (this.syscall !== undefined) m += `, ${this.syscall}`;
    if (this.path !== undefined) m += ` '${this.path}'`;
    if (this.dest !== undefined) m += ` -> '${this.dest}'`;
    return m;
  }
}

/** Shorthand for backends and the VFS: `throw fsErr('ENOENT')`. */
export function fsErr(code: ErrnoCode, syscall?: string, path?: string, dest?: string): FsError {
  return new FsError(code, syscall, path, dest);
}

export function isFsError(e: unknown, code?: ErrnoCode): e is FsError {
  return e instanceof FsError && (code === undefined || e.code === code);
}
