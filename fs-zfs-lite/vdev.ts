// The pool's one leaf vdev and the read/write pipeline over it (OpenZFS module/zfs/zio.c in small):
// a write computes the block's Fletcher-4 and writes each DVA; a read goes to the ARC first, then to
// the device, verifies the checksum the parent block pointer carries, and on a mismatch or an I/O
// error tries the ditto copy and rewrites the bad one from it (self-healing, zio_checksum_verify +
// the repair write of vdev_mirror/ditto). A block that no copy verifies is EIO, never wrong data.
// Checksum and copy work is charged to the virtual clock from the profile's cpu section.

import type { BlockIo } from '../src/hw/block/block-device.js';
import type { Clock } from '../src/sim/clock.js';
import type { CostProfile } from '../src/sim/profile.js';
import { fsErr, FsError } from '../vfs/errno.js';
import { fletcher4 } from './fletcher4.js';
import type { ArcBuf, ArcRam } from './arc-ram.js';
import type { Ram } from '../src/hw/ram.js';
import { BLOCK, BP_BIRTH, BP_CKSUM, BP_DVA0, BP_DVA1, BP_LSIZE, BP_TYPE, T_DATA, rd32, wr32 } from './layout.js';

export interface VdevStats {
  blockReads: number;
  blockWrites: number;
  checksumErrors: number;
  ioErrors: number;
  healed: number;
  unrecoverable: number;
  arcHits: number;
  arcMisses: number;
  /** Blocks not cached because RAM had no frame for them. */
  arcNoMemory: number;
}

export class Vdev {
  readonly blocks: number;
  readonly stats: VdevStats = {
    blockReads: 0, blockWrites: 0, checksumErrors: 0, ioErrors: 0, healed: 0, unrecoverable: 0, arcHits: 0, arcMisses: 0, arcNoMemory: 0,
  };
  /** When false (scrub), reads skip the ARC so every copy on the media is verified. */
  useArc = true;
  private readonly spb: number;
  private readonly ck = new Uint32Array(8);
  private readonly scratch = new Uint8Array(BLOCK);
  /** arcBuffer's landing buffer for a miss (readBp may use `scratch` in the same walk). */
  private readonly shareScratch = new Uint8Array(BLOCK);
  private readonly ramBytes: Uint8Array | null;
  private readonly cksumNs: number;
  private readonly copyNs: number;

  constructor(
    readonly dev: BlockIo,
    readonly clock: Clock,
    profile: CostProfile,
    readonly arc: ArcRam | null,
    private readonly ram: Ram | null,
  ) {
    if (dev.sectorSize > BLOCK || BLOCK % dev.sectorSize !== 0) throw fsErr('EINVAL', 'zpool');
    this.spb = BLOCK / dev.sectorSize;
    this.blocks = Math.floor(dev.sectors / this.spb);
    this.cksumNs = profile.cpu.checksumNsPerByte;
    this.copyNs = profile.cpu.memcpyNsPerByte;
    this.ramBytes = ram === null ? null : ram.bytes;
  }

  /** Raw block read (no checksum): labels, uberblocks, log blocks carry their own. EIO from the device passes on. */
  readRaw(blk: number, dst: Uint8Array, off = 0): void {
    if (blk < 0 || blk >= this.blocks) throw fsErr('EIO', 'zio_read');
    this.stats.blockReads++;
    this.dev.read(blk * this.spb, this.spb, dst, off);
  }

  writeRaw(blk: number, src: Uint8Array, off = 0, flags = 0): void {
    if (blk < 0 || blk >= this.blocks) throw fsErr('EIO', 'zio_write');
    this.stats.blockWrites++;
    this.dev.write(blk * this.spb, this.spb, src, off, flags);
  }

  flush(): void {
    this.dev.flush();
  }

  /** Fletcher-4 of a whole block into `out`, charged to the clock. */
  checksum(src: Uint8Array, off: number, out: Uint32Array, outOff = 0, len = BLOCK): void {
    this.clock.now += len * this.cksumNs;
    fletcher4(src, off, len, out, outOff);
  }

  /**
   * Write `src[off..+BLOCK)` to the DVAs already in `bp` and fill in its checksum, size and type.
   * Metadata goes to the ARC (it will be read again at once); file data lives in the page cache.
   */
  writeBlock(bp: Uint8Array, bo: number, src: Uint8Array, off: number, type: number, level: number, txg: number): void {
    this.checksum(src, off, this.ck);
    for (let i = 0; i < 8; i++) wr32(bp, bo + BP_CKSUM + 4 * i, this.ck[i]!);
    wr32(bp, bo + BP_LSIZE, BLOCK);
    wr32(bp, bo + BP_TYPE, type | (level << 8));
    wr32(bp, bo + BP_BIRTH, txg);
    const d0 = rd32(bp, bo + BP_DVA0), d1 = rd32(bp, bo + BP_DVA1);
    this.writeRaw(d0, src, off);
    if (d1 !== 0) this.writeRaw(d1, src, off);
    if (this.arc !== null) {
      this.arc.remove(d0);
      if (type !== T_DATA) this.cache(d0, src, off);
    }
  }

  /**
   * Read the block `bp` points to into `dst[off..+BLOCK)`, verified. ARC first (blocks enter the ARC
   * only verified, and a DVA is not reused while cached: frees drop it). EIO if no copy verifies.
   */
  readBlock(bp: Uint8Array, bo: number, dst: Uint8Array, off: number): void {
    const d0 = rd32(bp, bo + BP_DVA0);
    const arc = this.arc;
    if (arc !== null && this.useArc) {
      const buf = arc.get(d0);
      if (buf !== undefined) {
        this.stats.arcHits++;
        this.clock.now += BLOCK * this.copyNs;
        const src = this.ramBytes!, from = this.ram!.frameOffset(buf.frames[0]!);
        if (dst === src) src.copyWithin(off, from, from + BLOCK);
        else dst.set(src.subarray(from, from + BLOCK), off);
        return;
      }
      this.stats.arcMisses++;
    }
    this.readMiss(bp, bo, dst, off);
  }

  /** The device half of readBlock: verify a copy, heal a bad one, cache the block. */
  private readMiss(bp: Uint8Array, bo: number, dst: Uint8Array, off: number): void {
    const d0 = rd32(bp, bo + BP_DVA0);
    const arc = this.arc;
    if (rd32(bp, bo + BP_LSIZE) !== BLOCK) throw fsErr('EIO', 'zio_read'); // absurd size: a damaged pointer
    const d1 = rd32(bp, bo + BP_DVA1);
    let good = -1;
    let bad0 = false;
    if (this.tryRead(d0, bp, bo, dst, off)) good = d0;
    else {
      bad0 = true;
      if (d1 !== 0 && this.tryRead(d1, bp, bo, dst, off)) good = d1;
    }
    if (good < 0) {
      this.stats.unrecoverable++;
      throw fsErr('EIO', 'zio_read');
    }
    if (bad0) {
      // Self-heal: rewrite the bad copy from the good one (it is this block's own DVA: no one else's data).
      try {
        this.writeRaw(d0, dst, off);
        this.stats.healed++;
      } catch {
        // A write error leaves the bad copy; the good one was returned, and scrub will report it again.
      }
    }
    // Every verified block read from disk enters the ARC, data included (arc_read); with the page cache
    // above, file data is then cached twice (OSv's double caching, the mode built here).
    if (arc !== null && this.useArc) this.cache(d0, dst, off);
  }

  /**
   * The ARC buffer of the block `bp` points to, read in and verified first on a miss (arc_read with a
   * buffer kept, as OSv's dmu_map_uio holds the dbuf to map it): no copy on a hit. Undefined when the
   * ARC is off (scrub) or could not take the block (no frame, larger than c); the caller then reads a
   * copy. EIO as readBlock.
   */
  arcBuffer(bp: Uint8Array, bo: number): ArcBuf | undefined {
    const arc = this.arc;
    if (arc === null || !this.useArc) return undefined;
    const d0 = rd32(bp, bo + BP_DVA0);
    const hit = arc.get(d0);
    if (hit !== undefined) {
      this.stats.arcHits++;
      return hit;
    }
    this.stats.arcMisses++;
    this.readMiss(bp, bo, this.shareScratch, 0);
    return arc.peek(d0);
  }

  /**
   * Put a verified block in the ARC. A cache that cannot get a frame (RAM full of pages no one can
   * reclaim yet) simply does not cache: the I/O has succeeded and must not fail for it.
   */
  private cache(key: number, src: Uint8Array, off: number): void {
    try {
      this.arc!.put(key, src.subarray(off, off + BLOCK));
    } catch (e) {
      if (!(e instanceof FsError) || e.code !== 'ENOMEM') throw e;
      this.stats.arcNoMemory++;
    }
  }

  /**
   * Copy the 64-byte block pointer at slot `slot` of the indirect block `bp` points to into out[outOff..]:
   * from the ARC when cached (64 bytes copied, not the block), else the block is read and verified.
   */
  readBp(bp: Uint8Array, bo: number, slot: number, out: Uint8Array, outOff: number): void {
    const arc = this.arc;
    if (arc !== null && this.useArc) {
      const buf = arc.get(rd32(bp, bo + BP_DVA0));
      if (buf !== undefined) {
        this.stats.arcHits++;
        const from = this.ram!.frameOffset(buf.frames[0]!) + slot * 64, rb = this.ramBytes!;
        for (let i = 0; i < 64; i++) out[outOff + i] = rb[from + i]!; // no subarray: this is the hit path
        return;
      }
    }
    this.readBlock(bp, bo, this.scratch, 0);
    out.set(this.scratch.subarray(slot * 64, slot * 64 + 64), outOff);
  }

  /** Scrub: verify both copies of `bp` from the media, heal what one good copy can. Returns [errors, repaired]. */
  scrubBlock(bp: Uint8Array, bo: number, dst: Uint8Array): [number, number] {
    const d0 = rd32(bp, bo + BP_DVA0), d1 = rd32(bp, bo + BP_DVA1);
    const ok0 = this.tryRead(d0, bp, bo, dst, 0);
    if (d1 === 0) {
      if (!ok0) throw fsErr('EIO', 'scrub');
      return [0, 0];
    }
    const ok1 = this.tryRead(d1, bp, bo, this.scratch, 0);
    if (ok0 && ok1) return [0, 0];
    if (!ok0 && !ok1) throw fsErr('EIO', 'scrub');
    if (ok0) { this.writeRaw(d1, dst, 0); this.stats.healed++; }
    else { this.writeRaw(d0, this.scratch, 0); dst.set(this.scratch); this.stats.healed++; }
    return [1, 1];
  }

  private tryRead(blk: number, bp: Uint8Array, bo: number, dst: Uint8Array, off: number): boolean {
    if (blk <= 0 || blk >= this.blocks) {
      this.stats.checksumErrors++;
      return false;
    }
    try {
      this.readRaw(blk, dst, off);
    } catch {
      this.stats.ioErrors++;
      return false;
    }
    this.checksum(dst, off, this.ck);
    for (let i = 0; i < 8; i++) {
      if (this.ck[i] !== rd32(bp, bo + BP_CKSUM + 4 * i)) {
        this.stats.checksumErrors++;
        return false;
      }
    }
    return true;
  }
}
