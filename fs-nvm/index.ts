// pcmfs, the persistent-memory DAX filesystem (issue 6), for `vfsim`: NOVA-style per-inode logs on a
// PcmDevice (or any PersistentMemory), copy-on-write data, recovery at mount, an fsck for tests.

export { PcmFs, PCMFS_MAX_FILE_SIZE, PCMFS_SYMLINK_MAX } from './pcmfs.js';
export type { PcmFsOptions, MkfsOptions } from './pcmfs.js';
export type { RecoveryReport } from './recovery.js';
export { fsckPcm } from './fsck.js';
export type { PcmFsckReport } from './fsck.js';
export { PCMFS_MAGIC, PCMFS_STATFS_MAGIC, BLOCK as PCMFS_BLOCK } from './layout.js';
