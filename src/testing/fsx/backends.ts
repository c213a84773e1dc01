// The backends fsx can run on, by the names users type (`--fs`): ramfs (pages unevictable, as tmpfs
// without swap), store (ramfs names over evictable pages with a backing store, to prove reclaim),
// zfs-lite and pcmfs as their issues built them.

import { RamFs } from '../../../fs-ram/index.js';
import { StoreFs } from '../store-fs.js';
import { createZfsLite } from '../../../fs-zfs-lite/index.js';
import { PcmFs } from '../../../fs-nvm/index.js';
import type { FsxBackendFactory } from './fsx.js';
import type { MmapCache } from '../../../fs-zfs-lite/arc-share.js';
import { fsErr } from '../../sim/errno.js';

/**
 * fsx's default virtual txg timeout for zfs-lite, in ms. fsx's ops take microseconds of virtual time
 * each, thousands of times denser than a real workload's, so at OpenZFS's 5 s zfs_txg_timeout a whole
 * run fits in one txg: every block stays dirty in the DMU, no page is ever read back through the ARC,
 * and shared-buffer mmap has nothing to lend (2000 ops in 8 MiB: 3 borrows, 0 revocations). 0.1 ms of
 * virtual time commits a txg every few dozen ops, as test/fs-zfs-lite/zfs-mmap-modes.test.ts does.
 */
export const FSX_ZFS_TXG_MS = 0.1;


/**
 * fsx's default zfs_arc_max for zfs-lite, in KiB: half of fsx's default file (256 KiB). The ARC's own
 * default, 5/8 of RAM, dwarfs fsx's one small file, so it would never fill nor give anything back under
 * pressure (c_min is half of c_max here, and an ARC never shrinks below c_min: arc_reduce_target_size),
 * and shared mode's revocation path (an ARC eviction taking back a borrowed page) would never run. At
 * half the file the ARC replaces buffers as the file is read back and shrinks under memory pressure.
 */
export const FSX_ZFS_ARC_KIB = 128;

/** How fsx builds zfs-lite (fsx --txg-ms, --arc-kib). */
export interface ZfsLiteFsxOptions {
  /** Virtual ms between txg commits (zfs_txg_timeout). Default FSX_ZFS_TXG_MS. */
  txgMs?: number;
  /** ARC c_max in KiB (zfs_arc_max; c_min is half). Default FSX_ZFS_ARC_KIB. */
  arcKiB?: number;
}

/**
 * zfs-lite with its page cache and ARC meeting as `mmapCache` says (fsx --zfs-mmap double|shared), a txg
 * committed every `txgMs` ms of virtual time and an ARC of at most `arcKiB` KiB. EINVAL for a txg
 * interval that is not a positive number or an ARC smaller than one page.
 */
export function zfsLiteBackend(mmapCache: MmapCache, opts: ZfsLiteFsxOptions = {}): FsxBackendFactory {
  const txgMs = opts.txgMs ?? FSX_ZFS_TXG_MS, arcKiB = opts.arcKiB ?? FSX_ZFS_ARC_KIB;
  if (!(txgMs > 0) || !Number.isFinite(txgMs)) throw fsErr('EINVAL', 'txg timeout');
  if (!Number.isSafeInteger(arcKiB) || arcKiB < 4) throw fsErr('EINVAL', 'zfs_arc_max');
  const txgTimeoutNs = Math.max(1, Math.round(txgMs * 1e6));
  const arcMax = Math.ceil(arcKiB / 4) * 4096;
  return (ram) => createZfsLite({ ram, mmapCache, txgTimeoutNs, arcMax: Math.min(arcMax, ram.frameCount * ram.frameSize) });
}

export const FSX_BACKENDS: Record<string, FsxBackendFactory> = {
  ramfs: (ram) => new RamFs({ ram }),
  store: (ram) => new StoreFs({ ram }),
  // zfs-lite's pages are filled from and written back to the DMU (its Pager): evictable like store's.
  'zfs-lite': zfsLiteBackend('double'),
  // pcmfs is DAX without a page cache: mmap maps its PCM blocks (Backend.daxMapping, src/mm/dax.ts).
  pcmfs: () => PcmFs.create(32 << 20),
};
