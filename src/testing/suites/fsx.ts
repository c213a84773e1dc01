// fsxSuite: fsx on the backend (read/write/mapread/mapwrite/truncate/punch hole against a shadow buffer,
// after fsx.c), reporting the op log and an .fsxops replay on the first mismatch.

import { Fsx, type FsxBackendFactory, type FsxOptions, type FsxResult } from '../fsx/index.js';
import { defaultSeed, finish, type SuiteOptions, type SuiteResult } from './common.js';

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
