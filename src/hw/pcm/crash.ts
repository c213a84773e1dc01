// The images a power failure can leave on persistent memory. At any instant the media holds a durable
// image; every store since that is not yet durable (unflushed, or flushed but not fenced) may or may not
// be there, each aligned 8-byte piece independently (the failure-atomic unit), later pieces of a word
// over earlier ones. So an image is "durable + a chosen subset of the pending pieces, applied in program
// order", the model Yat (ATC 2014) and Chipmunk (EuroSys 2023) explore. Building one costs O(pieces):
// chosen pieces are written over a shared base with their old words saved, and undo() puts them back.

import { invariant } from '../../sim/assert.js';
import { fsErr } from '../../sim/errno.js';
import { PendingPieces, PIECE_NT } from './pending.js';
import { PcmEvent, type PcmTrace } from './trace.js';
import { SubsetCursor, forEachImage, type SubsetMode } from './subsets.js';

/** Where crash images can be written word by word (a PcmDevice mounting a crash image). */
export interface MediaWordSink {
  setMediaWord(word: number, lo: number, hi: number): void;
}

/** The crash images at one instant: a base image plus the pending pieces, in program order. */
export class PcmCrashStates {
  /** The working image: the durable base, with the chosen pieces on it between apply() and undo(). */
  readonly image: Uint8Array;
  /** Number of pending pieces (a crash keeps any subset of them). */
  readonly count: number;
  /** Per piece: 8-byte word index, value (val[2i] bits 31:0, val[2i+1] bits 63:32), 1 if flushed. */
  readonly word: Uint32Array;
  readonly val: Uint32Array;
  readonly flushed: Uint8Array;

  private readonly img32: Uint32Array;
  private readonly undoWord: Uint32Array;
  private readonly undoLo: Uint32Array;
  private readonly undoHi: Uint32Array;
  private undoTop = 0;
  /** Set when the base image moved on (a replayer advanced): the states are no longer valid. */
  stale = false;

  constructor(image: Uint8Array, pending: PendingPieces) {
    invariant(image.byteOffset % 4 === 0 && image.byteLength % 8 === 0, 'crash image is word aligned');
    this.image = image;
    this.img32 = new Uint32Array(image.buffer, image.byteOffset, image.byteLength >>> 2);
    const n = pending.count;
    this.count = n;
    this.word = pending.word.slice(0, n);
    this.val = pending.val.slice(0, 2 * n);
    this.flushed = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.flushed[i] = pending.isFlushed(i) ? 1 : 0;
    this.undoWord = new Uint32Array(n);
    this.undoLo = new Uint32Array(n);
    this.undoHi = new Uint32Array(n);
  }

  /** Byte offset of piece i in the device. */
  pieceOffset(i: number): number {
    return this.word[i]! * 8;
  }

  /** Number of pieces that are not flushed (lost unless an eviction happened to write them back). */
  get unflushed(): number {
    let u = 0;
    for (let i = 0; i < this.count; i++) u += 1 - this.flushed[i]!;
    return u;
  }

  /** True between apply() and undo(). */
  get applied(): boolean {
    return this.undoTop > 0;
  }

  /** Put the pieces with sel[i] = 1 on the image, in program order. Undo before applying another. */
  apply(sel: Uint8Array): void {
    invariant(!this.stale, 'crash states used after their replayer advanced');
    invariant(this.undoTop === 0, 'crash image undone before the next apply');
    if (sel.length < this.count) throw fsErr('EINVAL', 'crash-apply');
    const img = this.img32;
    let top = 0;
    for (let i = 0; i < this.count; i++) {
      if (sel[i] === 0) continue;
      const w = this.word[i]!;
      this.undoWord[top] = w;
      this.undoLo[top] = img[2 * w]!;
      this.undoHi[top] = img[2 * w + 1]!;
      top++;
      img[2 * w] = this.val[2 * i]!;
      img[2 * w + 1] = this.val[2 * i + 1]!;
    }
    this.undoTop = top;
  }

  /** Take the applied pieces off again (newest first, so a word written twice gets its base back). */
  undo(): void {
    const img = this.img32;
    for (let t = this.undoTop - 1; t >= 0; t--) {
      const w = this.undoWord[t]!;
      img[2 * w] = this.undoLo[t]!;
      img[2 * w + 1] = this.undoHi[t]!;
    }
    this.undoTop = 0;
  }

  /** A fresh copy of the image with the chosen pieces (allocates the whole image: for tests and tools). */
  materialize(sel: Uint8Array): Uint8Array {
    this.apply(sel);
    const out = this.image.slice();
    this.undo();
    return out;
  }

  /**
   * Write the chosen pieces into a device that holds this base image (loaded once with loadImage),
   * typically inside its checkpoint()/rollback() pair, so that mounting each crash image costs only
   * the pieces and what recovery writes.
   */
  applyTo(dev: MediaWordSink, sel: Uint8Array): void {
    if (sel.length < this.count) throw fsErr('EINVAL', 'crash-apply');
    for (let i = 0; i < this.count; i++) {
      if (sel[i] !== 0) dev.setMediaWord(this.word[i]!, this.val[2 * i]!, this.val[2 * i + 1]!);
    }
  }

  /** A cursor over the subsets of this instant's pieces. */
  cursor(mode: SubsetMode): SubsetCursor {
    return new SubsetCursor(this.count, mode);
  }

  /**
   * Visit the images of `mode`: fn sees the image with the subset applied (valid only during the call)
   * and the selection; returning false stops. Returns the number of images visited.
   */
  forEach(mode: SubsetMode, fn: (image: Uint8Array, sel: Uint8Array) => boolean | void): number {
    return forEachImage(this, mode, fn);
  }
}

/**
 * Replays a PcmTrace forward and yields the crash states at any cut (an event index: the crash happens
 * before event `cut`). One working image is shared by every cut, so cutting at each of thousands of
 * points costs the events in between, not a copy of the device each time.
 */
export class PcmCrashReplayer {
  readonly trace: PcmTrace;
  /** Events applied so far: the next cut must be at or after it. */
  position = 0;
  private readonly durable: Uint8Array;
  private readonly durable32: Uint32Array;
  private readonly pending: PendingPieces;
  private current: PcmCrashStates | null = null;

  constructor(trace: PcmTrace) {
    this.trace = trace;
    this.durable = trace.initial.slice();
    this.durable32 = new Uint32Array(this.durable.buffer, 0, this.durable.byteLength >>> 2);
    this.pending = trace.initialPending.clone();
  }

  /** Apply events up to (not including) `cut`. */
  advanceTo(cut: number): void {
    if (!Number.isInteger(cut) || cut < this.position || cut > this.trace.length) throw fsErr('EINVAL', 'crash-replay');
    if (this.current !== null) {
      invariant(!this.current.applied, 'crash image undone before the replayer advances');
      this.current.stale = true;
      this.current = null;
    }
    const t = this.trace, p = this.pending;
    for (let i = this.position; i < cut; i++) {
      switch (t.kind[i]) {
        case PcmEvent.Store: p.push(t.a[i]!, t.val[2 * i]!, t.val[2 * i + 1]!, 0); break;
        case PcmEvent.NtStore: p.push(t.a[i]!, t.val[2 * i]!, t.val[2 * i + 1]!, PIECE_NT); break;
        case PcmEvent.Flush: p.markFlushed(t.a[i]!); break;
        case PcmEvent.Evict: p.markEvicted(t.a[i]!); break;
        case PcmEvent.Fence: p.settle(this.durable32, true, null); break;
        default: break;
      }
    }
    this.position = cut;
  }

  /** The crash states at the current position (valid until the next advanceTo). */
  states(): PcmCrashStates {
    if (this.current !== null) return this.current;
    this.pending.settle(this.durable32, false, null);
    this.current = new PcmCrashStates(this.durable, this.pending);
    return this.current;
  }

  /** Shorthand: advance to `cut` and return its states. */
  at(cut: number): PcmCrashStates {
    this.advanceTo(cut);
    return this.states();
  }
}
