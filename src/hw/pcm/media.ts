// The PCM media's state as a crash sees it: two images, what loads see (the media overlaid with every
// store, cached or not) and what the media holds for certain, with the 8-byte pieces in flight between
// them (pending.ts) and the checkpoint's before-images (undo-log.ts). Power failure, power-on and
// checkpoint/rollback act here; the cache and its costs stay with the device (pcm.ts).

import { PcmCrashStates } from './crash.js';
import { PendingPieces } from './pending.js';
import { UnitUndoLog } from './undo-log.js';
import { LINE_BYTES } from './wear.js';

const LINE_SHIFT = 6;

export class PcmMedia {
  readonly size: number;
  /** What loads see: the media overlaid with every store, cached or not. */
  readonly visible: Uint8Array;
  readonly visible32: Uint32Array;
  readonly visibleView: DataView;
  /** What the media holds for certain (pieces written back by evictions may lag until settled). */
  readonly durable: Uint8Array;
  readonly durable32: Uint32Array;
  /** Stored 8-byte pieces not yet known durable, with their flushed/evicted marks. */
  readonly pending: PendingPieces;
  /** Checkpoint: before-images of both arrays, per line, taken on a line's first write after checkpoint(). */
  private readonly undo: UnitUndoLog;
  private readonly logWord = (word: number): void => this.logLine(word >>> 3);

  /** `bytes` of media, zeros or a copy of `image` (the caller checked that its length is `bytes`). */
  constructor(bytes: number, image?: Uint8Array) {
    this.size = bytes;
    this.visible = new Uint8Array(bytes);
    this.visible32 = new Uint32Array(this.visible.buffer);
    this.visibleView = new DataView(this.visible.buffer);
    this.durable = new Uint8Array(bytes);
    this.durable32 = new Uint32Array(this.durable.buffer);
    this.pending = new PendingPieces(bytes >>> LINE_SHIFT);
    this.undo = new UnitUndoLog(bytes >>> LINE_SHIFT, LINE_BYTES);
    if (image !== undefined) {
      this.visible.set(image);
      this.durable.set(image);
    }
  }

  /** A checkpoint is open (checkpoint() without rollback()). */
  get checkpointed(): boolean {
    return this.undo.active;
  }

  /**
   * Apply pending pieces to the durable image: those of evicted lines always, and with `fence` (a DSB
   * completing) those of flushed lines and streaming stores too.
   */
  settle(fence: boolean): void {
    this.pending.settle(this.durable32, fence, this.undo.active ? this.logWord : null);
  }

  /** The images a power failure now could leave (copies the durable image once). */
  crashStates(): PcmCrashStates {
    this.settle(false);
    return new PcmCrashStates(this.durable.slice(), this.pending);
  }

  /** A copy of what the media holds for certain now (no pending piece applied). */
  durableImage(): Uint8Array {
    this.settle(false);
    return this.durable.slice();
  }

  /** Power-on with `image` (same size): both images are it, nothing pending. */
  load(image: Uint8Array): void {
    this.visible.set(image);
    this.durable.set(image);
    this.pending.clear();
  }

  /** Write one 8-byte word (index `word`) into both images, as a crash image's piece placed at power-on. */
  setWord(word: number, lo: number, hi: number): void {
    this.logLine(word >>> 3);
    this.visible32[2 * word] = lo;
    this.visible32[2 * word + 1] = hi;
    this.durable32[2 * word] = lo;
    this.durable32[2 * word + 1] = hi;
  }

  /** Start saving before-images (the caller made sure nothing is pending). */
  checkpoint(): void {
    this.undo.begin();
  }

  /** Back to the checkpoint's contents, nothing pending. */
  rollback(): void {
    this.undo.rollback(this.visible, this.durable);
    this.pending.clear();
  }

  /** Before a store to [off, off+len): save the lines' before-images if a checkpoint is open. */
  logRange(off: number, len: number): void {
    if (!this.undo.active || len === 0) return;
    const first = off >>> LINE_SHIFT;
    this.undo.log(first, ((off + len - 1) >>> LINE_SHIFT) - first + 1, this.visible, this.durable);
  }

  private logLine(line: number): void {
    if (this.undo.active) this.undo.log(line, 1, this.visible, this.durable);
  }
}
