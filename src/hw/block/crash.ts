// The images a power failure can leave on the block device: the durable image plus any subset of the
// writes still in the volatile write cache, applied in issue order, with FUA writes always present
// (CrashMonkey's model, OSDI 2018: any subset of the bios since the last flush may persist). Writes are
// atomic as a whole by default; with `atomicity: 'sector'` each sector of a multi-sector write persists
// on its own (torn writes; NVMe guarantees only its Atomic Write Unit Power Fail, often one sector).
// Building an image writes the chosen writes over a shared base, saving what they cover; undo() restores it.

import { invariant } from '../../sim/assert.js';
import { fsErr } from '../../sim/errno.js';
import { SubsetCursor, forEachImage, type SubsetMode } from '../pcm/subsets.js';
import { PendingWrites, WRITE_FORCED } from './write-cache.js';
import { BlockEvent, TRACE_FORCED, TRACE_THROUGH, type BlockTrace } from './trace.js';

/** Whole writes persist or not (default), or each sector on its own. */
export type WriteAtomicity = 'write' | 'sector';

/** Where a crash image's writes can be placed (a BlockDevice mounting a crash image). */
export interface MediaSectorSink {
  setMediaSectors(sector: number, data: Uint8Array): void;
}

export class BlockCrashStates {
  /** The working image: the durable base, with the chosen writes on it between apply() and undo(). */
  readonly image: Uint8Array;
  readonly sectorSize: number;
  /** Number of optional pieces (writes, or sectors) a crash may keep or lose. */
  readonly count: number;
  /** Pieces that every image holds (FUA writes since the last flush). */
  readonly forcedCount: number;
  stale = false;

  // All pieces in issue order; optional ones are numbered 0..count-1 in that order.
  private readonly n: number;
  private readonly pSector: Float64Array;
  private readonly pNsect: Uint32Array;
  private readonly pData: Float64Array;
  private readonly pOpt: Int32Array; // optional index, -1 for forced
  private readonly optPiece: Int32Array;
  private readonly data: Uint8Array;
  // Undo log: per applied piece, which piece, where it went and where its old bytes are saved.
  private readonly undoPiece: Int32Array;
  private readonly undoPos: Float64Array;
  private readonly undoFrom: Float64Array;
  private readonly undoBytes: Uint8Array;
  private undoTop = 0;

  constructor(image: Uint8Array, pending: PendingWrites, sectorSize: number, atomicity: WriteAtomicity = 'write') {
    if (atomicity !== 'write' && atomicity !== 'sector') throw fsErr('EINVAL', 'block-crash');
    this.image = image;
    this.sectorSize = sectorSize;
    this.data = pending.data.slice(0, pending.dataLen);
    let n = 0;
    for (let i = 0; i < pending.count; i++) n += atomicity === 'write' ? 1 : pending.nsect[i]!;
    this.n = n;
    this.pSector = new Float64Array(n);
    this.pNsect = new Uint32Array(n);
    this.pData = new Float64Array(n);
    this.pOpt = new Int32Array(n);
    let p = 0, opt = 0, forced = 0;
    for (let i = 0; i < pending.count; i++) {
      const isForced = (pending.flags[i]! & WRITE_FORCED) !== 0;
      const parts = atomicity === 'write' ? 1 : pending.nsect[i]!;
      for (let k = 0; k < parts; k++, p++) {
        this.pSector[p] = pending.sector[i]! + k;
        this.pNsect[p] = atomicity === 'write' ? pending.nsect[i]! : 1;
        this.pData[p] = pending.dataOff[i]! + k * sectorSize;
        if (isForced) {
          this.pOpt[p] = -1;
          forced++;
        } else this.pOpt[p] = opt++;
      }
    }
    this.count = opt;
    this.forcedCount = forced;
    this.optPiece = new Int32Array(opt);
    for (let q = 0; q < n; q++) if (this.pOpt[q]! >= 0) this.optPiece[this.pOpt[q]!] = q;
    this.undoPiece = new Int32Array(n);
    this.undoPos = new Float64Array(n);
    this.undoFrom = new Float64Array(n);
    this.undoBytes = new Uint8Array(this.data.length);
  }

  /** First sector of optional piece i. */
  pieceSector(i: number): number {
    return this.pSector[this.optPiece[i]!]!;
  }

  /** Sector count of optional piece i. */
  pieceSectors(i: number): number {
    return this.pNsect[this.optPiece[i]!]!;
  }

  get applied(): boolean {
    return this.undoTop > 0;
  }

  /** Put the forced writes and the chosen optional ones (sel[i] = 1) on the image, in issue order. */
  apply(sel: Uint8Array): void {
    invariant(!this.stale, 'crash states used after their replayer advanced');
    invariant(this.undoTop === 0, 'crash image undone before the next apply');
    if (sel.length < this.count) throw fsErr('EINVAL', 'crash-apply');
    const img = this.image, ss = this.sectorSize;
    let top = 0, saved = 0;
    for (let q = 0; q < this.n; q++) {
      const o = this.pOpt[q]!;
      if (o >= 0 && sel[o] === 0) continue;
      const pos = this.pSector[q]! * ss, len = this.pNsect[q]! * ss, src = this.pData[q]!;
      this.undoPiece[top] = q;
      this.undoPos[top] = pos;
      this.undoFrom[top] = saved;
      this.undoBytes.set(img.subarray(pos, pos + len), saved);
      saved += len;
      top++;
      img.set(this.data.subarray(src, src + len), pos);
    }
    this.undoTop = top;
  }

  /** Take the applied writes off again, newest first. */
  undo(): void {
    const img = this.image, ss = this.sectorSize;
    for (let t = this.undoTop - 1; t >= 0; t--) {
      const len = this.pNsect[this.undoPiece[t]!]! * ss, from = this.undoFrom[t]!;
      img.set(this.undoBytes.subarray(from, from + len), this.undoPos[t]!);
    }
    this.undoTop = 0;
  }

  /** A fresh copy of the image with the chosen writes (allocates: for tests and tools). */
  materialize(sel: Uint8Array): Uint8Array {
    this.apply(sel);
    const out = this.image.slice();
    this.undo();
    return out;
  }

  /** Place the forced and chosen writes on a device holding the base image (see PcmCrashStates.applyTo). */
  applyTo(dev: MediaSectorSink, sel: Uint8Array): void {
    if (sel.length < this.count) throw fsErr('EINVAL', 'crash-apply');
    const ss = this.sectorSize;
    for (let q = 0; q < this.n; q++) {
      const o = this.pOpt[q]!;
      if (o >= 0 && sel[o] === 0) continue;
      const src = this.pData[q]!;
      dev.setMediaSectors(this.pSector[q]!, this.data.subarray(src, src + this.pNsect[q]! * ss));
    }
  }

  cursor(mode: SubsetMode): SubsetCursor {
    return new SubsetCursor(this.count, mode);
  }

  /** Visit the images of `mode` (see PcmCrashStates.forEach). */
  forEach(mode: SubsetMode, fn: (image: Uint8Array, sel: Uint8Array) => boolean | void): number {
    return forEachImage(this, mode, fn);
  }
}

/** Replays a BlockTrace forward; states at any cut share one working image (see PcmCrashReplayer). */
export class BlockCrashReplayer {
  readonly trace: BlockTrace;
  position = 0;
  private readonly durable: Uint8Array;
  private readonly pending: PendingWrites;
  private current: BlockCrashStates | null = null;
  private currentAtomicity: WriteAtomicity = 'write';

  constructor(trace: BlockTrace) {
    this.trace = trace;
    this.durable = trace.initial.slice();
    this.pending = trace.initialPending.clone();
  }

  advanceTo(cut: number): void {
    if (!Number.isInteger(cut) || cut < this.position || cut > this.trace.length) throw fsErr('EINVAL', 'crash-replay');
    if (this.current !== null) {
      invariant(!this.current.applied, 'crash image undone before the replayer advances');
      this.current.stale = true;
      this.current = null;
    }
    const t = this.trace, ss = t.sectorSize;
    for (let i = this.position; i < cut; i++) {
      if (t.kind[i] === BlockEvent.Write) {
        const s = t.sector[i]!, n = t.nsect[i]!, off = t.dataOff[i]!, f = t.flags[i]!;
        if ((f & (TRACE_THROUGH | TRACE_FORCED)) !== 0) this.durable.set(t.data.subarray(off, off + n * ss), s * ss);
        if ((f & TRACE_THROUGH) === 0) {
          this.pending.push(s, n, t.data, off, n * ss, (f & TRACE_FORCED) !== 0 ? WRITE_FORCED : 0);
        }
      } else if (t.kind[i] === BlockEvent.Flush) {
        this.pending.applyAll(this.durable, ss, null);
      }
    }
    this.position = cut;
  }

  states(atomicity: WriteAtomicity = 'write'): BlockCrashStates {
    if (this.current !== null && this.currentAtomicity === atomicity) return this.current;
    if (this.current !== null) {
      invariant(!this.current.applied, 'crash image undone before new states');
      this.current.stale = true;
    }
    this.current = new BlockCrashStates(this.durable, this.pending, this.trace.sectorSize, atomicity);
    this.currentAtomicity = atomicity;
    return this.current;
  }

  at(cut: number, atomicity: WriteAtomicity = 'write'): BlockCrashStates {
    this.advanceTo(cut);
    return this.states(atomicity);
  }
}
