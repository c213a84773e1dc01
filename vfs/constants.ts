// Linux's numbers for file types, open flags, access modes and friends (include/uapi/asm-generic/fcntl.h,
// include/uapi/linux/stat.h, include/uapi/linux/fs.h). Node's fs.constants use the same values on Linux,
// so a flag a node:fs user passes means the same here.

// st_mode file types (S_IFMT field).
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
// Permission bits.
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
export const S_IRWXU = 0o700;
export const S_IRWXG = 0o070;
export const S_IRWXO = 0o007;
export const ALLPERMS = 0o7777;

export const isDir = (mode: number): boolean => (mode & S_IFMT) === S_IFDIR;
export const isReg = (mode: number): boolean => (mode & S_IFMT) === S_IFREG;
export const isLnk = (mode: number): boolean => (mode & S_IFMT) === S_IFLNK;

// d_type values of getdents64 (include/linux/fs_types.h).
export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

/** d_type from st_mode: the S_IFMT field shifted right by 12, as Linux's fs_umode_to_dtype does. */
export const modeToDtype = (mode: number): number => (mode & S_IFMT) >>> 12;

// open(2) flags (asm-generic/fcntl.h; AArch64 uses the generic values).
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_ACCMODE = 3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECT = 0o200000; // generic: 0o40000 on x86; AArch64 uses 0o200000
export const O_DIRECTORY = 0o40000; // AArch64: 0o40000 (x86: 0o200000)
export const O_NOFOLLOW = 0o100000; // AArch64: 0o100000 (x86: 0o400000)
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_SYNC = 0o4010000;
export const O_PATH = 0o10000000;
export const O_TMPFILE = 0o20000000 | O_DIRECTORY;

// access(2) modes.
export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;

// lseek whence.
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;

// renameat2 flags (include/uapi/linux/fs.h).
export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;
export const RENAME_WHITEOUT = 4;

// *at flags (include/uapi/linux/fcntl.h).
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EMPTY_PATH = 0x1000;

// utimensat special nanosecond values.
export const UTIME_NOW = (1 << 30) - 1;
export const UTIME_OMIT = (1 << 30) - 2;

// fallocate modes.
export const FALLOC_FL_KEEP_SIZE = 0x01;
export const FALLOC_FL_PUNCH_HOLE = 0x02;

// Limits (include/uapi/linux/limits.h).
export const NAME_MAX = 255;
export const PATH_MAX = 4096;
/** Symlinks followed in one lookup before ELOOP (Linux MAXSYMLINKS). */
export const MAXSYMLINKS = 40;
