// ARC against LRU on generated request streams, the behaviours the paper claims (Megiddo & Modha,
// FAST '03): scan resistance — one-time scans and loops larger than the cache do not flush the
// frequently used pages (Sec. I-C, IV-C "scan-resistant"); no loss where recency is all there is
// (the LRU stack model, uniform IRM, shifting working sets: Sec. IV-A, ARC "never much worse than
// LRU"); better on skewed Zipf popularity (Sec. V, the traces' behaviour). c = 100 pages throughout.
import t from 'tap';
import { Arc } from '../../fs-zfs-lite/arc.js';
import { Lru } from '../../fs-zfs-lite/arc-lru.js';
import { Prng } from '../../src/sim/prng.js';

const C = 100;
const N = 100_000;

function hitRatio(cache: { get(k: number): unknown; put(k: number, v: unknown, s?: number): boolean }, keys: Int32Array): number {
  let h = 0;
  for (let i = 0; i < keys.length; i++) {
    if (cache.get(keys[i]!) !== undefined) h++;
    else cache.put(keys[i]!, 1, 1);
  }
  return (h / keys.length) * 100;
}

function both(keys: Int32Array): { lru: number; arc: number } {
  const arc = new Arc<number>({ c: C });
  const r = { lru: hitRatio(new Lru<number>({ c: C }), keys), arc: hitRatio(arc, keys) };
  arc.checkInvariants();
  return r;
}

/** A hot set of 0.6c pages, requested half the time; the other half from `other(i)`. */
function hotPlus(seed: number, other: (i: number) => number): Int32Array {
  const p = new Prng(seed);
  const out = new Int32Array(N);
  let j = 0;
  for (let i = 0; i < N; i++) out[i] = p.chance(0.5) ? p.below(0.6 * C) : other(j++);
  return out;
}

t.test('scans: a one-time sequential scan does not flush the hot set (paper: ARC is scan-resistant)', async (t) => {
  const r = both(hotPlus(1, (j) => 1_000_000 + j));
  t.ok(r.arc > r.lru + 10, `ARC ${r.arc.toFixed(2)}% vs LRU ${r.lru.toFixed(2)}%`);
  t.ok(r.arc > 45, 'ARC keeps nearly every hot-page request a hit (the ceiling is 50%)');
});

t.test('loops: a loop over 3c pages beside the hot set (paper: loops are LRU\'s worst case)', async (t) => {
  const r = both(hotPlus(2, (j) => 1_000_000 + (j % (3 * C))));
  t.ok(r.arc > r.lru + 10, `ARC ${r.arc.toFixed(2)}% vs LRU ${r.lru.toFixed(2)}%`);
});

t.test('a pure loop longer than the cache defeats both (neither policy is MIN): both 0%', async (t) => {
  const keys = new Int32Array(N);
  for (let i = 0; i < N; i++) keys[i] = i % (1.5 * C);
  const r = both(keys);
  t.equal(r.lru, 0);
  t.equal(r.arc, 0);
});

t.test('Zipf(0.9) popularity over 10c pages: ARC at least as good as LRU (frequency matters)', async (t) => {
  const p = new Prng(3);
  const universe = 10 * C;
  const cdf = new Float64Array(universe);
  let sum = 0;
  for (let i = 0; i < universe; i++) cdf[i] = sum += 1 / Math.pow(i + 1, 0.9);
  const keys = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const u = p.float() * sum;
    let lo = 0;
    let hi = universe - 1;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (cdf[m]! < u) lo = m + 1;
      else hi = m;
    }
    keys[i] = lo;
  }
  const r = both(keys);
  t.ok(r.arc > r.lru + 3, `ARC ${r.arc.toFixed(2)}% vs LRU ${r.lru.toFixed(2)}%`);
});

t.test('pure recency, the LRU stack model (geometric depths, mean 40): ARC matches LRU within 0.5 points', async (t) => {
  const p = new Prng(4);
  const stack: number[] = [];
  const keys = new Int32Array(N);
  let next = 0;
  for (let i = 0; i < N; i++) {
    const d = Math.floor(-Math.log(1 - p.float()) * 40);
    if (d < stack.length) {
      const k = stack.splice(d, 1)[0]!;
      stack.unshift(k);
      keys[i] = k;
    } else {
      stack.unshift(next);
      keys[i] = next++;
      if (stack.length > 20 * C) stack.pop();
    }
  }
  const r = both(keys);
  t.ok(Math.abs(r.arc - r.lru) < 0.5, `ARC ${r.arc.toFixed(2)}% vs LRU ${r.lru.toFixed(2)}%`);
});

t.test('uniform requests over 3c pages (no locality to exploit): ARC matches LRU within 0.5 points', async (t) => {
  const p = new Prng(5);
  const keys = new Int32Array(N);
  for (let i = 0; i < N; i++) keys[i] = p.below(3 * C);
  const r = both(keys);
  t.ok(Math.abs(r.arc - r.lru) < 0.5, `ARC ${r.arc.toFixed(2)}% vs LRU ${r.lru.toFixed(2)}%`);
  t.ok(Math.abs(r.lru - 100 / 3) < 1.5, 'LRU is near c/N = 33.3%, the IRM expectation');
});

t.test('shifting working sets (0.8c pages, a new set every 5000 requests): ARC adapts as fast as LRU', async (t) => {
  const p = new Prng(6);
  const keys = new Int32Array(N);
  for (let i = 0; i < N; i++) keys[i] = Math.floor(i / 5000) * 10_000 + p.below(0.8 * C);
  const r = both(keys);
  t.ok(r.arc > r.lru - 0.5, `ARC ${r.arc.toFixed(2)}% vs LRU ${r.lru.toFixed(2)}%`);
  t.ok(r.arc > 97, 'each set is learned within its first pass');
});

t.test('p follows the workload: it falls toward 0 on a frequency-heavy phase and rises on a recency-heavy one (paper Sec. III-B)', async (t) => {
  const arc = new Arc<number>({ c: C, pSampleEvery: 1000 });
  const p = new Prng(7);
  // Phase 1: hot set + scan (frequency wins: keep T2 big, p small).
  for (let i = 0; i < 20_000; i++) {
    const k = p.chance(0.5) ? p.below(60) : 1_000_000 + i;
    if (arc.get(k) === undefined) arc.put(k, 1, 1);
  }
  const pScan = arc.target;
  // Phase 2: a recency-friendly shifting working set twice seen (recency wins: p grows).
  for (let i = 0; i < 20_000; i++) {
    const base = 2_000_000 + Math.floor(i / 400) * 1000;
    const k = base + (i % 200) % 90;
    if (arc.get(k) === undefined) arc.put(k, 1, 1);
  }
  const hist = arc.pHistory();
  t.equal(hist.length, 40, 'one sample per 1000 requests');
  t.ok(pScan < 0.3 * C, `p after the scan phase: ${pScan.toFixed(1)}`);
  t.ok(Math.max(...hist.slice(20)) > pScan, `p rose in the second phase (max ${Math.max(...hist.slice(20)).toFixed(1)})`);
  arc.checkInvariants();
});
