// fs.promises and FileHandle, wrapping the sync core in async functions: every failure, a bad argument
// included, becomes a rejection, as with Node's promise API. A FileHandle owns its descriptor; after
// close() its fd is -1 and calls reject with EBADF (Node: `EBADF: bad file descriptor, <call>`).

import { Buffer } from 'node:buffer';
import { getOptions, validateBuffer, type BufferEncodingOrBuffer } from './args.js';
import { constants } from './constants.js';
import { ReadStream, WriteStream } from './streams.js';
import type { SyncFs } from './face.js';
import type { BigIntStats, Stats } from './stats.js';

export class FileHandle {
  readonly #fs: SyncFs;
  #fd: number;

  /** @internal — created by promises.open. */
  constructor(fs: SyncFs, fd: number) {
    this.#fs = fs;
    this.#fd = fd;
  }

  get fd(): number {
    return this.#fd;
  }

  /** The fd, or Node's error for a closed handle: `file closed`, code EBADF, syscall the call's name, no errno. */
  #live(call: string): number {
    if (this.#fd < 0) throw Object.assign(new Error('file closed'), { code: 'EBADF', syscall: call });
    return this.#fd;
  }

  async appendFile(data: unknown, options?: unknown): Promise<void> {
    this.#fs.writeFileSync(this.#live('writeFile'), data, options);
  }
  async chmod(mode: unknown): Promise<void> { this.#fs.fchmodSync(this.#live('fchmod'), mode); }
  async chown(uid: unknown, gid: unknown): Promise<void> { this.#fs.fchownSync(this.#live('fchown'), uid, gid); }
  async datasync(): Promise<void> { this.#fs.fdatasyncSync(this.#live('fdatasync')); }
  async sync(): Promise<void> { this.#fs.fsyncSync(this.#live('fsync')); }
  async stat(options?: { bigint?: boolean }): Promise<Stats | BigIntStats> { return this.#fs.fstatSync(this.#live('fstat'), options); }
  async truncate(len?: number): Promise<void> { this.#fs.ftruncateSync(this.#live('ftruncate'), len ?? 0); }
  async utimes(atime: unknown, mtime: unknown): Promise<void> { this.#fs.futimesSync(this.#live('futimes'), atime, mtime); }

  /** read(buffer, offset?, length?, position?) | read({buffer, offset, length, position}) | read(buffer, options). */
  async read(bufOrOpts?: unknown, offset?: unknown, length?: unknown, position?: unknown): Promise<{ bytesRead: number; buffer: ArrayBufferView }> {
    const fd = this.#live('read');
    let buffer: unknown = bufOrOpts;
    if (!ArrayBuffer.isView(bufOrOpts)) {
      const o = (bufOrOpts ?? {}) as { buffer?: unknown; offset?: unknown; length?: unknown; position?: unknown };
      buffer = o.buffer ?? Buffer.alloc(16384);
      validateBuffer(buffer);
      offset = o.offset ?? 0;
      length = o.length ?? buffer.byteLength - (offset as number);
      position = o.position ?? null;
    } else if (typeof offset === 'object' && offset !== null) {
      const o = offset as { offset?: unknown; length?: unknown; position?: unknown };
      offset = o.offset ?? 0;
      length = o.length ?? bufOrOpts.byteLength - (offset as number);
      position = o.position ?? null;
    }
    validateBuffer(buffer);
    if (offset === undefined) offset = 0;
    if (length === undefined) length = buffer.byteLength - (offset as number);
    const bytesRead = this.#fs.readSync(fd, buffer, offset, length, position ?? null);
    return { bytesRead, buffer };
  }

  async readv(buffers: unknown, position?: unknown): Promise<{ bytesRead: number; buffers: unknown }> {
    return { bytesRead: this.#fs.readvSync(this.#live('readv'), buffers, position), buffers };
  }

  async readFile(options?: unknown): Promise<string | Buffer> {
    const o = getOptions(options, {} as { encoding?: BufferEncodingOrBuffer });
    const buf = this.#fs.readFileSync(this.#live('readFile')) as Buffer;
    return o.encoding && o.encoding !== 'buffer' ? buf.toString(o.encoding) : buf;
  }

  /** write(buffer, offset?, length?, position?) | write(string, position?, encoding?) → {bytesWritten, buffer}. */
  async write(data: unknown, a?: unknown, b?: unknown, c?: unknown): Promise<{ bytesWritten: number; buffer: unknown }> {
    const fd = this.#live('write');
    const bytesWritten = ArrayBuffer.isView(data) && a === undefined
      ? this.#fs.writeSync(fd, data)
      : this.#fs.writeSync(fd, data, a, b, c);
    return { bytesWritten, buffer: data };
  }

  async writev(buffers: unknown, position?: unknown): Promise<{ bytesWritten: number; buffers: unknown }> {
    return { bytesWritten: this.#fs.writevSync(this.#live('writev'), buffers, position), buffers };
  }

  async writeFile(data: unknown, options?: unknown): Promise<void> {
    this.#fs.writeFileSync(this.#live('writeFile'), data, options);
  }

  createReadStream(options?: object): ReadStream {
    return this.#fs.createReadStream(undefined, { ...options, fd: this });
  }

  createWriteStream(options?: object): WriteStream {
    return this.#fs.createWriteStream(undefined, { ...options, fd: this });
  }

  async close(): Promise<void> {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    this.#fs.closeSync(fd);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

type AnyFn = (...a: never[]) => unknown;
const asyncOf = <F extends AnyFn>(f: F) =>
  async (...args: Parameters<F>): Promise<ReturnType<F>> => f(...args) as ReturnType<F>;

/** The data argument of promises.writeFile may be a FileHandle target. */
function target(p: unknown): unknown {
  return p instanceof FileHandle ? p.fd : p;
}

export function makePromises(s: SyncFs) {
  return {
    constants,
    access: asyncOf(s.accessSync),
    appendFile: async (path: unknown, data: unknown, options?: unknown) => s.appendFileSync(target(path), data, options),
    chmod: asyncOf(s.chmodSync),
    chown: asyncOf(s.chownSync),
    copyFile: asyncOf(s.copyFileSync),
    cp: asyncOf(s.cpSync),
    lchown: asyncOf(s.lchownSync),
    link: asyncOf(s.linkSync),
    lstat: asyncOf(s.lstatSync),
    lutimes: asyncOf(s.lutimesSync),
    mkdir: asyncOf(s.mkdirSync),
    mkdtemp: async (prefix: unknown, options?: unknown) => s.mkdtempSync(prefix, options, true),
    open: async (path: unknown, flags?: unknown, mode?: unknown) => new FileHandle(s, s.openSync(path, flags, mode)),
    opendir: async (path: unknown, options?: unknown) => s.opendirSync(path, options, true),
    readdir: asyncOf(s.readdirSync),
    readFile: async (path: unknown, options?: unknown) => s.readFileSync(target(path), options),
    readlink: asyncOf(s.readlinkSync),
    // fs/promises' realpath is the native one (realpath(3): one syscall name, the whole path).
    realpath: asyncOf(s.realpathSync.native),
    rename: asyncOf(s.renameSync),
    rm: asyncOf(s.rmSync),
    rmdir: asyncOf(s.rmdirSync),
    stat: asyncOf(s.statSync),
    statfs: asyncOf(s.statfsSync),
    symlink: asyncOf(s.symlinkSync),
    truncate: asyncOf(s.truncateSync),
    unlink: asyncOf(s.unlinkSync),
    utimes: asyncOf(s.utimesSync),
    writeFile: async (path: unknown, data: unknown, options?: unknown) => s.writeFileSync(target(path), data, options),
  };
}
