// The testing kit as one call per suite: give a backend factory, get a result, or a thrown SuiteFailure
// naming the seed and the shrunk failing sequence. Each function assembles the kit's pieces the way
// vfsim's own tests do (test/proof posix-model and differential, test/fsx, test/crash).

export { SuiteFailure, formatFailure } from './suites/common.js';
export type { BackendFactory, NamedFactory, SuiteOptions, SuiteResult, SuiteFailureInfo } from './suites/common.js';
export { posixSuite } from './suites/posix.js';
export type { PosixSuiteOptions, PosixSuiteResult } from './suites/posix.js';
export { differentialSuite, backendSide } from './suites/differential.js';
export type { DifferentialSuiteOptions, DifferentialSuiteResult } from './suites/differential.js';
export { fsxSuite } from './suites/fsx.js';
export type { FsxSuiteOptions, FsxSuiteResult } from './suites/fsx.js';
export { crashSuite } from './suites/crash.js';
export type { CrashSuiteOptions, CrashSuiteResult } from './suites/crash.js';
