// Building translation tables for one VA range in the machine's RAM, so that callers map ranges with
// attributes instead of hand-encoding descriptors. Blocks are chosen where the VA, the PA and the length
// allow (Arm ARM D8.3: 1 GiB/2 MiB blocks with 4K, 32 MiB with 16K, 512 MiB with 64K); a mapping that
// cuts through an existing block splits it into the next level first. Like software on hardware, the
// builder never invalidates the TLB: after changing a live mapping the caller issues the TLBI.

import { NO_FRAME, type Ram } from '../ram.js';
import {
  D_TYPE, D_VALID, DH_CONT, blockAllowed, contiguousEntries, descAddress, encodeLeaf, encodeTable,
  type LeafAttrs, type TableAttrs,
} from './descriptor.js';
import { MmuError } from './error.js';
import { RamPhys } from './physmem.js';
import { TG0_16K, TG0_4K, TG0_64K, TG1_16K, TG1_4K, TG1_64K, type TcrField } from './registers.js';

export interface TablesOptions {
  ram: Ram;
  /** Translation granule in bytes. Default 4096. RAM frames must be at least this big. */
  granule?: 4096 | 16384 | 65536;
  /** VA bits of the range, 64 - TxSZ. Default 48. */
  vaBits?: number;
  /** 0: the TTBR0 (low) range; 1: the TTBR1 (high, negative VA numbers) range. Default 0. */
  select?: 0 | 1;
}

export interface MapOptions {
  /** Use block descriptors where alignment allows. Default true. */
  blocks?: boolean;
  /** Hierarchical attributes for table descriptors this call creates. */
  table?: Partial<TableAttrs>;
}

const ATTR_LO_MASK = 0xffc; // bits [11:2]: AttrIndx, NS, AP, SH, AF, nG
const ATTR_HI_MASK = 0xfffc0000 | 0; // bits [63:50]

export class TranslationTables {
  readonly ram: Ram;
  readonly phys: RamPhys;
  readonly granuleShift: number;
  readonly stride: number;
  readonly vaBits: number;
  readonly select: 0 | 1;
  readonly startLevel: number;
  readonly startBits: number;
  /** PA of the start-level table (what TTBRn.BADDR holds). */
  readonly root: number;
  private readonly buf = new Uint32Array(2);
  private tableCount = 0;

  constructor(opts: TablesOptions) {
    this.ram = opts.ram;
    this.phys = new RamPhys(opts.ram);
    const granule = opts.granule ?? 4096;
    if (granule !== 4096 && granule !== 16384 && granule !== 65536) throw new MmuError('EINVAL', `granule ${granule} is not 4K/16K/64K`);
    if (opts.ram.frameSize < granule) throw new MmuError('EINVAL', `RAM frames (${opts.ram.frameSize}) are smaller than the granule (${granule})`);
    this.granuleShift = Math.log2(granule);
    this.stride = this.granuleShift - 3;
    this.vaBits = opts.vaBits ?? 48;
    if (this.vaBits < 16 || this.vaBits > 48) throw new MmuError('EINVAL', `vaBits ${this.vaBits} is outside 16..48`);
    this.select = opts.select ?? 0;
    this.startLevel = 4 - Math.floor((this.vaBits - 4) / this.stride);
    this.startBits = this.vaBits - (this.granuleShift + this.stride * (3 - this.startLevel));
    this.root = this.allocTable();
  }

  /** Number of translation tables allocated (the root included). */
  get tables(): number {
    return this.tableCount;
  }

  /** TCR_EL1 fields that describe this range (TxSZ and TGn). */
  tcrFields(): Partial<Record<TcrField, number>> {
    const gs = this.granuleShift;
    return this.select === 0
      ? { T0SZ: 64 - this.vaBits, TG0: gs === 12 ? TG0_4K : gs === 14 ? TG0_16K : TG0_64K }
      : { T1SZ: 64 - this.vaBits, TG1: gs === 12 ? TG1_4K : gs === 14 ? TG1_16K : TG1_64K };
  }

  private allocTable(): number {
    const f = this.ram.allocFrame(true);
    if (f === NO_FRAME) throw new MmuError('ENOMEM', 'no free frame for a translation table');
    this.tableCount++;
    return this.ram.frameToPaddr(f);
  }

  private lsb(level: number): number {
    return this.granuleShift + this.stride * (3 - level);
  }

  private index(va: number, level: number): number {
    const bits = level === this.startLevel ? this.startBits : this.stride;
    const n = 2 ** bits;
    return ((Math.floor(va / 2 ** this.lsb(level)) % n) + n) % n;
  }

  private read(pa: number): [number, number] {
    this.phys.read64(pa, this.buf);
    return [this.buf[0]!, this.buf[1]!];
  }

  private checkRange(va: number, size: number): void {
    const g = 2 ** this.granuleShift, span = 2 ** this.vaBits;
    if (!Number.isSafeInteger(va) || !Number.isSafeInteger(size) || size <= 0 || va % g !== 0 || size % g !== 0) {
      throw new MmuError('EINVAL', `range ${va}+${size} is not granule-aligned`);
    }
    const ok = this.select === 0 ? va >= 0 && va + size <= span : va >= -span && va + size <= 0;
    if (!ok) throw new MmuError('EINVAL', `range ${va}+${size} is outside the TTBR${this.select} range of ${this.vaBits} bits`);
  }

  /** Map [va, va+size) to [pa, pa+size) with the given leaf attributes. */
  map(va: number, pa: number, size: number, attrs: Partial<LeafAttrs> = {}, opts: MapOptions = {}): void {
    this.checkRange(va, size);
    const g = 2 ** this.granuleShift;
    if (!Number.isSafeInteger(pa) || pa < 0 || pa % g !== 0 || pa + size > 2 ** 48) throw new MmuError('EINVAL', `PA ${pa} is not a granule-aligned 48-bit address`);
    const wantCont = attrs.contiguous === true;
    let v = va, p = pa, left = size;
    while (left > 0) {
      let level = this.startLevel, table = this.root, step = 0;
      for (;;) {
        const lsb = this.lsb(level), bsize = 2 ** lsb;
        const dpa = table + this.index(v, level) * 8;
        const [lo, hi] = this.read(dpa);
        const leafHere = level === 3 ||
          (opts.blocks !== false && blockAllowed(this.granuleShift, level) && v % bsize === 0 && p % bsize === 0 && left >= bsize);
        if (leafHere) {
          if (level < 3 && (lo & D_VALID) && (lo & D_TYPE)) this.freeSubtree(descAddress(lo, hi, this.granuleShift), level + 1);
          const group = contiguousEntries(this.granuleShift, level) * bsize;
          const gStart = v - (((v % group) + group) % group);
          const cont = wantCont && gStart >= va && gStart + group <= va + size && (p - (v - gStart)) % group === 0;
          const [dlo, dhi] = encodeLeaf(p, level, { ...attrs, contiguous: cont });
          this.phys.write64(dpa, dlo, dhi);
          step = bsize;
          break;
        }
        if ((lo & D_VALID) && (lo & D_TYPE)) {
          table = descAddress(lo, hi, this.granuleShift);
        } else {
          const next = (lo & D_VALID) ? this.split(lo, hi, level) : this.allocTable();
          const [tlo, thi] = encodeTable(next, opts.table);
          this.phys.write64(dpa, tlo, thi);
          table = next;
        }
        level++;
      }
      v += step;
      p += step;
      left -= step;
    }
  }

  /** Remove the translations of [va, va+size), splitting blocks that straddle the range. */
  unmap(va: number, size: number): void {
    this.checkRange(va, size);
    let v = va;
    const end = va + size;
    while (v < end) {
      let level = this.startLevel, table = this.root;
      for (;;) {
        const lsb = this.lsb(level), bsize = 2 ** lsb;
        const idx = this.index(v, level);
        const dpa = table + idx * 8;
        const [lo, hi] = this.read(dpa);
        const entryStart = v - (((v % bsize) + bsize) % bsize);
        if (!(lo & D_VALID)) {
          v = entryStart + bsize;
          break;
        }
        const isTable = level < 3 && (lo & D_TYPE) !== 0;
        const covered = entryStart >= va && entryStart + bsize <= end;
        if (covered) {
          if (isTable) this.freeSubtree(descAddress(lo, hi, this.granuleShift), level + 1);
          if (hi & DH_CONT) this.clearContiguous(table, idx, level);
          this.phys.write64(dpa, 0, 0);
          v = entryStart + bsize;
          break;
        }
        if (isTable) {
          table = descAddress(lo, hi, this.granuleShift);
        } else {
          if (hi & DH_CONT) this.clearContiguous(table, idx, level);
          const [clo, chi] = this.read(dpa);
          const next = this.split(clo, chi, level);
          const [tlo, thi] = encodeTable(next);
          this.phys.write64(dpa, tlo, thi);
          table = next;
        }
        level++;
      }
    }
  }

  /** A table at level+1 holding the same translation as the block descriptor (lo, hi) at `level`. */
  private split(lo: number, hi: number, level: number): number {
    const next = this.allocTable();
    const child = level + 1, csize = 2 ** this.lsb(child), n = 2 ** this.stride;
    const oa = descAddress(lo, hi, this.granuleShift);
    for (let i = 0; i < n; i++) {
      const [clo, chi] = encodeLeaf(oa + i * csize, child);
      const l = (clo & ~ATTR_LO_MASK) | (lo & ATTR_LO_MASK);
      const h = (chi & ~ATTR_HI_MASK) | (hi & ATTR_HI_MASK & ~DH_CONT);
      this.phys.write64(next + i * 8, l >>> 0, h >>> 0);
    }
    return next;
  }

  /** Clear the contiguous hint on every entry of the group holding entry `idx` (it no longer holds). */
  private clearContiguous(table: number, idx: number, level: number): void {
    const n = contiguousEntries(this.granuleShift, level), first = idx - (idx % n);
    for (let i = first; i < first + n; i++) {
      const [lo, hi] = this.read(table + i * 8);
      if (hi & DH_CONT) this.phys.write64(table + i * 8, lo, (hi & ~DH_CONT) >>> 0);
    }
  }

  private freeSubtree(table: number, level: number): void {
    if (level < 3) {
      const n = 2 ** (level === this.startLevel ? this.startBits : this.stride);
      for (let i = 0; i < n; i++) {
        const [lo, hi] = this.read(table + i * 8);
        if ((lo & D_VALID) && (lo & D_TYPE)) this.freeSubtree(descAddress(lo, hi, this.granuleShift), level + 1);
      }
    }
    this.ram.freeFrame(this.ram.paddrToFrame(table));
    this.tableCount--;
  }

  /** Free every table, the root included. The object is unusable afterwards. */
  destroy(): void {
    this.freeSubtree(this.root, this.startLevel);
  }

  /** Software walk: the leaf descriptor translating `va`, or null if none. */
  leaf(va: number): { level: number; lo: number; hi: number; descPa: number } | null {
    let level = this.startLevel, table = this.root;
    for (;;) {
      const dpa = table + this.index(va, level) * 8;
      const [lo, hi] = this.read(dpa);
      if (!(lo & D_VALID)) return null;
      if (level < 3 && (lo & D_TYPE)) {
        table = descAddress(lo, hi, this.granuleShift);
        level++;
        continue;
      }
      return { level, lo, hi, descPa: dpa };
    }
  }
}
