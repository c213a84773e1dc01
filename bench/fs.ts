// `vfsim bench fs`: the filesystem benchmark of issue 3. The same workloads on vfsim (through createFs()
// and through the VFS syscalls), memfs, ZenFS and node:fs on Linux tmpfs, next to the raw-copy limits,
// each subject in a fresh child process, one after another (never two at once: they would share cores).

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from '../src/cli/bench.js';
import type { ChildJob, ChildMessage } from './fs-child.js';
import type { Limits } from './fs-limits.js';
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
    /** CPU time the subject's process got over wall time (see SubjectRun.cpuShare). */
    cpuShare: Partial<Record<SubjectName | 'limits', number>>;
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
  let limits: Limits | undefined;
  let limitsShare = 1;
  await runChild({ kind: 'limits', sizes: cfg.sizes, seed: cfg.seed }, (m) => {
    if (m.type === 'step') onStep('limits');
    if (m.type === 'limits') {
      limits = m.limits;
      limitsShare = m.cpuShare;
    }
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
  const result = collect(cfg, subjects, limits, runs, unavailable);
  result.notes.cpuShare.limits = Math.round(limitsShare * 100) / 100;
  return result;
}

/** Folds the children's reports into the --json document (exported for tests that run a job in-process). */
export function collect(
  cfg: FsBenchConfig,
  subjects: readonly SubjectName[],
  limits: Limits,
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
    cpuShare: {},
    method: METHOD,
  };
  const rssMiB = {} as Record<SubjectName, number | null>;
  for (const w of WORKLOADS) {
    const row = { unit: UNIT[w] } as WorkloadRow;
    for (const s of SUBJECTS) {
      const m = runs[s]?.results[w];
      row[s] = m ? round(m.rate, UNIT[w]) : null;
      if (m?.truncated) (notes.truncated[w] ??= {})[s] = m.truncated;
      if (m) (notes.reps[w] ??= {})[s] = m.reps;
      const err = runs[s]?.errors[w];
      if (err) (notes.errors[w] ??= {})[s] = err;
    }
    workloads[w] = row;
  }
  for (const s of SUBJECTS) {
    const r = runs[s];
    notes.subjects[s] = r ? r.what : !subjects.includes(s) ? 'not run' : `unavailable: ${unavailable[s]}`;
    rssMiB[s] = r?.rssMiB == null ? null : Math.round(r.rssMiB);
    if (r) notes.rssBaselineMiB[s] = Math.round(r.rssBaselineMiB);
    if (r) notes.cpuShare[s] = Math.round(r.cpuShare * 100) / 100;
  }
  return {
    workloads,
    limits: { memcpyMiBs: Math.round(limits.memcpyMiBs), randCopyOpsPerSec: Math.round(limits.randCopyOpsPerSec) },
    rssMiB,
    notes,
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

/** The table for people: rows are workloads, columns subjects, then vfsim's ratios and % of the limit. */
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
  out.push('');
  const header = ['workload', 'unit', ...SUBJECTS, 'vfsim/memfs', 'vfsim/tmpfs', 'vfsim/limit'];
  const align: Align[] = ['l', 'l', ...SUBJECTS.map((): Align => 'r'), 'r', 'r', 'r'];
  const rows: string[][] = [];
  const foot: string[] = [];
  for (const w of WORKLOADS) {
    const row = r.workloads[w];
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
      lim ? formatPercent(row.vfsim, r.limits[lim]) : '',
    ]);
    for (const s of SUBJECTS) {
      const t = r.notes.truncated[w]?.[s];
      if (t) foot.push(`† ${s} ${w}: stopped at the ${budget} budget; rate over ${formatCount(Math.round(t.done))} of ${formatCount(t.of)} ${row.unit === 'MiB/s' ? 'MiB' : 'ops'}.`);
      const e = r.notes.errors[w]?.[s];
      if (e) foot.push(`error ${s} ${w}: ${e}`);
    }
  }
  rows.push([
    'rss after seqWrite',
    'MiB',
    ...SUBJECTS.map((s) => (r.rssMiB[s] == null ? '—' : formatCount(r.rssMiB[s]!))),
    formatRatio(r.rssMiB.vfsim, r.rssMiB.memfs),
    '',
    '',
  ]);
  out.push(formatTable(header, rows, align));
  out.push('');
  out.push(
    `Limits (raw Uint8Array copies in a process like the subjects'): memcpy ${formatRate(r.limits.memcpyMiBs, 'MiB/s')} MiB/s ` +
      `(${formatBytes(z.dataBytes)} through a reused ${formatBytes(z.chunkBytes)} buffer); random copy ` +
      `${formatRate(r.limits.randCopyOpsPerSec, 'ops/s')} ops/s (${formatBytes(z.ioBytes)} from random aligned offsets).`,
  );
  const data = z.dataBytes / (1024 * 1024);
  out.push(
    `RSS: ${data} MiB of file data at that point; process baseline before any workload: ` +
      SUBJECTS.filter((s) => r.notes.rssBaselineMiB[s] != null)
        .map((s) => `${s} ${r.notes.rssBaselineMiB[s]}`)
        .join(', ') +
      ' MiB. tmpfs data lives in the kernel, outside the process.',
  );
  for (const s of SUBJECTS) out.push(`${s.padEnd(9)} ${r.notes.subjects[s]}`);
  const busy = [...SUBJECTS, 'limits' as const].filter((s) => (r.notes.cpuShare[s] ?? 1) < BUSY_SHARE);
  if (busy.length)
    out.push(
      `Busy machine: ${busy.map((s) => `${s} got ${Math.round(100 * r.notes.cpuShare[s]!)}%`).join(', ')} of a CPU ` +
        'while measured (other processes ran); those rates are low by about that factor. Rerun on a quiet machine.',
    );
  if (foot.length) out.push('', ...foot);
  return out.join('\n');
}
