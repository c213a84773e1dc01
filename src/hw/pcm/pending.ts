// The stores that have not yet reached the persistence domain, as 8-byte pieces in program order.
// An aligned 8-byte store is the failure-atomic unit of persistent memory (Intel SDM Vol. 3A "Guaranteed
// Atomic Operations" for aligned quadwords; SNIA NVM Programming Model v1.2, atomicity of aligned 8-byte
// stores), so a piece is the whole word as the cache held it after the store. Each piece is in one of
// three states, decided lazily by per-line marks so that a flush or an eviction costs O(1): unflushed (a
// crash may or may not keep it), flushed by DC CVAP but not yet fenced (likewise, until the next DSB
// makes it durable), or written back by an eviction (durable now).

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
  /** The word's value after the store: val[2i] bits 31:0, val[2i+1] bits 63:32. */
  val: Uint32Array;
  /** Program-order sequence number (never reused), compared with the line marks. */
  seq: Float64Array;
  flags: Uint8Array;

  private nextSeq = 0;
  // Per line, a mark m ≠ 0 means: the line's pieces with seq < markBase + m - 1 were cleaned by DC CVAP
  // (durable at the next fence) / written back by an eviction (durable now). Marks are cleared sparsely
  // through the touched lists, and markBase moves up when none is set, so marks fit 32 bits.
  private readonly flushMark: Uint32Array;
  private readonly evictMark: Uint32Array;
  private flushTouched: Int32Array;
  private flushTop = 0;
  private evictTouched: Int32Array;
  private evictTop = 0;
  private markBase = 0;

  /** `lines`: the number of 64-byte lines of the device. */
  constructor(lines: number, capacity = 256) {
    this.word = new Uint32Array(capacity);
    this.val = new Uint32Array(2 * capacity);
    this.seq = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.flushMark = new Uint32Array(lines);
    this.evictMark = new Uint32Array(lines);
    this.flushTouched = new Int32Array(64);
    this.evictTouched = new Int32Array(64);
  }

  get lines(): number {
    return this.flushMark.length;
  }

  /** Record stores of words w0..w1 (one line at most is typical) whose values are now in src32. */
  pushWords(w0: number, w1: number, src32: Uint32Array, flags: number): void {
    const n = w1 - w0 + 1;
    while (this.count + n > this.word.length) this.grow();
    const c = this.count, word = this.word, val = this.val, seq = this.seq, fl = this.flags;
    let sq = this.nextSeq;
    // A loop, not subarray + set: a view per line costs more than copying 8 words.
    for (let k = 0; k < n; k++) {
      const i = c + k, w = w0 + k;
      word[i] = w;
      val[2 * i] = src32[2 * w]!;
      val[2 * i + 1] = src32[2 * w + 1]!;
      seq[i] = sq++;
      fl[i] = flags;
    }
    this.nextSeq = sq;
    this.count = c + n;
  }

  /** Record one store of `word` whose value is now (lo, hi). */
  push(word: number, lo: number, hi: number, flags: number): void {
    if (this.count === this.word.length) this.grow();
    const i = this.count++;
    this.word[i] = word;
    this.val[2 * i] = lo;
    this.val[2 * i + 1] = hi;
    this.seq[i] = this.nextSeq++;
    this.flags[i] = flags;
  }

  /** DC CVAP on `line`: every piece of the line stored so far becomes durable at the next fence. */
  markFlushed(line: number): void {
    if (this.flushMark[line] === 0) {
      if (this.flushTop === this.flushTouched.length) this.flushTouched = growInt32(this.flushTouched);
      this.flushTouched[this.flushTop++] = line;
    }
    this.flushMark[line] = this.relMark();
  }

  /** The line was written back by an eviction: its pieces stored so far are durable now. */
  markEvicted(line: number): void {
    if (this.evictMark[line] === 0) {
      if (this.evictTop === this.evictTouched.length) this.evictTouched = growInt32(this.evictTouched);
      this.evictTouched[this.evictTop++] = line;
    }
    this.evictMark[line] = this.relMark();
  }

  /** True if piece i was written back by an eviction. */
  isEvicted(i: number): boolean {
    const m = this.evictMark[this.word[i]! >>> LINE_WORDS_SHIFT]!;
    return m !== 0 && this.seq[i]! - this.markBase + 1 < m;
  }

  /** True if piece i is guaranteed durable by the next fence (flushed, non-temporal or evicted). */
  isFlushed(i: number): boolean {
    if ((this.flags[i]! & PIECE_NT) !== 0) return true;
    const line = this.word[i]! >>> LINE_WORDS_SHIFT, rel = this.seq[i]! - this.markBase + 1;
    const f = this.flushMark[line]!, e = this.evictMark[line]!;
    return (f !== 0 && rel < f) || (e !== 0 && rel < e);
  }

  /**
   * Apply the pieces that are durable to `durable32` (a Uint32Array over the durable image) in program
   * order and drop them: evicted ones always, flushed and non-temporal ones too when `fence` is true
   * (a DSB completed). `onApply(word)` is told of each word written (the checkpoint log uses it).
   * Returns how many pieces were applied.
   */
  settle(durable32: Uint32Array, fence: boolean, onApply: ((word: number) => void) | null): number {
    const n = this.count;
    let out = 0;
    if (n > 0 && (fence || this.evictTop > 0)) {
      const word = this.word, val = this.val, seq = this.seq, flags = this.flags;
      const fm = this.flushMark, em = this.evictMark, base = this.markBase - 1;
      for (let i = 0; i < n; i++) {
        const w = word[i]!, line = w >>> LINE_WORDS_SHIFT, rel = seq[i]! - base;
        const e = em[line]!;
        let durable = e !== 0 && rel < e;
        if (!durable && fence) {
          const f = fm[line]!;
          durable = (flags[i]! & PIECE_NT) !== 0 || (f !== 0 && rel < f);
        }
        if (durable) {
          if (onApply !== null) onApply(w);
          durable32[2 * w] = val[2 * i]!;
          durable32[2 * w + 1] = val[2 * i + 1]!;
        } else {
          if (out !== i) {
            word[out] = w;
            val[2 * out] = val[2 * i]!;
            val[2 * out + 1] = val[2 * i + 1]!;
            seq[out] = seq[i]!;
            flags[out] = flags[i]!;
          }
          out++;
        }
      }
      this.count = out;
    } else {
      out = n;
    }
    // Every piece a mark covered has been applied (evicted ones always; flushed ones on a fence).
    this.clearMarks(fence);
    return n - out;
  }

  /** Forget everything (power-on: the cache is empty). */
  clear(): void {
    this.count = 0;
    this.clearMarks(true);
  }

  /** A deep copy (trace start, checkpoints). */
  clone(): PendingPieces {
    const c = new PendingPieces(this.lines, Math.max(16, this.count));
    c.word.set(this.word.subarray(0, this.count));
    c.val.set(this.val.subarray(0, 2 * this.count));
    c.seq.set(this.seq.subarray(0, this.count));
    c.flags.set(this.flags.subarray(0, this.count));
    c.count = this.count;
    c.nextSeq = this.nextSeq;
    c.markBase = this.markBase;
    for (let t = 0; t < this.flushTop; t++) c.markFlushedRaw(this.flushTouched[t]!, this.flushMark[this.flushTouched[t]!]!);
    for (let t = 0; t < this.evictTop; t++) c.markEvictedRaw(this.evictTouched[t]!, this.evictMark[this.evictTouched[t]!]!);
    return c;
  }

  private markFlushedRaw(line: number, m: number): void {
    if (this.flushTop === this.flushTouched.length) this.flushTouched = growInt32(this.flushTouched);
    this.flushTouched[this.flushTop++] = line;
    this.flushMark[line] = m;
  }

  private markEvictedRaw(line: number, m: number): void {
    if (this.evictTop === this.evictTouched.length) this.evictTouched = growInt32(this.evictTouched);
    this.evictTouched[this.evictTop++] = line;
    this.evictMark[line] = m;
  }

  private relMark(): number {
    const m = this.nextSeq - this.markBase + 1;
    invariant(m < 2 ** 32, 'fewer than 2^32 stores between fences');
    return m;
  }

  private clearMarks(flushToo: boolean): void {
    for (let t = 0; t < this.evictTop; t++) this.evictMark[this.evictTouched[t]!] = 0;
    this.evictTop = 0;
    if (flushToo) {
      for (let t = 0; t < this.flushTop; t++) this.flushMark[this.flushTouched[t]!] = 0;
      this.flushTop = 0;
    }
    if (this.flushTop === 0) this.markBase = this.nextSeq;
  }

  private grow(): void {
    const cap = this.word.length * 2;
    invariant(cap <= 2 ** 30, 'pending pieces fit a typed array');
    const w = new Uint32Array(cap), v = new Uint32Array(2 * cap), sq = new Float64Array(cap), fl = new Uint8Array(cap);
    w.set(this.word);
    v.set(this.val);
    sq.set(this.seq);
    fl.set(this.flags);
    this.word = w;
    this.val = v;
    this.seq = sq;
    this.flags = fl;
  }
}

function growInt32(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
