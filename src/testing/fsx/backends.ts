// The backends fsx can run on, by the names users type (`--fs`): ramfs (pages unevictable, as tmpfs
// without swap), store (ramfs names over evictable pages with a backing store, to prove reclaim),
// zfs-lite and pcmfs as their issues built them.

import { RamFs } from '../../../fs-ram/index.js';
import { StoreFs } from '../store-fs.js';
import { createZfsLite } from '../../../fs-zfs-lite/index.js';
import { PcmFs } from '../../../fs-nvm/index.js';
import type { FsxBackendFactory } from './fsx.js';
import type { MmapCache } from '../../../fs-zfs-lite/arc-share.js';

export const FSX_BACKENDS: Record<string, FsxBackendFactory> = {
  ramfs: (ram) => new RamFs({ ram }),
  store: (ram) => new StoreFs({ ram }),
  // zfs-lite's pages are filled from and written back to the DMU (its Pager): evictable like store's.
  'zfs-lite': (ram) => createZfsLite({ ram }),
  // pcmfs is DAX without a page cache: mmap maps its PCM blocks (Backend.daxMapping, src/mm/dax.ts).
  pcmfs: () => PcmFs.create(32 << 20),
};

/** zfs-lite with its page cache and ARC meeting as `mmapCache` says (fsx --zfs-mmap double|shared). */
export function zfsLiteBackend(mmapCache: MmapCache): FsxBackendFactory {
  return (ram) => createZfsLite({ ram, mmapCache });
}
