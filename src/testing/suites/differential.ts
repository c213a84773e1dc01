// differentialSuite: the backend against Linux (node:fs on tmpfs) or the reference model, sequence by
// sequence (runDifferential), the first disagreement shrunk.

import type { Process } from '../../../vfs/process.js';
import { Vfs } from '../../../vfs/vfs.js';
import { PosixModel } from '../posix-model.js';
import { formatOp, VFSIM_FLAGS, type Op, type Outcome } from '../posix-ops.js';
import {
  runDifferential, targetSide, linuxSide, hostCanSwitchUsers, type SideFactory, type DifferentialReport, type SandboxLayout,
} from '../posix-differential.js';
import { defaultSeed, finish, named, type BackendFactory, type NamedFactory, type SuiteOptions, type SuiteResult } from './common.js';

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
