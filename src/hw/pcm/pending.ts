// The stores that have not yet reached the persistence domain, as 8-byte pieces in program order.
// An aligned 8-byte store is the failure-atomic unit of persistent memory (Intel, "Intel 64 and IA-32
// Architectures SDM" Vol. 3A §8.1.1 for aligned quadwords; SNIA NVM Programming Model v1.2 §10.2.1
// "atomicity of 8-byte aligned stores"), so a piece is the whole word as the cache held it after the store.
// Each piece is in one of three states, decided lazily by per-line marks so that a flush or an eviction
// costs O(1): unflushed (a crash may or may not keep it), flushed by DC CVAP but not yet fenced (likewise,
// until the next DSB makes it durable), or written back by an eviction (durable now).

import { invariant } from '../../sim/assert.js';

/** Piece flag: a non-temporal (streaming) store, which bypasses the cache and is durable at the next fence. */
export const PIECE_NT = 1;

/** A 64-byte line holds 2^3 words: a word index >> LINE_WORDS_SHIFT is its line. */
export const LINE_WORDS_SHIFT = 3;

export class PendingPieces {
  /** Number of pieces held (in program order, index 0 oldest). */
  count = 0;
  /** 8-byte word index of each piece (byte offset / 8). */
  word: Uint32Array;
  /** Low and high 32 bits of the word's value after the store (little-endian halves). */
  lo: Uint32Array;
  hi: Uint32Array;
  /** Program-order sequence number (never reused), compared with the line marks. */
  seq: Float64Array;
  flags: Uint8Array;

  private nextSeq = 0;
  /** line -> seq bound: the line's pieces with seq below it were cleaned by DC CVAP (durable at the next fence). */
  private readonly flushMark = new Map<number, number>();
  /** line -> seq bound: the line's pieces with seq below it were written back by an eviction (durable now). */
  private readonly evictMark = new Map<number, number>();

  constructor(capacity = 256) {
    this.word = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.hi = new Uint32Array(capacity);
    this.seq = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  /** Record a store of the 8-byte word `word` whose value is now (lo, hi). */
  push(word: number, lo: number, hi: number, flags: number): void {
    if (this.count === this.word.length) this.grow();
    const i = this.count++;
    this.word[i] = word;
    this.lo[i] = lo;
    this.hi[i] = hi;
    this.seq[i] = this.nextSeq++;
    this.flags[i] = flags;
  }

  /** DC CVAP on `line`: every piece of the line stored so far becomes durable at the next fence. */
  markFlushed(line: number): void {
    this.flushMark.set(line, this.nextSeq);
  }

  /** The line was written back by an eviction: its pieces stored so far are durable now. */
  markEvicted(line: number): void {
    this.evictMark.set(line, this.nextSeq);
  }

  /** True if piece i was written back by an eviction. */
  isEvicted(i: number): boolean {
    if (this.evictMark.size === 0) return false;
    const m = this.evictMark.get(this.word[i]! >>> LINE_WORDS_SHIFT);
    return m !== undefined && this.seq[i]! < m;
  }

  /** True if piece i is guaranteed durable by the next fence (flushed, non-temporal or evicted). */
  isFlushed(i: number): boolean {
    if ((this.flags[i]! & PIECE_NT) !== 0) return true;
    const line = this.word[i]! >>> LINE_WORDS_SHIFT;
    const f = this.flushMark.get(line);
    if (f !== undefined && this.seq[i]! < f) return true;
    const e = this.evictMark.get(line);
    return e !== undefined && this.seq[i]! < e;
  }

  /**
   * Apply the pieces that are durable to `durable32` (a Uint32Array over the durable image) in program
   * order and drop them: evicted ones always, flushed and non-temporal ones too when `fence` is true
   * (a DSB completed). `onApply(word)` is told of each word written (the checkpoint log uses it).
   * Returns how many pieces were applied.
   */
  settle(durable32: Uint32Array, fence: boolean, onApply: ((word: number) => void) | null): number {
    const n = this.count;
    if (n === 0 || (!fence && this.evictMark.size === 0)) {
      if (fence) this.flushMark.clear();
      return 0;
    }
    let out = 0;
    for (let i = 0; i < n; i++) {
      const durable = fence ? this.isFlushed(i) : this.isEvicted(i);
      if (durable) {
        const w = this.word[i]!;
        if (onApply !== null) onApply(w);
        durable32[2 * w] = this.lo[i]!;
        durable32[2 * w + 1] = this.hi[i]!;
      } else {
        if (out !== i) {
          this.word[out] = this.word[i]!;
          this.lo[out] = this.lo[i]!;
          this.hi[out] = this.hi[i]!;
          this.seq[out] = this.seq[i]!;
          this.flags[out] = this.flags[i]!;
        }
        out++;
      }
    }
    const applied = n - out;
    this.count = out;
    // Every piece a mark covered has been applied (evicted ones always; flushed ones on a fence).
    this.evictMark.clear();
    if (fence) this.flushMark.clear();
    return applied;
  }

  /** Forget everything (power-on: the cache is empty). */
  clear(): void {
    this.count = 0;
    this.flushMark.clear();
    this.evictMark.clear();
  }

  /** A deep copy (for checkpoints). */
  clone(): PendingPieces {
    const c = new PendingPieces(Math.max(16, this.count));
    c.copyFrom(this);
    return c;
  }

  copyFrom(o: PendingPieces): void {
    while (this.word.length < o.count) this.grow();
    this.word.set(o.word.subarray(0, o.count));
    this.lo.set(o.lo.subarray(0, o.count));
    this.hi.set(o.hi.subarray(0, o.count));
    this.seq.set(o.seq.subarray(0, o.count));
    this.flags.set(o.flags.subarray(0, o.count));
    this.count = o.count;
    this.nextSeq = o.nextSeq;
    this.flushMark.clear();
    this.evictMark.clear();
    for (const [k, v] of o.flushMark) this.flushMark.set(k, v);
    for (const [k, v] of o.evictMark) this.evictMark.set(k, v);
  }

  private grow(): void {
    const cap = this.word.length * 2;
    invariant(cap <= 2 ** 31, 'pending pieces fit a typed array');
    const w = new Uint32Array(cap), lo = new Uint32Array(cap), hi = new Uint32Array(cap);
    const sq = new Float64Array(cap), fl = new Uint8Array(cap);
    w.set(this.word);
    lo.set(this.lo);
    hi.set(this.hi);
    sq.set(this.seq);
    fl.set(this.flags);
    this.word = w;
    this.lo = lo;
    this.hi = hi;
    this.seq = sq;
    this.flags = fl;
  }
}
