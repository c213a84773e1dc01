// node:fs.constants as Node reports them on Linux, and the translation of open flags into the VFS's
// numbers. Linux's open-flag values differ by architecture (asm-generic/fcntl.h vs
// arch/x86/include/uapi/asm/fcntl.h: O_DIRECTORY, O_NOFOLLOW, O_DIRECT); the VFS models an AArch64
// guest and uses the generic ones, while a node:fs user passes the host's. So `constants` carries the
// values Node prints on this host's architecture and `toVfsFlags` maps them onto the guest's.

import * as V from '../../vfs/constants.js';

const x86 = process.arch === 'x64' || process.arch === 'ia32';

/** Flags whose numbers on x86 Linux differ from asm-generic (the VFS's). */
const X86_O_DIRECT = 0o40000;
const X86_O_DIRECTORY = 0o200000;
const X86_O_NOFOLLOW = 0o400000;

/** The same keys and values as `require('node:fs').constants` on Linux for this architecture. */
export const constants = Object.freeze({
  UV_FS_SYMLINK_DIR: 1,
  UV_FS_SYMLINK_JUNCTION: 2,
  O_RDONLY: V.O_RDONLY,
  O_WRONLY: V.O_WRONLY,
  O_RDWR: V.O_RDWR,
  UV_DIRENT_UNKNOWN: 0,
  UV_DIRENT_FILE: 1,
  UV_DIRENT_DIR: 2,
  UV_DIRENT_LINK: 3,
  UV_DIRENT_FIFO: 4,
  UV_DIRENT_SOCKET: 5,
  UV_DIRENT_CHAR: 6,
  UV_DIRENT_BLOCK: 7,
  EXTENSIONLESS_FORMAT_JAVASCRIPT: 0,
  EXTENSIONLESS_FORMAT_WASM: 1,
  S_IFMT: V.S_IFMT,
  S_IFREG: V.S_IFREG,
  S_IFDIR: V.S_IFDIR,
  S_IFCHR: V.S_IFCHR,
  S_IFBLK: V.S_IFBLK,
  S_IFIFO: V.S_IFIFO,
  S_IFLNK: V.S_IFLNK,
  S_IFSOCK: V.S_IFSOCK,
  O_CREAT: V.O_CREAT,
  O_EXCL: V.O_EXCL,
  UV_FS_O_FILEMAP: 0,
  O_NOCTTY: V.O_NOCTTY,
  O_TRUNC: V.O_TRUNC,
  O_APPEND: V.O_APPEND,
  O_DIRECTORY: x86 ? X86_O_DIRECTORY : V.O_DIRECTORY,
  O_NOATIME: V.O_NOATIME,
  O_NOFOLLOW: x86 ? X86_O_NOFOLLOW : V.O_NOFOLLOW,
  O_SYNC: V.O_SYNC,
  O_DSYNC: V.O_DSYNC,
  O_DIRECT: x86 ? X86_O_DIRECT : V.O_DIRECT,
  O_NONBLOCK: V.O_NONBLOCK,
  S_IRWXU: 0o700,
  S_IRUSR: 0o400,
  S_IWUSR: 0o200,
  S_IXUSR: 0o100,
  S_IRWXG: 0o070,
  S_IRGRP: 0o040,
  S_IWGRP: 0o020,
  S_IXGRP: 0o010,
  S_IRWXO: 0o007,
  S_IROTH: 0o004,
  S_IWOTH: 0o002,
  S_IXOTH: 0o001,
  F_OK: V.F_OK,
  R_OK: V.R_OK,
  W_OK: V.W_OK,
  X_OK: V.X_OK,
  UV_FS_COPYFILE_EXCL: 1,
  COPYFILE_EXCL: 1,
  UV_FS_COPYFILE_FICLONE: 2,
  COPYFILE_FICLONE: 2,
  UV_FS_COPYFILE_FICLONE_FORCE: 4,
  COPYFILE_FICLONE_FORCE: 4,
});

const HOST_ONLY = x86 ? X86_O_DIRECT | X86_O_DIRECTORY | X86_O_NOFOLLOW : 0;

/** Host (node:fs) open flags to the VFS's; the common flags pass through untouched. */
export function toVfsFlags(flags: number): number {
  if ((flags & HOST_ONLY) === 0) return flags;
  let f = flags & ~HOST_ONLY;
  if (flags & X86_O_DIRECT) f |= V.O_DIRECT;
  if (flags & X86_O_DIRECTORY) f |= V.O_DIRECTORY;
  if (flags & X86_O_NOFOLLOW) f |= V.O_NOFOLLOW;
  return f;
}

/** VFS open flags (fcntl F_GETFL) back to the host's numbering. */
export function fromVfsFlags(flags: number): number {
  if (!x86) return flags;
  const GUEST_ONLY = V.O_DIRECT | V.O_DIRECTORY | V.O_NOFOLLOW;
  if ((flags & GUEST_ONLY) === 0) return flags;
  let f = flags & ~GUEST_ONLY;
  if (flags & V.O_DIRECT) f |= X86_O_DIRECT;
  if (flags & V.O_DIRECTORY) f |= X86_O_DIRECTORY;
  if (flags & V.O_NOFOLLOW) f |= X86_O_NOFOLLOW;
  return f;
}

// Flag strings as Node's stringToFlags reads them (lib/internal/fs/utils.js).
const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_SYNC } = V;
export const FLAG_STRINGS: ReadonlyMap<string, number> = new Map([
  ['r', O_RDONLY],
  ['rs', O_RDONLY | O_SYNC],
  ['sr', O_RDONLY | O_SYNC],
  ['r+', O_RDWR],
  ['rs+', O_RDWR | O_SYNC],
  ['sr+', O_RDWR | O_SYNC],
  ['w', O_TRUNC | O_CREAT | O_WRONLY],
  ['wx', O_TRUNC | O_CREAT | O_WRONLY | O_EXCL],
  ['xw', O_TRUNC | O_CREAT | O_WRONLY | O_EXCL],
  ['w+', O_TRUNC | O_CREAT | O_RDWR],
  ['wx+', O_TRUNC | O_CREAT | O_RDWR | O_EXCL],
  ['xw+', O_TRUNC | O_CREAT | O_RDWR | O_EXCL],
  ['a', O_APPEND | O_CREAT | O_WRONLY],
  ['ax', O_APPEND | O_CREAT | O_WRONLY | O_EXCL],
  ['xa', O_APPEND | O_CREAT | O_WRONLY | O_EXCL],
  ['as', O_APPEND | O_CREAT | O_WRONLY | O_SYNC],
  ['sa', O_APPEND | O_CREAT | O_WRONLY | O_SYNC],
  ['a+', O_APPEND | O_CREAT | O_RDWR],
  ['ax+', O_APPEND | O_CREAT | O_RDWR | O_EXCL],
  ['xa+', O_APPEND | O_CREAT | O_RDWR | O_EXCL],
  ['as+', O_APPEND | O_CREAT | O_RDWR | O_SYNC],
  ['sa+', O_APPEND | O_CREAT | O_RDWR | O_SYNC],
]);
