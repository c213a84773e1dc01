// fs.Dir (opendir): a directory descriptor read in batches of `bufferSize` entries with getdents64, in the
// directory's own order (libuv's uv_fs_readdir does not sort, unlike scandir), '.' and '..' skipped.
// Errors follow Node 20: opendir failures carry no path; a closed Dir throws ERR_DIR_CLOSED.

import * as V from '../../vfs/constants.js';
import { encodeName, getOptions, toPath, validateBoolean, validateFunction, validateUint32, type BufferEncodingOrBuffer } from './args.js';
import { nodeError, uvError } from './errors.js';
import { Dirent, uvDirentType } from './stats.js';
import type { Ctx } from './sync.js';

export interface OpenDirOptions {
  encoding?: BufferEncodingOrBuffer;
  bufferSize?: number;
  recursive?: boolean;
}

type Entry = Dirent<string | Buffer>;
type Callback<T> = (err: Error | null, value?: T) => void;

export class Dir {
  readonly #ctx: Ctx;
  readonly #path: string;
  readonly #encoding: BufferEncodingOrBuffer;
  readonly #bufferSize: number;
  readonly #recursive: boolean;
  #fd: number;
  #dirPath: string;
  /** Subdirectories still to read when recursive (breadth first, as Node 20's Dir does). */
  #pending: string[] = [];
  #buffered: Entry[] = [];
  #closed = false;
  #eof = false;

  /** @internal — created by opendirSync. */
  constructor(ctx: Ctx, fd: number, path: string, encoding: BufferEncodingOrBuffer, bufferSize: number, recursive = false) {
    this.#ctx = ctx;
    this.#fd = fd;
    this.#path = path;
    this.#dirPath = path;
    this.#recursive = recursive;
    this.#encoding = encoding;
    this.#bufferSize = bufferSize;
  }

  get path(): string {
    return this.#path;
  }

  #checkOpen(): void {
    if (this.#closed) throw nodeError(Error, 'ERR_DIR_CLOSED', 'Directory handle was closed');
  }

  #fill(): void {
    while (this.#buffered.length === 0 && !this.#eof) {
      let batch;
      try { batch = this.#ctx.sys.getdents(this.#fd, this.#bufferSize); } catch (e) { throw uvError(e, 'scandir'); }
      if (batch.length === 0) {
        const next = this.#pending.shift();
        if (next === undefined) { this.#eof = true; break; }
        const sys = this.#ctx.sys;
        try { sys.close(this.#fd); } catch (e) { throw uvError(e, 'close'); }
        this.#fd = -1;
        try { this.#fd = sys.open(next, V.O_RDONLY | V.O_DIRECTORY, 0); } catch (e) { throw uvError(e, 'opendir'); }
        this.#dirPath = next;
        continue;
      }
      for (const d of batch) {
        if (d.name === '.' || d.name === '..') continue;
        this.#buffered.push(new Dirent(encodeName(d.name, this.#encoding), uvDirentType(d.type), this.#dirPath));
        if (this.#recursive && d.type === V.DT_DIR) this.#pending.push(`${this.#dirPath === '/' ? '' : this.#dirPath}/${d.name}`);
      }
    }
  }

  /** The next entry, or null at the end. */
  readSync(): Entry | null {
    this.#checkOpen();
    this.#fill();
    return this.#buffered.shift() ?? null;
  }

  read(): Promise<Entry | null>;
  read(cb: Callback<Entry | null>): void;
  read(cb?: Callback<Entry | null>): Promise<Entry | null> | void {
    if (cb === undefined) return new Promise((res, rej) => this.read((e, v) => (e ? rej(e) : res(v ?? null))));
    validateFunction(cb, 'callback');
    let v: Entry | null;
    try { v = this.readSync(); } catch (e) { process.nextTick(cb, e as Error); return; }
    process.nextTick(cb, null, v);
  }

  closeSync(): void {
    this.#checkOpen();
    this.#closed = true;
    if (this.#fd < 0) return;
    try { this.#ctx.sys.close(this.#fd); } catch (e) { throw uvError(e, 'close'); }
  }

  close(): Promise<void>;
  close(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): Promise<void> | void {
    if (cb === undefined) return new Promise((res, rej) => this.close((e) => (e ? rej(e) : res())));
    validateFunction(cb, 'callback');
    try { this.closeSync(); } catch (e) { process.nextTick(cb, e as Error); return; }
    process.nextTick(cb, null);
  }

  async *entries(): AsyncGenerator<Entry> {
    try {
      for (;;) {
        const e = this.readSync();
        if (e === null) break;
        yield e;
      }
    } finally {
      if (!this.#closed) this.closeSync();
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<Entry> {
    return this.entries();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#closed) this.closeSync();
  }
}

export function makeDir(ctx: Ctx) {
  return {
    /** `withPath` (internal, for the callback and promise forms): Node's async opendir errors carry the path. */
    opendirSync(path: unknown, options?: unknown, withPath = false): Dir {
      const p = toPath(path);
      const o = getOptions(options, { encoding: 'utf8', bufferSize: 32 } as OpenDirOptions);
      const bufferSize = o.bufferSize ?? 32;
      validateUint32(bufferSize, 'options.bufferSize', true);
      if (o.recursive !== undefined) validateBoolean(o.recursive, 'options.recursive');
      let fd: number;
      try { fd = ctx.sys.open(p, V.O_RDONLY | V.O_DIRECTORY, 0); } catch (e) { throw uvError(e, 'opendir', withPath ? p : undefined); }
      return new Dir(ctx, fd, p, o.encoding ?? 'utf8', bufferSize, o.recursive === true);
    },
  };
}
