// A virtio-blk disk as a KVM guest sees it (virtio v1.2 §5.2: VIRTIO_BLK_T_IN/OUT/FLUSH requests on
// 512-byte sectors), backed by a host NVMe drive with a volatile write cache. Writes complete into that
// cache; FLUSH makes every completed write durable. virtio-blk has no FUA flag, so Linux's block layer
// turns a REQ_FUA write into the write plus a post-flush (block/blk-flush.c), which also persists
// everything before it; `nativeFua` models a device that honours FUA itself. Reads and writes are
// charged from the `block` section of the cost profile; crash() yields what a power failure can leave.

import { Clock } from '../../sim/clock.js';
import { Counters } from '../../sim/counters.js';
import { OSV_AARCH64_KVM, type CostProfile } from '../../sim/profile.js';
import { Prng } from '../../sim/prng.js';
import { fsErr } from '../../sim/errno.js';
import { BlockCrashStates, type MediaSectorSink, type WriteAtomicity } from './crash.js';
import { BlockFaults } from './faults.js';
import { BlockEvent, BlockTrace, TRACE_FORCED, TRACE_THROUGH } from './trace.js';
import { PendingWrites, WRITE_FORCED } from './write-cache.js';
import { UnitUndoLog } from '../pcm/undo-log.js';
import { powerFailSelection } from '../pcm/subsets.js';

/** Write flag: Force Unit Access — durable when the write completes (Linux REQ_FUA). */
export const REQ_FUA = 1;

/** What a filesystem needs of a disk (ZFS-lite's vdev), implemented by BlockDevice. */
export interface BlockIo {
  readonly sectorSize: number;
  readonly sectors: number;
  read(sector: number, count: number, dst: Uint8Array, dstOff?: number): void;
  write(sector: number, count: number, src: Uint8Array, srcOff?: number, flags?: number): void;
  flush(): void;
}

export interface BlockDeviceOptions {
  /** Size in sectors, or `bytes` (rounded down to whole sectors). */
  sectors?: number;
  bytes?: number;
  /** Logical sector size: a power of two from 512 to 65536. Default 512. */
  sectorSize?: number;
  /** A volatile write cache (default true); without one every write is durable when it completes. */
  writeCache?: boolean;
  /** The device honours FUA itself (default false, as virtio-blk: FUA becomes write + FLUSH). */
  nativeFua?: boolean;
  clock?: Clock;
  profile?: CostProfile;
  /** Initial contents (copied), exactly the device size. */
  image?: Uint8Array;
}

const BLOCK_COUNTERS = [
  'reads', 'writes', 'bytesRead', 'bytesWritten', 'flushes', 'fuaWrites', 'readErrors', 'writeErrors',
] as const;
export type BlockCounter = (typeof BLOCK_COUNTERS)[number];

export type BlockPowerFailChoice =
  | { readonly keep: Uint8Array; readonly atomicity?: WriteAtomicity }
  | { readonly seed: number; readonly p?: number; readonly atomicity?: WriteAtomicity };

export class BlockDevice implements BlockIo, MediaSectorSink {
  readonly sectorSize: number;
  readonly sectors: number;
  readonly size: number;
  readonly writeCache: boolean;
  readonly nativeFua: boolean;
  readonly clock: Clock;
  readonly profile: CostProfile;
  readonly counters = new Counters<BlockCounter>(BLOCK_COUNTERS);
  readonly faults = new BlockFaults();
  trace: BlockTrace | null = null;

  /** What reads return: the media overlaid with the write cache. */
  private readonly visible: Uint8Array;
  /** What the media holds for certain. */
  private readonly durable: Uint8Array;
  private readonly pending = new PendingWrites();

  /** Checkpoint: before-images of both arrays, per sector, taken on a sector's first write after checkpoint(). */
  private readonly undo: UnitUndoLog;
  private readonly logSectors = (sector: number, n: number): void => this.logRange(sector, n);

  constructor(opts: BlockDeviceOptions) {
    const ss = opts.sectorSize ?? 512;
    if (!Number.isInteger(ss) || ss < 512 || ss > 65536 || (ss & (ss - 1)) !== 0) throw fsErr('EINVAL', 'block');
    const sectors = opts.sectors ?? (opts.bytes !== undefined ? Math.floor(opts.bytes / ss) : NaN);
    if (!Number.isInteger(sectors) || sectors <= 0 || sectors * ss > 2 ** 32) throw fsErr('EINVAL', 'block');
    this.sectorSize = ss;
    this.sectors = sectors;
    this.size = sectors * ss;
    this.writeCache = opts.writeCache ?? true;
    this.nativeFua = opts.nativeFua ?? false;
    this.clock = opts.clock ?? new Clock();
    this.profile = opts.profile ?? OSV_AARCH64_KVM;
    this.visible = new Uint8Array(this.size);
    this.durable = new Uint8Array(this.size);
    this.undo = new UnitUndoLog(sectors, ss);
    if (opts.image !== undefined) {
      if (opts.image.length !== this.size) throw fsErr('EINVAL', 'block');
      this.visible.set(opts.image);
      this.durable.set(opts.image);
    }
  }

  /** Writes completed since the last flush (what a crash may lose). */
  get pendingWrites(): number {
    return this.pending.count;
  }

  /** Read `count` sectors from `sector` into dst at dstOff. EIO past the end or on a failing sector. */
  read(sector: number, count: number, dst: Uint8Array, dstOff = 0): void {
    const bytes = this.checkIo(sector, count, dst, dstOff, 'read');
    const v = this.counters.values, p = this.profile.block;
    this.clock.now += p.readLatencyNs + bytes / p.readBytesPerNs;
    if (this.faults.failsRead(sector, count)) {
      v.readErrors++;
      throw fsErr('EIO', 'read');
    }
    v.reads++;
    v.bytesRead += bytes;
    const pos = sector * this.sectorSize;
    dst.set(this.visible.subarray(pos, pos + bytes), dstOff);
  }

  /**
   * Write `count` sectors from src at srcOff to `sector`. It completes into the volatile write cache
   * unless the device has none or `flags` has REQ_FUA.
   */
  write(sector: number, count: number, src: Uint8Array, srcOff = 0, flags = 0): void {
    const bytes = this.checkIo(sector, count, src, srcOff, 'write');
    if (!Number.isInteger(flags) || (flags & ~REQ_FUA) !== 0) throw fsErr('EINVAL', 'write');
    const v = this.counters.values, p = this.profile.block;
    this.clock.now += p.writeLatencyNs + bytes / p.writeBytesPerNs;
    if (this.faults.failsWrite(sector, count)) {
      v.writeErrors++;
      throw fsErr('EIO', 'write');
    }
    if (bytes === 0) return;
    v.writes++;
    v.bytesWritten += bytes;
    const pos = sector * this.sectorSize;
    const fua = (flags & REQ_FUA) !== 0;
    this.logRange(sector, count);
    this.visible.set(src.subarray(srcOff, srcOff + bytes), pos);
    this.faults.rewritten(sector, count);
    if (!this.writeCache) {
      this.durable.set(src.subarray(srcOff, srcOff + bytes), pos);
      if (this.trace !== null) this.trace.push(BlockEvent.Write, sector, count, TRACE_THROUGH, src, srcOff);
      if (fua) v.fuaWrites++;
      return;
    }
    if (fua && this.nativeFua) {
      v.fuaWrites++;
      this.clock.now += p.flushNs; // the device writes it through before completing
      this.durable.set(src.subarray(srcOff, srcOff + bytes), pos);
      this.pending.push(sector, count, src, srcOff, bytes, WRITE_FORCED);
      if (this.trace !== null) this.trace.push(BlockEvent.Write, sector, count, TRACE_FORCED, src, srcOff);
      return;
    }
    this.pending.push(sector, count, src, srcOff, bytes, 0);
    if (this.trace !== null) this.trace.push(BlockEvent.Write, sector, count, 0, src, srcOff);
    if (fua) {
      // blk-flush.c: no native FUA, so the write is followed by a flush of the whole cache.
      v.fuaWrites++;
      this.flush();
    }
  }

  /** FLUSH (VIRTIO_BLK_T_FLUSH): every completed write is durable when it returns. */
  flush(): void {
    this.clock.now += this.profile.block.flushNs;
    this.counters.values.flushes++;
    this.pending.applyAll(this.durable, this.sectorSize, this.undo.active ? this.logSectors : null);
    if (this.trace !== null) this.trace.push(BlockEvent.Flush, 0, 0, 0, null, 0);
  }

  // ---- crash ----

  /** The images a power failure now could leave (copies the durable image once). */
  crash(atomicity: WriteAtomicity = 'write'): BlockCrashStates {
    return new BlockCrashStates(this.durable.slice(), this.pending, this.sectorSize, atomicity);
  }

  /** A copy of what the media holds for certain now. */
  durableImage(): Uint8Array {
    return this.durable.slice();
  }

  /**
   * Cut the power: the media keeps the durable image, the FUA writes and the chosen cached writes
   * (given, or drawn from a seeded PRNG with probability p, default 1/2); the device comes back up
   * with an empty cache. Ends any trace.
   */
  powerFail(choice: BlockPowerFailChoice): void {
    const states = this.crash(choice.atomicity ?? 'write');
    states.apply(powerFailSelection(states.count, choice, 'block-powerfail'));
    this.trace = null;
    this.loadImage(states.image);
  }

  /** Replace the media with `image` (the device size), empty write cache: a power-on. */
  loadImage(image: Uint8Array): void {
    if (image.length !== this.size) throw fsErr('EINVAL', 'block-load');
    if (this.undo.active) throw fsErr('EBUSY', 'block-load');
    this.visible.set(image);
    this.durable.set(image);
    this.pending.clear();
  }

  /** Write sectors straight into the media (placing a crash image's writes at power-on). */
  setMediaSectors(sector: number, data: Uint8Array): void {
    const n = data.length / this.sectorSize;
    if (!Number.isInteger(n) || !Number.isInteger(sector) || sector < 0 || sector + n > this.sectors) {
      throw fsErr('EINVAL', 'block-media');
    }
    this.logRange(sector, n);
    const pos = sector * this.sectorSize;
    this.visible.set(data, pos);
    this.durable.set(data, pos);
  }

  // ---- faults ----

  /**
   * Silently corrupt one sector of the media: flip `bits` distinct bits (default 1) chosen by a seeded
   * PRNG. Reads succeed with the wrong data (only checksums catch it) — unless a newer write of the
   * sector is still in the write cache, which reads are served from and which a flush writes over it.
   */
  injectCorruption(sector: number, opts: { bits?: number; seed?: number } = {}): void {
    const bits = opts.bits ?? 1;
    if (!Number.isInteger(sector) || sector < 0 || sector >= this.sectors) throw fsErr('EINVAL', 'block-fault');
    if (!Number.isInteger(bits) || bits < 1 || bits > this.sectorSize * 8) throw fsErr('EINVAL', 'block-fault');
    const prng = new Prng(opts.seed ?? sector);
    const chosen = new Set<number>();
    while (chosen.size < bits) chosen.add(prng.below(this.sectorSize * 8));
    this.logRange(sector, 1);
    const base = sector * this.sectorSize, cached = this.pending.covers(sector);
    for (const bit of [...chosen].sort((a, b) => a - b)) {
      const mask = 1 << (bit & 7);
      if (!cached) this.visible[base + (bit >>> 3)]! ^= mask;
      this.durable[base + (bit >>> 3)]! ^= mask;
    }
  }

  /** Reads touching [sector, sector+count) fail with EIO until those sectors are rewritten. */
  injectReadError(sector: number, count = 1): void {
    this.checkRange(sector, count);
    for (let s = sector; s < sector + count; s++) this.faults.readErrors.add(s);
  }

  /** Writes touching [sector, sector+count) fail with EIO. */
  injectWriteError(sector: number, count = 1): void {
    this.checkRange(sector, count);
    for (let s = sector; s < sector + count; s++) this.faults.writeErrors.add(s);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  // ---- tracing ----

  startTrace(): BlockTrace {
    if (this.undo.active) throw fsErr('EBUSY', 'block-trace');
    this.trace = new BlockTrace(this.durable.slice(), this.pending.clone(), this.sectorSize);
    return this.trace;
  }

  stopTrace(): BlockTrace | null {
    const t = this.trace;
    this.trace = null;
    return t;
  }

  /** Drop a marker in the trace (a syscall's start or end, a txg commit); no-op when not tracing. */
  mark(tag: number): void {
    if (this.trace !== null) this.trace.push(BlockEvent.Mark, tag, 0, 0, null, 0);
  }

  // ---- checkpoint ----

  /**
   * Remember the contents so rollback() restores them (mounting crash image after crash image on one
   * device). Needs an empty write cache (EBUSY: flush first, or loadImage). Each sector's first write
   * afterwards saves it; statistics and faults are not rolled back.
   */
  checkpoint(): void {
    if (this.undo.active || this.trace !== null || this.pending.count !== 0) throw fsErr('EBUSY', 'block-checkpoint');
    this.undo.begin();
  }

  rollback(): void {
    if (!this.undo.active) throw fsErr('EINVAL', 'block-rollback');
    this.undo.rollback(this.visible, this.durable);
    this.pending.clear();
  }

  // ---- internals ----

  private checkRange(sector: number, count: number): void {
    if (!Number.isInteger(sector) || !Number.isInteger(count) || sector < 0 || count < 0) throw fsErr('EINVAL', 'block');
    // Linux bio_check_eod(): an I/O past the end of the device fails with EIO.
    if (sector + count > this.sectors) throw fsErr('EIO', 'block');
  }

  private checkIo(sector: number, count: number, buf: Uint8Array, off: number, syscall: string): number {
    if (!Number.isInteger(sector) || !Number.isInteger(count) || sector < 0 || count < 0) throw fsErr('EINVAL', syscall);
    if (!(buf instanceof Uint8Array) || !Number.isInteger(off) || off < 0) throw fsErr('EINVAL', syscall);
    const bytes = count * this.sectorSize;
    if (off + bytes > buf.length) throw fsErr('EINVAL', syscall);
    if (sector + count > this.sectors) throw fsErr('EIO', syscall);
    return bytes;
  }

  private logRange(sector: number, n: number): void {
    if (this.undo.active) this.undo.log(sector, n, this.visible, this.durable);
  }
}
