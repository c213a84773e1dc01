// `vfsim bench arc`: get/put throughput of ZFS-lite's ARC against the `lru-cache` package on the same
// key stream (issue 7, "Speed": target ARC ≥ 50% of lru-cache). Each request is a get and, on a
// miss, a put — the way ZFS uses its cache. Keys follow a Zipf law (s = 0.99), the skew of block
// popularity in storage traces (Breslau et al., "Web Caching and Zipf-like Distributions", 1999).

import { LRUCache } from 'lru-cache';
import type { BenchOptions } from '../src/cli/bench.js';
import { formatCount, formatTable, withProgressBar } from './report.js';
import { Prng } from '../src/sim/prng.js';
import { Arc } from '../fs-zfs-lite/arc.js';

export interface ArcBenchResult {
  arcOpsPerSec: number;
  lruCacheOpsPerSec: number;
  /** arcOpsPerSec / lruCacheOpsPerSec. */
  ratio: number;
  arcHitRatio: number;
  lruCacheHitRatio: number;
  requests: number;
  keys: number;
  cacheEntries: number;
}

/** `n` keys drawn from Zipf(s) over [0, universe), by inverse CDF on a precomputed table. */
export function zipfStream(n: number, universe: number, s: number, seed: number): Int32Array {
  const cdf = new Float64Array(universe);
  let sum = 0;
  for (let i = 0; i < universe; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  const prng = new Prng(seed);
  // Scatter ranks over the key space so popular keys are not neighbours (hash tables would flatter).
  const perm = new Int32Array(universe);
  for (let i = 0; i < universe; i++) perm[i] = i;
  for (let i = universe - 1; i > 0; i--) {
    const j = prng.below(i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const u = prng.float() * sum;
    let lo = 0;
    let hi = universe - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[k] = perm[lo]!;
  }
  return out;
}

function timeArc(keys: Int32Array, entries: number): { ops: number; ms: number; hits: number } {
  const arc = new Arc<number>({ c: entries, initialSlots: 2 * entries + 16 });
  let ops = 0;
  let hits = 0;
  const t0 = performance.now();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    ops++;
    if (arc.get(k) !== undefined) hits++;
    else {
      arc.put(k, k, 1);
      ops++;
    }
  }
  return { ops, ms: performance.now() - t0, hits };
}

// timeArc's loop again, on purpose: one loop over both caches would make its get/put call sites
// polymorphic, and the benchmark would then time the dispatch as much as the caches.
function timeLruCache(keys: Int32Array, entries: number): { ops: number; ms: number; hits: number } {
  const lru = new LRUCache<number, number>({ max: entries });
  let ops = 0;
  let hits = 0;
  const t0 = performance.now();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    ops++;
    if (lru.get(k) !== undefined) hits++;
    else {
      lru.set(k, k);
      ops++;
    }
  }
  return { ops, ms: performance.now() - t0, hits };
}

/** Measure both on the same stream; best of `rounds` runs each, alternating so neither gets a warmer JIT. */
export function measureArc(opts: { quick: boolean; seed: number }, onRound?: (done: number, rounds: number) => void): ArcBenchResult {
  const universe = opts.quick ? 200_000 : 1_000_000;
  const requests = opts.quick ? 1_000_000 : 5_000_000;
  const entries = universe / 10;
  const rounds = opts.quick ? 3 : 5;
  const keys = zipfStream(requests, universe, 0.99, opts.seed);
  let arcBest = 0;
  let lruBest = 0;
  let arcHits = 0;
  let lruHits = 0;
  onRound?.(0, rounds);
  for (let r = 0; r < rounds; r++) {
    const a = timeArc(keys, entries);
    const l = timeLruCache(keys, entries);
    arcBest = Math.max(arcBest, (a.ops / a.ms) * 1000);
    lruBest = Math.max(lruBest, (l.ops / l.ms) * 1000);
    arcHits = a.hits;
    lruHits = l.hits;
    onRound?.(r + 1, rounds);
  }
  return {
    arcOpsPerSec: Math.round(arcBest),
    lruCacheOpsPerSec: Math.round(lruBest),
    ratio: arcBest / lruBest,
    arcHitRatio: (arcHits / requests) * 100,
    lruCacheHitRatio: (lruHits / requests) * 100,
    requests,
    keys: universe,
    cacheEntries: entries,
  };
}

export async function run(opts: BenchOptions): Promise<void> {
  const r: ArcBenchResult = withProgressBar('bench arc [{bar}] round {value}/{total}', (onStep) => measureArc(opts, onStep));
  if (opts.json) {
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  const rows = [
    ['ARC (vfsim)', formatCount(r.arcOpsPerSec), `${r.arcHitRatio.toFixed(2)}%`],
    ['lru-cache', formatCount(r.lruCacheOpsPerSec), `${r.lruCacheHitRatio.toFixed(2)}%`],
  ];
  process.stdout.write(formatTable(['', 'ops/s', 'hit ratio'], rows, ['l', 'r', 'r']) + '\n');
  process.stdout.write(
    `ARC/lru-cache throughput: ${(r.ratio * 100).toFixed(0)}% (target ≥ 50%). ${formatCount(r.requests)} requests, ` +
      `Zipf(0.99) over ${formatCount(r.keys)} keys, ${formatCount(r.cacheEntries)} entries; an op is a get or a put.\n`,
  );
}
