// vfsim's public API: `import { ... } from 'vfsim'`.

export { Clock, VIRTUAL_EPOCH_NS } from './sim/clock.js';
export type { Ns } from './sim/clock.js';
export { Prng } from './sim/prng.js';
export { OSV_AARCH64_KVM, makeProfile } from './sim/profile.js';
export type { CostProfile, ProfileOverride } from './sim/profile.js';
export { Ram, NO_FRAME } from './hw/ram.js';
export type { Frame, Paddr, Shrinker } from './hw/ram.js';
export { FsError, fsErr, isFsError, ERRNO, errnoNumber } from '../vfs/errno.js';
export type { ErrnoCode } from '../vfs/errno.js';
export * as constants from '../vfs/constants.js';
export { NO_INO } from '../vfs/backend.js';
export type { Backend, Attr, SetAttr, NewNode, DirEntry, StatFs, BackendCapabilities, Ino } from '../vfs/backend.js';
export type { Syscalls, Cred, Stat, Dirent, TimeSpec, ProcessOptions } from '../vfs/syscalls.js';
export { ROOT_CRED } from '../vfs/syscalls.js';
export { PageCache, FileMapping, NO_SPACE, PG_CACHED, PG_DIRTY, PG_REFERENCED, PG_UNEVICTABLE } from './mm/page-cache.js';
export type { PageIndex, FileMappingOptions, PageCacheOptions } from './mm/page-cache.js';
export { PageBudget } from './mm/pager.js';
export type { Pager } from './mm/pager.js';
export { RamFs, createRamFs, RAMFS_MAGIC, TMPFS_MAGIC } from '../fs-ram/index.js';
export type { RamFsOptions } from '../fs-ram/index.js';
export { Vfs } from '../vfs/vfs.js';
export type { VfsOptions } from '../vfs/vfs.js';
export { Process } from '../vfs/process.js';
