// The PCM event log: every 8-byte store piece, effective flush, eviction write-back and fence, in
// program order, plus markers the caller drops (a syscall's start and end). A crash explorer replays it
// (crash.ts) and cuts it anywhere: at every fence, or at every store inside a call. It is the record
// Yat, Chipmunk and Vinter take of persistent-memory traffic, kept in typed arrays.

import { invariant } from '../../sim/assert.js';
import type { PendingPieces } from './pending.js';

/** Event kinds of the log. */
export const PcmEvent = {
  /** A cached store: a = word index, val = the word's value after it. */
  Store: 1,
  /** A non-temporal store: as Store, durable at the next fence. */
  NtStore: 2,
  /** DC CVAP on a dirty line: a = line. */
  Flush: 3,
  /** A dirty line written back by an eviction (durable now): a = line. */
  Evict: 4,
  /** DSB: flushed and non-temporal pieces are durable. */
  Fence: 5,
  /** A caller's marker: a = tag. */
  Mark: 6,
  /** DC CVAP on a line with nothing to write back (a redundant flush, for analyses): a = line. */
  FlushClean: 7,
} as const;
export type PcmEvent = (typeof PcmEvent)[keyof typeof PcmEvent];

export class PcmTrace {
  /** The durable image when the trace started. */
  readonly initial: Uint8Array;
  /** The stores still in flight when the trace started (usually none). */
  readonly initialPending: PendingPieces;
  length = 0;
  kind: Uint8Array;
  /** Word index (stores), line (flush, evict) or tag (mark). */
  a: Float64Array;
  /** A store's value: val[2i] bits 31:0, val[2i+1] bits 63:32. */
  val: Uint32Array;

  constructor(initial: Uint8Array, initialPending: PendingPieces, capacity = 1024) {
    this.initial = initial;
    this.initialPending = initialPending;
    this.kind = new Uint8Array(capacity);
    this.a = new Float64Array(capacity);
    this.val = new Uint32Array(2 * capacity);
  }

  /** An event without a value (flush, evict, fence, mark). */
  push(kind: PcmEvent, a: number): void {
    if (this.length === this.kind.length) this.grow();
    const i = this.length++;
    this.kind[i] = kind;
    this.a[i] = a;
    this.val[2 * i] = 0;
    this.val[2 * i + 1] = 0;
  }

  /** Stores of words w0..w1, whose values are now in src32. */
  pushWords(kind: PcmEvent, w0: number, w1: number, src32: Uint32Array): void {
    const n = w1 - w0 + 1;
    while (this.length + n > this.kind.length) this.grow();
    const c = this.length, kd = this.kind, a = this.a, val = this.val;
    for (let k = 0; k < n; k++) {
      const i = c + k, w = w0 + k;
      kd[i] = kind;
      a[i] = w;
      val[2 * i] = src32[2 * w]!;
      val[2 * i + 1] = src32[2 * w + 1]!;
    }
    this.length = c + n;
  }

  /** Indices i such that event i is of `kind` (e.g. every fence, to cut after it: cut = i + 1). */
  indicesOf(kind: PcmEvent): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.length; i++) if (this.kind[i] === kind) out.push(i);
    return out;
  }

  /** Counts by kind. */
  summary(): {
    stores: number; ntStores: number; flushes: number; cleanFlushes: number; evictions: number; fences: number; marks: number;
  } {
    let stores = 0, ntStores = 0, flushes = 0, cleanFlushes = 0, evictions = 0, fences = 0, marks = 0;
    for (let i = 0; i < this.length; i++) {
      switch (this.kind[i]) {
        case PcmEvent.Store: stores++; break;
        case PcmEvent.NtStore: ntStores++; break;
        case PcmEvent.Flush: flushes++; break;
        case PcmEvent.Evict: evictions++; break;
        case PcmEvent.Fence: fences++; break;
        case PcmEvent.Mark: marks++; break;
        case PcmEvent.FlushClean: cleanFlushes++; break;
      }
    }
    return { stores, ntStores, flushes, cleanFlushes, evictions, fences, marks };
  }

  private grow(): void {
    const cap = this.kind.length * 2;
    invariant(cap <= 2 ** 31, 'trace fits a typed array');
    const k = new Uint8Array(cap), a = new Float64Array(cap), v = new Uint32Array(2 * cap);
    k.set(this.kind);
    a.set(this.a);
    v.set(this.val);
    this.kind = k;
    this.a = a;
    this.val = v;
  }
}
