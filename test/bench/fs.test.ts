// A smoke run of `vfsim bench fs` with tiny sizes: every subject runs every workload in its own child
// process, and the result has the JSON shape issue 3 specifies ("Speed" section), with a positive rate
// from every subject on every workload.

import t from 'tap';
import { collect, render, runFsBench, stepCount, type FsBenchResult } from '../../bench/fs.js';
import { runJob } from '../../bench/fs-child.js';
import type { SubjectRun } from '../../bench/fs-workloads.js';
import { checkTargets, type TargetCheck } from '../../bench/fs-targets.js';
import { SUBJECTS } from '../../bench/fs-subject.js';
import { FULL_SIZES, WORKLOADS, type FsBenchSizes } from '../../bench/fs-sizes.js';

const KiB = 1024;
const TINY: FsBenchSizes = {
  ...FULL_SIZES,
  files: 200,
  dirs: 4,
  readdirCalls: 20,
  dataBytes: 2 * 1024 * KiB,
  chunkBytes: 256 * KiB,
  randOps: 300,
  deepOps: 200,
  reps: 1,
  warmup: 1,
  minRepMs: 0,
  budgetMs: 2_000,
};

// The peers are dev dependencies and vfsim is this package: all of them must run here.
const REQUIRED = SUBJECTS;

let steps = 0;
const result: FsBenchResult = await runFsBench({ sizes: TINY, seed: 7, onStep: () => steps++ });

t.test('the --json document has issue 3\'s shape: workloads × subjects, limits, rssMiB', async (t) => {
  t.same(Object.keys(result.workloads), [...WORKLOADS], 'one entry per workload, in order');
  for (const w of WORKLOADS) {
    const row = result.workloads[w];
    t.ok(row.unit === 'ops/s' || row.unit === 'MiB/s', `${w} has a unit`);
    for (const s of SUBJECTS) t.ok(s in row, `${w} has a ${s} key`);
  }
  t.equal(result.workloads.seqWrite.unit, 'MiB/s');
  t.equal(result.workloads.randRead.unit, 'ops/s');
  t.ok(result.limits.memcpyMiBs > 0, 'memcpyMiBs measured');
  t.ok(result.limits.randCopyOpsPerSec > 0, 'randCopyOpsPerSec measured');
  t.ok(result.limits.memcpyReadMiBs > 0, 'the read shape of memcpy measured (an extra key)');
  for (const s of SUBJECTS) t.ok(s in result.rssMiB, `rssMiB has ${s}`);
  t.equal(steps, stepCount(SUBJECTS), 'the progress callback saw every step');
  // The document survives JSON (no undefined, no NaN turned into null unnoticed).
  t.same(JSON.parse(JSON.stringify(result)), result);
  // Tiny runs can fall within one scheduler tick of the thread CPU clock: a share of 0 is possible here.
  for (const s of [...SUBJECTS, 'limits'] as const) t.ok((result.notes.cpuShare[s] ?? -1) >= 0, `cpuShare of ${s}`);
  for (const w of WORKLOADS) for (const s of SUBJECTS) t.ok((result.notes.cpuRates[w][s] ?? 0) > 0, `cpu rate of ${s} ${w}`);
  t.ok(result.notes.cpuLimits.memcpyMiBs > 0 && result.notes.cpuLimits.randCopyOpsPerSec > 0, 'cpu limits');
});

t.test('every subject produced a positive rate on every workload, and an RSS figure', async (t) => {
  for (const s of REQUIRED) {
    t.notOk(result.notes.unavailable[s], `${s} is available (${result.notes.unavailable[s] ?? ''})`);
    for (const w of WORKLOADS) {
      const v = result.workloads[w][s];
      t.ok(typeof v === 'number' && v > 0, `${s} ${w} = ${v} ${result.notes.errors[w]?.[s] ?? ''}`);
    }
    t.ok((result.rssMiB[s] ?? 0) > 0, `${s} rssMiB`);
  }
  for (const w of WORKLOADS) for (const s of REQUIRED) t.notOk(result.notes.errors[w]?.[s], `${s} ${w} did not fail`);
});

t.test('the table names every workload and subject and the limits', async (t) => {
  const text = render(result);
  for (const w of WORKLOADS) t.match(text, new RegExp(`^${w}\\s`, 'm'));
  for (const s of SUBJECTS) t.match(text, s);
  t.match(text, /vfsim\/memfs/);
  t.match(text, /^limit: memcpy\s+MiB\/s\s+[\d,]+$/m);
  t.match(text, /^limit: random copy\s+ops\/s\s+[\d.]+ [kM]?$/m);
});

t.test('a subject over its time budget is cut off, footnoted, and still has a rate', async (t) => {
  // In this process (runJob, no fork): a 1 ms budget cuts off every repetition not done within it, and
  // the rate is over what finished.
  const sizes = { ...TINY, files: 2_000, dirs: 20, budgetMs: 1, reps: 3 };
  let run: SubjectRun | undefined;
  await runJob({ kind: 'subject', subject: 'memfs', sizes, seed: 7 }, (m) => {
    if (m.type === 'run') run = m.run;
  });
  t.ok(run, 'memfs ran');
  const cut = run!.results.create?.truncated;
  t.ok(cut, 'create was cut off');
  t.ok(cut!.done >= 15 && cut!.done < cut!.of, `create did ${cut!.done} of ${cut!.of}`);
  t.ok((run!.results.create?.rate ?? 0) > 0, 'a rate over what finished');
  const limits = { wall: result.limits, cpu: result.notes.cpuLimits, cpuShare: 1 };
  const r = collect({ sizes, seed: 7 }, ['memfs'], limits, { memfs: run! }, {});
  t.same(r.notes.truncated.create?.memfs, cut);
  t.match(render(r), /† memfs create: stopped at the 1 ms budget; rate over [\d,]+ of 2,000 ops/);
  t.equal(r.workloads.create.zenfs, null, 'a subject not run has null');
  t.equal(r.notes.subjects.zenfs, 'not run');
});

t.test('issue 3\'s targets are checked at their boundaries', async (t) => {
  const rates = {} as Parameters<typeof checkTargets>[0];
  const none = { vfsim: null, 'vfsim-vfs': null, memfs: null, zenfs: null, tmpfs: null };
  for (const w of WORKLOADS) rates[w] = { ...none, vfsim: 200, memfs: 100, tmpfs: 200 };
  const limits = { memcpyMiBs: 400, memcpyReadMiBs: 800, randCopyOpsPerSec: 220 };
  // dataMiB 256: the RSS bound is 1.25 × 256 + 64 = 384 MiB.
  const all = checkTargets(rates, limits, 384, 256);
  t.equal(all.length, 12, '7 metadata + 2 seq + 2 random + RSS');
  t.ok(all.every((c) => c.met), 'exactly at every boundary: met');
  const byName = (cs: TargetCheck[], w: string) => cs.find((c) => c.target.startsWith(w))!;
  rates.stat = { ...none, vfsim: 199, memfs: 100, tmpfs: 100 };
  t.notOk(byName(checkTargets(rates, limits, 384, 256), 'stat').met, 'below 2× memfs');
  rates.stat = { ...none, vfsim: 200, memfs: 100, tmpfs: 201 };
  t.notOk(byName(checkTargets(rates, limits, 384, 256), 'stat').met, 'below tmpfs');
  rates.seqRead = { ...none, vfsim: 199, memfs: 100, tmpfs: 1 };
  t.notOk(byName(checkTargets(rates, limits, 384, 256), 'seqRead').met, 'below 50% of memcpy');
  rates.randRead = { ...none, vfsim: 197, memfs: 1, tmpfs: 1 };
  t.notOk(byName(checkTargets(rates, limits, 384, 256), 'randRead').met, 'below 90% of the random copy');
  t.notOk(byName(checkTargets(rates, limits, 385, 256), 'rss').met, 'over the RSS bound');
  rates.rename = { ...none, memfs: 1, tmpfs: 1 };
  t.same(byName(checkTargets(rates, limits, null, 256), 'rename'), { target: 'rename ≥ 2× memfs and ≥ tmpfs', measured: 'not measured', met: false });
  t.ok(result.notes.targets.length === 12 && (result.notes.targetsBasis === 'wall' || result.notes.targetsBasis === 'cpu'), 'the run carries its checks');
});
