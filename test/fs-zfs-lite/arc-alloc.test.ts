// The hot path allocates nothing (CONVENTIONS.md "Code": ARC hit; DESIGN.md "Hot paths"): after the
// JIT has warmed up, millions of ARC hits leave the JS heap where it was and trigger no garbage
// collection, while a control loop that does allocate is seen to collect.
import t from 'tap';
import { PerformanceObserver } from 'node:perf_hooks';
import { Arc } from '../../fs-zfs-lite/arc.js';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

t.test('ARC hits do not allocate', async (t) => {
  const arc = new Arc<number>({ c: 1000 });
  for (let k = 0; k < 1000; k++) arc.put(k, k, 1);
  for (let k = 0; k < 500; k++) arc.get(k); // half in T2, half in T1: both hit paths
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  const hits = (n: number): number => {
    let h = 0;
    for (let i = 0; i < n; i++) if (arc.get((i * 7) % 1000) !== undefined) h++;
    return h;
  };
  hits(2_000_000); // warm-up: interpreted code boxes doubles; optimised code does not
  await settle();
  gcs = 0;
  const before = process.memoryUsage().heapUsed;
  t.equal(hits(5_000_000), 5_000_000);
  const grown = process.memoryUsage().heapUsed - before;
  await settle();
  t.equal(gcs, 0, 'no garbage collection during 5M hits');
  // Under 1 byte a hit (JIT and coverage bookkeeping account for the little there is); the smallest
  // heap object is 12+ bytes, so any per-hit allocation would show as 60 MB or more.
  t.ok(grown < 4 * 1024 * 1024, `heap grew ${grown} bytes over 5M hits (< 4 MiB)`);
  // Control: the method sees allocation when there is some.
  const keep: object[] = [];
  gcs = 0;
  for (let i = 0; i < 5_000_000; i++) {
    keep.push({ i });
    if (keep.length > 1000) keep.length = 0;
  }
  await settle();
  obs.disconnect();
  t.ok(gcs > 0, `the allocating control loop caused ${gcs} collections`);
});
