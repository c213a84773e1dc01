// crashSuite: the crash explorer on a CrashTarget (ACE-style workloads, Chipmunk's oracle), the first
// violating workload shrunk by dropping calls.

import { aceRandomWorkloads } from '../crash/ace.js';
import { formatCall, type Workload } from '../crash/workload.js';
import { runWorkload, type CrashTarget, type RunOptions, type Violation } from '../crash/runner.js';
import { defaultSeed, finish, type SuiteOptions, type SuiteResult } from './common.js';

// crashSuite: the crash explorer on a CrashTarget.

export interface CrashSuiteOptions extends SuiteOptions, RunOptions {
  /** Files and directories ACE-style workloads share (default 4). */
  core?: number;
  /** Run these workloads instead of random ones. */
  workloads?: Workload[];
}

export interface CrashSuiteResult extends SuiteResult {
  crashStates: number;
  violations: Violation[];
}

/**
 * The crash explorer: ACE-style random workloads (numRuns of them, default 20) on the target, each crash
 * image checked by Chipmunk's oracle (mounts; shows the state after every returned call, before or after
 * the call in flight; fsck clean). The target must provide (CrashTarget): `name`, and `open()` returning a
 * session on a fresh formatted device with the backend mounted, which records the device's writes between
 * `record()` and `stop()` with `mark(tag)` markers, enumerates crash images in `explore()`, remounts one in
 * `mountAt(where)` and runs its fsck in `fsck(backend)`. `crash.pcmfsTarget()` is one for the PCM device.
 * A failing workload is shrunk by dropping calls while a violation remains.
 */
export function crashSuite(target: CrashTarget, opts: CrashSuiteOptions = {}): CrashSuiteResult {
  const seed = opts.seed ?? defaultSeed();
  const run: RunOptions = { ...(opts.maxViolations !== undefined ? { maxViolations: opts.maxViolations } : {}), ...(opts.usability ? { usability: true } : {}) };
  const wls = opts.workloads ?? aceRandomWorkloads(seed, opts.numRuns ?? 20, opts.core ?? 4);
  let states = 0;
  const violations: Violation[] = [];
  for (const wl of wls) {
    const r = runWorkload(target, wl, run);
    states += r.crashStates;
    violations.push(...r.violations);
  }
  const result: CrashSuiteResult = { suite: 'crash', name: target.name, seed, runs: wls.length, ok: violations.length === 0, crashStates: states, violations };
  const v0 = violations[0];
  if (v0) {
    const { wl, v } = shrinkWorkload(target, v0.replay.workload, v0, run);
    result.failure = {
      seed, what: `${v.kind} after a crash ${v.returned ? 'after' : 'inside'} ${v.callText}: ${v.detail}`,
      sequence: wl.calls.map(formatCall), replay: v.replay,
    };
  }
  return finish(result, opts);
}

/** Drop calls one at a time (from the end) while the workload still has a violation. */
function shrinkWorkload(target: CrashTarget, wl: Workload, v: Violation, run: RunOptions): { wl: Workload; v: Violation } {
  let cur = wl, best = v;
  for (let i = cur.calls.length - 1; i >= 0; i--) {
    const cand: Workload = { name: cur.name, calls: cur.calls.filter((_, j) => j !== i) };
    // Keep the explored window on the same calls (set-up before `from`, nothing past `to`).
    if (cur.from !== undefined) cand.from = cur.from > i ? cur.from - 1 : cur.from;
    if (cur.to !== undefined) cand.to = cur.to > i ? cur.to - 1 : cur.to;
    if (cand.calls.length === 0) continue;
    const r = runWorkload(target, cand, { ...run, maxViolations: 1 });
    if (r.violations.length > 0) { cur = cand; best = r.violations[0]!; }
  }
  return { wl: cur, v: best };
}
