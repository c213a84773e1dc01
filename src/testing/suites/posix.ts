// posixSuite: the model-based suite. Random POSIX call sequences (fast-check fc.commands + fc.modelRun)
// on the backend behind vfsim's VFS and on the reference model (Linux rules: the man pages, fs/namei.c).

import fc from 'fast-check';
import { Vfs } from '../../../vfs/vfs.js';
import { PosixModel } from '../posix-model.js';
import { OpRunner, opArb, formatOp, VFSIM_FLAGS, USERS, type Op, type Outcome } from '../posix-ops.js';
import { snapshotTree } from '../posix-differential.js';
import { defaultSeed, finish, named, type BackendFactory, type NamedFactory, type SuiteOptions, type SuiteResult } from './common.js';

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
