// pcmfs block allocator: a volatile bitmap over the log/data area, rebuilt at every mount from what the
// logs reference (NOVA keeps its free lists in DRAM and rebuilds them on recovery, FAST 2016 §4.3).
// Wear levelling: allocation rotates (next fit from where the last allocation ended, wrapping), so
// freed blocks are not rewritten at once while others never are; `rotate: false` takes the lowest free
// block, the policy a wear comparison needs as its baseline.

import { fsErr } from '../vfs/errno.js';
import { invariant } from '../src/sim/assert.js';

export class BlockAllocator {
  readonly first: number;
  readonly end: number;
  readonly rotate: boolean;
  /** 1 = in use. Indexed by block number (blocks below `first` are metadata, always in use). */
  readonly used: Uint8Array;
  free: number;
  private cursor: number;

  constructor(first: number, end: number, rotate: boolean) {
    invariant(first < end, 'allocator has blocks');
    this.first = first;
    this.end = end;
    this.rotate = rotate;
    this.used = new Uint8Array(end);
    this.used.fill(1, 0, first);
    this.free = end - first;
    this.cursor = first;
  }

  /** Mark a block in use at mount (false if it already was: a block referenced twice). */
  claim(b: number): boolean {
    if (b < this.first || b >= this.end || this.used[b] === 1) return false;
    this.used[b] = 1;
    this.free--;
    return true;
  }

  /**
   * Allocate a run of up to `max` contiguous free blocks; returns its first block, the length in
   * `lastRun`. ENOSPC when none is free.
   */
  allocRun(max: number): number {
    if (this.free === 0) throw fsErr('ENOSPC');
    const used = this.used, n = this.end - this.first;
    let b = this.rotate ? this.cursor : this.first;
    for (let k = 0; k < n && used[b] === 1; k++) {
      b++;
      if (b === this.end) b = this.first;
    }
    invariant(used[b] === 0, 'a free block exists when free > 0');
    let len = 0;
    while (len < max && b + len < this.end && used[b + len] === 0) {
      used[b + len] = 1;
      len++;
    }
    this.free -= len;
    this.lastRun = len;
    this.cursor = b + len === this.end ? this.first : b + len;
    return b;
  }

  lastRun = 0;

  release(b: number, len = 1): void {
    for (let i = 0; i < len; i++) {
      invariant(b + i >= this.first && b + i < this.end && this.used[b + i] === 1, 'freeing a used data block');
      this.used[b + i] = 0;
    }
    this.free += len;
  }
}
