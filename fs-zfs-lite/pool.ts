// The storage pool (OpenZFS spa.c / txg.c / dsl_pool.c in small): one vdev, the labels and uberblock
// ring, one object set (the MOS and the file system's objects share it: object 0 is the meta-dnode,
// 1 the object directory, 2 the space map, 3 the root directory), the allocator, the intent log and
// the transaction group machinery. A txg sync (txg-sync.ts) writes every dirty object copy-on-write,
// then the meta-dnode and the space map until they stop changing (sync passes), then the objset block,
// FLUSH, the uberblock into every label's ring, FLUSH (spa_sync → vdev_config_sync). Import reads the
// labels, the rings, the objset, the object directory and the space map, and claims the log chain
// (zil-chain.ts) whose records the file system replays.

import { fsErr, FsError } from '../vfs/errno.js';
import { S_IFDIR, S_IFMT, S_IFREG, S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK } from '../vfs/constants.js';
import type { BlockIo } from '../src/hw/block/block-device.js';
import { Clock } from '../src/sim/clock.js';
import { OSV_AARCH64_KVM, type CostProfile } from '../src/sim/profile.js';
import type { Ram } from '../src/hw/ram.js';
import { ArcRam } from './arc-ram.js';
import { Vdev } from './vdev.js';
import { SpaceAllocator, SM_ENTRY } from './spacemap.js';
import { Dmu, DmuObject, capacity } from './dmu.js';
import { Dnode, DNODE_SIZE, DNODES_PER_BLOCK } from './dnode.js';
import { ZapDir, MAX_ZAP_SHIFT } from './zap.js';
import { ItxLog } from './zil.js';
import { ZilChain } from './zil-chain.js';
import { writeTxg } from './txg-sync.js';
import { readLabels, readUberblocks, writeLabels } from './label.js';
import {
  BLOCK, BP_SIZE, BP_TYPE, MAX_LEVELS, MAX_POOL_BLOCKS, MIN_POOL_BLOCKS, OBJSET_MAGIC, T_DATA,
  T_DNODE, T_OBJSET, T_SPACEMAP, T_ZAP, VERSION, rd32, rd64,
} from './layout.js';

export const META_OBJ = 0;
export const OBJDIR_OBJ = 1;
export const SPACEMAP_OBJ = 2;
export const ROOT_OBJ = 3;
/** The delete queue (ZFS's unlinked set): objects without names still open, freed at the next mount. */
export const DELETE_QUEUE_OBJ = 4;
const INTERNAL_OBJS = new Set([META_OBJ, OBJDIR_OBJ, SPACEMAP_OBJ, DELETE_QUEUE_OBJ]);
/** OpenZFS zfs_txg_timeout: a txg commits at least every 5 seconds. */
export const TXG_TIMEOUT_NS = 5e9;
/** Objects beyond this number are damage (object numbers are 32-bit here). */
const MAX_OBJECTS = 2 ** 32;

export interface PoolOptions {
  clock?: Clock;
  profile?: CostProfile;
  /** The machine's RAM: the ARC takes its frames (and gives them back under pressure). */
  ram?: Ram;
  /** An ARC to use (else one is made over `ram`, if given; without RAM there is no ARC). */
  arc?: ArcRam | null;
  /** ARC c_max in bytes when one is made (default: ArcRam's, 5/8 of RAM). */
  arcMax?: number;
  /** Virtual ns between background txg commits (zfs_txg_timeout, default 5 s). */
  txgTimeoutNs?: number;
  /**
   * TEST ONLY, deliberately unsafe: write the uberblock without flushing the tree first, so that a
   * crash can leave an uberblock pointing at blocks that never reached the media. The crash harness
   * must catch it.
   */
  unsafeUberblockBeforeFlush?: boolean;
  /** Pool name in the labels (create only). */
  name?: string;
  /** Pool guid (create only; default derived from the device size and name, deterministic). */
  guid?: number;
}

export interface PoolStats {
  txgs: number;
  backgroundTxgs: number;
  backgroundSyncNs: number;
  syncPasses: number;
  zilCommits: number;
  zilBlocks: number;
  zilRecordsReplayed: number;
  condenses: number;
}

/** Called at the start of a sync so the file system can push what it holds (dirty pages, ZAP leaves). */
export interface SyncHooks {
  beforeSync(): void;
}

export class Pool {
  readonly vdev: Vdev;
  readonly alloc: SpaceAllocator;
  readonly dmu: Dmu;
  readonly arc: ArcRam | null;
  readonly clock: Clock;
  readonly profile: CostProfile;
  readonly guid: number;
  readonly name: string;
  readonly stats: PoolStats = {
    txgs: 0, backgroundTxgs: 0, backgroundSyncNs: 0, syncPasses: 0, zilCommits: 0, zilBlocks: 0, zilRecordsReplayed: 0, condenses: 0,
  };
  /** Last committed txg. */
  txg = 0;
  /** Object numbers below this have been handed out. */
  nextObj = DELETE_QUEUE_OBJ + 1;
  readonly objects = new Map<number, DmuObject>();
  /** Objects with dirty blocks or dnodes, to sync. */
  readonly dirty = new Set<DmuObject>();
  readonly meta: DmuObject;
  objdir!: DmuObject;
  sm!: DmuObject;
  deleteQueue!: DmuObject;
  rootIno = ROOT_OBJ;
  readonly itx = new ItxLog();
  /** Log stream found at import, for the file system to replay (then null). */
  replayStream: Uint8Array | null = null;
  hooks: SyncHooks | null = null;
  /** Log replay in progress: no txg may commit until it is complete (the log must stay whole until then). */
  replaying = false;
  /** Set once an I/O error hit a sync: the pool is suspended and every call is EIO (zio_suspend). */
  failed: FsError | null = null;
  /** Rough count of blocks the open txg will need (for ENOSPC before the sync, not during it). */
  dirtyEstimate = 0;
  readonly txgTimeoutNs: number;
  lastSyncNs: number;
  private readonly unsafeUb: boolean;
  /** Inside spa_sync (the page cache may write pages back then: they go into this txg). */
  syncing = false;
  /**
   * The sync is writing the tree: no block of any object may change under it (page reclaim writing a
   * dirty page back through a Pager must wait: it gets EAGAIN, and the page stays dirty).
   */
  writingTree = false;
  /** Commit a txg even with nothing dirty (to move deferred frees along when space runs short). */
  private needEmptySync = false;
  /** Objset block pointer (what the uberblock points to). */
  readonly rootbp = new Uint8Array(BP_SIZE);
  /** The intent log's chain of blocks on disk. */
  private readonly zil: ZilChain;
  private readonly dnBuf = new Uint8Array(BLOCK);

  private constructor(dev: BlockIo, opts: PoolOptions, guid: number, name: string) {
    this.clock = opts.clock ?? new Clock();
    this.profile = opts.profile ?? OSV_AARCH64_KVM;
    const ram = opts.ram ?? null;
    if (ram !== null && ram.frameSize !== BLOCK) throw fsErr('EINVAL', 'zpool'); // ARC buffers are one frame a block
    this.arc = opts.arc !== undefined ? opts.arc : ram !== null ? new ArcRam({ ram, ...(opts.arcMax ? { cMax: opts.arcMax } : {}) }) : null;
    this.vdev = new Vdev(dev, this.clock, this.profile, this.arc, ram);
    if (this.vdev.blocks < MIN_POOL_BLOCKS || this.vdev.blocks > MAX_POOL_BLOCKS) throw fsErr('EINVAL', 'zpool');
    this.alloc = new SpaceAllocator(this.vdev.blocks);
    this.dmu = new Dmu(this.vdev, this.alloc);
    this.guid = guid;
    this.zil = new ZilChain(this.vdev, this.alloc, guid, this.profile.cpu.checksumNsPerByte);
    this.name = name;
    this.meta = new DmuObject(new Dnode(META_OBJ), T_DNODE);
    this.txgTimeoutNs = opts.txgTimeoutNs ?? TXG_TIMEOUT_NS;
    if (!(this.txgTimeoutNs > 0)) throw fsErr('EINVAL', 'zpool');
    this.unsafeUb = opts.unsafeUberblockBeforeFlush === true;
    this.lastSyncNs = this.clock.now;
  }

  // ---- create and import ----

  /** zpool create: labels, an empty object set with a root directory (mode `rootMode`), txg 1. */
  static create(dev: BlockIo, opts: PoolOptions & { rootMode?: number; rootUid?: number; rootGid?: number } = {}): Pool {
    const name = opts.name ?? 'zpool';
    const guid = opts.guid ?? ((dev.sectors * 2654435761 + name.length * 40503) % 2 ** 48) + 1;
    const p = new Pool(dev, opts, guid, name);
    writeLabels(p.vdev, { guid, blocks: p.vdev.blocks, name });
    const now = p.clock.now, sec = Math.floor(now / 1e9);
    const t = { timeSec: 1767225600 + sec, timeNsec: Math.floor(now - sec * 1e9) };
    p.objdir = p.newObject({ mode: 0, uid: 0, gid: 0, rdev: 0, ...t }, 1, OBJDIR_OBJ);
    p.objdir.zap = new ZapDir(0);
    p.sm = p.newObject({ mode: 0, uid: 0, gid: 0, rdev: 0, ...t }, 1, SPACEMAP_OBJ);
    const root = p.newObject({ mode: S_IFDIR | ((opts.rootMode ?? 0o755) & 0o7777), uid: opts.rootUid ?? 0, gid: opts.rootGid ?? 0, rdev: 0, ...t }, 2, ROOT_OBJ);
    root.zap = new ZapDir(0);
    root.dn.parent = ROOT_OBJ;
    root.dn.size = 2;
    p.deleteQueue = p.newObject({ mode: 0, uid: 0, gid: 0, rdev: 0, ...t }, 1, DELETE_QUEUE_OBJ);
    p.deleteQueue.zap = new ZapDir(0);
    p.objdir.zap.add('root', ROOT_OBJ, 0);
    p.objdir.zap.add('space_map', SPACEMAP_OBJ, 0);
    p.objdir.zap.add('delete_queue', DELETE_QUEUE_OBJ, 0);
    p.sync();
    return p;
  }

  /**
   * zpool import: the newest uberblock whose checksum verifies, its objset, the object directory, the
   * space map, the log chain. A damaged or hostile image is EIO or EINVAL, never a crash or a hang: every
   * loop here is bounded by the device size or MAX_LEVELS.
   */
  static import(dev: BlockIo, opts: PoolOptions = {}): Pool {
    // Labels are read with a vdev of their own, without the ARC (the pool's vdev needs the guid first).
    const probe = new Vdev(dev, opts.clock ?? new Clock(), opts.profile ?? OSV_AARCH64_KVM, null, null);
    if (probe.blocks < MIN_POOL_BLOCKS || probe.blocks > MAX_POOL_BLOCKS) throw fsErr('EINVAL', 'spa_load');
    const cfg = readLabels(probe);
    const ubs = readUberblocks(probe, cfg.guid);
    if (ubs.length === 0) throw fsErr('EIO', 'spa_load');
    const p = new Pool(dev, opts, cfg.guid, cfg.name);
    try {
      p.load(ubs[0]!.txg, ubs[0]!.rootbp);
    } catch (e) {
      p.arc?.close();
      if (e instanceof FsError) throw e;
      // Anything else escaping the loader on a hostile image is a bug; report it as EIO, not a crash.
      throw fsErr('EIO', 'spa_load');
    }
    return p;
  }

  private load(txg: number, rootbp: Uint8Array): void {
    this.txg = txg;
    this.rootbp.set(rootbp);
    if (rd32(rootbp, BP_TYPE) !== T_OBJSET) throw fsErr('EIO', 'spa_load');
    const os = new Uint8Array(BLOCK);
    this.vdev.readBlock(rootbp, 0, os, 0);
    if (rd32(os, 0) !== OBJSET_MAGIC || rd32(os, 4) !== VERSION || rd64(os, 8) !== txg) throw fsErr('EIO', 'dmu_objset_open');
    const nextObj = rd64(os, 16);
    if (!(nextObj > ROOT_OBJ && nextObj < MAX_OBJECTS)) throw fsErr('EIO', 'dmu_objset_open');
    this.nextObj = nextObj;
    if (!this.meta.dn.decode(os, 64) || !validLevels(this.meta.dn)) throw fsErr('EIO', 'dmu_objset_open');
    if (Math.ceil(nextObj / DNODES_PER_BLOCK) > capacity(this.meta.dn.nlevels)) throw fsErr('EIO', 'dmu_objset_open');
    // The object directory (MOS-like): where the root and the space map are.
    this.objdir = this.getObject(OBJDIR_OBJ);
    const smIno = this.objdir.zap!.entries.get('space_map')?.ino;
    const rootIno = this.objdir.zap!.entries.get('root')?.ino;
    const dqIno = this.objdir.zap!.entries.get('delete_queue')?.ino;
    if (smIno !== SPACEMAP_OBJ || dqIno !== DELETE_QUEUE_OBJ || rootIno === undefined || INTERNAL_OBJS.has(rootIno)) {
      throw fsErr('EIO', 'dsl_pool_open');
    }
    this.deleteQueue = this.getObject(DELETE_QUEUE_OBJ);
    this.rootIno = rootIno;
    this.sm = this.getObject(SPACEMAP_OBJ);
    this.loadSpaceMap();
    const root = this.getObject(rootIno);
    if ((root.dn.mode & S_IFMT) !== S_IFDIR) throw fsErr('EIO', 'zfs_root');
    this.replayStream = this.zil.open(rd32(os, 24), rd32(os, 28));
  }

  private loadSpaceMap(): void {
    const size = this.sm.dn.size;
    const maxEntries = (this.vdev.blocks + 64) * 64; // more than this many entries cannot be a real map
    if (!(size >= 0) || size % SM_ENTRY !== 0 || size / SM_ENTRY > maxEntries) throw fsErr('EIO', 'space_map_load');
    const nb = Math.ceil(size / BLOCK);
    const buf = new Uint8Array(nb * BLOCK);
    for (let i = 0; i < nb; i++) {
      if (!this.dmu.readBlock(this.sm, i, buf, i * BLOCK)) throw fsErr('EIO', 'space_map_load');
    }
    this.alloc.replay(buf, size);
  }

  // ---- objects ----

  /** A new object numbered `ino` (default: the next free number), dnode dirty. */
  newObject(node: { mode: number; uid: number; gid: number; rdev: number; timeSec: number; timeNsec: number }, nlink: number, ino?: number): DmuObject {
    const n = ino ?? this.nextObj;
    if (n >= MAX_OBJECTS) throw fsErr('ENOSPC', 'dmu_object_alloc');
    if (n >= this.nextObj) this.nextObj = n + 1;
    const dn = new Dnode(n);
    dn.init(node, nlink);
    const obj = new DmuObject(dn, objType(n, node.mode));
    obj.dnodeDirty = true;
    this.objects.set(n, obj);
    this.dirty.add(obj);
    return obj;
  }

  /** The object `ino`, loaded from its dnode if need be. ENOENT for a free slot; EIO for a damaged dnode. */
  getObject(ino: number): DmuObject {
    const o = this.objects.get(ino);
    if (o !== undefined) {
      if (o.freed) throw fsErr('ENOENT');
      return o;
    }
    if (!Number.isInteger(ino) || ino <= 0 || ino >= this.nextObj) throw fsErr('ENOENT');
    const b = this.dnBuf;
    if (!this.dmu.readBlock(this.meta, Math.floor(ino / DNODES_PER_BLOCK), b, 0)) throw fsErr('ENOENT');
    const dn = new Dnode(ino);
    if (!dn.decode(b, (ino % DNODES_PER_BLOCK) * DNODE_SIZE)) throw fsErr('ENOENT');
    if (!validLevels(dn) || !validMode(ino, dn.mode) || !(dn.size >= 0 && dn.size <= 2 ** 53) || dn.zapShift > MAX_ZAP_SHIFT) {
      throw fsErr('EIO', 'dnode_hold');
    }
    const obj = new DmuObject(dn, objType(ino, dn.mode));
    if (obj.type === T_ZAP) {
      const z = new ZapDir(dn.zapShift);
      const leaf = new Uint8Array(BLOCK);
      const leaves = 2 ** dn.zapShift;
      if (leaves > capacity(dn.nlevels)) throw fsErr('EIO', 'zap_open');
      for (let l = 0; l < leaves; l++) {
        if (this.dmu.readBlock(obj, l, leaf, 0)) z.decodeLeaf(leaf, l, this.nextObj);
      }
      obj.zap = z;
    }
    this.objects.set(ino, obj);
    return obj;
  }

  /** Put a node without names in the delete queue (zfs_unlinked_add). */
  deleteQueueAdd(ino: number): void {
    this.deleteQueue.zap!.add(String(ino), ino, 0);
    this.touch(this.deleteQueue);
  }

  deleteQueueRemove(ino: number): void {
    const z = this.deleteQueue.zap!;
    if (!z.entries.has(String(ino))) return;
    z.remove(String(ino));
    this.touch(this.deleteQueue);
  }

  /** Mark an object changed in the open txg. */
  touch(obj: DmuObject, dnode = true): void {
    if (dnode) obj.dnodeDirty = true;
    this.dirty.add(obj);
  }

  /** Free an object (dnode_free): its blocks now (deferred), its dnode slot at the next sync. */
  freeObject(obj: DmuObject): void {
    this.dmu.freeFrom(obj, 0, -1, 0);
    obj.freed = true;
    // Kept (as freed) until the sync zeroes its slot, so that a lookup cannot load the stale dnode.
    this.dirty.add(obj);
  }

  // ---- space ----

  /** Blocks kept back so that a txg sync never runs out mid-way (spa_slop_shift: 1/32 of the pool). */
  get slop(): number {
    return Math.max(16, Math.floor(this.vdev.blocks / 32));
  }

  /** Check the open txg can take `blocks` more (dmu_tx_assign); sync to free space first if needed. */
  reserve(blocks: number): void {
    if (this.failed !== null) throw fsErr('EIO');
    if (this.dirtyEstimate + blocks + this.slop <= this.alloc.free) {
      this.dirtyEstimate += blocks;
      return;
    }
    if (this.replaying) throw fsErr('ENOSPC'); // no txg may commit half a replay
    this.sync();
    // Deferred frees come back two txgs later (TXG_DEFER_SIZE; at once from a txg that left free space
    // at or below the slop, spacemap.ts commitFrees): sync twice more at most.
    for (let i = 0; i < 2 && this.dirtyEstimate + blocks + this.slop > this.alloc.free && this.alloc.deferredCount > 0; i++) {
      this.needEmptySync = true;
      this.sync();
    }
    if (this.dirtyEstimate + blocks + this.slop > this.alloc.free) throw fsErr('ENOSPC');
    this.dirtyEstimate += blocks;
  }

  // ---- txg sync ----

  /** Commit the open txg if its time has come (called on every operation; the txg_sync thread). */
  tick(): void {
    if (this.clock.now - this.lastSyncNs < this.txgTimeoutNs || this.syncing || this.failed !== null) return;
    if (this.dirty.size === 0 && this.itx.len === 0) {
      this.lastSyncNs = this.clock.now;
      return;
    }
    // The sync thread runs beside the caller: its device time is its own, not the caller's.
    const t0 = this.clock.now;
    try {
      this.sync();
    } catch {
      // The failure suspended the pool (this.failed); the caller's operation reports EIO on its next call.
    }
    this.stats.backgroundTxgs++;
    this.stats.backgroundSyncNs += this.clock.now - t0;
    this.clock.now = t0;
    this.lastSyncNs = t0;
  }

  /** spa_sync: commit everything changed since the last txg. */
  sync(): void {
    if (this.failed !== null) throw fsErr('EIO', 'spa_sync');
    if (this.syncing) return;
    this.syncing = true;
    try {
      this.hooks?.beforeSync();
      if (this.dirty.size === 0 && this.itx.len === 0 && !this.needEmptySync && this.txg > 0) return;
      this.needEmptySync = false;
      this.doSync();
    } catch (e) {
      this.failed = e instanceof FsError ? e : fsErr('EIO', 'spa_sync');
      throw fsErr(this.failed.code, 'spa_sync');
    } finally {
      this.syncing = false;
    }
  }

  private doSync(): void {
    this.writingTree = true;
    try {
      writeTxg(this, this.zil, this.unsafeUb);
    } finally {
      this.writingTree = false;
    }
  }

  // ---- intent log ----

  /**
   * zil_commit: write the records not yet on disk to the log chain and FLUSH, so they survive a crash
   * before the txg commits. Records are a byte stream cut into log blocks; replay drops a torn tail.
   */
  commitLog(): void {
    if (this.failed !== null) throw fsErr('EIO', 'zil_commit');
    const itx = this.itx;
    if (itx.committed === itx.len) return;
    const before = this.zil.blocksWritten;
    try {
      this.zil.commit(itx);
      this.stats.zilCommits++;
    } catch (e) {
      if (e instanceof FsError && e.code === 'ENOSPC') {
        // No room for log blocks: fall back to committing the txg (zil_commit → txg_wait_synced).
        this.sync();
        return;
      }
      throw e;
    } finally {
      this.stats.zilBlocks += this.zil.blocksWritten - before;
    }
  }

  /** Export: commit and drop the ARC's buffers. */
  close(): void {
    if (this.failed === null) this.sync();
    this.arc?.close();
  }
}

function validLevels(dn: Dnode): boolean {
  return Number.isInteger(dn.nlevels) && dn.nlevels >= 1 && dn.nlevels <= MAX_LEVELS;
}

const FILE_TYPES = new Set([S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK]);

function validMode(ino: number, mode: number): boolean {
  if (INTERNAL_OBJS.has(ino)) return mode === 0;
  return FILE_TYPES.has(mode & S_IFMT) && (mode & ~(S_IFMT | 0o7777)) === 0;
}

function objType(ino: number, mode: number): number {
  if (ino === SPACEMAP_OBJ) return T_SPACEMAP;
  if (ino === OBJDIR_OBJ || ino === DELETE_QUEUE_OBJ || (mode & S_IFMT) === S_IFDIR) return T_ZAP;
  return T_DATA;
}

export { T_DATA };
