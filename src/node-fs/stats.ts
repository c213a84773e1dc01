// node:fs's result classes: Stats, BigIntStats, StatFs and Dirent, with the fields and methods Node 20
// gives them (lib/internal/fs/utils.js). The Date fields (atime, ...) are built on first read by a
// getter on the prototype that then stores an own property, as Node 22 does: a stat() that never looks
// at a Date pays for none.

import { inspect } from 'node:util';
import type { Stat } from '../../vfs/syscalls.js';
import type { StatFs as VfsStatFs } from '../../vfs/backend.js';
import * as V from '../../vfs/constants.js';

const kType = Symbol('type');

abstract class StatsBase<T extends number | bigint> {
  declare dev: T; declare mode: T; declare nlink: T; declare uid: T; declare gid: T; declare rdev: T;
  declare blksize: T; declare ino: T; declare size: T; declare blocks: T;

  protected abstract fmt(): number;
  isDirectory(): boolean { return this.fmt() === V.S_IFDIR; }
  isFile(): boolean { return this.fmt() === V.S_IFREG; }
  isBlockDevice(): boolean { return this.fmt() === V.S_IFBLK; }
  isCharacterDevice(): boolean { return this.fmt() === V.S_IFCHR; }
  isSymbolicLink(): boolean { return this.fmt() === V.S_IFLNK; }
  isFIFO(): boolean { return this.fmt() === V.S_IFIFO; }
  isSocket(): boolean { return this.fmt() === V.S_IFSOCK; }
}

/** Milliseconds since the epoch from a timespec, as libuv's uv_timespec_t becomes Node's `atimeMs`. */
const ms = (sec: number, nsec: number): number => sec * 1e3 + nsec / 1e6;

/** fs.Stats: numbers, times in fractional milliseconds, Dates on demand. */
export class Stats extends StatsBase<number> {
  declare atimeMs: number; declare mtimeMs: number; declare ctimeMs: number; declare birthtimeMs: number;
  declare atime: Date; declare mtime: Date; declare ctime: Date; declare birthtime: Date;

  constructor(s: Stat) {
    super();
    this.dev = s.dev;
    this.mode = s.mode;
    this.nlink = s.nlink;
    this.uid = s.uid;
    this.gid = s.gid;
    this.rdev = s.rdev;
    this.blksize = s.blksize;
    this.ino = s.ino;
    this.size = s.size;
    this.blocks = s.blocks;
    this.atimeMs = ms(s.atimeSec, s.atimeNsec);
    this.mtimeMs = ms(s.mtimeSec, s.mtimeNsec);
    this.ctimeMs = ms(s.ctimeSec, s.ctimeNsec);
    this.birthtimeMs = ms(s.birthtimeSec, s.birthtimeNsec);
  }

  protected fmt(): number { return this.mode & V.S_IFMT; }
}

/** fs.BigIntStats: every field a bigint, plus exact nanosecond times (`atimeNs`). */
export class BigIntStats extends StatsBase<bigint> {
  declare atimeMs: bigint; declare mtimeMs: bigint; declare ctimeMs: bigint; declare birthtimeMs: bigint;
  declare atimeNs: bigint; declare mtimeNs: bigint; declare ctimeNs: bigint; declare birthtimeNs: bigint;
  declare atime: Date; declare mtime: Date; declare ctime: Date; declare birthtime: Date;

  constructor(s: Stat) {
    super();
    this.dev = BigInt(s.dev);
    this.mode = BigInt(s.mode);
    this.nlink = BigInt(s.nlink);
    this.uid = BigInt(s.uid);
    this.gid = BigInt(s.gid);
    this.rdev = BigInt(s.rdev);
    this.blksize = BigInt(s.blksize);
    this.ino = BigInt(s.ino);
    this.size = BigInt(s.size);
    this.blocks = BigInt(s.blocks);
    const a = ns(s.atimeSec, s.atimeNsec), m = ns(s.mtimeSec, s.mtimeNsec);
    const c = ns(s.ctimeSec, s.ctimeNsec), b = ns(s.birthtimeSec, s.birthtimeNsec);
    this.atimeMs = a / 1000000n;
    this.mtimeMs = m / 1000000n;
    this.ctimeMs = c / 1000000n;
    this.birthtimeMs = b / 1000000n;
    this.atimeNs = a;
    this.mtimeNs = m;
    this.ctimeNs = c;
    this.birthtimeNs = b;
  }

  protected fmt(): number { return Number(this.mode) & V.S_IFMT; }
}

const ns = (sec: number, nsec: number): bigint => BigInt(sec) * 1000000000n + BigInt(nsec);

// Lazy Dates: the first read stores an own, enumerable, writable property (the shape Node 20 has eagerly).
for (const name of ['atime', 'mtime', 'ctime', 'birthtime'] as const) {
  const msKey = `${name}Ms` as const;
  for (const C of [Stats, BigIntStats]) {
    Object.defineProperty(C.prototype, name, {
      configurable: true,
      enumerable: false,
      get(this: Stats | BigIntStats) {
        const d = new Date(Number(this[msKey]));
        Object.defineProperty(this, name, { value: d, writable: true, enumerable: true, configurable: true });
        return d;
      },
      set(this: Stats | BigIntStats, v: Date) {
        Object.defineProperty(this, name, { value: v, writable: true, enumerable: true, configurable: true });
      },
    });
  }
}

// console.log(stats) shows the Dates as Node's eager Stats do: materialise them, then inspect normally.
for (const C of [Stats, BigIntStats]) {
  Object.defineProperty(C.prototype, inspect.custom, {
    configurable: true,
    value(this: Stats | BigIntStats, _depth: number, options: object) {
      void this.atime; void this.mtime; void this.ctime; void this.birthtime;
      return inspect(this, { ...options, customInspect: false });
    },
  });
}

/** fs.StatFs (statfs(2) through libuv: type, bsize, blocks, bfree, bavail, files, ffree). */
export class StatFs<T extends number | bigint = number> {
  type: T; bsize: T; blocks: T; bfree: T; bavail: T; files: T; ffree: T;
  constructor(s: VfsStatFs, bigint: boolean) {
    const c = (bigint ? BigInt : Number) as unknown as (n: number) => T;
    this.type = c(s.type);
    this.bsize = c(s.bsize);
    this.blocks = c(s.blocks);
    this.bfree = c(s.bfree);
    this.bavail = c(s.bavail);
    this.files = c(s.files);
    this.ffree = c(s.ffree);
  }
}

/** libuv's dirent types (UV_DIRENT_*) from Linux d_type. */
export function uvDirentType(dtype: number): number {
  switch (dtype) {
    case V.DT_REG: return 1;
    case V.DT_DIR: return 2;
    case V.DT_LNK: return 3;
    case V.DT_FIFO: return 4;
    case V.DT_SOCK: return 5;
    case V.DT_CHR: return 6;
    case V.DT_BLK: return 7;
    default: return 0;
  }
}

/** fs.Dirent: name, parentPath (and the deprecated `path`, still an own field in Node 20), the type hidden. */
export class Dirent<N extends string | Buffer = string> {
  name: N;
  parentPath: string;
  path: string;
  [kType]: number;
  constructor(name: N, uvType: number, parentPath: string) {
    this.name = name;
    this.parentPath = parentPath;
    this.path = parentPath;
    this[kType] = uvType;
  }
  isDirectory(): boolean { return this[kType] === 2; }
  isFile(): boolean { return this[kType] === 1; }
  isBlockDevice(): boolean { return this[kType] === 7; }
  isCharacterDevice(): boolean { return this[kType] === 6; }
  isSymbolicLink(): boolean { return this[kType] === 3; }
  isFIFO(): boolean { return this[kType] === 4; }
  isSocket(): boolean { return this[kType] === 5; }
}
