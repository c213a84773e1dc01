// vfsim/testing: the property-testing kit. A reference model of a POSIX tree, the operation vocabulary
// with fast-check arbitraries, a differential runner against Linux (node:fs on tmpfs), and an
// interpreter of pjdfstest's command language with a runner for its scripts. Point any of them at your
// own backend: mount it in a `Vfs` and hand its `Process` (a `Syscalls`) to them.
//
//   import fc from 'fast-check';
//   import { PosixModel, OpRunner, opsArb, VFSIM_FLAGS } from 'vfsim/testing';
//   fc.assert(fc.property(opsArb(40), (ops) => {
//     const model = new OpRunner(new PosixModel(), VFSIM_FLAGS), mine = new OpRunner(myProcess(), VFSIM_FLAGS);
//     for (const op of ops) expect(mine.run(op)).toEqual(model.run(op));
//   }));
//
// Or one call per suite (suites.ts): posixSuite(() => new MyFs(), { seed, numRuns }), and differentialSuite,
// fsxSuite, crashSuite alike; each returns a result or throws a SuiteFailure naming the seed and shrunk sequence.

export { PosixModel } from './posix-model.js';
export type { ModelSyscalls, PosixModelOptions } from './posix-model.js';
export {
  OpRunner, opArb, opsArb, pathArb, formatOp, statView, errorName, VFSIM_FLAGS, BAD_FD, LINUX_EXCLUDED,
  OPEN_FLAG_NAMES, TYPE_NAMES, Unsupported, USERS,
} from './posix-ops.js';
export type { Op, OpName, Outcome, PosixTarget, FlagTable, StatView, OpsOptions, OpenFlagName, Whence, RenameFlag } from './posix-ops.js';
export {
  compareSequence, runDifferential, shrinkSequence, snapshotTree, generateSequences, linuxSide, targetSide,
  DEFAULT_LAYOUT, EXCLUSIONS, hostCanSwitchUsers, hostProtectedHardlinks,
} from './posix-differential.js';
export type {
  Side, SideFactory, SandboxLayout, TreeEntry, Disagreement, DifferentialOptions, DifferentialReport, Tolerate,
} from './posix-differential.js';
export { NodeFsTarget, HOST_FLAGS, hostScratchDir, asHostUser } from './node-target.js';
export { PjdfstestInterpreter, PJDFSTEST_SYSCALLS, makedev, major, minor } from './pjdfstest.js';
export type { PjdfstestWorld, PjdfstestResult } from './pjdfstest.js';
export { runScripts, listScripts, parseTap } from './pjdfstest-scripts.js';
export type { ScriptResult, RunScriptsOptions } from './pjdfstest-scripts.js';
export { Fsx, FSX_BACKENDS, zfsLiteBackend, parseFsxOps, formatFsxOp, FSX_OPS, runTwoSpaces } from './fsx/index.js';
export type { FsxOptions, FsxResult, FsxFailure, FsxBackendFactory, FsxOp, FsxOpName, TwoSpacesResult } from './fsx/index.js';
export { StoreFs, MapStorePager } from './store-fs.js';
export * as crash from './crash/index.js';
export { posixSuite, differentialSuite, fsxSuite, crashSuite, backendSide, formatFailure, SuiteFailure } from './suites.js';
export type {
  BackendFactory, NamedFactory, SuiteOptions, SuiteResult, SuiteFailureInfo, PosixSuiteOptions, PosixSuiteResult,
  DifferentialSuiteOptions, DifferentialSuiteResult, FsxSuiteOptions, FsxSuiteResult, CrashSuiteOptions, CrashSuiteResult,
} from './suites.js';
