// Reader and replayer for the block traces the ARC paper was evaluated on (Megiddo & Modha, FAST '03,
// Sec. V-A; format as distributed, data/arc/README.md): one record a line, "start count ignored reqno"
// in decimal; a record is `count` one-page requests for pages start … start+count−1. zstd-compressed
// files are decoded as a stream (fzstd) and parsed byte by byte, so no line is ever a string.

import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { Decompress } from 'fzstd';
import { FsError, fsErr } from '../vfs/errno.js';

/** Called once per trace record: pages start … start+count−1. */
export type RecordVisitor = (start: number, count: number) => void;

const ZSTD_MAGIC = 0xfd2fb528; // RFC 8878 §3.1.1, little-endian
const CHUNK = 1 << 16; // small enough for a smooth progress bar (a P trace is ~2 MB compressed)

/**
 * A push parser for the trace text. Holds its state across chunk boundaries, so a record split
 * between two decoded chunks parses like any other. Bad input is EINVAL naming the line.
 */
export class TraceParser {
  private field = 0;
  private acc = 0;
  private inNumber = false;
  private start = 0;
  private count = 0;
  /** 1-based number of the line being parsed. */
  line = 1;
  records = 0;
  requests = 0;

  constructor(private readonly visit: RecordVisitor, private readonly path = 'trace') {}

  push(buf: Uint8Array): void {
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      if (b >= 48 && b <= 57) {
        this.acc = this.acc * 10 + (b - 48);
        this.inNumber = true;
        if (this.acc > Number.MAX_SAFE_INTEGER) this.bad();
      } else if (b === 32 || b === 9 || b === 13) {
        if (this.inNumber) this.endField();
      } else if (b === 10) {
        this.endLine();
      } else {
        this.bad();
      }
    }
  }

  /** End of input: a last line without a newline still counts. */
  end(): void {
    this.endLine();
  }

  private endField(): void {
    if (this.field === 0) this.start = this.acc;
    else if (this.field === 1) this.count = this.acc;
    else if (this.field > 3) this.bad();
    this.field++;
    this.acc = 0;
    this.inNumber = false;
  }

  private endLine(): void {
    if (this.inNumber) this.endField();
    if (this.field !== 0) {
      if (this.field !== 4) this.bad();
      if (this.start + this.count > Number.MAX_SAFE_INTEGER) this.bad();
      this.records++;
      this.requests += this.count;
      this.visit(this.start, this.count);
    }
    this.field = 0;
    this.line++;
  }

  private bad(): never {
    throw fsErr('EINVAL', `trace line ${this.line}`, this.path);
  }
}

/**
 * Read a trace file (plain or zstd), calling `visit` per record and `progress(done, total)` in
 * compressed-file bytes after each chunk. Missing files are ENOENT, corrupt zstd data EIO, bad text
 * EINVAL, each an FsError naming the path.
 */
export function readTrace(path: string, visit: RecordVisitor, progress?: (done: number, total: number) => void): { records: number; requests: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw asFsError(e, path);
  }
  try {
    const total = fstatSync(fd).size;
    const parser = new TraceParser(visit, path);
    // A fresh buffer per chunk: fzstd keeps references to pushed input it has not consumed yet.
    let buf = new Uint8Array(CHUNK);
    let n = readSync(fd, buf, 0, CHUNK, null);
    const zstd = n >= 4 && (buf[0]! | (buf[1]! << 8) | (buf[2]! << 16) | (buf[3]! << 24)) >>> 0 === ZSTD_MAGIC;
    const sink = (chunk: Uint8Array): void => parser.push(chunk);
    const dec = zstd ? new Decompress(sink) : undefined;
    let done = 0;
    while (n > 0) {
      done += n;
      const last = done >= total;
      if (dec) {
        try {
          dec.push(buf.subarray(0, n), last);
        } catch (e) {
          if (e instanceof FsError) throw e;
          throw fsErr('EIO', 'zstd decode', path);
        }
      } else {
        parser.push(buf.subarray(0, n));
      }
      progress?.(done, total);
      if (last) break;
      buf = new Uint8Array(CHUNK);
      n = readSync(fd, buf, 0, CHUNK, null);
    }
    parser.end();
    return { records: parser.records, requests: parser.requests };
  } finally {
    closeSync(fd);
  }
}

function asFsError(e: unknown, path: string): FsError {
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR') return fsErr(code, 'open', path);
  return fsErr('EIO', 'open', path);
}

/** The page caches a trace can be replayed through: Arc and Lru both fit. */
export interface ReplayCache {
  get(key: number): unknown;
  put(key: number, value: unknown, size?: number): boolean;
}

export interface ReplayResult {
  requests: number;
  hits: number;
  /** hits / requests × 100, as the paper's tables print it. */
  hitRatio: number;
}

/**
 * Replay a trace through `cache`, cold start, every page a one-page request: a lookup that hits or
 * misses and then inserts the page (data/arc/README.md, "Rules the paper's numbers follow").
 */
export function replayTrace(path: string, cache: ReplayCache, progress?: (done: number, total: number) => void): ReplayResult {
  let hits = 0;
  let requests = 0;
  const visit = (start: number, count: number): void => {
    const end = start + count;
    for (let k = start; k < end; k++) {
      if (cache.get(k) !== undefined) hits++;
      else cache.put(k, 1, 1);
    }
    requests += count;
  };
  readTrace(path, visit, progress);
  return { requests, hits, hitRatio: requests === 0 ? 0 : (hits / requests) * 100 };
}

/**
 * Replay one trace through several independent caches in a single decoding pass (the paper's tables
 * replay each trace at many sizes). Each cache sees the same request sequence as `replayTrace` gives it.
 */
export function replayTraceAll(path: string, caches: readonly ReplayCache[], progress?: (done: number, total: number) => void): ReplayResult[] {
  const hits = new Float64Array(caches.length);
  let requests = 0;
  const visit = (start: number, count: number): void => {
    const end = start + count;
    for (let i = 0; i < caches.length; i++) {
      const cache = caches[i]!;
      let h = 0;
      for (let k = start; k < end; k++) {
        if (cache.get(k) !== undefined) h++;
        else cache.put(k, 1, 1);
      }
      hits[i]! += h;
    }
    requests += count;
  };
  readTrace(path, visit, progress);
  return caches.map((_, i) => ({ requests, hits: hits[i]!, hitRatio: requests === 0 ? 0 : (hits[i]! / requests) * 100 }));
}
