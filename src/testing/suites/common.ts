// What every kit suite shares: the backend factory, seed/size options, the result, and the failure
// (thrown, or returned with noThrow) naming the seed and the shrunk sequence.

import type { Backend } from '../../../vfs/backend.js';
import type { Process } from '../../../vfs/process.js';

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

export function finish<R extends SuiteResult>(r: R, opts: SuiteOptions): R {
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

export function named(f: BackendFactory | NamedFactory): NamedFactory {
  return typeof f === 'function' ? { factory: f, name: 'backend' } : f;
}

export const defaultSeed = (): number => process.env.VFSIM_SEED !== undefined ? Number(process.env.VFSIM_SEED) : 20261125;
