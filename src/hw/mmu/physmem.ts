// What the translation walk sees of physical memory: 64-bit little-endian descriptor reads and the
// compare-and-swap a hardware Access flag / dirty-state update needs (Arm ARM D8.4.x: the update is an
// atomic read-modify-write). Two memories implement it: `RamPhys`, the machine's RAM (a PA outside RAM
// is an external abort on the walk), and `SparseMem`, for replaying QEMU-style register/memory dumps
// (any PA reads as zero unless written).

import type { Ram } from '../ram.js';

export interface PhysMem {
  /** Read the 64-bit word at `pa` (8-aligned) into out[0] (bits 31:0) and out[1] (63:32); false if not memory. */
  read64(pa: number, out: Uint32Array): boolean;
  /** Write a 64-bit word; false if not memory. */
  write64(pa: number, lo: number, hi: number): boolean;
}

/** Physical memory backed by the machine's RAM: physical address `ram.base + offset`. */
export class RamPhys implements PhysMem {
  readonly ram: Ram;
  private readonly view: DataView;
  private readonly base: number;
  private readonly size: number;

  constructor(ram: Ram) {
    this.ram = ram;
    this.view = ram.view;
    this.base = ram.base;
    this.size = ram.bytes.length;
  }

  read64(pa: number, out: Uint32Array): boolean {
    const off = pa - this.base;
    if (off < 0 || off + 8 > this.size) return false;
    out[0] = this.view.getUint32(off, true);
    out[1] = this.view.getUint32(off + 4, true);
    return true;
  }

  write64(pa: number, lo: number, hi: number): boolean {
    const off = pa - this.base;
    if (off < 0 || off + 8 > this.size) return false;
    this.view.setUint32(off, lo, true);
    this.view.setUint32(off + 4, hi, true);
    return true;
  }
}

/** A sparse physical memory of 64-bit words; everything not written reads as zero. */
export class SparseMem implements PhysMem {
  /** Word index (pa / 8) → slot in `words` (two u32 per slot). */
  private readonly index = new Map<number, number>();
  private words = new Uint32Array(1024);
  private used = 0;

  get size(): number {
    return this.used;
  }

  read64(pa: number, out: Uint32Array): boolean {
    const slot = this.index.get(pa / 8);
    if (slot === undefined) {
      out[0] = 0;
      out[1] = 0;
    } else {
      out[0] = this.words[slot * 2]!;
      out[1] = this.words[slot * 2 + 1]!;
    }
    return true;
  }

  write64(pa: number, lo: number, hi: number): boolean {
    const key = pa / 8;
    let slot = this.index.get(key);
    if (slot === undefined) {
      if ((this.used + 1) * 2 > this.words.length) {
        const grown = new Uint32Array(this.words.length * 2);
        grown.set(this.words);
        this.words = grown;
      }
      slot = this.used++;
      this.index.set(key, slot);
    }
    this.words[slot * 2] = lo >>> 0;
    this.words[slot * 2 + 1] = hi >>> 0;
    return true;
  }

  /** The written words in ascending address order (for dumps). */
  entries(): [number, number, number][] {
    const out: [number, number, number][] = [];
    for (const [k, slot] of this.index) out.push([k * 8, this.words[slot * 2]!, this.words[slot * 2 + 1]!]);
    return out.sort((a, b) => a[0] - b[0]);
  }
}
