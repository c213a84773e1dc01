// Argument validation exactly as node:fs does it (lib/internal/validators.js and lib/internal/fs/utils.js,
// Node 20): the same checks in the same order, so a wrong argument gets the same TypeError/RangeError.
// The common case (a string path, an integer fd) is a typeof test and an indexOf, nothing allocated.

import { Buffer } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import { FLAG_STRINGS, toVfsFlags } from './constants.js';
import { invalidArgType, invalidArgValue, nodeError, outOfRange } from './errors.js';

export type PathLike = string | Buffer | Uint8Array | URL;
export type BufferEncodingOrBuffer = BufferEncoding | 'buffer' | null | undefined;

const NUL_REASON = 'must be a string, Uint8Array, or URL without null bytes';

function isURLLike(p: unknown): p is URL {
  // Node's isURL: an object with href and protocol whose auth/path are undefined (not a legacy url.parse result).
  const u = p as { href?: unknown; protocol?: unknown; auth?: unknown; path?: unknown } | null;
  return u != null && typeof u === 'object' && !!u.href && !!u.protocol && u.auth === undefined && u.path === undefined;
}

/** getValidatedPath: string, Buffer/Uint8Array (UTF-8) or file: URL, without NUL bytes. */
export function toPath(p: unknown, name = 'path'): string {
  if (typeof p === 'string') {
    if (p.indexOf('\u0000') !== -1) throw invalidArgValue(name, p, NUL_REASON);
    return p;
  }
  if (p instanceof Uint8Array) {
    if (p.indexOf(0) !== -1) throw invalidArgValue(name, p, NUL_REASON);
    return Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('utf8');
  }
  if (isURLLike(p)) {
    const s = fileURLToPath(p);
    if (s.indexOf('\u0000') !== -1) throw invalidArgValue(name, s, NUL_REASON);
    return s;
  }
  throw invalidArgType(name, ['string', 'Buffer', 'URL'], p);
}

export function validateInteger(value: unknown, name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
  return value;
}

export function validateInt32(value: unknown, name: string, min = -2147483648, max = 2147483647): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
  return value;
}

export function validateUint32(value: unknown, name: string, positive = false): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  const min = positive ? 1 : 0;
  if (value < min || value > 4294967295) throw outOfRange(name, `>= ${min} && <= 4294967295`, value);
  return value;
}

/**
 * An fd as Node validates it: in JS for read/write/readv/writev (`jsStyle`), in C++ for the others,
 * whose range message prints the number without digit grouping.
 */
export function validateFd(fd: unknown, jsStyle = false): number {
  if (typeof fd === 'number' && (fd | 0) === fd && fd >= 0) return fd; // fast path
  if (jsStyle || typeof fd !== 'number' || !Number.isInteger(fd)) return validateInt32(fd, 'fd', 0);
  throw outOfRange('fd', '>= 0 && <= 2147483647', fd, true);
}

export function validateBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalidArgType(name, 'boolean', value);
  return value;
}

export function validateFunction(value: unknown, name: string): (...a: never[]) => unknown {
  if (typeof value !== 'function') throw invalidArgType(name, 'Function', value);
  return value as (...a: never[]) => unknown;
}

export function validateObject(value: unknown, name: string, nullable = false): void {
  if ((nullable ? false : value === null) || Array.isArray(value) || (value !== null && typeof value !== 'object')) {
    throw invalidArgType(name, 'Object', value);
  }
}

/** parseFileMode: an integer or an octal string, validated as uint32; the permission bits are what the VFS sees. */
export function parseMode(value: unknown, name: string, def?: number): number {
  if (value === undefined || value === null) {
    if (def !== undefined) return def;
    value = undefined; // Node's `value ??= def` turns null into undefined before validating
  }
  if (typeof value === 'string') {
    if (!/^[0-7]+$/.test(value)) throw invalidArgValue(name, value, 'must be a 32-bit unsigned integer or an octal string');
    value = parseInt(value, 8);
  }
  return validateUint32(value, name) & 0o7777;
}

/** stringToFlags, then the host-to-guest flag translation. */
export function parseFlags(flags: unknown, name = 'flags'): number {
  if (flags === undefined || flags === null) return 0;
  if (typeof flags === 'number') return toVfsFlags(validateInt32(flags, name));
  if (typeof flags === 'string') {
    const f = FLAG_STRINGS.get(flags);
    if (f !== undefined) return f;
  }
  throw invalidArgValue(name, flags);
}

export function validateBuffer(buf: unknown, name = 'buffer'): asserts buf is ArrayBufferView {
  if (!ArrayBuffer.isView(buf)) throw invalidArgType(name, ['Buffer', 'TypedArray', 'DataView'], buf);
}

/** The bytes of any ArrayBufferView, as the Uint8Array the VFS reads and writes. */
export function asBytes(v: ArrayBufferView): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export function assertEncoding(encoding: unknown): void {
  if (encoding && encoding !== 'buffer' && !Buffer.isEncoding(encoding as string)) {
    throw invalidArgValue('encoding', encoding, 'is invalid encoding');
  }
}

/** getOptions: a string is the encoding; an object is used as is; anything else is ERR_INVALID_ARG_TYPE. */
export function getOptions<T extends object>(options: unknown, defaults: T): T & { encoding?: BufferEncodingOrBuffer } {
  if (options == null || typeof options === 'function') return defaults;
  let o: Record<string, unknown>;
  if (typeof options === 'string') o = { ...defaults, encoding: options };
  else if (typeof options !== 'object') throw invalidArgType('options', ['string', 'Object'], options);
  else o = options as Record<string, unknown>;
  assertEncoding(o.encoding);
  return o as T & { encoding?: BufferEncodingOrBuffer };
}

/** toUnixTimestamp: seconds as a number (negative means now, as Node does), a numeric string, or a Date. */
export function toUnixTimestamp(time: unknown, name = 'time'): number {
  if (typeof time === 'string' && +time == (time as unknown as number)) return +time;
  if (typeof time === 'number' && Number.isFinite(time)) return time < 0 ? -1 : time;
  if (time instanceof Date) return time.getTime() / 1000;
  throw invalidArgType(name, ['Date', 'Time in seconds'], time);
}

/** Node 20's fs.read/readSync position rule: null/-1 is the file offset, else a non-negative integer or bigint. */
export function validatePosition(position: unknown, name = 'position'): number | null {
  if (position === null || position === undefined) return null;
  if (typeof position === 'number') {
    validateInteger(position, name, -1);
    return position === -1 ? null : position;
  }
  if (typeof position === 'bigint') {
    if (!(position >= -(2n ** 63n) && position <= 2n ** 63n - 1n)) {
      throw outOfRange(name, `>= ${-(2n ** 63n)} && <= ${2n ** 63n - 1n}`, position);
    }
    return position < 0n ? null : Number(position);
  }
  throw invalidArgType(name, ['integer', 'bigint'], position);
}

/** getValidMode for access/copyFile: an integer in 0..7. */
export function validMode(mode: unknown, def: number): number {
  if (mode === undefined || mode === null) return def;
  const m = validateInteger(mode, 'mode');
  if (m < 0 || m > 7) throw nodeError(RangeError, 'ERR_OUT_OF_RANGE', 'mode is out of range: >= 0 && <= 7');
  return m;
}

/** validateBufferArray for readv/writev. */
export function validateBufferArray(buffers: unknown, name = 'buffers'): ArrayBufferView[] {
  if (!Array.isArray(buffers)) throw invalidArgType(name, 'ArrayBufferView[]', buffers);
  for (let i = 0; i < buffers.length; i++) {
    if (!ArrayBuffer.isView(buffers[i])) throw invalidArgType(name, 'ArrayBufferView[]', buffers);
  }
  return buffers as ArrayBufferView[];
}

/** Encode a result string as Node does for `encoding` options ('buffer' returns a Buffer). */
export function encodeName(name: string, encoding: BufferEncodingOrBuffer): string | Buffer {
  if (!encoding || encoding === 'utf8' || encoding === 'utf-8') return name;
  const b = Buffer.from(name, 'utf8');
  return encoding === 'buffer' ? b : b.toString(encoding);
}
