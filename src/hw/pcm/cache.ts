// The volatile CPU cache in front of persistent memory: which 64-byte lines are cached and which are
// dirty. Set-associative with seeded random replacement, so evictions (which write a dirty line back to
// the media whenever the hardware likes) happen at reproducible points. Default geometry is the Neoverse
// N1 private L2 as in AWS Graviton2 (Arm Neoverse N1 Core TRM, "L2 memory system": 256 KB to 1 MB,
// 8-way set associative, 64-byte lines); random replacement is a model choice, seeded.

import { invariant } from '../../sim/assert.js';
import { Prng } from '../../sim/prng.js';

export interface CpuCacheOptions {
  /** Number of sets (a power of two). Default 2048 (1 MiB with 8 ways of 64-byte lines). */
  sets?: number;
  /** Ways per set. Default 8. */
  ways?: number;
  /** Seed of the replacement choice. Default 1. */
  seed?: number;
  /**
   * Probability that a store's line is written back at once (pressure from other cores and the
   * prefetcher, which real caches see). Default 0: only capacity evictions.
   */
  evictProbability?: number;
}

export const NO_LINE = -1;

export class CpuCache {
  readonly sets: number;
  readonly ways: number;
  readonly evictProbability: number;
  /** Line held by each (set, way) slot, NO_LINE when empty. */
  private readonly tags: Float64Array;
  private readonly dirty: Uint8Array;
  private readonly prng: Prng;
  private readonly setMask: number;
  // Slots filled since the last invalidateAll, so that a power cycle (and a crash explorer's rollback,
  // thousands of times a second) clears what was used, not the whole 16K-slot array.
  private used: Int32Array = new Int32Array(64);
  private usedTop = 0;
  private usedOverflow = false;

  constructor(opts: CpuCacheOptions = {}) {
    this.sets = opts.sets ?? 2048;
    this.ways = opts.ways ?? 8;
    invariant(this.sets > 0 && (this.sets & (this.sets - 1)) === 0, 'cache sets are a power of two');
    invariant(Number.isInteger(this.ways) && this.ways > 0, 'cache has at least one way');
    this.evictProbability = opts.evictProbability ?? 0;
    this.setMask = this.sets - 1;
    this.tags = new Float64Array(this.sets * this.ways).fill(NO_LINE);
    this.dirty = new Uint8Array(this.sets * this.ways);
    this.prng = new Prng(opts.seed ?? 1);
  }

  get capacityLines(): number {
    return this.sets * this.ways;
  }

  /** The slot holding `line`, or -1. */
  lookup(line: number): number {
    const base = (line & this.setMask) * this.ways;
    for (let w = 0; w < this.ways; w++) if (this.tags[base + w] === line) return base + w;
    return -1;
  }

  isDirty(line: number): boolean {
    const s = this.lookup(line);
    return s >= 0 && this.dirty[s] === 1;
  }

  /**
   * Allocate `line` (not present) into its set. Returns the slot; if a dirty line had to go, it is left
   * in `victim` for the caller to write back.
   */
  victim = NO_LINE;
  insert(line: number): number {
    const base = (line & this.setMask) * this.ways;
    let slot = -1;
    for (let w = 0; w < this.ways; w++) {
      if (this.tags[base + w] === NO_LINE) {
        slot = base + w;
        break;
      }
    }
    this.victim = NO_LINE;
    if (slot >= 0) {
      // A slot can be listed twice (invalidated, then refilled); past the slot count, scan everything.
      if (this.usedTop < this.tags.length) {
        if (this.usedTop === this.used.length) {
          const u = new Int32Array(Math.min(this.used.length * 2, this.tags.length));
          u.set(this.used);
          this.used = u;
        }
        this.used[this.usedTop++] = slot;
      } else this.usedOverflow = true;
    } else {
      slot = base + this.prng.below(this.ways);
      if (this.dirty[slot] === 1) this.victim = this.tags[slot]!;
    }
    this.tags[slot] = line;
    this.dirty[slot] = 0;
    return slot;
  }

  markDirty(slot: number): void {
    this.dirty[slot] = 1;
  }

  /** DC CVAP / eviction: the line stays cached (or not) but is clean. Returns true if it was dirty. */
  clean(line: number): boolean {
    const s = this.lookup(line);
    if (s < 0 || this.dirty[s] === 0) return false;
    this.dirty[s] = 0;
    return true;
  }

  /** Drop `line` (after writing it back if dirty). */
  invalidate(line: number): void {
    const s = this.lookup(line);
    if (s >= 0) {
      this.tags[s] = NO_LINE;
      this.dirty[s] = 0;
    }
  }

  /** Seeded draw for spontaneous write-back of a just-stored line. */
  spontaneousEviction(): boolean {
    return this.evictProbability > 0 && this.prng.float() < this.evictProbability;
  }

  /** Every dirty line (ascending), e.g. for a full write-back. */
  dirtyLines(): number[] {
    const out: number[] = [];
    if (this.usedOverflow) {
      for (let s = 0; s < this.tags.length; s++) if (this.dirty[s] === 1) out.push(this.tags[s]!);
    } else {
      for (let u = 0; u < this.usedTop; u++) {
        const s = this.used[u]!;
        if (this.dirty[s] === 1) out.push(this.tags[s]!);
      }
    }
    out.sort((a, b) => a - b);
    let k = 0;
    for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[k++] = out[i]!;
    out.length = k;
    return out;
  }

  /** Power loss: the cache forgets everything. */
  invalidateAll(): void {
    if (this.usedOverflow) {
      this.tags.fill(NO_LINE);
      this.dirty.fill(0);
    } else {
      for (let u = 0; u < this.usedTop; u++) {
        const s = this.used[u]!;
        this.tags[s] = NO_LINE;
        this.dirty[s] = 0;
      }
    }
    this.usedTop = 0;
    this.usedOverflow = false;
  }
}
