// The callback forms of node:fs, wrapping the sync core: arguments are validated synchronously and a bad
// one throws, as Node's do; a filesystem outcome (an FsError or SystemError) goes to the callback on a
// later tick, never synchronously (Node's callbacks are always asynchronous).

import { Buffer } from 'node:buffer';
import { invalidArgType, isOperationalError } from './errors.js';
import type { SyncFs } from './face.js';

type Fn = (...args: never[]) => unknown;
type Cb = (err: unknown, ...values: unknown[]) => void;

/**
 * The trailing callback. Node finds it by position after shifting optional arguments, so a call
 * missing it reports `Received undefined` unless every position was filled (then the last value).
 */
function takeCallback(args: unknown[], arity = 0): Cb {
  const last = args[args.length - 1];
  if (typeof last === 'function') {
    args.pop();
    return last as Cb;
  }
  throw invalidArgType('cb', 'Function', arity > 0 && args.length >= arity ? last : undefined);
}

/** Parameters including the callback, for takeCallback's report. */
const ARITY: Record<string, number> = {
  access: 3, appendFile: 4, chmod: 3, chown: 4, close: 2, copyFile: 4, cp: 4, fchmod: 3, fchown: 4, fdatasync: 2,
  fsync: 2, ftruncate: 3, futimes: 4, lchown: 4, link: 3, lutimes: 4, rename: 3, rm: 3, rmdir: 3, symlink: 4,
  truncate: 3, unlink: 2, utimes: 4, writeFile: 4, fstat: 3, lstat: 3, mkdir: 3, mkdtemp: 3, open: 4, opendir: 3,
  readdir: 3, readFile: 3, readlink: 3, stat: 3, statfs: 3, realpath: 3,
};

/** `name(...args, cb)` calling `fn(...args)`, delivering (err) or (null, result) on the next tick. */
export function wrapCallback(fn: Fn, noResult = false, arity = 0): (...args: unknown[]) => void {
  return function callbackForm(...args: unknown[]): void {
    const cb = takeCallback(args, arity);
    let r: unknown;
    try {
      r = (fn as (...a: unknown[]) => unknown)(...args);
    } catch (e) {
      if (isOperationalError(e)) { process.nextTick(cb, e); return; }
      throw e;
    }
    if (noResult) process.nextTick(cb, null);
    else process.nextTick(cb, null, r);
  };
}

const NO_RESULT = new Set([
  'access', 'appendFile', 'chmod', 'chown', 'close', 'copyFile', 'fchmod', 'fchown', 'fdatasync', 'fsync',
  'ftruncate', 'futimes', 'lchown', 'link', 'lutimes', 'rename', 'rm', 'rmdir', 'symlink', 'truncate', 'unlink',
  'utimes', 'writeFile',
]);

// cp's callback gets (null, undefined): Node runs the promise version and forwards its result.
const WITH_RESULT = [
  'cp', 'fstat', 'lstat', 'open', 'readdir', 'readFile', 'readlink', 'stat', 'statfs',
] as const;

export function makeCallbacks(s: SyncFs) {
  const out: Record<string, unknown> = {};
  for (const name of NO_RESULT) out[name] = wrapCallback(s[`${name}Sync` as keyof SyncFs] as Fn, true, ARITY[name]);
  for (const name of WITH_RESULT) out[name] = wrapCallback(s[`${name}Sync`] as Fn, false, ARITY[name]);

  const realpath = wrapCallback(s.realpathSync as Fn, false, 3) as ((...a: unknown[]) => void) & { native: (...a: unknown[]) => void };
  realpath.native = wrapCallback(s.realpathSync.native as Fn, false, 3);
  out.realpath = realpath;

  /** close(fd, cb?): the one call whose callback Node makes optional (a default that rethrows errors). */
  const closeCb = out.close as (...a: unknown[]) => void;
  out.close = function close(fd: unknown, cb?: unknown): void {
    if (cb === undefined) {
      closeCb(fd, (err: unknown) => { if (err) throw err; });
      return;
    }
    closeCb(fd, cb);
  };

  /** mkdir: a plain mkdir calls back with (err) alone, a recursive one with (err, firstCreated). */
  const mkdirPlain = wrapCallback(s.mkdirSync as Fn, true, 3);
  const mkdirRec = wrapCallback(s.mkdirSync as Fn, false, 3);
  out.mkdir = function mkdir(...args: unknown[]): void {
    const o = args.length > 2 ? args[1] : undefined;
    const recursive = typeof o === 'object' && o !== null && (o as { recursive?: unknown }).recursive === true;
    (recursive ? mkdirRec : mkdirPlain)(...args);
  };

  /** mkdtemp and opendir report as Node's async versions do (the tried name; the path). */
  const mkdtempAsync = (prefix: unknown, options?: unknown) => s.mkdtempSync(prefix, options, true);
  const opendirAsync = (path: unknown, options?: unknown) => s.opendirSync(path, options, true);
  const mkdtemp = wrapCallback(mkdtempAsync as Fn, false, 3);
  out.mkdtemp = (...args: unknown[]) => mkdtemp(...(args.length === 2 ? [args[0], undefined, args[1]] : args));
  const opendir = wrapCallback(opendirAsync as Fn, false, 3);
  out.opendir = (...args: unknown[]) => opendir(...(args.length === 2 ? [args[0], undefined, args[1]] : args));

  /** exists(path, cb): the callback gets only a boolean (the one non-error-first callback in node:fs). */
  out.exists = function exists(path: unknown, cb: unknown): void {
    if (typeof cb !== 'function') throw invalidArgType('cb', 'Function', cb);
    process.nextTick(cb as (b: boolean) => void, s.existsSync(path));
  };

  /** read(fd, buffer, offset, length, position, cb) | read(fd, options?, cb) | read(fd, buffer, options, cb) → (err, bytesRead, buffer). */
  out.read = function read(fd: unknown, ...rest: unknown[]): void {
    const cb = takeCallback(rest);
    let args: unknown[];
    let buffer: unknown;
    if (rest.length === 0 || !ArrayBuffer.isView(rest[0])) {
      const o = (rest[0] ?? {}) as { buffer?: unknown; offset?: unknown; length?: unknown; position?: unknown };
      buffer = o.buffer ?? Buffer.alloc(16384);
      args = [fd, buffer, { offset: o.offset, length: o.length, position: o.position }];
    } else {
      buffer = rest[0];
      args = [fd, ...rest];
    }
    let n: number;
    try { n = (s.readSync as (...a: unknown[]) => number)(...args); } catch (e) {
      if (isOperationalError(e)) { process.nextTick(cb, e); return; }
      throw e;
    }
    process.nextTick(cb, null, n, buffer);
  };

  /** write(fd, buffer|string, ..., cb) → (err, written, buffer|string). */
  out.write = function write(fd: unknown, buffer: unknown, ...rest: unknown[]): void {
    const cb = takeCallback(rest);
    let n: number;
    try { n = (s.writeSync as (...a: unknown[]) => number)(fd, buffer, ...rest); } catch (e) {
      if (isOperationalError(e)) { process.nextTick(cb, e); return; }
      throw e;
    }
    process.nextTick(cb, null, n, buffer);
  };

  for (const name of ['readv', 'writev'] as const) {
    out[name] = function vectored(fd: unknown, buffers: unknown, ...rest: unknown[]): void {
      const cb = takeCallback(rest);
      let n: number;
      try { n = (s[`${name}Sync`] as (...a: unknown[]) => number)(fd, buffers, ...rest); } catch (e) {
        if (isOperationalError(e)) { process.nextTick(cb, e); return; }
        throw e;
      }
      process.nextTick(cb, null, n, buffers);
    };
  }
  return out;
}
