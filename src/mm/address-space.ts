// One process's view of memory (Linux struct mm_struct): its VMAs in VA order, its own TTBR0
// translation tables in the machine's RAM tagged by an ASID, the frames its page-table entries point
// at, and the private pages it owns (copy-on-write copies and private anonymous memory).
// Descriptor edits follow the Arm ARM's rule for live entries (D8.13, break-before-make): a changed or
// removed valid entry is followed by TLBI VAE1 for this ASID and VA.

import type { Frame } from '../hw/ram.js';
import { TranslationTables } from '../hw/mmu/tables.js';
import {
  AP_RO_ALL, AP_RW_ALL, D_AF, D_AP2, D_ATTRINDX_SHIFT, D_HI_ADDR_MASK, D_NG, D_SH_SHIFT, D_TYPE, D_VALID, DH_DBM,
  DH_PXN, DH_UXN, SH_INNER,
} from '../hw/mmu/descriptor.js';
import type { Mm } from './mm.js';
import type { Vma } from './vma.js';

/** Lowest VA mmap picks on its own (Linux's mmap_min_addr is 64 KiB; a high base keeps tests readable). */
export const MMAP_BASE = 0x10_0000_0000;
/** The TTBR0 range: 48-bit VAs. */
export const VA_LIMIT = 2 ** 48;
/** MAIR index of Normal write-back memory (OSv's boot.S uses Attr4). */
export const ATTR_NORMAL = 4;

export class AddressSpace {
  readonly tables: TranslationTables;
  /** VMAs sorted by start, not overlapping. */
  readonly vmas: Vma[] = [];
  /** vpn → frame of every valid page descriptor. */
  readonly pteFrame = new Map<number, Frame>();
  /** vpn → private frame owned by this space (COW copy or private anonymous page). */
  readonly priv = new Map<number, Frame>();
  private readonly buf = new Uint32Array(2);
  /**
   * PA of the level-3 table for each 2 MiB of VA (vpn >>> 9) this space has. Level-3 tables are never
   * freed while the space lives (pages are removed by clearing their descriptor), so a fault on a page
   * whose table exists writes one descriptor without a walk.
   */
  private readonly l3 = new Map<number, number>();
  /** The last l3 entry looked up (runs of faults and unmaps stay in one 2 MiB region). */
  private l3Key = -1;
  private l3Base = 0;

  constructor(
    readonly mm: Mm,
    /** Index in mm.spaces (the rmap's name for this space). */
    readonly id: number,
    readonly asid: number,
  ) {
    this.tables = new TranslationTables({ ram: mm.ram, granule: 4096, vaBits: 48 });
  }

  /** The VMA containing `va`, or undefined (binary search: find_vma). */
  find(va: number): Vma | undefined {
    const v = this.vmas;
    let lo = 0, hi = v.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = v[mid]!;
      if (va < x.start) hi = mid - 1;
      else if (va >= x.end) lo = mid + 1;
      else return x;
    }
    return undefined;
  }

  /** Index of the first VMA ending after `va`. */
  firstAfter(va: number): number {
    const v = this.vmas;
    let lo = 0, hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid]!.end <= va) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(vma: Vma): void {
    this.vmas.splice(this.firstAfter(vma.start), 0, vma);
  }

  /** Whether every byte of [start, end) lies in some VMA. */
  covered(start: number, end: number): boolean {
    let at = start;
    for (let i = this.firstAfter(start); i < this.vmas.length && at < end; i++) {
      const v = this.vmas[i]!;
      if (v.start > at) return false;
      at = v.end;
    }
    return at >= end;
  }

  // ---- descriptors ----

  /** Write the page descriptor for `vpn` → frame `f` (replacing any, with its TLBI). */
  setPte(vpn: number, f: Frame, writable: boolean, exec: boolean, dbm: boolean): void {
    const mm = this.mm;
    const va = vpn * 4096;
    const pteFrame = this.pteFrame;
    const pa = mm.ram.frameToPaddr(f);
    const t = this.l3Of(vpn);
    let had: boolean;
    if (t >= 0) {
      const before = pteFrame.size;
      pteFrame.set(vpn, f); // one hash operation where has() + set() were two
      had = pteFrame.size === before;
      const dpa = t + (vpn % 512) * 8;
      // Arm ARM D8.3.2, a level-3 page descriptor: the same encoding TranslationTables.map writes.
      // (pa >>> 0 is pa mod 2^32: ToUint32 of an integer below 2^53.)
      const lo = D_VALID | D_TYPE | (ATTR_NORMAL << D_ATTRINDX_SHIFT) | ((writable ? AP_RW_ALL : AP_RO_ALL) << 6) |
        (SH_INNER << D_SH_SHIFT) | D_AF | D_NG | ((pa >>> 0) & 0xfffff000);
      const hi = (Math.floor(pa / 4294967296) & D_HI_ADDR_MASK) | (dbm ? DH_DBM : 0) | DH_PXN | (exec ? 0 : DH_UXN);
      this.tables.phys.write64(dpa, lo >>> 0, hi >>> 0);
    } else {
      had = pteFrame.has(vpn);
      this.tables.map(va, pa, 4096, {
        attrIndx: ATTR_NORMAL, ap: writable ? AP_RW_ALL : AP_RO_ALL, af: true, nG: true, pxn: true, uxn: !exec, dbm,
      }, { blocks: false });
      const dpa = this.tables.leaf(va)!.descPa;
      this.l3.set(Math.floor(vpn / 512), dpa - (vpn % 512) * 8);
      pteFrame.set(vpn, f); // after map(), which throws (ENOMEM) if no frame was left for a table
    }
    if (had) this.tlbi(vpn);
  }

  /** PA of the level-3 table covering `vpn`, or -1 if the space has none yet. */
  private l3Of(vpn: number): number {
    const k = Math.floor(vpn / 512);
    if (k === this.l3Key) return this.l3Base;
    const t = this.l3.get(k);
    if (t === undefined) return -1;
    this.l3Key = k;
    this.l3Base = t;
    return t;
  }

  /**
   * TLBI VALE1 for this ASID and page (what Mmu.tlbiVa does, without building the BigInt operand:
   * the same TLB invalidation, counter, clock charge and CPU notification).
   */
  tlbi(vpn: number): void {
    const mmu = this.mm.mmu;
    mmu.tlb.invalidateVa(vpn, this.asid);
    mmu.cv.tlbi++;
    mmu.clock.now += mmu.profile.cpu.tlbiNs;
    mmu.onInvalidate?.();
  }

  /** PA of `vpn`'s level-3 descriptor if it is valid, else -1. */
  private ptePa(vpn: number): number {
    if (!this.pteFrame.has(vpn)) return -1;
    return this.l3Of(vpn) + (vpn % 512) * 8;
  }

  /** Clear the descriptor of `vpn` (no rmap or frame bookkeeping). Returns the old low word. */
  clearPte(vpn: number): number {
    const pa = this.ptePa(vpn);
    if (pa < 0) return 0;
    const phys = this.tables.phys;
    phys.read64(pa, this.buf);
    const lo = this.buf[0]!, hi = this.buf[1]!;
    phys.write64(pa, 0, 0);
    this.pteFrame.delete(vpn);
    this.tlbi(vpn);
    this.lastHi = hi;
    return lo;
  }
  /** High word of the descriptor clearPte removed last. */
  lastHi = 0;

  /** Low and high words of `vpn`'s descriptor into `out`; false if none. */
  readPte(vpn: number, out: Uint32Array): boolean {
    const pa = this.ptePa(vpn);
    if (pa < 0) return false;
    this.tables.phys.read64(pa, out);
    return true;
  }

  /** Rewrite `vpn`'s descriptor words (a live entry: TLBI follows). */
  writePte(vpn: number, lo: number, hi: number): void {
    const pa = this.ptePa(vpn);
    if (pa < 0) return;
    this.tables.phys.write64(pa, lo >>> 0, hi >>> 0);
    this.tlbi(vpn);
  }

  /** Whether a descriptor's state says the page was written: AP[2] = 0 (writable) — with DBM, hardware cleared it. */
  static isWritable(lo: number): boolean {
    return (lo & D_AP2) === 0;
  }
  static isYoung(lo: number): boolean {
    return (lo & D_AF) !== 0;
  }
  static hasDbm(hi: number): boolean {
    return (hi & DH_DBM) !== 0;
  }
}
