// fsx for vfsim: the exerciser, its op-log format and the backends it runs on.
export { Fsx } from './fsx.js';
export type { FsxOptions, FsxResult, FsxFailure, FsxBackendFactory, FsxSharing } from './fsx.js';
export { parseFsxOps, formatFsxOp, FSX_OPS, VFSIM_OPS, FSX_OP_NAMES, VFSIM_MARK, FsxOpLog } from './oplog.js';
export type { FsxOp, FsxOpName } from './oplog.js';
export { FSX_BACKENDS, FSX_ZFS_TXG_MS, FSX_ZFS_ARC_KIB, zfsLiteBackend } from './backends.js';
export { runTwoSpaces } from './two-spaces.js';
export type { TwoSpacesResult } from './two-spaces.js';
export type { ZfsLiteFsxOptions } from './backends.js';
