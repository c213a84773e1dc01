// ZFS-lite (`fsType: 'zfs-lite'`): a copy-on-write pool on the block device with checksums, ditto
// metadata, transaction groups, an intent log, ZAP directories and the ARC. `createZfsLite()` makes a
// pool on a fresh (or given) device; `importZfsLite(dev)` imports one (log replay included).

import { Ram } from '../src/hw/ram.js';
import { BlockDevice } from '../src/hw/block/block-device.js';
import { PageCache } from '../src/mm/page-cache.js';
import { Clock } from '../src/sim/clock.js';
import { Pool, type PoolOptions } from './pool.js';
import { ZfsLite } from './zfs.js';
import type { MmapCache } from './arc-share.js';

export { Pool, TXG_TIMEOUT_NS, META_OBJ, OBJDIR_OBJ, SPACEMAP_OBJ, ROOT_OBJ } from './pool.js';
export type { PoolOptions, PoolStats } from './pool.js';
export { ZfsLite, ZFS_SUPER_MAGIC } from './zfs.js';
export { fletcher4 } from './fletcher4.js';
export { ArcShare, MMAP_CACHES, auditFrames } from './arc-share.js';
export type { MmapCache } from './arc-share.js';
export { scrub } from './scrub.js';
export type { ScrubReport } from './scrub.js';
export { crashCheck } from './crash-check.js';
export { snapshotBackend } from './crash-check.js';
export type { CrashWorkload, CrashStep, CrashCheckOptions, CrashCheckResult, CrashViolation } from './crash-check.js';

export interface ZfsLiteOptions extends PoolOptions {
  /** The block device (a new one of `deviceBytes`, default 64 MiB, if absent). */
  dev?: BlockDevice;
  deviceBytes?: number;
  /** The machine's page cache (its RAM is used for the ARC too); one is made over `ram` if absent. */
  pageCache?: PageCache;
  /** RAM when neither pageCache nor ram is given: `ramBytes` (default 64 MiB). */
  ramBytes?: number;
  rootMode?: number;
  rootUid?: number;
  rootGid?: number;
  /**
   * How mapped and read file pages meet the ARC (issue 7): 'double' (default) — the page cache holds
   * its own copy of each page, filled from the ARC, so a page read is cached twice (OpenZFS's way);
   * 'shared' — a clean page is the ARC buffer's frame itself, mapped read-only, copied only when
   * written (OSv's BSD-ZFS arc_share_buf: ~no extra RAM to mmap-read a file). Both are coherent.
   */
  mmapCache?: MmapCache;
}

function machine(opts: ZfsLiteOptions): { dev: BlockDevice; pageCache: PageCache; clock: Clock; ram: Ram } {
  const clock = opts.clock ?? opts.dev?.clock ?? new Clock();
  const dev = opts.dev ?? new BlockDevice({ bytes: opts.deviceBytes ?? 64 << 20, clock, ...(opts.profile ? { profile: opts.profile } : {}) });
  const ram = opts.pageCache?.ram ?? opts.ram ?? new Ram({ bytes: opts.ramBytes ?? 64 << 20 });
  const pageCache = opts.pageCache ?? new PageCache(ram, { clock, ...(opts.profile ? { profile: opts.profile } : {}) });
  return { dev, pageCache, clock, ram };
}

function mount(pool: Pool, pageCache: PageCache, opts: ZfsLiteOptions): ZfsLite {
  return new ZfsLite(pool, pageCache, opts.mmapCache !== undefined ? { mmapCache: opts.mmapCache } : {});
}

/** zpool create + mount: a new pool on `dev` (or a new device). */
export function createZfsLite(opts: ZfsLiteOptions = {}): ZfsLite {
  const { dev, pageCache, clock, ram } = machine(opts);
  const pool = Pool.create(dev, { ...opts, clock, ram });
  return mount(pool, pageCache, opts);
}

/** zpool import + mount: the pool on `dev`, its intent log replayed. EIO/EINVAL for a damaged image. */
export function importZfsLite(dev: BlockDevice, opts: Omit<ZfsLiteOptions, 'dev'> = {}): ZfsLite {
  const { pageCache, clock, ram } = machine({ ...opts, dev });
  const pool = Pool.import(dev, { ...opts, clock, ram });
  try {
    return mount(pool, pageCache, opts);
  } catch (e) {
    pool.arc?.close(); // give the RAM back: the machine lives on after a failed mount
    throw e;
  }
}
