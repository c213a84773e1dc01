// The synchronous core of the node:fs face: one thin function per call that validates arguments as
// Node does (args.ts), makes one VFS syscall, and reports a failure under the syscall name and paths
// node:fs uses (errors.ts). The callback and promise forms wrap these functions, so behaviour is
// defined once. Hot calls (stat, open, read, write, close) allocate nothing beyond what the API returns.

import type { Syscalls, TimeSpec } from '../../vfs/syscalls.js';
import * as V from '../../vfs/constants.js';
import { FsError } from '../../vfs/errno.js';
import { fromVfsFlags } from './constants.js';
import {
  asBytes, encodeName, getOptions, parseFlags, parseMode, toPath, toUnixTimestamp, validateBoolean,
  validateBuffer, validateBufferArray, validateFd, validateInt32, validateInteger, validateObject, validatePosition,
  validMode, type BufferEncodingOrBuffer,
} from './args.js';
import { invalidArgType, invalidArgValue, nodeError, outOfRange, uvError } from './errors.js';
import { BigIntStats, StatFs, Stats } from './stats.js';

/** What every part of the face shares: the process whose syscalls it makes. */
export interface Ctx {
  readonly sys: Syscalls;
}

export interface StatOptions { bigint?: boolean; throwIfNoEntry?: boolean }

/** A time for utimensat from Node's seconds (negative meant "now" in toUnixTimestamp). */
export function toTimeSpec(t: number): TimeSpec {
  if (t === -1) return { sec: 0, nsec: V.UTIME_NOW };
  // 2^63 s and beyond do not fit tv_sec: libuv's conversion yields an invalid timespec and Linux says
  // EINVAL (after the path lookup, as the oracle shows). Marked here by nsec -1; see checkTimes.
  if (t >= 2 ** 63) return { sec: 0, nsec: -1 };
  // libuv's uv__fs_to_timespec: truncate, then borrow for negative fractions.
  let sec = Math.trunc(t);
  let nsec = Math.round((t - sec) * 1e9);
  if (nsec < 0) { sec--; nsec += 1e9; }
  if (nsec >= 1e9) { sec++; nsec -= 1e9; }
  // Linux takes any 64-bit tv_sec (clamped to the filesystem's range); the VFS keeps seconds as safe
  // integers, so a time beyond ±2^53 s (285 million years) is clamped here rather than refused.
  if (sec > Number.MAX_SAFE_INTEGER) { sec = Number.MAX_SAFE_INTEGER; nsec = 0; }
  if (sec < -Number.MAX_SAFE_INTEGER) { sec = -Number.MAX_SAFE_INTEGER; nsec = 0; }
  return { sec, nsec };
}

export function makeSync(ctx: Ctx) {
  const sys = ctx.sys;

  /** An unrepresentable time: the lookup's own error first (ENOENT, ENAMETOOLONG, EBADF), else EINVAL. */
  function checkTimes(a: TimeSpec, m: TimeSpec, lookup: () => unknown, syscall: string, p?: string): void {
    if (a.nsec !== -1 && m.nsec !== -1) return;
    try { lookup(); } catch (e) { throw uvError(e, syscall, p); }
    throw uvError(new FsError('EINVAL'), syscall, p);
  }

  /**
   * readv(2)/writev(2) buffer by buffer, as readvSync/writevSync see them: a short transfer ends the
   * call, and an error after some bytes moved returns their count (the error is for the next call).
   */
  function vectored(syscall: 'read' | 'write', fd: unknown, buffers: unknown, position: unknown): number {
    const f = validateFd(fd, true);
    const bufs = validateBufferArray(buffers);
    let pos = typeof position === 'number' && position >= 0 ? position : null;
    let total = 0;
    try {
      for (const b of bufs) {
        const n = syscall === 'read' ? sys.read(f, asBytes(b), 0, b.byteLength, pos) : sys.write(f, asBytes(b), 0, b.byteLength, pos);
        total += n;
        if (pos !== null) pos += n;
        if (n < b.byteLength) break;
      }
    } catch (e) {
      if (total === 0) throw uvError(e, syscall);
    }
    return total;
  }

  const statResult = (s: ReturnType<Syscalls['stat']>, options: StatOptions | undefined) =>
    options !== undefined && options.bigint ? new BigIntStats(s) : new Stats(s);

  function statLike(which: 'stat' | 'lstat', path: unknown, options?: StatOptions): Stats | BigIntStats | undefined {
    const p = toPath(path);
    let s;
    try {
      s = which === 'stat' ? sys.stat(p) : sys.lstat(p);
    } catch (e) {
      if (options !== undefined && options !== null && options.throwIfNoEntry === false) {
        const code = (e as { code?: string }).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      }
      throw uvError(e, which, p);
    }
    return statResult(s, options);
  }

  function chownIds(uid: unknown, gid: unknown): void {
    validateInteger(uid, 'uid', -1, 4294967295);
    validateInteger(gid, 'gid', -1, 4294967295);
  }

  const api = {
    accessSync(path: unknown, mode?: unknown): void {
      const p = toPath(path);
      const m = validMode(mode, V.F_OK);
      try { sys.access(p, m); } catch (e) { throw uvError(e, 'access', p); }
    },

    existsSync(path: unknown): boolean {
      let p: string;
      try { p = toPath(path); } catch { return false; }
      try { sys.access(p, V.F_OK); return true; } catch { return false; }
    },

    statSync(path: unknown, options?: StatOptions) {
      // The common call, statSync('/a/b'), straight through: one typeof, one memchr, one syscall.
      if (typeof path === 'string' && options === undefined && path.indexOf('\u0000') === -1) {
        let s;
        try { s = sys.stat(path); } catch (e) { throw uvError(e, 'stat', path); }
        return new Stats(s);
      }
      return statLike('stat', path, options);
    },
    lstatSync(path: unknown, options?: StatOptions) {
      if (typeof path === 'string' && options === undefined && path.indexOf('\u0000') === -1) {
        let s;
        try { s = sys.lstat(path); } catch (e) { throw uvError(e, 'lstat', path); }
        return new Stats(s);
      }
      return statLike('lstat', path, options);
    },

    fstatSync(fd: unknown, options?: StatOptions): Stats | BigIntStats {
      const f = validateFd(fd);
      let s;
      try { s = sys.fstat(f); } catch (e) { throw uvError(e, 'fstat'); }
      return statResult(s, options);
    },

    statfsSync(path: unknown, options?: { bigint?: boolean }): StatFs<number> | StatFs<bigint> {
      const p = toPath(path);
      let s;
      try { s = sys.statfs(p); } catch (e) { throw uvError(e, 'statfs', p); }
      return new StatFs(s, !!options?.bigint) as StatFs<number> | StatFs<bigint>;
    },

    openSync(path: unknown, flags?: unknown, mode?: unknown): number {
      const p = toPath(path);
      const f = parseFlags(flags);
      const m = parseMode(mode, 'mode', 0o666);
      try { return sys.open(p, f, m); } catch (e) { throw uvError(e, 'open', p); }
    },

    closeSync(fd: unknown): void {
      const f = validateFd(fd);
      try { sys.close(f); } catch (e) { throw uvError(e, 'close'); }
    },

    readSync(fd: unknown, buffer: unknown, offsetOrOptions?: unknown, length?: unknown, position?: unknown): number {
      const f = validateFd(fd, true);
      validateBuffer(buffer);
      let offset = offsetOrOptions;
      if (arguments.length <= 3 || typeof offsetOrOptions === 'object') {
        if (offsetOrOptions !== undefined) validateObject(offsetOrOptions, 'options', true);
        const o = (offsetOrOptions ?? {}) as { offset?: unknown; length?: unknown; position?: unknown };
        offset = o.offset ?? 0;
        length = o.length ?? buffer.byteLength - (offset as number);
        position = o.position ?? null;
      }
      if (offset == null) offset = 0;
      else validateInteger(offset, 'offset', 0);
      const len = (length as number) | 0;
      if (len === 0) return 0;
      if (buffer.byteLength === 0) throw invalidArgValue('buffer', buffer, 'is empty and cannot be written');
      const off = offset as number;
      if (len < 0) throw outOfRange('length', '>= 0', len);
      if (off + len > buffer.byteLength) throw outOfRange('length', `<= ${buffer.byteLength - off}`, len);
      const pos = validatePosition(position);
      try { return sys.read(f, asBytes(buffer), off, len, pos); } catch (e) { throw uvError(e, 'read'); }
    },

    writeSync(fd: unknown, buffer: unknown, offsetOrOptions?: unknown, length?: unknown, position?: unknown): number {
      const f = validateFd(fd, true);
      if (ArrayBuffer.isView(buffer)) {
        let offset = offsetOrOptions;
        if (typeof offset === 'object') { // null too: Node destructures `offsetOrOptions ?? {}`
          const o = (offset ?? {}) as { offset?: unknown; length?: unknown; position?: unknown };
          offset = o.offset ?? 0;
          length = o.length ?? buffer.byteLength - (offset as number);
          position = o.position ?? null;
        }
        // Node 20.20 writeSync: offset validated unless null/undefined, a non-number length means "the
        // rest", and a position that is not a safe non-negative integer means the file offset (C++ GetOffset).
        if (offset == null) offset = 0;
        else validateInteger(offset, 'offset', 0);
        const off = offset as number;
        const byteLength = buffer.byteLength;
        const len = typeof length === 'number' ? length : byteLength - off;
        const pos = typeof position === 'number' && Number.isSafeInteger(position) && position >= 0 ? position : null;
        if (off > byteLength) throw outOfRange('offset', `<= ${byteLength}`, off);
        if (len > byteLength - off) throw outOfRange('length', `<= ${byteLength - off}`, len);
        if (len < 0) throw outOfRange('length', '>= 0', len);
        validateInt32(len, 'length', 0);
        try {
          return sys.write(f, asBytes(buffer), off, len, pos);
        } catch (e) { throw uvError(e, 'write'); }
      }
      if (typeof buffer !== 'string') throw invalidArgType('buffer', ['string', 'Buffer', 'TypedArray', 'DataView'], buffer);
      // writeSync(fd, string, position?, encoding?)
      const enc = (typeof length === 'string' ? length : 'utf8') as BufferEncoding;
      getOptions(enc, {});
      const bytes = Buffer.from(buffer, enc);
      const pos = typeof offsetOrOptions === 'number' && offsetOrOptions >= 0 ? offsetOrOptions : null;
      try { return sys.write(f, bytes, 0, bytes.byteLength, pos); } catch (e) { throw uvError(e, 'write'); }
    },

    readvSync(fd: unknown, buffers: unknown, position?: unknown): number {
      return vectored('read', fd, buffers, position);
    },

    writevSync(fd: unknown, buffers: unknown, position?: unknown): number {
      return vectored('write', fd, buffers, position);
    },

    fsyncSync(fd: unknown): void {
      const f = validateFd(fd);
      try { sys.fsync(f); } catch (e) { throw uvError(e, 'fsync'); }
    },

    fdatasyncSync(fd: unknown): void {
      const f = validateFd(fd);
      try { sys.fdatasync(f); } catch (e) { throw uvError(e, 'fdatasync'); }
    },

    ftruncateSync(fd: unknown, len: unknown = 0): void {
      validateInteger(len, 'len'); // Node checks len first, the fd in C++ afterwards
      const f = validateFd(fd);
      // Node clamps a negative length to 0 (lib/fs.js ftruncateSync) instead of letting ftruncate(2) say EINVAL.
      try { sys.ftruncate(f, Math.max(0, len as number)); } catch (e) { throw uvError(e, 'ftruncate'); }
    },

    truncateSync(path: unknown, len: unknown = 0): void {
      if (typeof path === 'number') return api.ftruncateSync(path, len);
      const p = toPath(path);
      // Node opens 'r+' and calls ftruncateSync (lib/fs.js): a failure to open is reported as `open`,
      // and `len` is validated only after the open.
      let fd: number;
      try { fd = sys.open(p, V.O_RDWR, 0o666); } catch (e) { throw uvError(e, 'open', p); }
      try { api.ftruncateSync(fd, len); } finally { sys.close(fd); }
    },

    fchmodSync(fd: unknown, mode: unknown): void {
      const m = parseMode(mode, 'mode'); // JS checks first; the fd is checked in C++
      const f = validateFd(fd);
      try { sys.fchmod(f, m); } catch (e) { throw uvError(e, 'fchmod'); }
    },

    chmodSync(path: unknown, mode: unknown): void {
      const p = toPath(path);
      const m = parseMode(mode, 'mode');
      try { sys.chmod(p, m); } catch (e) { throw uvError(e, 'chmod', p); }
    },

    fchownSync(fd: unknown, uid: unknown, gid: unknown): void {
      chownIds(uid, gid);
      const f = validateFd(fd);
      try { sys.fchown(f, uid as number, gid as number); } catch (e) { throw uvError(e, 'fchown'); }
    },

    chownSync(path: unknown, uid: unknown, gid: unknown): void {
      const p = toPath(path);
      chownIds(uid, gid);
      try { sys.chown(p, uid as number, gid as number); } catch (e) { throw uvError(e, 'chown', p); }
    },

    lchownSync(path: unknown, uid: unknown, gid: unknown): void {
      const p = toPath(path);
      chownIds(uid, gid);
      try { sys.lchown(p, uid as number, gid as number); } catch (e) { throw uvError(e, 'lchown', p); }
    },

    utimesSync(path: unknown, atime: unknown, mtime: unknown): void {
      const p = toPath(path);
      const a = toTimeSpec(toUnixTimestamp(atime)), m = toTimeSpec(toUnixTimestamp(mtime));
      checkTimes(a, m, () => sys.stat(p), 'utime', p);
      try { sys.utimensat(p, a, m, 0); } catch (e) { throw uvError(e, 'utime', p); }
    },

    lutimesSync(path: unknown, atime: unknown, mtime: unknown): void {
      const p = toPath(path);
      const a = toTimeSpec(toUnixTimestamp(atime)), m = toTimeSpec(toUnixTimestamp(mtime));
      checkTimes(a, m, () => sys.lstat(p), 'lutime', p);
      try { sys.utimensat(p, a, m, V.AT_SYMLINK_NOFOLLOW); } catch (e) { throw uvError(e, 'lutime', p); }
    },

    futimesSync(fd: unknown, atime: unknown, mtime: unknown): void {
      const a = toTimeSpec(toUnixTimestamp(atime, 'atime')), m = toTimeSpec(toUnixTimestamp(mtime, 'mtime'));
      const f = validateFd(fd);
      checkTimes(a, m, () => sys.fstat(f), 'futime');
      try { sys.futimens(f, a, m); } catch (e) { throw uvError(e, 'futime'); }
    },

    unlinkSync(path: unknown): void {
      const p = toPath(path);
      try { sys.unlink(p); } catch (e) { throw uvError(e, 'unlink', p); }
    },

    renameSync(oldPath: unknown, newPath: unknown): void {
      const o = toPath(oldPath, 'oldPath'), n = toPath(newPath, 'newPath');
      try { sys.rename(o, n, 0); } catch (e) { throw uvError(e, 'rename', o, n); }
    },

    linkSync(existingPath: unknown, newPath: unknown): void {
      const o = toPath(existingPath, 'existingPath'), n = toPath(newPath, 'newPath');
      try { sys.link(o, n); } catch (e) { throw uvError(e, 'link', o, n); }
    },

    symlinkSync(target: unknown, path: unknown, type?: unknown): void {
      if (typeof type === 'string' && type !== 'dir' && type !== 'file' && type !== 'junction') {
        throw nodeError(Error, 'ERR_FS_INVALID_SYMLINK_TYPE', `Symlink type must be one of "dir", "file", or "junction". Received "${type}"`);
      }
      const t = toPath(target, 'target'), p = toPath(path);
      try { sys.symlink(t, p); } catch (e) { throw uvError(e, 'symlink', t, p); }
    },

    readlinkSync(path: unknown, options?: unknown): string | Buffer {
      const o = getOptions(options, {} as { encoding?: BufferEncodingOrBuffer });
      const p = toPath(path, 'oldPath');
      let s: string;
      try { s = sys.readlink(p); } catch (e) { throw uvError(e, 'readlink', p); }
      return encodeName(s, o.encoding);
    },

    /** F_GETFL, in node:fs's flag numbering (not a node:fs call; used by streams and FileHandle). */
    getFlags(fd: number): number {
      try { return fromVfsFlags(sys.fcntlGetfl(fd)); } catch (e) { throw uvError(e, 'fcntl'); }
    },
  };
  return api;
}

export type SyncCore = ReturnType<typeof makeSync>;

/** mkdir's options: a mode, or {recursive, mode}. */
export function mkdirOptions(options: unknown): { recursive: boolean; mode: number } {
  let mode: unknown = 0o777, recursive: unknown = false;
  if (typeof options === 'number' || typeof options === 'string') mode = options;
  else if (options != null) {
    const o = options as { recursive?: unknown; mode?: unknown };
    if (o.recursive !== undefined) recursive = o.recursive;
    if (o.mode !== undefined) mode = o.mode;
  }
  validateBoolean(recursive, 'options.recursive');
  return { recursive: recursive as boolean, mode: parseMode(mode, 'mode', 0o777) };
}
