// The block device's event log: every write (with a copy of its data), every completed FLUSH, and the
// caller's markers, in issue order — CrashMonkey's record of a workload's bios, from which a crash
// explorer rebuilds the device at any persistence point (crash.ts).

import { invariant } from '../../sim/assert.js';
import type { PendingWrites } from './write-cache.js';

/** Event kinds of the log. */
export const BlockEvent = {
  /** A completed write: sector, nsect, data at dataOff; flags say FUA/write-through. */
  Write: 1,
  /** A completed FLUSH: everything written before it is durable. */
  Flush: 2,
  /** A caller's marker: sector = tag. */
  Mark: 3,
} as const;
export type BlockEvent = (typeof BlockEvent)[keyof typeof BlockEvent];

/** Write flag in the trace: durable at completion, kept in crash images (native FUA). */
export const TRACE_FORCED = 1;
/** Write flag in the trace: the device has no write cache; the write went straight to the media. */
export const TRACE_THROUGH = 2;

export class BlockTrace {
  /** The durable image when the trace started. */
  readonly initial: Uint8Array;
  /** The writes still in the volatile cache when the trace started. */
  readonly initialPending: PendingWrites;
  readonly sectorSize: number;
  length = 0;
  kind: Uint8Array;
  sector: Float64Array;
  nsect: Uint32Array;
  flags: Uint8Array;
  dataOff: Float64Array;
  data: Uint8Array;
  dataLen = 0;

  constructor(initial: Uint8Array, initialPending: PendingWrites, sectorSize: number, capacity = 256) {
    this.initial = initial;
    this.initialPending = initialPending;
    this.sectorSize = sectorSize;
    this.kind = new Uint8Array(capacity);
    this.sector = new Float64Array(capacity);
    this.nsect = new Uint32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.dataOff = new Float64Array(capacity);
    this.data = new Uint8Array(1 << 16);
  }

  push(kind: BlockEvent, sector: number, nsect: number, flags: number, src: Uint8Array | null, srcOff: number): void {
    if (this.length === this.kind.length) this.growEvents();
    const i = this.length++;
    this.kind[i] = kind;
    this.sector[i] = sector;
    this.nsect[i] = nsect;
    this.flags[i] = flags;
    this.dataOff[i] = this.dataLen;
    if (src !== null) {
      const bytes = nsect * this.sectorSize;
      if (this.dataLen + bytes > this.data.length) {
        let cap = this.data.length * 2;
        while (cap < this.dataLen + bytes) cap *= 2;
        invariant(cap <= 2 ** 32, 'trace data fits an ArrayBuffer');
        const d = new Uint8Array(cap);
        d.set(this.data.subarray(0, this.dataLen));
        this.data = d;
      }
      this.data.set(src.subarray(srcOff, srcOff + bytes), this.dataLen);
      this.dataLen += bytes;
    }
  }

  /** Indices of the events of one kind (cut after a flush i at i + 1). */
  indicesOf(kind: BlockEvent): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.length; i++) if (this.kind[i] === kind) out.push(i);
    return out;
  }

  private growEvents(): void {
    const cap = this.kind.length * 2;
    const k = new Uint8Array(cap), s = new Float64Array(cap), n = new Uint32Array(cap);
    const f = new Uint8Array(cap), o = new Float64Array(cap);
    k.set(this.kind);
    s.set(this.sector);
    n.set(this.nsect);
    f.set(this.flags);
    o.set(this.dataOff);
    this.kind = k;
    this.sector = s;
    this.nsect = n;
    this.flags = f;
    this.dataOff = o;
  }
}
