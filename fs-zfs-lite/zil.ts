// The ZFS intent log (OpenZFS zil.c, Bonwick's "ZFS: The Last Word in File Systems", §ZIL): every
// change since the last txg is also an in-memory log record (an itx); fsync writes the pending
// records to a chain of log blocks and flushes, so they are durable long before the txg commits.
// Each log block is self-checksummed and names the next block of the chain, which is chosen when it is
// written (zil_lwb_write_issue: the next block is allocated ahead); the chain's head is in the objset,
// tagged with the txg that started the chain, so a stale block from an older chain never verifies.
// Import follows the chain while blocks verify and replays the complete records in order.

import { fsErr } from '../vfs/errno.js';
import { fletcher4 } from './fletcher4.js';
import { BLOCK, ECK_OFF, ZIL_MAGIC, rd32, rd64, wr32, wr64 } from './layout.js';

/** Log block header: magic, chain txg, seq, bytes used, next block, guid (2 words). */
export const ZIL_HDR = 32;
export const ZIL_PAYLOAD = ECK_OFF - ZIL_HDR;

// Record types (TX_CREATE, TX_MKDIR, ... of zil.h).
export const TX_CREATE = 1;
export const TX_MKDIR = 2;
export const TX_SYMLINK = 3;
export const TX_LINK = 4;
export const TX_REMOVE = 5;
export const TX_RMDIR = 6;
export const TX_RENAME = 7;
export const TX_SETATTR = 8;
export const TX_WRITE = 9;
export const TX_TRUNCATE = 10;
export const TX_PUNCH = 11;

/** Setattr mask bits. */
export const SA_MODE = 1, SA_UID = 2, SA_GID = 4, SA_ATIME = 8, SA_MTIME = 16, SA_CTIME = 32;

const enc = new TextEncoder();

/** The in-memory itx list as one growing byte stream of records ([len u32][type u8][pad 3][fields]). */
export class ItxLog {
  buf = new Uint8Array(1 << 16);
  len = 0;
  /** Bytes already written to log blocks. */
  committed = 0;
  private recStart = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  begin(type: number): this {
    this.ensure(8);
    this.recStart = this.len;
    this.buf[this.len + 4] = type;
    this.len += 8;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    wr32(this.buf, this.len, v);
    this.len += 4;
    return this;
  }

  u64(v: number): this {
    this.ensure(8);
    wr64(this.buf, this.len, v);
    this.len += 8;
    return this;
  }

  str(s: string): this {
    const b = enc.encode(s);
    return this.bytes(b, 0, b.length);
  }

  bytes(b: Uint8Array, off: number, n: number): this {
    this.u32(n);
    this.ensure(n);
    this.buf.set(b.subarray(off, off + n), this.len);
    this.len += n;
    return this;
  }

  end(): void {
    wr32(this.buf, this.recStart, this.len - this.recStart);
  }

  /** Forget everything (the txg holding these changes committed). */
  reset(): void {
    this.len = 0;
    this.committed = 0;
  }
}

/** A cursor over a replayed record's fields; any overrun is a damaged record (EIO). */
export class LogReader {
  pos: number;
  private readonly dec = new TextDecoder('utf-8', { fatal: true });
  constructor(readonly b: Uint8Array, start: number, readonly end: number) {
    this.pos = start;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw fsErr('EIO', 'zil_replay');
  }
  u32(): number {
    this.need(4);
    const v = rd32(this.b, this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = rd64(this.b, this.pos);
    this.pos += 8;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.u32();
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  str(): string {
    try {
      return this.dec.decode(this.bytes());
    } catch (e) {
      throw fsErr('EIO', 'zil_replay');
    }
  }
}

/** Split a replayed stream into complete records: [start of fields, end, type]. A torn tail is dropped. */
export function* records(stream: Uint8Array, len: number): Generator<[number, number, number]> {
  let o = 0;
  while (o + 8 <= len) {
    const n = rd32(stream, o);
    if (n < 8 || o + n > len) return;
    yield [o + 8, o + n, stream[o + 4]!];
    o += n;
  }
}

export interface ZilHeader {
  head: number;
  chainTxg: number;
}

/** Encode one log block: header, payload, embedded checksum. */
export function encodeLogBlock(
  dst: Uint8Array, chainTxg: number, seq: number, next: number, guid: number,
  payload: Uint8Array, off: number, n: number,
): void {
  dst.fill(0);
  wr32(dst, 0, ZIL_MAGIC);
  wr32(dst, 4, chainTxg);
  wr32(dst, 8, seq);
  wr32(dst, 12, n);
  wr32(dst, 16, next);
  wr64(dst, 20, guid);
  dst.set(payload.subarray(off, off + n), ZIL_HDR);
  const ck = new Uint32Array(8);
  fletcher4(dst, 0, ECK_OFF, ck);
  for (let i = 0; i < 8; i++) wr32(dst, ECK_OFF + 4 * i, ck[i]!);
}

/** Check a log block read back: magic, chain, sequence, guid and checksum. Returns [used, next] or null. */
export function checkLogBlock(b: Uint8Array, chainTxg: number, seq: number, guid: number): [number, number] | null {
  if (rd32(b, 0) !== ZIL_MAGIC || rd32(b, 4) !== chainTxg || rd32(b, 8) !== seq || rd64(b, 20) !== guid) return null;
  const n = rd32(b, 12);
  if (n > ZIL_PAYLOAD) return null;
  const ck = new Uint32Array(8);
  fletcher4(b, 0, ECK_OFF, ck);
  for (let i = 0; i < 8; i++) if (ck[i] !== rd32(b, ECK_OFF + 4 * i)) return null;
  return [n, rd32(b, 16)];
}

export const LOG_BLOCK = BLOCK;
