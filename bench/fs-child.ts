// The child process of `vfsim bench fs`: runs one subject (or the copy limits) alone in a fresh Node
// process and reports to the parent over IPC. A process per subject gives each one its own heap (so
// rssMiB is its own memory, not its predecessors' garbage) and its own JIT feedback (so a call site that
// saw another library's objects does not slow this one down).

import { FsWorkloads, type SubjectRun } from './fs-workloads.js';
import { measureLimits, type MeasuredLimits } from './fs-limits.js';
import { SubjectUnavailable, type FsSubject, type SubjectName } from './fs-subject.js';
import type { FsBenchSizes, Workload } from './fs-sizes.js';
import { loadMemfs, loadTmpfs, loadZenfs } from './peers.js';
import { loadVfsim, loadVfsimVfs } from './fs-vfsim.js';

/** What the parent asks a child to do (JSON in argv[2]). */
export type ChildJob =
  | { kind: 'subject'; subject: SubjectName; sizes: FsBenchSizes; seed: number }
  | { kind: 'limits'; sizes: FsBenchSizes; seed: number };

/** What a child sends back. */
export type ChildMessage =
  | { type: 'step'; workload: Workload | 'limits' }
  | { type: 'run'; run: SubjectRun }
  | { type: 'unavailable'; reason: string }
  | { type: 'limits'; limits: MeasuredLimits }
  | { type: 'error'; message: string };

const LOADERS: Record<SubjectName, () => Promise<FsSubject>> = {
  vfsim: loadVfsim,
  'vfsim-vfs': loadVfsimVfs,
  memfs: loadMemfs,
  zenfs: loadZenfs,
  tmpfs: loadTmpfs,
};

/** Runs a job in this process; `send` receives the messages (IPC in a child, a callback in tests). */
export async function runJob(job: ChildJob, send: (m: ChildMessage) => void): Promise<void> {
  if (job.kind === 'limits') {
    const limits = measureLimits(job.sizes, job.seed);
    send({ type: 'step', workload: 'limits' });
    send({ type: 'limits', limits });
    return;
  }
  let subject: FsSubject;
  try {
    subject = await LOADERS[job.subject]();
  } catch (e) {
    if (e instanceof SubjectUnavailable) {
      send({ type: 'unavailable', reason: e.message });
      return;
    }
    throw e;
  }
  try {
    const run = new FsWorkloads(subject, job.sizes, job.seed).runAll((w) => send({ type: 'step', workload: w }));
    send({ type: 'run', run });
  } finally {
    subject.dispose();
  }
}

if (process.send && process.argv[2] && process.env['VFSIM_BENCH_CHILD'] === '1') {
  const send = (m: ChildMessage): void => void process.send!(m);
  runJob(JSON.parse(process.argv[2]) as ChildJob, send)
    .catch((e: unknown) => send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }))
    .finally(() => process.disconnect());
}
