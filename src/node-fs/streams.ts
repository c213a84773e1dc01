// fs.ReadStream and fs.WriteStream (lib/internal/fs/streams.js): node:stream Readable/Writable whose
// I/O is the face's own synchronous calls. Options as Node's: flags, mode, fd (a number or a FileHandle),
// start/end (end inclusive), highWaterMark (64 KiB for reads), encoding, autoClose, emitClose, flush.
// Events: 'open' (fd), 'ready', then the stream's own; `bytesRead`/`bytesWritten`, `path`, `pending`.

import { Buffer } from 'node:buffer';
import { Readable, Writable } from 'node:stream';
import { getOptions, toPath, validateInteger, type BufferEncodingOrBuffer } from './args.js';
import { outOfRange } from './errors.js';

/** The calls a stream needs: the sync face. */
export interface StreamIo {
  openSync(path: unknown, flags?: unknown, mode?: unknown): number;
  closeSync(fd: unknown): void;
  readSync(fd: unknown, buffer: unknown, offset?: unknown, length?: unknown, position?: unknown): number;
  writeSync(fd: unknown, buffer: unknown, offset?: unknown, length?: unknown, position?: unknown): number;
  fsyncSync(fd: unknown): void;
}

export interface StreamOptions {
  flags?: string | number;
  encoding?: BufferEncodingOrBuffer;
  fd?: number | { fd: number };
  mode?: number;
  autoClose?: boolean;
  emitClose?: boolean;
  start?: number;
  end?: number;
  highWaterMark?: number;
  flush?: boolean;
  signal?: AbortSignal;
}

function fdOf(fd: StreamOptions['fd']): number | null {
  if (fd === undefined || fd === null) return null;
  return typeof fd === 'number' ? fd : fd.fd;
}

/** What both streams hold of their file: the descriptor, or the path and how to open it. */
interface StreamFile {
  fd: number | null;
  readonly path: string | Buffer | undefined;
  flags: string | number;
  mode: number;
  autoClose: boolean;
  emit(event: string, ...args: unknown[]): boolean;
}

/** Both streams' _construct (as Node's streams.js shares one): open the path unless given an fd. */
function openFile(s: StreamFile, io: StreamIo, cb: (err?: Error | null) => void): void {
  if (s.fd !== null) { cb(); return; }
  try {
    s.fd = io.openSync(s.path, s.flags, s.mode);
  } catch (e) {
    cb(e as Error);
    return;
  }
  s.emit('open', s.fd);
  s.emit('ready');
  cb();
}

/** Both streams' _destroy: close the descriptor when autoClose; a close error is reported if none was. */
function closeFile(s: StreamFile, io: StreamIo, err: Error | null, cb: (err?: Error | null) => void): void {
  if (s.autoClose && s.fd !== null) {
    try { io.closeSync(s.fd); } catch (e) { err ??= e as Error; }
    s.fd = null;
  }
  cb(err);
}

export class ReadStream extends Readable {
  readonly path: string | Buffer | undefined;
  fd: number | null;
  flags: string | number;
  mode: number;
  start: number | undefined;
  end: number;
  pos: number | undefined;
  bytesRead = 0;
  autoClose: boolean;
  readonly #io: StreamIo;

  constructor(io: StreamIo, path: unknown, options?: unknown) {
    const o = getOptions(options, {} as StreamOptions);
    super({
      highWaterMark: o.highWaterMark ?? 64 * 1024,
      encoding: o.encoding && o.encoding !== 'buffer' ? o.encoding : undefined,
      emitClose: o.emitClose ?? true,
      autoDestroy: true,
      signal: o.signal,
    });
    this.#io = io;
    this.fd = fdOf(o.fd);
    this.path = this.fd === null ? toPath(path) : undefined;
    this.flags = o.flags ?? 'r';
    this.mode = o.mode ?? 0o666;
    this.autoClose = o.autoClose ?? true;
    this.start = o.start;
    this.end = o.end ?? Infinity;
    if (this.start !== undefined) validateInteger(this.start, 'start', 0);
    if (o.end !== undefined) {
      validateInteger(o.end, 'end', 0);
      if (this.start !== undefined && this.start > this.end) {
        throw outOfRange('start', `<= "end" (here: ${this.end})`, this.start);
      }
    }
    this.pos = this.start;
  }

  get pending(): boolean {
    return this.fd === null;
  }

  override _construct(cb: (err?: Error | null) => void): void {
    openFile(this, this.#io, cb);
  }

  override _read(n: number): void {
    const want = this.end === Infinity ? n : Math.min(n, this.end - (this.pos ?? this.bytesRead) + 1);
    if (want <= 0) { this.push(null); return; }
    const buf = Buffer.allocUnsafe(want);
    let got: number;
    try {
      got = this.#io.readSync(this.fd, buf, 0, want, this.pos ?? null);
    } catch (e) {
      this.destroy(e as Error);
      return;
    }
    if (got === 0) { this.push(null); return; }
    if (this.pos !== undefined) this.pos += got;
    this.bytesRead += got;
    this.push(got === want ? buf : buf.subarray(0, got));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    closeFile(this, this.#io, err, cb);
  }

  close(cb?: (err?: Error | null) => void): void {
    if (cb) this.once('close', () => cb());
    this.destroy();
  }
}

export class WriteStream extends Writable {
  readonly path: string | Buffer | undefined;
  fd: number | null;
  flags: string | number;
  mode: number;
  start: number | undefined;
  pos: number | undefined;
  bytesWritten = 0;
  autoClose: boolean;
  readonly #io: StreamIo;
  readonly #flush: boolean;

  constructor(io: StreamIo, path: unknown, options?: unknown) {
    const o = getOptions(options, {} as StreamOptions);
    super({
      highWaterMark: o.highWaterMark,
      decodeStrings: true,
      defaultEncoding: o.encoding && o.encoding !== 'buffer' ? o.encoding : 'utf8',
      emitClose: o.emitClose ?? true,
      autoDestroy: true,
      signal: o.signal,
    });
    this.#io = io;
    this.fd = fdOf(o.fd);
    this.path = this.fd === null ? toPath(path) : undefined;
    this.flags = o.flags ?? 'w';
    this.mode = o.mode ?? 0o666;
    this.autoClose = o.autoClose ?? true;
    this.#flush = o.flush === true;
    this.start = o.start;
    if (this.start !== undefined) validateInteger(this.start, 'start', 0);
    this.pos = this.start;
  }

  get pending(): boolean {
    return this.fd === null;
  }

  override _construct(cb: (err?: Error | null) => void): void {
    openFile(this, this.#io, cb);
  }

  #writeBuf(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      const n = this.#io.writeSync(this.fd, chunk, off, chunk.length - off, this.pos ?? null);
      off += n;
      if (this.pos !== undefined) this.pos += n;
      this.bytesWritten += n;
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    try { this.#writeBuf(chunk); } catch (e) { cb(e as Error); return; }
    cb();
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    try { for (const c of chunks) this.#writeBuf(c.chunk); } catch (e) { cb(e as Error); return; }
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.#flush && this.fd !== null) {
      try { this.#io.fsyncSync(this.fd); } catch (e) { cb(e as Error); return; }
    }
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    closeFile(this, this.#io, err, cb);
  }

  close(cb?: (err?: Error | null) => void): void {
    if (cb) this.once('close', () => cb());
    if (!this.writableEnded) this.end();
    else this.destroy();
  }
}
