// The device's volatile write cache: the writes completed since the last completed FLUSH, in issue order,
// each with a copy of its data. A power failure keeps any subset of them (NVMe Base Specification,
// "Volatile Write Cache" feature and the Flush command; T10 SBC SYNCHRONIZE CACHE: completed writes still
// in a volatile cache are lost on power loss, and the device destages them in any order). A FUA write
// (Force Unit Access) is durable when it completes; it stays
// in the list, marked forced, so that crash images re-apply it after any older cached write it overlaps.

import { invariant } from '../../sim/assert.js';

/** The write is durable at completion (native FUA): every crash image contains it. */
export const WRITE_FORCED = 1;

export class PendingWrites {
  count = 0;
  /** First sector, sector count, offset of the data in `data`, flags — per write, in issue order. */
  sector: Float64Array;
  nsect: Uint32Array;
  dataOff: Float64Array;
  flags: Uint8Array;
  /** The written data, back to back. */
  data: Uint8Array;
  dataLen = 0;

  constructor(capacity = 64, dataBytes = 1 << 16) {
    this.sector = new Float64Array(capacity);
    this.nsect = new Uint32Array(capacity);
    this.dataOff = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.data = new Uint8Array(dataBytes);
  }

  /** Record a completed write of `nsect` sectors from src[srcOff, srcOff+bytes). */
  push(sector: number, nsect: number, src: Uint8Array, srcOff: number, bytes: number, flags: number): void {
    if (this.count === this.sector.length) this.growRecords();
    if (this.dataLen + bytes > this.data.length) this.growData(this.dataLen + bytes);
    const i = this.count++;
    this.sector[i] = sector;
    this.nsect[i] = nsect;
    this.dataOff[i] = this.dataLen;
    this.flags[i] = flags;
    this.data.set(src.subarray(srcOff, srcOff + bytes), this.dataLen);
    this.dataLen += bytes;
  }

  /** True if a cached write covers `sector` (not a hot path: a scan). */
  covers(sector: number): boolean {
    for (let i = 0; i < this.count; i++) {
      if (sector >= this.sector[i]! && sector < this.sector[i]! + this.nsect[i]!) return true;
    }
    return false;
  }

  /** FLUSH completed: apply every write to `durable` in issue order and forget them. */
  applyAll(durable: Uint8Array, sectorSize: number, onApply: ((sector: number, nsect: number) => void) | null): void {
    for (let i = 0; i < this.count; i++) {
      const s = this.sector[i]!, n = this.nsect[i]!, off = this.dataOff[i]!;
      if (onApply !== null) onApply(s, n);
      durable.set(this.data.subarray(off, off + n * sectorSize), s * sectorSize);
    }
    this.clear();
  }

  clear(): void {
    this.count = 0;
    this.dataLen = 0;
  }

  clone(): PendingWrites {
    const c = new PendingWrites(Math.max(16, this.count), Math.max(4096, this.dataLen));
    c.sector.set(this.sector.subarray(0, this.count));
    c.nsect.set(this.nsect.subarray(0, this.count));
    c.dataOff.set(this.dataOff.subarray(0, this.count));
    c.flags.set(this.flags.subarray(0, this.count));
    c.data.set(this.data.subarray(0, this.dataLen));
    c.count = this.count;
    c.dataLen = this.dataLen;
    return c;
  }

  private growRecords(): void {
    const cap = this.sector.length * 2;
    const s = new Float64Array(cap), n = new Uint32Array(cap), o = new Float64Array(cap), f = new Uint8Array(cap);
    s.set(this.sector);
    n.set(this.nsect);
    o.set(this.dataOff);
    f.set(this.flags);
    this.sector = s;
    this.nsect = n;
    this.dataOff = o;
    this.flags = f;
  }

  private growData(need: number): void {
    let cap = this.data.length * 2;
    while (cap < need) cap *= 2;
    invariant(cap <= 2 ** 32, 'write cache data fits an ArrayBuffer');
    const d = new Uint8Array(cap);
    d.set(this.data.subarray(0, this.dataLen));
    this.data = d;
  }
}
