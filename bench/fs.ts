// `vfsim bench fs`: the filesystem benchmark of issue 3. The same workloads on vfsim (through createFs()
// and through the VFS syscalls), memfs, ZenFS and node:fs on Linux tmpfs, next to the raw-copy limits,
// each subject in a fresh child process, one after another (never two at once: they would share cores).

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from '../src/cli/bench.js';
import type { ChildJob, ChildMessage } from './fs-child.js';
import type { Limits, MeasuredLimits } from './fs-limits.js';
import { threadCpuSource } from './cpu-clock.js';
import { checkTargets, type TargetCheck } from './fs-targets.js';
import { SUBJECTS, type SubjectName } from './fs-subject.js';
import { FULL_SIZES, LIMIT_OF, QUICK_SIZES, UNIT, WORKLOADS, type FsBenchSizes, type Unit, type Workload } from './fs-sizes.js';
import type { SubjectRun } from './fs-workloads.js';
import { formatBytes, formatCount, formatPercent, formatRate, formatRatio, formatTable, startProgress, type Align } from './report.js';

export type WorkloadRow = { unit: Unit } & Record<SubjectName, number | null>;

/** The `--json` document: issue 3's shape, plus `notes` on how each figure came about. */
export interface FsBenchResult {
  workloads: Record<Workload, WorkloadRow>;
  limits: Limits;
  rssMiB: Record<SubjectName, number | null>;
  notes: {
    sizes: FsBenchSizes;
    seed: number;
    subjects: Record<SubjectName, string>;
    unavailable: Partial<Record<SubjectName, string>>;
    /** Workloads a subject did not finish within budgetMs: the rate is over `done` of `of`. */
    truncated: Partial<Record<Workload, Partial<Record<SubjectName, { done: number; of: number }>>>>;
    errors: Partial<Record<Workload, Partial<Record<SubjectName, string>>>>;
    reps: Partial<Record<Workload, Partial<Record<SubjectName, number>>>>;
    rssBaselineMiB: Partial<Record<SubjectName, number>>;
    /** CPU time the benchmark thread got over wall time (see SubjectRun.cpuShare). */
    cpuShare: Partial<Record<SubjectName | 'limits', number>>;
    /** The same rates per second of the benchmark thread's CPU time, and the limits likewise. */
    cpuRates: Record<Workload, Record<SubjectName, number | null>>;
    cpuLimits: Limits;
    cpuClock: string;
    /**
     * Issue 3's targets for vfsim through createFs(), on the rates of `targetsBasis`: wall time on a quiet
     * machine, CPU time when a subject's thread got less than BUSY_SHARE of a CPU.
     */
    targets: TargetCheck[];
    targetsBasis: 'wall' | 'cpu';
    method: string;
  };
}

export interface FsBenchConfig {
  sizes: FsBenchSizes;
  seed: number;
  subjects?: readonly SubjectName[];
  /** Called once per finished step (a workload of a subject, or the limits). */
  onStep?: (label: string) => void;
}

/** Below this CPU share a subject's figures are flagged as taken on a busy machine. */
const BUSY_SHARE = 0.85;

const METHOD =
  'Each subject runs alone in a fresh child process (node --expose-gc), in the order of the columns, ' +
  'after the raw-copy limits in a child of their own. Rates are the median of the measured repetitions ' +
  'after one warm-up; a non-destructive repetition repeats its pass until minRepMs has passed. A ' +
  'repetition is cut off at budgetMs and the rate is over what finished (truncated). rssMiB is ' +
  'process.memoryUsage().rss of the subject\'s process after a full GC, right after seqWrite, with the ' +
  'big file in place; tmpfs keeps its data in the kernel page cache, outside the process, so its rssMiB ' +
  'is the process alone. Paths on tmpfs are below a fresh directory, so they have that prefix in front.';

/** Steps a run reports through onStep: every workload of every subject, plus the limits. */
export function stepCount(subjects: readonly SubjectName[]): number {
  return subjects.length * WORKLOADS.length + 1;
}

export async function runFsBench(cfg: FsBenchConfig): Promise<FsBenchResult> {
  const subjects = cfg.subjects ?? SUBJECTS;
  const onStep = cfg.onStep ?? (() => {});
  let limits: MeasuredLimits | undefined;
  await runChild({ kind: 'limits', sizes: cfg.sizes, seed: cfg.seed }, (m) => {
    if (m.type === 'step') onStep('limits');
    if (m.type === 'limits') limits = m.limits;
  });
  if (!limits) throw new Error('the limits child reported nothing');

  const runs: Partial<Record<SubjectName, SubjectRun>> = {};
  const unavailable: Partial<Record<SubjectName, string>> = {};
  for (const subject of subjects) {
    let steps = 0;
    await runChild({ kind: 'subject', subject, sizes: cfg.sizes, seed: cfg.seed }, (m) => {
      if (m.type === 'step') {
        steps++;
        onStep(`${subject} ${m.workload}`);
      }
      if (m.type === 'run') runs[subject] = m.run;
      if (m.type === 'unavailable') unavailable[subject] = m.reason;
    });
    for (; steps < WORKLOADS.length; steps++) onStep(`${subject} (${unavailable[subject] ? 'unavailable' : 'failed'})`);
    if (!runs[subject] && !unavailable[subject]) throw new Error(`${subject}: the child reported nothing`);
  }
  return collect(cfg, subjects, limits, runs, unavailable);
}

/** Folds the children's reports into the --json document (exported for tests that run a job in-process). */
export function collect(
  cfg: FsBenchConfig,
  subjects: readonly SubjectName[],
  limits: MeasuredLimits,
  runs: Partial<Record<SubjectName, SubjectRun>>,
  unavailable: Partial<Record<SubjectName, string>>,
): FsBenchResult {
  const workloads = {} as Record<Workload, WorkloadRow>;
  const notes: FsBenchResult['notes'] = {
    sizes: cfg.sizes,
    seed: cfg.seed,
    subjects: {} as Record<SubjectName, string>,
    unavailable,
    truncated: {},
    errors: {},
    reps: {},
    rssBaselineMiB: {},
    cpuShare: { limits: Math.round(limits.cpuShare * 100) / 100 },
    cpuRates: {} as Record<Workload, Record<SubjectName, number | null>>,
    cpuLimits: roundLimits(limits.cpu),
    cpuClock: threadCpuSource,
    targets: [],
    targetsBasis: 'wall',
    method: METHOD,
  };
  const rssMiB = {} as Record<SubjectName, number | null>;
  for (const w of WORKLOADS) {
    const row = { unit: UNIT[w] } as WorkloadRow;
    const cpuRow = {} as Record<SubjectName, number | null>;
    for (const s of SUBJECTS) {
      const m = runs[s]?.results[w];
      row[s] = m ? round(m.rate, UNIT[w]) : null;
      cpuRow[s] = m ? round(m.cpuRate, UNIT[w]) : null;
      if (m?.truncated) (notes.truncated[w] ??= {})[s] = m.truncated;
      if (m) (notes.reps[w] ??= {})[s] = m.reps;
      const err = runs[s]?.errors[w];
      if (err) (notes.errors[w] ??= {})[s] = err;
    }
    workloads[w] = row;
    notes.cpuRates[w] = cpuRow;
  }
  for (const s of SUBJECTS) {
    const r = runs[s];
    notes.subjects[s] = r ? r.what : !subjects.includes(s) ? 'not run' : `unavailable: ${unavailable[s]}`;
    rssMiB[s] = r?.rssMiB == null ? null : Math.round(r.rssMiB);
    if (r) notes.rssBaselineMiB[s] = Math.round(r.rssBaselineMiB);
    if (r) notes.cpuShare[s] = Math.round(r.cpuShare * 100) / 100;
  }
  const busy = Object.values(notes.cpuShare).some((v) => v < BUSY_SHARE);
  notes.targetsBasis = busy ? 'cpu' : 'wall';
  const wallRates = {} as Record<Workload, Record<SubjectName, number | null>>;
  for (const w of WORKLOADS) wallRates[w] = workloads[w];
  notes.targets = checkTargets(
    busy ? notes.cpuRates : wallRates,
    busy ? notes.cpuLimits : roundLimits(limits.wall),
    rssMiB.vfsim,
    cfg.sizes.dataBytes / (1024 * 1024),
  );
  return {
    workloads,
    limits: roundLimits(limits.wall),
    rssMiB,
    notes,
  };
}

function roundLimits(l: Limits): Limits {
  return {
    memcpyMiBs: Math.round(l.memcpyMiBs),
    randCopyOpsPerSec: Math.round(l.randCopyOpsPerSec),
    memcpyReadMiBs: Math.round(l.memcpyReadMiBs),
  };
}

function round(v: number, unit: Unit): number {
  return unit === 'MiB/s' ? Math.round(v * 10) / 10 : Math.round(v);
}

/** Forks bench/fs-child for one job and feeds its messages to `on`; rejects if the child failed. */
function runChild(job: ChildJob, on: (m: ChildMessage) => void): Promise<void> {
  // Built: dist/bench/fs.js forks dist/bench/fs-child.js. Under tap, the .ts sources run through the
  // loader in process.execArgv, which fork passes on.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const path = fileURLToPath(new URL(`./fs-child${ext}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = fork(path, [JSON.stringify(job)], {
      execArgv: [...process.execArgv, '--expose-gc'],
      env: { ...process.env, VFSIM_BENCH_CHILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    let failure: string | undefined;
    child.stdout!.resume();
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'error') failure = m.message;
      else on(m);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const what = job.kind === 'limits' ? 'limits' : job.subject;
      if (failure) reject(new Error(`${what}: ${failure}`));
      else if (code !== 0) reject(new Error(`${what}: child exited with ${signal ?? code}\n${stderr.slice(-2000)}`));
      else resolve();
    });
  });
}

// ---- the command ----

export async function run(opts: BenchOptions): Promise<void> {
  const sizes = opts.quick ? QUICK_SIZES : FULL_SIZES;
  const progress = startProgress(stepCount(SUBJECTS), 'bench fs');
  let result: FsBenchResult;
  try {
    result = await runFsBench({ sizes, seed: opts.seed, onStep: (l) => progress.tick(l) });
  } finally {
    progress.stop();
  }
  process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : render(result) + '\n');
}

/**
 * The text for people: rows are workloads, columns subjects, then vfsim's ratios and % of the limit.
 * On a busy machine (a subject's thread got less than BUSY_SHARE of a CPU) a second table gives the same
 * run per CPU-second of each benchmark thread, which other processes do not distort.
 */
export function render(r: FsBenchResult): string {
  const z = r.notes.sizes;
  const budget = `${z.budgetMs >= 1000 ? `${z.budgetMs / 1000} s` : `${z.budgetMs} ms`}`;
  const out: string[] = [];
  out.push(
    `vfsim bench fs: ${formatCount(z.files)} files of ${formatBytes(z.fileBytes)} in ${z.dirs} dirs; ` +
      `a ${formatBytes(z.dataBytes)} file in ${formatBytes(z.chunkBytes)} chunks; ${formatCount(z.randOps)} × ` +
      `${formatBytes(z.ioBytes)} at random aligned offsets (seed ${r.notes.seed}); a ${z.deepComponents}-component path.`,
  );
  out.push(`Median of ${z.reps} after ${z.warmup} warm-up; each subject in its own process; budget ${budget} per workload.`);
  out.push('', 'Per second of wall time:', table(r, r.workloads, r.limits, true));
  const busy = [...SUBJECTS, 'limits' as const].filter((s) => r.notes.cpuShare[s] != null && r.notes.cpuShare[s]! < BUSY_SHARE);
  if (busy.length) {
    out.push(
      '',
      `The machine was busy: ${busy.map((s) => `${s} got ${Math.round(100 * r.notes.cpuShare[s]!)}%`).join(', ')} ` +
        'of a CPU while measured, so the wall rates above are low by about that factor. The same run per second ' +
        `of CPU time of each benchmark thread (${r.notes.cpuClock}):`,
    );
    const rows = {} as Record<Workload, WorkloadRow>;
    for (const w of WORKLOADS) rows[w] = { unit: UNIT[w], ...r.notes.cpuRates[w] };
    out.push(table(r, rows, r.notes.cpuLimits, false));
  }
  const full = z.files === FULL_SIZES.files && z.dataBytes === FULL_SIZES.dataBytes;
  out.push(
    '',
    `Issue 3's targets for vfsim through createFs() (rates per second of ${r.notes.targetsBasis === 'cpu' ? 'CPU time' : 'wall time'}` +
      `${full ? '' : '; they are set for the full run, and smaller sizes move them, the RSS bound most'}):`,
  );
  out.push(
    formatTable(
      ['target', 'measured', ''],
      r.notes.targets.map((c) => [c.target, c.measured, c.met ? 'met' : 'NOT MET']),
      ['l', 'l', 'l'],
    ),
  );
  out.push('');
  const data = z.dataBytes / (1024 * 1024);
  out.push(
    `Limits: raw Uint8Array copies in a process like the subjects': memcpy streams a reused ${formatBytes(z.chunkBytes)} ` +
      `buffer into ${formatBytes(z.dataBytes)} (the read shape streams it back out, into a buffer the CPU cache holds: ` +
      `seqRead's column); random copy takes ${formatBytes(z.ioBytes)} from random aligned offsets of ${formatBytes(z.dataBytes)}.`,
    `RSS: ${data} MiB of file data at that point; the process before any workload: ` +
      SUBJECTS.filter((s) => r.notes.rssBaselineMiB[s] != null)
        .map((s) => `${s} ${r.notes.rssBaselineMiB[s]}`)
        .join(', ') +
      ' MiB. tmpfs data lives in the kernel, outside the process.',
  );
  for (const s of SUBJECTS) out.push(`${s.padEnd(9)} ${r.notes.subjects[s]}`);
  const foot: string[] = [];
  for (const w of WORKLOADS)
    for (const s of SUBJECTS) {
      const t = r.notes.truncated[w]?.[s];
      const unit = UNIT[w] === 'MiB/s' ? 'MiB' : 'ops';
      if (t) foot.push(`† ${s} ${w}: stopped at the ${budget} budget; rate over ${formatCount(Math.round(t.done))} of ${formatCount(t.of)} ${unit}.`);
      const e = r.notes.errors[w]?.[s];
      if (e) foot.push(`error ${s} ${w}: ${e}`);
    }
  if (foot.length) out.push('', ...foot);
  return out.join('\n');
}

function table(r: FsBenchResult, rowsOf: Record<Workload, WorkloadRow>, limits: Limits, withRss: boolean): string {
  const header = ['workload', 'unit', ...SUBJECTS, 'vfsim/memfs', 'vfsim/tmpfs', 'vfsim/limit'];
  const align: Align[] = ['l', 'l', ...SUBJECTS.map((): Align => 'r'), 'r', 'r', 'r'];
  const rows: string[][] = [];
  for (const w of WORKLOADS) {
    const row = rowsOf[w];
    const cells = SUBJECTS.map((s) => {
      const v = row[s];
      if (v == null) return r.notes.errors[w]?.[s] ? 'error' : '—';
      return formatRate(v, row.unit) + (r.notes.truncated[w]?.[s] ? ' †' : '');
    });
    const lim = LIMIT_OF[w];
    rows.push([
      w,
      row.unit,
      ...cells,
      formatRatio(row.vfsim, row.memfs),
      formatRatio(row.vfsim, row.tmpfs),
      lim ? formatPercent(row.vfsim, limits[lim]) : '',
    ]);
  }
  rows.push(['limit: memcpy', 'MiB/s', ...SUBJECTS.map(() => ''), '', '', formatRate(limits.memcpyMiBs, 'MiB/s')]);
  rows.push(['limit: memcpy, read', 'MiB/s', ...SUBJECTS.map(() => ''), '', '', formatRate(limits.memcpyReadMiBs, 'MiB/s')]);
  rows.push(['limit: random copy', 'ops/s', ...SUBJECTS.map(() => ''), '', '', formatRate(limits.randCopyOpsPerSec, 'ops/s')]);
  if (withRss)
    rows.push([
      'rss after seqWrite',
      'MiB',
      ...SUBJECTS.map((s) => (r.rssMiB[s] == null ? '—' : formatCount(r.rssMiB[s]!))),
      formatRatio(r.rssMiB.vfsim, r.rssMiB.memfs),
      '',
      '',
    ]);
  return formatTable(header, rows, align);
}
