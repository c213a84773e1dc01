// The lookup hot path allocates nothing (CONVENTIONS.md "Hot paths allocate nothing per call"): a stat
// of a remembered path into a caller's Stat, and a walk of 31 cached components, run with no garbage
// collection at all and a flat heap (an allocating control collects, so the check can fail).
import t from 'tap';
import { PerformanceObserver } from 'node:perf_hooks';
import { setup } from './helpers.js';

async function measure(f: () => void, n: number): Promise<{ gcs: number; growth: number }> {
  for (let i = 0; i < 20000; i++) f(); // warm up: JIT and inline caches
  const starts: number[] = [];
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) starts.push(e.startTime); });
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setImmediate(r));
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  const t1 = performance.now();
  const growth = process.memoryUsage().heapUsed - before;
  await new Promise((r) => setTimeout(r, 20)); // GC entries are delivered asynchronously
  obs.disconnect();
  // Only collections that started during the loop count (the test runner allocates around it).
  return { gcs: starts.filter((s) => s >= t0 && s <= t1).length, growth };
}

t.test('stat of cached paths into a given Stat allocates nothing', async (t) => {
  const { p } = setup();
  let deep = '';
  for (let i = 0; i < 32; i++) {
    deep += '/x' + i;
    p.mkdir(deep, 0o755);
  }
  const out = p.stat('/');
  const n = 200_000;
  const a = await measure(() => { p.stat(deep, out); }, n);
  t.equal(a.gcs, 0, `remembered 32-deep absolute path: no GC over ${n} calls`);
  // A Stat object is ~200 bytes; the bound leaves room for the JIT's own bookkeeping during the run.
  t.ok(a.growth < n * 8, `heap grew ${a.growth} bytes (under 8 a call)`);
  p.chdir('/x0');
  const rel = deep.slice('/x0/'.length);
  const b = await measure(() => { p.stat(rel, out); }, n / 3);
  t.equal(b.gcs, 0, `31-component relative walk through the dentry cache: no GC over ${n / 3} calls`);
  t.ok(b.growth < (n / 3) * 8, `heap grew ${b.growth} bytes (under 8 a call)`);
  // The results are kept (last one in `kept`) so that the optimizer cannot prove the objects dead and
  // drop the allocation (escape analysis); the control then measures what an allocating stat costs.
  let kept: unknown;
  const c = await measure(() => { kept = p.stat(rel); }, n);
  t.ok(kept, 'the control returned a Stat');
  t.ok(c.gcs > 0, `control: stat returning a new Stat object each call does collect (${c.gcs} GCs)`);
});
