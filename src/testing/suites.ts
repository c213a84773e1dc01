// The testing kit as one call per suite: give a backend factory, get a result, or a thrown SuiteFailure
// naming the seed and the shrunk failing sequence. Each function assembles the kit's pieces the way
// vfsim's own tests do (test/proof posix-model and differential, test/fsx, test/crash).

import fc from 'fast-check';
import type { Backend } from '../../vfs/backend.js';
import type { Process } from '../../vfs/process.js';
import { Vfs } from '../../vfs/vfs.js';
import { PosixModel } from './posix-model.js';
import { OpRunner, opArb, formatOp, VFSIM_FLAGS, USERS, type Op, type Outcome } from './posix-ops.js';
import {
  snapshotTree, runDifferential, targetSide, linuxSide, hostCanSwitchUsers,
  type SideFactory, type DifferentialReport, type SandboxLayout,
} from './posix-differential.js';
import { Fsx, type FsxBackendFactory, type FsxOptions, type FsxResult } from './fsx/index.js';
import { aceRandomWorkloads } from './crash/ace.js';
import { formatCall, type Workload } from './crash/workload.js';
import { runWorkload, type CrashTarget, type RunOptions, type Violation } from './crash/runner.js';

/** Makes a fresh, empty, mounted backend (one per sequence). */
export type BackendFactory = () => Backend;

/** Seed and size of a run, as fast-check names them; every suite is deterministic for one seed. */
export interface SuiteOptions {
  seed?: number;
  /** Sequences (posix, differential), ops (fsx) or workloads (crash). */
  numRuns?: number;
  /** Return the failure in the result instead of throwing it. Default false (throw). */
  noThrow?: boolean;
}

/** A failed suite: the seed that replays it and the shrunk sequence, C-like, one call a line. */
export interface SuiteFailureInfo {
  seed: number;
  /** What went wrong (first difference, or the violation). */
  what: string;
  /** The shrunk sequence that shows it. */
  sequence: string[];
  /** Extra replay handle (fast-check path, fsx `.fsxops` text, crash image). */
  replay?: unknown;
}

export interface SuiteResult {
  suite: 'posix' | 'differential' | 'fsx' | 'crash';
  name: string;
  seed: number;
  runs: number;
  ok: boolean;
  failure?: SuiteFailureInfo;
}

export class SuiteFailure extends Error {
  constructor(readonly result: SuiteResult & { failure: SuiteFailureInfo }) {
    super(formatFailure(result));
    this.name = 'SuiteFailure';
  }
}

/** The failure as people read it: suite, backend, seed, then the sequence. */
export function formatFailure(r: SuiteResult & { failure: SuiteFailureInfo }): string {
  const f = r.failure;
  return `${r.suite} suite failed on ${r.name} (seed ${f.seed}): ${f.what}\n` +
    `shrunk sequence (${f.sequence.length} calls):\n${f.sequence.map((s) => `  ${s}`).join('\n')}` +
    (r.suite === 'posix' ? `\nreplay: posixSuite(factory, ${JSON.stringify(f.replay)})` : '');
}

function finish<R extends SuiteResult>(r: R, opts: SuiteOptions): R {
  if (r.failure && opts.noThrow !== true) throw new SuiteFailure(r as R & { failure: SuiteFailureInfo });
  return r;
}

/** A backend with a name for reports, and the per-sequence extra check (fsck, remount...). */
export interface NamedFactory {
  factory: BackendFactory;
  name?: string;
  /** After a passing sequence: throw to fail it (e.g. fsck the backend, or remount and compare). */
  after?: (backend: Backend, proc: Process) => void;
}

function named(f: BackendFactory | NamedFactory): NamedFactory {
  return typeof f === 'function' ? { factory: f, name: 'backend' } : f;
}

const defaultSeed = (): number => process.env.VFSIM_SEED !== undefined ? Number(process.env.VFSIM_SEED) : 20261125;

// ---------------------------------------------------------------------------------------------------------
// posixSuite: the model-based suite (fast-check fc.commands + fc.modelRun).

export interface PosixSuiteOptions extends SuiteOptions {
  /** Longest sequence (default 60). */
  maxCommands?: number;
  /** fast-check's counterexample path (and fc.commands' replayPath) from a failure report: replays the shrunk case. */
  path?: string;
  replayPath?: string;
  umask?: number;
  /** Run path operations also as the unprivileged USERS (default true). */
  users?: boolean;
  /**
   * A difference already known (e.g. a filed bug of the shared VFS): return an id to count it and let the
   * sequence go on, undefined to fail. Tolerate only differences that leave both sides unchanged.
   */
  tolerate?: (op: Op, got: Outcome, want: Outcome) => string | undefined;
}

export interface PosixSuiteResult extends SuiteResult {
  /** Known differences met, by id. */
  tolerated: Record<string, number>;
}

interface World { runner: OpRunner }

class OpCommand implements fc.Command<World, World> {
  constructor(readonly op: Op, private readonly ctx: { name: string; tolerated: Map<string, number>; tolerate: PosixSuiteOptions['tolerate'] }) {}
  check(): boolean { return true; }
  run(model: World, real: World): void {
    const want = model.runner.run(this.op), got = real.runner.run(this.op);
    if (JSON.stringify(want) === JSON.stringify(got)) return;
    const known = this.ctx.tolerate?.(this.op, got, want);
    if (known !== undefined) { this.ctx.tolerated.set(known, (this.ctx.tolerated.get(known) ?? 0) + 1); return; }
    throw new Error(`${formatOp(this.op)}: ${this.ctx.name} ${JSON.stringify(got)}, model (Linux rules) ${JSON.stringify(want)}`);
  }
  toString(): string { return formatOp(this.op); }
}

/**
 * Random POSIX call sequences run through vfsim's VFS on the backend and on the reference model
 * (PosixModel: Linux's rules from the man pages and fs/namei.c); every result, errno, descriptor number
 * and the final tree must agree. Failure: the seed, fast-check's path and the shrunk sequence.
 */
export function posixSuite(target: BackendFactory | NamedFactory, opts: PosixSuiteOptions = {}): PosixSuiteResult {
  const t = named(target), name = t.name ?? 'backend';
  const seed = opts.seed ?? defaultSeed(), numRuns = opts.numRuns ?? 100, umask = opts.umask ?? 0o022;
  const users = opts.users !== false;
  const ctx = { name, tolerated: new Map<string, number>(), tolerate: opts.tolerate };
  const prop = fc.property(fc.commands([opArb().map((op) => new OpCommand(op, ctx))], { maxCommands: opts.maxCommands ?? 60, size: 'max', ...(opts.replayPath !== undefined ? { replayPath: opts.replayPath } : {}) }), (cmds) => {
    const model = new PosixModel({ umask });
    const backend = t.factory();
    const vfs = new Vfs({ root: backend });
    const proc = vfs.process({ umask });
    const others = users ? USERS.map((cred) => vfs.process({ cred, umask })) : [];
    const m: World = { runner: new OpRunner(model, VFSIM_FLAGS, true, users ? USERS.map((c) => model.withCred(c)) : []) };
    const r: World = { runner: new OpRunner(proc, VFSIM_FLAGS, true, others) };
    try {
      fc.modelRun(() => ({ model: m, real: r }), cmds);
      m.runner.closeAll();
      r.runner.closeAll();
      const want = JSON.stringify(snapshotTree(model, VFSIM_FLAGS)), got = JSON.stringify(snapshotTree(proc, VFSIM_FLAGS));
      if (want !== got) throw new Error(`final tree differs:\n${name} ${got}\nmodel ${want}`);
      t.after?.(backend, proc);
    } finally {
      r.runner.closeAll();
      proc.exit();
      for (const o of others) o.exit();
    }
  });
  const d = fc.check(prop, { seed, numRuns, ...(opts.path !== undefined ? { path: opts.path } : {}) });
  const result: PosixSuiteResult = { suite: 'posix', name, seed, runs: d.numRuns, ok: !d.failed, tolerated: Object.fromEntries(ctx.tolerated) };
  if (d.failed) {
    const cmds = d.counterexample?.[0] as Iterable<OpCommand> | undefined;
    const err = d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance);
    // fc.commands writes its own replay path into the counterexample's text (`/*replayPath="..."*/`).
    const replayPath = /replayPath="([^"]*)"/.exec(String(cmds))?.[1];
    result.failure = {
      seed, what: err, sequence: cmds ? [...cmds].map((c) => c.toString()) : [],
      replay: { seed, path: d.counterexamplePath, ...(replayPath !== undefined ? { replayPath } : {}) },
    };
  }
  return finish(result, opts);
}

// ---------------------------------------------------------------------------------------------------------
// differentialSuite: the backend against Linux (node:fs on tmpfs) or against the reference model.

export interface DifferentialSuiteOptions extends SuiteOptions {
  /** Longest sequence (default 40). */
  maxOps?: number;
  /** The other side: 'linux' (default; a scratch directory under /dev/shm) or 'model'. */
  against?: 'linux' | 'model';
  /** Count known differences instead of failing (see `Tolerate`). */
  tolerate?: (op: Op, a: Outcome, b: Outcome) => boolean;
  /** Generate path ops as USERS too (default: only when the host process can switch users, i.e. root). */
  users?: boolean;
}

export interface DifferentialSuiteResult extends SuiteResult {
  report: DifferentialReport;
}

/** A differential side running the backend behind vfsim's VFS, with USERS' processes on the same tree. */
export function backendSide(name: string, factory: BackendFactory): SideFactory {
  return (layout: SandboxLayout) => {
    const vfs = new Vfs({ root: factory() });
    const p = vfs.process({ umask: layout.umask });
    const others: Process[] = [];
    return targetSide(name, p, VFSIM_FLAGS, layout, () => { p.exit(); for (const o of others) o.exit(); }, (cred) => {
      const q = vfs.process({ cred, umask: layout.umask, cwd: layout.cwd });
      others.push(q);
      return q;
    });
  };
}

/** `runDifferential` with the backend on one side: sequence by sequence, results, errnos, final tree. */
export function differentialSuite(target: BackendFactory | NamedFactory, opts: DifferentialSuiteOptions = {}): DifferentialSuiteResult {
  const t = named(target), name = t.name ?? 'backend';
  const seed = opts.seed ?? defaultSeed();
  const other: SideFactory = opts.against === 'model'
    ? (l) => { const m = new PosixModel({ umask: l.umask }); return targetSide('model', m, VFSIM_FLAGS, l, undefined, (c) => m.withCred(c)); }
    : (l) => linuxSide(l);
  const users = opts.users ?? (opts.against === 'model' ? true : hostCanSwitchUsers());
  const report = runDifferential({ seed, ops: opts.maxOps ?? 40, sequences: opts.numRuns ?? 50, users, ...(opts.tolerate ? { tolerate: opts.tolerate } : {}) },
    backendSide(name, t.factory), other);
  const result: DifferentialSuiteResult = { suite: 'differential', name, seed, runs: report.sequences, ok: report.disagreements.length === 0, report };
  const d = report.minimal ?? report.disagreements[0];
  if (d) {
    result.failure = {
      seed, what: `sequence ${d.sequence}: ${d.what}: ${name} ${JSON.stringify(d.a)}, ${opts.against ?? 'linux'} ${JSON.stringify(d.b)}`,
      sequence: d.ops.map(formatOp), replay: d.ops,
    };
  }
  return finish(result, opts);
}

// ---------------------------------------------------------------------------------------------------------
// fsxSuite: fsx (read/write/mapread/mapwrite/truncate/punch hole checked against a shadow buffer).

export interface FsxSuiteOptions extends SuiteOptions, Omit<FsxOptions, 'backend' | 'seed' | 'ops' | 'fsName'> {}

export interface FsxSuiteResult extends SuiteResult {
  fsx: FsxResult;
}

/**
 * fsx on the backend. The factory is given the machine's RAM (`FsxBackendFactory`); a `() => Backend`
 * fits too. A backend with `pager` (and `pageCache`) gets mapread/mapwrite through the MMU; one without
 * has them skipped by name. numRuns is the op count (default 2000).
 */
export function fsxSuite(target: FsxBackendFactory | { factory: FsxBackendFactory; name?: string }, opts: FsxSuiteOptions = {}): FsxSuiteResult {
  const factory = typeof target === 'function' ? target : target.factory;
  const name = typeof target === 'function' ? 'backend' : target.name ?? 'backend';
  const { seed: s, numRuns, noThrow: _n, ...rest } = opts;
  const seed = s ?? defaultSeed();
  const r = new Fsx({ ...rest, backend: factory, fsName: name, seed, ops: numRuns ?? 2000 }).run();
  const result: FsxSuiteResult = { suite: 'fsx', name, seed, runs: r.ops, ok: r.failures.length === 0, fsx: r };
  const f = r.failures[0];
  if (f) result.failure = { seed, what: `op ${f.op}: ${f.what}`, sequence: f.log, replay: f.replay };
  return finish(result, opts);
}

// ---------------------------------------------------------------------------------------------------------
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
