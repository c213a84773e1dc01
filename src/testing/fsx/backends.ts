// The backends fsx can run on, by the names users type (`--fs`): ramfs (pages unevictable, as tmpfs
// without swap) and store (ramfs names over evictable pages with a backing store, to prove reclaim).

import { RamFs } from '../../../fs-ram/index.js';
import { StoreFs } from '../store-fs.js';
import type { FsxBackendFactory } from './fsx.js';

export const FSX_BACKENDS: Record<string, FsxBackendFactory> = {
  ramfs: (ram) => new RamFs({ ram }),
  store: (ram) => new StoreFs({ ram }),
};
