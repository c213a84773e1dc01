// The stage 1 EL1&0 translation table walk (Arm ARM D8.2 "Translation process", pseudo-code
// AArch64.S1Translate / AArch64.S1Walk; QEMU target/arm/ptw.c get_phys_addr_lpae follows the same order).
// The fast path: the VA arrives as two 32-bit halves, descriptors are read as two halves, results go
// into a reused WalkResult, so a walk allocates nothing. The fault priority is the one fault.ts lists.

import {
  D_AF, D_AP2, D_ATTRINDX_SHIFT, D_NG, D_SH_SHIFT, D_TYPE, D_VALID, DH_APTABLE0, DH_APTABLE1, DH_CONT, DH_DBM,
  DH_PXN, DH_PXNTABLE, DH_UXN, DH_UXNTABLE, blockAllowed, contiguousEntries,
} from './descriptor.js';
import { FaultKind } from './fault.js';
import { RamPhys, type PhysMem } from './physmem.js';
import type { Regime } from './registers.js';

/** Access types. */
export const ACC_READ = 0, ACC_WRITE = 1, ACC_EXEC = 2;
export type AccessType = 0 | 1 | 2;

/** Permission bits of a translation: bit (acc + 3*el') where el' = 0 for EL1, 1 for EL0. */
export const P_R1 = 1, P_W1 = 2, P_X1 = 4, P_R0 = 8, P_W0 = 16, P_X0 = 32, P_ALL = 63;

/** The permission bit an access of type `acc` at `el` needs. */
export function permBit(acc: AccessType, el: number): number {
  return 1 << (acc + (el === 0 ? 3 : 0));
}

/** Result of one walk; one object is reused for every walk. */
export class WalkResult {
  fault: FaultKind = FaultKind.None;
  /** Level of the fault, or of the leaf descriptor. */
  level = 0;
  /** Output address of the VA. */
  pa = 0;
  /** log2 of the span a TLB entry may cover (page/block size, widened by the contiguous hint). */
  spanShift = 12;
  /** PA of the start of that span. */
  spanPa = 0;
  /** MAIR attribute byte. */
  attr = 0;
  sh = 0;
  nG = false;
  perms = 0;
  /** Writable-clean: a write would be permitted after a hardware dirty-state update (HD, DBM, AP[2]=1). */
  dbm = false;
  /** Descriptors fetched by this walk. */
  reads = 0;
  /** Hardware updates written back: 1 = AF set, 2 = dirty (AP[2] cleared). */
  updated = 0;
  /** Where the leaf (or faulting) descriptor is, and its value. */
  descPa = 0;
  descLo = 0;
  descHi = 0;
}

/** 2^n for n = 0..64 (a table: `2 ** n` with a variable n is a slow Math.pow call). */
export const POW2 = Float64Array.from({ length: 65 }, (_, n) => 2 ** n);

/** Bits [n-1:0] of a VA given as halves, as a number (n ≤ 48). */
export function vaLowBits(vaHi: number, vaLo: number, n: number): number {
  if (n <= 31) return (vaLo & ((1 << n) - 1)) >>> 0;
  if (n === 32) return vaLo >>> 0;
  return ((vaHi & ((1 << (n - 32)) - 1)) >>> 0) * 4294967296 + (vaLo >>> 0);
}

export class Walker {
  regime!: Regime;
  private readonly mem: PhysMem;
  private readonly buf = new Uint32Array(2);
  /** The VA being translated: [bits 63:32, bits 31:0]. */
  readonly vaHalves = new Uint32Array(2);
  // When the memory is the machine's RAM, descriptors are read from its DataView directly (no call).
  private readonly ramView: DataView | null;
  private readonly ramBase: number;
  private readonly ramEnd: number;

  constructor(mem: PhysMem) {
    this.mem = mem;
    const ram = mem instanceof RamPhys ? mem.ram : null;
    this.ramView = ram ? ram.view : null;
    this.ramBase = ram ? ram.base : 0;
    this.ramEnd = ram ? ram.bytes.length - 8 : 0;
  }

  /**
   * Translate a VA (vaHi = bits 63:32, vaLo = bits 31:0) for an access of type `acc` made at `el`.
   * With `update`, hardware Access flag / dirty-state updates are written back to memory (a real access);
   * without, the result is computed as if they had been (AT instructions: our choice is not to update).
   */
  walk(vaHi: number, vaLo: number, acc: AccessType, el: number, update: boolean, r: WalkResult): void {
    this.vaHalves[0] = vaHi;
    this.vaHalves[1] = vaLo;
    this.walkIn(acc, el, update, r);
  }

  /** walk() for the VA in vaHalves (the hot callers pass it there: no boxed arguments). */
  walkIn(acc: AccessType, el: number, update: boolean, r: WalkResult): void {
    const vaHi = this.vaHalves[0]!, vaLo = this.vaHalves[1]!;
    const g = this.regime;
    r.reads = 0;
    r.updated = 0;
    r.fault = FaultKind.None;
    r.level = 0;
    const select = (vaHi >>> 23) & 1; // VA bit 55 picks the range, TBI or not (D8.1.x)
    if (!g.mmuOn) return this.flat(vaHi, vaLo, select, r);
    const p = g.r[select]!;
    if (p.tszOob) return fault(r, FaultKind.Translation, 0);
    if ((vaHi & p.vaHiMask) !== (select ? p.vaHiMask : 0) || (vaLo & p.vaLoMask) !== (select ? p.vaLoMask : 0)) {
      return fault(r, FaultKind.Translation, 0); // in neither the TTBR0 nor the TTBR1 range
    }
    if (p.epd) return fault(r, FaultKind.Translation, 0);
    if (p.baseTooBig) return fault(r, FaultKind.AddressSize, 0);

    const gs = p.granuleShift, stride = p.stride, oaLimit = POW2[g.oaBits]!;
    const addrMask = ~((1 << gs) - 1); // descriptor address bits [31:gs] of the low word
    const buf = this.buf, mem = this.mem, view = this.ramView, ramBase = this.ramBase, ramEnd = this.ramEnd;
    let level = p.startLevel, base = p.base, tableHi = 0, reads = 0;
    for (;;) {
      const lsb = gs + stride * (3 - level);
      const bits = level === p.startLevel ? p.startBits : stride;
      const idx = (lsb >= 32 ? vaHi >>> (lsb - 32) : (vaLo >>> lsb) | (vaHi << (32 - lsb))) & ((1 << bits) - 1);
      const descPa = base + idx * 8;
      reads++;
      let lo: number, hi: number;
      if (view !== null) {
        const off = descPa - ramBase;
        if (off < 0 || off > ramEnd) return faultAt(r, FaultKind.ExternalOnWalk, level, reads, descPa, 0, 0);
        lo = view.getUint32(off, true);
        hi = view.getUint32(off + 4, true);
      } else {
        if (!mem.read64(descPa, buf)) return faultAt(r, FaultKind.ExternalOnWalk, level, reads, descPa, 0, 0);
        lo = buf[0]!;
        hi = buf[1]!;
      }
      if ((lo & D_VALID) === 0) return faultAt(r, FaultKind.Translation, level, reads, descPa, lo, hi);
      const isTableOrPage = (lo & D_TYPE) !== 0;
      if (level === 3 ? !isTableOrPage : !isTableOrPage && !blockAllowed(gs, level)) {
        return faultAt(r, FaultKind.Translation, level, reads, descPa, lo, hi); // reserved, or a block where none may be
      }
      const oaHi = (hi & 0xffff) * 4294967296;
      const oa = oaHi + ((lo & addrMask) >>> 0); // bits [47:gs], as descAddress() reads them
      if (oa >= oaLimit) return faultAt(r, FaultKind.AddressSize, level, reads, descPa, lo, hi);
      if (level < 3 && isTableOrPage) {
        tableHi |= hi; // APTable/UXNTable/PXNTable accumulate: each only ever restricts
        base = oa;
        level++;
        continue;
      }
      // Leaf: a block (levels 1-2) or a page (level 3).
      r.level = level;
      r.reads = reads;
      r.descPa = descPa;
      r.descLo = lo;
      r.descHi = hi;
      let newLo = lo;
      if ((lo & D_AF) === 0) {
        if (!g.ha) return fault(r, FaultKind.AccessFlag, level);
        newLo |= D_AF;
      }
      const dbmCapable = g.hd && (hi & DH_DBM) !== 0;
      if (dbmCapable && acc === ACC_WRITE) newLo &= ~D_AP2;
      let ap = (newLo >>> 6) & 3;
      let uxn = (hi & DH_UXN) !== 0, pxn = (hi & DH_PXN) !== 0;
      if (!p.hpd) {
        if (tableHi & DH_APTABLE0) ap &= ~1; // APTable[0]: no EL0 access below
        if (tableHi & DH_APTABLE1) ap |= 2; // APTable[1]: read-only below
        if (tableHi & DH_UXNTABLE) uxn = true;
        if (tableHi & DH_PXNTABLE) pxn = true;
      }
      const w1 = (ap & 2) === 0, r0 = (ap & 1) !== 0, w0 = r0 && w1;
      let perms = P_R1;
      if (w1) perms |= P_W1;
      if (r0) perms |= P_R0;
      if (w0) perms |= P_W0;
      // EL0 execute: UXN only (AP=00 with UXN=0 is execute-only at EL0), and WXN for EL0-writable.
      if (!uxn && !(g.wxn && w0)) perms |= P_X0;
      // EL1 execute: PXN, never from EL0-writable memory (D8.4.3), and WXN for EL1-writable.
      if (!pxn && !w0 && !(g.wxn && w1)) perms |= P_X1;
      if ((perms & permBit(acc, el)) === 0) return fault(r, FaultKind.Permission, level);

      if (newLo !== lo && update) {
        // Single-threaded machine: the compare-and-swap cannot lose, so a plain write is the CAS.
        mem.write64(descPa, newLo >>> 0, hi);
        r.updated = ((newLo & D_AF) !== (lo & D_AF) ? 1 : 0) | ((newLo & D_AP2) !== (lo & D_AP2) ? 2 : 0);
        r.descLo = newLo >>> 0;
      }
      r.perms = perms;
      r.dbm = dbmCapable && (newLo & D_AP2) !== 0;
      r.attr = g.mair[(lo >>> D_ATTRINDX_SHIFT) & 7]!;
      r.sh = (lo >>> D_SH_SHIFT) & 3;
      r.nG = (lo & D_NG) !== 0;
      // A block's OA is bits [47:lsb] (lsb ≤ 30 for every granule and level).
      const low = (1 << lsb) - 1;
      const leafBase = oaHi + ((lo & ~low) >>> 0);
      r.pa = leafBase + ((vaLo & low) >>> 0);
      if ((hi & DH_CONT) === 0) {
        r.spanShift = lsb;
        r.spanPa = leafBase;
      } else {
        // The contiguous hint lets one TLB entry cover the whole group (D8.6.1). If software set it on
        // descriptors that are not consistent, the result is CONSTRAINED UNPREDICTABLE; ours: the group
        // is translated as this descriptor says, offset by the VA within the group.
        const span = lsb + Math.log2(contiguousEntries(gs, level));
        r.spanShift = span;
        r.spanPa = r.pa - vaLowBits(vaHi, vaLo, span);
      }
      return;
    }
  }

  /** SCTLR_EL1.M = 0: a flat map (AArch64.TranslateAddressS1Off), Device-nGnRnE, everything permitted. */
  private flat(vaHi: number, vaLo: number, select: number, r: WalkResult): void {
    const g = this.regime;
    const tbi = g.r[select]!.tbi;
    // VA bits [top:PAMax] must be zero (top = 55 with TBI, else 63), or an Address size fault at level 0.
    const top = tbi ? 55 : 63;
    let mask = 0;
    for (let b = g.paBits; b <= top; b++) mask |= 1 << (b - 32);
    if ((vaHi & mask) !== 0) return fault(r, FaultKind.AddressSize, 0);
    r.pa = vaLowBits(vaHi, vaLo, 48);
    r.level = 0;
    r.spanShift = 12;
    r.spanPa = r.pa - vaLowBits(vaHi, vaLo, 12);
    r.attr = 0x00;
    r.sh = 0b10;
    r.nG = false;
    r.perms = P_ALL;
    r.dbm = false;
  }
}

/** A fault found at a descriptor: the walk's bookkeeping is stored with it. */
function faultAt(r: WalkResult, kind: FaultKind, level: number, reads: number, descPa: number, lo: number, hi: number): void {
  r.fault = kind;
  r.level = level;
  r.reads = reads;
  r.descPa = descPa;
  r.descLo = lo;
  r.descHi = hi;
}

function fault(r: WalkResult, kind: FaultKind, level: number): void {
  r.fault = kind;
  r.level = level;
}
