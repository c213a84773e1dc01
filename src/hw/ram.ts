// Physical RAM: one ArrayBuffer cut into frames, and a frame allocator. Translation tables, page-cache
// pages and anonymous memory all live here, so the machine's memory bound is real: when no frame is
// free and reclaim (the shrinkers) cannot free one, allocation fails and the kernel reports ENOMEM
// or ENOSPC — never a JavaScript heap overflow (DESIGN.md, "The machine").
// Frames are numbered from 0; frame f holds physical addresses [base + f*frameSize, base + (f+1)*frameSize).

import { invariant } from '../sim/assert.js';

/** A physical address. */
export type Paddr = number;
/** A frame number: (paddr - base) / frameSize. */
export type Frame = number;

export const NO_FRAME = -1;

/**
 * Something that can give frames back under memory pressure (page-cache reclaim, the ARC).
 * `shrink(want)` tries to free at least `want` frames and returns how many it freed.
 */
export interface Shrinker {
  readonly name: string;
  shrink(want: number): number;
}

export interface RamOptions {
  /** Size in bytes (rounded down to whole frames). */
  bytes: number;
  /** Frame size: 4096, 16384 or 65536 (the granule). Default 4096. */
  frameSize?: number;
  /** Physical address of frame 0. Default 0x4000_0000, where QEMU's `virt` machine puts RAM. */
  base?: Paddr;
}

export class Ram {
  readonly frameSize: number;
  readonly frameShift: number;
  readonly frameCount: number;
  readonly base: Paddr;
  /** The whole of RAM; frame f starts at byte f << frameShift. */
  readonly bytes: Uint8Array;
  readonly view: DataView;

  private readonly freeStack: Int32Array;
  private freeTop: number;
  /** 1 where a frame is allocated: catches double frees, which would corrupt memory silently. */
  private readonly allocated: Uint8Array;
  private readonly shrinkers: Shrinker[] = [];
  private shrinking = false;

  constructor(opts: RamOptions) {
    const frameSize = opts.frameSize ?? 4096;
    invariant(frameSize === 4096 || frameSize === 16384 || frameSize === 65536, 'frame size is a granule');
    this.frameSize = frameSize;
    this.frameShift = Math.log2(frameSize);
    this.frameCount = Math.floor(opts.bytes / frameSize);
    invariant(this.frameCount > 0, 'RAM holds at least one frame');
    this.base = opts.base ?? 0x4000_0000;
    // An ArrayBuffer is zero-filled lazily by the OS, so untouched frames cost no resident memory.
    this.bytes = new Uint8Array(this.frameCount * frameSize);
    this.view = new DataView(this.bytes.buffer);
    this.freeStack = new Int32Array(this.frameCount);
    // Low frames on top, so allocation order is deterministic and ascending at first.
    for (let i = 0; i < this.frameCount; i++) this.freeStack[i] = this.frameCount - 1 - i;
    this.freeTop = this.frameCount;
    this.allocated = new Uint8Array(this.frameCount);
  }

  get freeFrames(): number {
    return this.freeTop;
  }

  get usedFrames(): number {
    return this.frameCount - this.freeTop;
  }

  registerShrinker(s: Shrinker): void {
    this.shrinkers.push(s);
  }

  unregisterShrinker(s: Shrinker): void {
    const i = this.shrinkers.indexOf(s);
    if (i >= 0) this.shrinkers.splice(i, 1);
  }

  /**
   * Allocate one frame, zero-filled. Under pressure the shrinkers run first; returns NO_FRAME only when
   * nothing could be reclaimed. Callers turn NO_FRAME into ENOMEM/ENOSPC/SIGBUS as their interface says.
   */
  allocFrame(zero = true): Frame {
    if (this.freeTop === 0 && !this.reclaim(1)) return NO_FRAME;
    const f = this.freeStack[--this.freeTop]!;
    this.allocated[f] = 1;
    if (zero) this.bytes.fill(0, f << this.frameShift, (f + 1) << this.frameShift);
    return f;
  }

  /** Ask the shrinkers for `want` frames; true if at least one frame is free afterwards. */
  reclaim(want: number): boolean {
    if (this.shrinking) return this.freeTop > 0; // a shrinker that allocates must not recurse into reclaim
    this.shrinking = true;
    try {
      for (const s of this.shrinkers) {
        if (this.freeTop >= want) break;
        s.shrink(want - this.freeTop);
      }
    } finally {
      this.shrinking = false;
    }
    return this.freeTop > 0;
  }

  freeFrame(f: Frame): void {
    invariant(f >= 0 && f < this.frameCount && this.allocated[f] === 1, 'a freed frame was allocated');
    this.allocated[f] = 0;
    this.freeStack[this.freeTop++] = f;
  }

  isAllocated(f: Frame): boolean {
    return this.allocated[f] === 1;
  }

  /** Byte offset in `bytes` of frame f. */
  frameOffset(f: Frame): number {
    return f << this.frameShift;
  }

  /** A view of one frame's bytes (allocates a view object: not for hot paths). */
  frame(f: Frame): Uint8Array {
    return this.bytes.subarray(f << this.frameShift, (f + 1) << this.frameShift);
  }

  frameToPaddr(f: Frame): Paddr {
    return this.base + f * this.frameSize;
  }

  /** The frame holding `pa`, or NO_FRAME if `pa` is not RAM. */
  paddrToFrame(pa: Paddr): Frame {
    const off = pa - this.base;
    if (off < 0 || off >= this.frameCount * this.frameSize) return NO_FRAME;
    return Math.floor(off / this.frameSize);
  }

  /** True if [pa, pa+len) lies in RAM. */
  contains(pa: Paddr, len = 1): boolean {
    return pa >= this.base && pa + len <= this.base + this.frameCount * this.frameSize;
  }
}
