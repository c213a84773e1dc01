// Wear of the PCM media: writes counted when data reaches the media (a DC CVAP write-back, an eviction,
// a non-temporal store), per 64-byte line and per 256-byte internal write unit. Optane's media writes
// 256-byte "XPLines"; a smaller write is a read-modify-write of the whole XPLine, and the DIMM's
// write-combining buffer merges adjacent writes to the same XPLine (Izraelevitz et al., arXiv:1903.05714,
// 2019, §3 and §5.2). The buffer is modelled as one entry drained by each fence: consecutive line writes
// to one XPLine between two fences count as one XPLine write (a model choice, conservative for wear).

import { invariant } from '../../sim/assert.js';

export const LINE_BYTES = 64;
/** Optane's internal write unit (Izraelevitz et al. 2019, §3: "XPLine", 256 bytes). */
export const XPLINE_BYTES = 256;
const LINES_PER_UNIT = XPLINE_BYTES / LINE_BYTES;

/** Summary of one wear array. */
export interface WearSummary {
  /** Number of lines (or units). */
  readonly cells: number;
  readonly total: number;
  readonly max: number;
  readonly mean: number;
  /** Index of the most written cell (lowest index among ties), -1 if nothing was written. */
  readonly hottest: number;
  /**
   * Log2 histogram: bucket 0 counts cells never written, bucket b ≥ 1 counts cells written
   * [2^(b-1), 2^b) times.
   */
  readonly histogram: readonly number[];
}

export interface WearReport {
  readonly lines: WearSummary;
  readonly units: WearSummary;
  /** Max writes of any line over the endurance figure: the fraction of life used by the hottest cell. */
  readonly lifeUsed: number;
  readonly enduranceWrites: number;
}

export class PcmWear {
  /** Media writes per 64-byte line. */
  readonly lineWrites: Uint32Array;
  /** Media writes (read-modify-writes) per 256-byte XPLine. */
  readonly unitWrites: Uint32Array;
  readonly enduranceWrites: number;
  /** The XPLine in the DIMM's combining buffer, -1 if none. */
  private lastUnit = -1;

  constructor(bytes: number, enduranceWrites: number) {
    invariant(bytes % XPLINE_BYTES === 0, 'PCM size is a multiple of the XPLine');
    this.lineWrites = new Uint32Array(bytes / LINE_BYTES);
    this.unitWrites = new Uint32Array(bytes / XPLINE_BYTES);
    this.enduranceWrites = enduranceWrites;
  }

  /** A 64-byte line reached the media. */
  recordLine(line: number): void {
    this.lineWrites[line]!++;
    const unit = Math.floor(line / LINES_PER_UNIT);
    if (unit !== this.lastUnit) {
      this.unitWrites[unit]!++;
      this.lastUnit = unit;
    }
  }

  /** A fence drains the combining buffer: the next write to any XPLine counts again. */
  drain(): void {
    this.lastUnit = -1;
  }

  report(): WearReport {
    const lines = summarize(this.lineWrites);
    return {
      lines,
      units: summarize(this.unitWrites),
      lifeUsed: lines.max / this.enduranceWrites,
      enduranceWrites: this.enduranceWrites,
    };
  }

  /** The n most written lines, most written first (ties: lower line first), for a wear chart or table. */
  hottestLines(n: number): { line: number; writes: number }[] {
    const out: { line: number; writes: number }[] = [];
    if (!Number.isInteger(n) || n <= 0) return out;
    for (let i = 0; i < this.lineWrites.length; i++) {
      const w = this.lineWrites[i]!;
      if (w === 0 || (out.length === n && w <= out[n - 1]!.writes)) continue;
      let k = out.length < n ? out.length : n - 1;
      out[k] = { line: i, writes: w };
      while (k > 0 && out[k - 1]!.writes < w) {
        const tmp = out[k - 1]!;
        out[k - 1] = out[k]!;
        out[k] = tmp;
        k--;
      }
    }
    return out;
  }

  reset(): void {
    this.lineWrites.fill(0);
    this.unitWrites.fill(0);
    this.lastUnit = -1;
  }
}

export function summarize(a: Uint32Array): WearSummary {
  let total = 0, max = 0, hottest = -1;
  const histogram: number[] = [0];
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    total += v;
    if (v > max) {
      max = v;
      hottest = i;
    }
    const b = v === 0 ? 0 : 32 - Math.clz32(v);
    while (histogram.length <= b) histogram.push(0);
    histogram[b]!++;
  }
  return { cells: a.length, total, max, mean: a.length === 0 ? 0 : total / a.length, hottest, histogram };
}
