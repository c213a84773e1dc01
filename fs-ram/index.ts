// ramfs, the RAM filesystem (`fsType: 'ramfs'`): file data in page-cache frames of the machine's RAM.
// `new RamFs({ ram })` for a machine you assemble; `createRamFs()` for a quick one with its own RAM.

import { Ram } from '../src/hw/ram.js';
import { RamFs } from './ramfs.js';
import type { RamFsOptions } from './ramfs.js';

export { RamFs, RAMFS_MAGIC, TMPFS_MAGIC, SHORT_SYMLINK_LEN } from './ramfs.js';
export type { RamFsOptions } from './ramfs.js';
export { BOGO_DIRENT_SIZE } from './inode.js';

/**
 * A ramfs on a RAM of its own: `ramBytes` (default 64 MiB; untouched frames cost no host memory)
 * plus any RamFsOptions. For tests and quick experiments; a guest passes its machine's `ram`.
 */
export function createRamFs(opts: RamFsOptions & { ramBytes?: number } = {}): RamFs {
  const { ramBytes, ...rest } = opts;
  if (rest.ram === undefined && rest.pageCache === undefined) rest.ram = new Ram({ bytes: ramBytes ?? 64 << 20 });
  return new RamFs(rest);
}
