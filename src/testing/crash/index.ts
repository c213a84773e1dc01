// The crash-consistency explorer (issue 6): the workload format and its interpreter, ACE's j-lang reader
// (CrashMonkey, Chipmunk), an ACE-style random generator, the backend-neutral runner and oracle, and the
// persistent-memory crash-state source for pcmfs, and the block-device one for ZFS-lite (durability 'fsync').

export { WorkloadExecutor, parseWorkloadJson, formatCall, patternData, PATTERNS } from './workload.js';
export type { CrashCall, Workload } from './workload.js';
export {
  parseJlang, jlangPath, splitRecords, untar, readZst, chipmunkWorkloads, aceGeneratedWorkloads, crashmonkeyStoredWorkloads,
} from './jlang.js';
export type { JlangSkips } from './jlang.js';
export { aceRandomWorkloads } from './ace.js';
export { runWorkload, replayViolation, usable } from './runner.js';
export type { CrashPoint, CrashSession, CrashTarget, Violation, ViolationKind, WorkloadReport, RunOptions } from './runner.js';
export { snapshotBackend, diffSnapshots } from './snapshot.js';
export { pcmfsTarget } from './pcm-source.js';
export type { PcmSubsetBudget, PcmTargetOptions } from './pcm-source.js';
export { zfsLiteTarget } from './zfs-source.js';
export type { ZfsTargetOptions } from './zfs-source.js';
