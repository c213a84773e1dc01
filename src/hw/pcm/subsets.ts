// Which of n in-flight pieces (8-byte PCM stores, or block writes) a crash keeps: the subsets a crash
// explorer visits. Exhaustive when n is small (all 2^n, as CrashMonkey and Chipmunk do for small sets),
// bounded when it is not (every subset that keeps or drops at most k pieces: k = 1 is "each in-flight
// store present or absent alone"), in-order persistence (prefixes), or seeded random samples.
// A cursor fills one reused selection vector, so visiting a subset allocates nothing.

import { fsErr } from '../../sim/errno.js';
import { Prng } from '../../sim/prng.js';

/** How to choose the kept pieces. */
export type SubsetMode =
  /** Every subset (2^n); refused with E2BIG past `max` pieces (default 20, at most 30). */
  | { readonly kind: 'all'; readonly max?: number }
  /** The first i pieces in program order, i = 0..n: what a device that persists in order leaves. */
  | { readonly kind: 'prefix' }
  /** Subsets that keep at most k pieces or drop at most k pieces (k = 1: 2n + 2 states). */
  | { readonly kind: 'bounded'; readonly k: number }
  /** `all` up to `max` pieces (default 20), `bounded` with k (default 1) past it: the explorer's default. */
  | { readonly kind: 'auto'; readonly max?: number; readonly k?: number }
  /** `count` subsets, each piece kept with probability p (default 1/2), from a seeded PRNG. */
  | { readonly kind: 'sample'; readonly count: number; readonly seed: number; readonly p?: number };

/** Default cap of `all`: 2^20 images is about a second of image building. */
export const ALL_SUBSETS_DEFAULT_MAX = 20;

/**
 * Visits subsets of n pieces: `while (c.next()) use(c.sel)`. `sel[i]` is 1 when piece i is kept.
 * The order is fixed by the mode (and seed), so a run reproduces.
 */
export class SubsetCursor {
  readonly n: number;
  /** The current selection; overwritten by each next(). */
  readonly sel: Uint8Array;
  /** How many subsets the cursor visits in all. */
  readonly total: number;
  /** Subsets visited so far. */
  visited = 0;

  private readonly mode: SubsetMode;
  private readonly prng: Prng | null;
  // bounded mode: current size and combination indices
  private size = 0;
  private phase = 0; // 0: small sizes 0..k, 1: large sizes n-k..n
  private readonly idx: Int32Array;
  private fresh = true;

  constructor(n: number, mode: SubsetMode) {
    if (!Number.isInteger(n) || n < 0) throw fsErr('EINVAL', 'crash-subsets');
    if (mode.kind === 'auto') {
      const max = mode.max ?? ALL_SUBSETS_DEFAULT_MAX;
      mode = n <= max ? { kind: 'all', max } : { kind: 'bounded', k: mode.k ?? 1 };
    }
    this.n = n;
    this.mode = mode;
    this.sel = new Uint8Array(n);
    this.idx = new Int32Array(n + 1);
    this.prng = null;
    switch (mode.kind) {
      case 'all': {
        const max = mode.max ?? ALL_SUBSETS_DEFAULT_MAX;
        if (!Number.isInteger(max) || max < 0 || max > 30) throw fsErr('EINVAL', 'crash-subsets');
        if (n > max) throw fsErr('E2BIG', 'crash-subsets');
        this.total = 2 ** n;
        break;
      }
      case 'prefix':
        this.total = n + 1;
        break;
      case 'bounded': {
        const k = mode.k;
        if (!Number.isInteger(k) || k < 0) throw fsErr('EINVAL', 'crash-subsets');
        this.total = boundedTotal(n, k);
        break;
      }
      case 'sample': {
        const p = mode.p ?? 0.5;
        if (!Number.isInteger(mode.count) || mode.count < 0 || !(p >= 0 && p <= 1)) {
          throw fsErr('EINVAL', 'crash-subsets');
        }
        this.prng = new Prng(mode.seed);
        this.total = mode.count;
        break;
      }
      default:
        throw fsErr('EINVAL', 'crash-subsets');
    }
  }

  /** Move to the next subset; false when all have been visited. */
  next(): boolean {
    if (this.visited >= this.total) return false;
    const n = this.n, sel = this.sel;
    switch (this.mode.kind) {
      case 'all': {
        const c = this.visited;
        for (let i = 0; i < n; i++) sel[i] = (c >>> i) & 1;
        break;
      }
      case 'prefix': {
        const c = this.visited;
        for (let i = 0; i < n; i++) sel[i] = i < c ? 1 : 0;
        break;
      }
      case 'bounded':
        this.nextBounded(this.mode.k);
        break;
      default:
        break;
      case 'sample': {
        const p = this.mode.p ?? 0.5, prng = this.prng!;
        for (let i = 0; i < n; i++) sel[i] = prng.float() < p ? 1 : 0;
        break;
      }
    }
    this.visited++;
    return true;
  }

  // Combinations in lexicographic order, size by size: sizes 0..k keep few pieces, then sizes
  // n-k..n drop few (skipping sizes already visited when the two ranges meet).
  private nextBounded(k: number): void {
    const n = this.n, idx = this.idx;
    if (this.fresh) {
      this.fresh = false;
      this.size = 0;
      this.phase = 0;
    } else if (!advanceCombination(idx, this.size, n)) {
      // Next size.
      const lowMax = Math.min(k, n);
      const highMin = Math.max(n - k, lowMax + 1);
      if (this.phase === 0 && this.size < lowMax) this.size++;
      else if (this.phase === 0) {
        this.phase = 1;
        this.size = highMin;
      } else this.size++;
      for (let i = 0; i < this.size; i++) idx[i] = i;
    }
    this.sel.fill(0);
    for (let i = 0; i < this.size; i++) this.sel[idx[i]!] = 1;
  }
}

/** Advance idx[0..s) to the next s-combination of 0..n-1; false after the last. */
function advanceCombination(idx: Int32Array, s: number, n: number): boolean {
  let i = s - 1;
  while (i >= 0 && idx[i] === n - s + i) i--;
  if (i < 0) return false;
  idx[i]!++;
  for (let j = i + 1; j < s; j++) idx[j] = idx[j - 1]! + 1;
  return true;
}

function binomial(n: number, r: number): number {
  if (r < 0 || r > n) return 0;
  let b = 1;
  for (let i = 1; i <= r; i++) b = (b * (n - r + i)) / i;
  return Math.round(b);
}

function boundedTotal(n: number, k: number): number {
  const lowMax = Math.min(k, n);
  let t = 0;
  for (let s = 0; s <= lowMax; s++) t += binomial(n, s);
  for (let s = Math.max(n - k, lowMax + 1); s <= n; s++) t += binomial(n, s);
  return t;
}

/** What a device's crash states offer to visit their images: apply a selection, look, undo it. */
export interface CrashImages {
  readonly image: Uint8Array;
  apply(sel: Uint8Array): void;
  undo(): void;
  cursor(mode: SubsetMode): SubsetCursor;
}

/**
 * Visit the images of `mode` (PCM and block alike): fn sees the image with the subset applied (valid
 * only during the call) and the selection; returning false stops. Returns the number of images visited.
 */
export function forEachImage(
  states: CrashImages,
  mode: SubsetMode,
  fn: (image: Uint8Array, sel: Uint8Array) => boolean | void,
): number {
  const c = states.cursor(mode);
  let n = 0;
  while (c.next()) {
    states.apply(c.sel);
    let go: boolean | void;
    try {
      go = fn(states.image, c.sel);
    } finally {
      states.undo();
    }
    n++;
    if (go === false) break;
  }
  return n;
}

/**
 * Which of `count` pending pieces (PCM) or cached writes (block) a power cut keeps: the caller's
 * selection, or each kept with probability p (default 1/2) drawn from a seeded PRNG.
 */
export function powerFailSelection(
  count: number,
  choice: { readonly keep: Uint8Array } | { readonly seed: number; readonly p?: number },
  syscall: string,
): Uint8Array {
  if ('keep' in choice) {
    if (choice.keep.length < count) throw fsErr('EINVAL', syscall);
    return choice.keep;
  }
  const prng = new Prng(choice.seed), p = choice.p ?? 0.5;
  const keep = new Uint8Array(count);
  for (let i = 0; i < count; i++) keep[i] = prng.float() < p ? 1 : 0;
  return keep;
}
