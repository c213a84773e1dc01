// The errors node:fs throws besides system errors: argument errors (ERR_INVALID_ARG_TYPE, ..._VALUE,
// ERR_OUT_OF_RANGE) with Node's exact message texts (lib/internal/errors.js, Node 20), SystemError for
// the fs-level codes Node raises itself (ERR_FS_EISDIR from rm, ERR_FS_CP_* from cp), and the mapping
// of a VFS FsError onto the syscall name and paths node:fs reports for a call.

import { inspect } from 'node:util';
import { FsError } from '../../vfs/errno.js';

/** An Error carrying Node's `code`, with the stack header Node prints: `TypeError [CODE]: message`. */
export type NodeCodedError = Error & { code: string };

function coded<E extends Error>(err: E, code: string): E & { code: string } {
  const e = err as E & { code: string };
  // Node sets the name to `Name [CODE]` while the stack is captured, then restores it.
  const name = e.name;
  e.name = `${name} [${code}]`;
  void e.stack;
  delete (e as { name?: string }).name;
  Object.defineProperty(e, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  return e;
}

export function nodeError(Ctor: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor, code: string, message: string): NodeCodedError {
  return coded(new Ctor(message), code);
}

const kTypes = ['string', 'function', 'number', 'object', 'Function', 'Object', 'boolean', 'bigint', 'symbol'];
const classRe = /^([A-Z][a-z0-9]*)+$/;

function joinAlternatives(list: string[], lead: string, leadOne: string): string {
  if (list.length > 2) return `${lead}${list.slice(0, -1).join(', ')}, or ${list[list.length - 1]}`;
  if (list.length === 2) return `${lead}${list[0]} or ${list[1]}`;
  return `${leadOne}${list[0]}`;
}

/** How Node describes a received value in ERR_INVALID_ARG_TYPE (determineSpecificType). */
export function describeReceived(value: unknown): string {
  if (value == null) return '' + value;
  if (typeof value === 'function' && value.name) return `function ${value.name}`;
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: string } }).constructor;
    if (ctor?.name) return `an instance of ${ctor.name}`;
    return inspect(value, { depth: -1 });
  }
  let s = inspect(value, { colors: false });
  if (s.length > 28) s = `${s.slice(0, 25)}...`;
  return `type ${typeof value} (${s})`;
}

/** ERR_INVALID_ARG_TYPE, message built as Node builds it from the list of accepted types. */
export function invalidArgType(name: string, expected: string | string[], actual: unknown): NodeCodedError {
  const exp = Array.isArray(expected) ? expected : [expected];
  let msg = 'The ';
  if (name.endsWith(' argument')) msg += `${name} `;
  else msg += `"${name}" ${name.includes('.') ? 'property' : 'argument'} `;
  msg += 'must be ';
  const types: string[] = [], instances: string[] = [], other: string[] = [];
  for (const v of exp) {
    if (kTypes.includes(v)) types.push(v.toLowerCase());
    else if (classRe.test(v)) instances.push(v);
    else other.push(v);
  }
  if (instances.length > 0) {
    const pos = types.indexOf('object');
    if (pos !== -1) { types.splice(pos, 1); instances.push('Object'); }
  }
  if (types.length > 0) {
    msg += types.length >= 2 ? joinAlternatives(types, 'one of type ', '') : `of type ${types[0]}`;
    if (instances.length > 0 || other.length > 0) msg += ' or ';
  }
  if (instances.length > 0) {
    if (instances.length > 2) msg += joinAlternatives(instances, 'an instance of ', '');
    else msg += `an instance of ${instances[0]}${instances.length === 2 ? ` or ${instances[1]}` : ''}`;
    if (other.length > 0) msg += ' or ';
  }
  if (other.length > 0) {
    if (other.length >= 2) msg += joinAlternatives(other, 'one of ', '');
    else msg += `${other[0]!.toLowerCase() !== other[0] ? 'an ' : ''}${other[0]}`;
  }
  msg += `. Received ${describeReceived(actual)}`;
  return nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', msg);
}

/** ERR_INVALID_ARG_VALUE: `The argument 'name' reason. Received inspect(value)`. */
export function invalidArgValue(name: string, value: unknown, reason = 'is invalid'): NodeCodedError {
  let s = inspect(value);
  if (s.length > 128) s = `${s.slice(0, 128)}...`;
  return nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The ${name.includes('.') ? 'property' : 'argument'} '${name}' ${reason}. Received ${s}`);
}

function addNumericalSeparator(val: string): string {
  let res = '';
  let i = val.length;
  const start = val[0] === '-' ? 1 : 0;
  for (; i >= start + 4; i -= 3) res = `_${val.slice(i - 3, i)}${res}`;
  return `${val.slice(0, i)}${res}`;
}

/** ERR_OUT_OF_RANGE: `The value of "name" is out of range. It must be range. Received x`. */
export function outOfRange(name: string, range: string, input: unknown, fromCpp = false): NodeCodedError {
  let received: string;
  // Checks made in Node's C++ (most fd arguments) print big numbers plainly; the JS validators group digits.
  if (fromCpp) received = String(input);
  else if (Number.isInteger(input) && Math.abs(input as number) > 2 ** 32) received = addNumericalSeparator(String(input));
  else if (typeof input === 'bigint') {
    received = String(input);
    if (input > 2n ** 32n || input < -(2n ** 32n)) received = addNumericalSeparator(received);
    received += 'n';
  } else received = inspect(input);
  return nodeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${received}`);
}

/** The context Node's SystemError carries in `info`. */
export interface SystemErrorInfo {
  code: string;
  message: string;
  path: string;
  syscall: string;
  errno: number;
  dest?: string;
}

const SYSTEM_ERROR_PREFIX: Record<string, string> = {
  ERR_FS_EISDIR: 'Path is a directory',
  ERR_FS_CP_EINVAL: 'Invalid src or dest',
  ERR_FS_CP_DIR_TO_NON_DIR: 'Cannot overwrite non-directory with directory',
  ERR_FS_CP_NON_DIR_TO_DIR: 'Cannot overwrite directory with non-directory',
  ERR_FS_CP_EEXIST: 'Target already exists',
  ERR_FS_CP_SYMLINK_TO_SUBDIRECTORY: 'Cannot overwrite symlink in subdirectory of self',
  ERR_FS_CP_SOCKET: 'Cannot copy a socket file',
  ERR_FS_CP_FIFO_PIPE: 'Cannot copy a FIFO pipe',
  ERR_FS_CP_UNKNOWN: 'Cannot copy an unknown file type',
};

/**
 * Node's SystemError (lib/internal/errors.js): `code` is Node's own (ERR_FS_EISDIR), `errno` is the
 * positive Linux number (Node's quirk for these), and the message reads
 * `Path is a directory: rm returned EISDIR (is a directory) /x`.
 */
export class SystemError extends Error {
  code: string;
  info: SystemErrorInfo;
  errno: number;
  syscall: string;
  path: string;
  dest?: string;

  constructor(code: string, info: SystemErrorInfo) {
    let msg = `${SYSTEM_ERROR_PREFIX[code] ?? code}: ${info.syscall} returned ${info.code} (${info.message}) ${info.path}`;
    if (info.dest !== undefined) msg += ` => ${info.dest}`;
    super(msg);
    this.code = code;
    this.info = info;
    this.errno = info.errno;
    this.syscall = info.syscall;
    this.path = info.path;
    if (info.dest !== undefined) this.dest = info.dest;
    Object.defineProperty(this, 'name', { value: 'SystemError', enumerable: false, writable: true, configurable: true });
  }

  override toString(): string {
    return `SystemError [${this.code}]: ${this.message}`;
  }
}

/**
 * Rethrow a VFS error as node:fs reports it for this call: Node names the syscall its own way
 * (`scandir` for readdir, `utime` for utimes, `copyfile`) and reports the paths the caller passed.
 * Anything that is not an FsError is a bug below and passes through unchanged.
 */
export function uvError(e: unknown, syscall: string, path?: string, dest?: string): unknown {
  if (!(e instanceof FsError)) return e;
  const err = new FsError(e.code, syscall, path, dest);
  // Node's errors have no `path`/`dest` key at all when there is none (fd calls).
  if (path === undefined) delete (err as { path?: string }).path;
  if (dest === undefined) delete (err as { dest?: string }).dest;
  return err;
}

/** A fresh uv-style error for a failure this layer detects itself (EISDIR from readFile on a directory). */
export function uvNew(code: FsError['code'], syscall: string, path?: string, dest?: string): FsError {
  return uvError(new FsError(code), syscall, path, dest) as FsError;
}

/** Whether an error belongs to the callback (a filesystem outcome) rather than being thrown (bad arguments). */
export function isOperationalError(e: unknown): boolean {
  return e instanceof FsError || e instanceof SystemError;
}
