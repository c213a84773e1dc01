// VMSAv8-64 translation table descriptors (Arm ARM D8.3, "Translation table descriptor formats"): the one
// place that knows their bit positions. A descriptor is a 64-bit little-endian word in RAM; the hot paths
// read it as two 32-bit halves (lo = bits [31:0], hi = bits [63:32]) so no BigInt is made per walk.

// ---- Low half (bits [31:0]) ----
/** Bit 0: valid. */
export const D_VALID = 1 << 0;
/** Bit 1: table (levels 0-2) or page (level 3) when set; block when clear (levels 1-2). */
export const D_TYPE = 1 << 1;
/** AttrIndx[2:0], bits [4:2]: index into MAIR_EL1. */
export const D_ATTRINDX_SHIFT = 2;
/** NS, bit 5 (ignored in the Non-secure EL1&0 regime this models). */
export const D_NS = 1 << 5;
/** AP[1], bit 6: EL0 access permitted. */
export const D_AP1 = 1 << 6;
/** AP[2], bit 7: read-only. */
export const D_AP2 = 1 << 7;
/** SH[1:0], bits [9:8]. */
export const D_SH_SHIFT = 8;
/** AF, bit 10: Access flag. */
export const D_AF = 1 << 10;
/** nG, bit 11: not global (the TLB entry is tagged with the ASID). */
export const D_NG = 1 << 11;

// ---- High half (bits [63:32]); the constant is the bit within the high word ----
/** OA/next-table address bits [47:32] are hi[15:0]. */
export const D_HI_ADDR_MASK = 0xffff;
/** DBM, bit 51: dirty bit modifier (writable-clean when AP[2] = 1). */
export const DH_DBM = 1 << (51 - 32);
/** Contiguous, bit 52. */
export const DH_CONT = 1 << (52 - 32);
/** PXN, bit 53. */
export const DH_PXN = 1 << (53 - 32);
/** UXN (XN), bit 54. */
export const DH_UXN = 1 << (54 - 32);
/** Software-use bits [58:55]. */
export const DH_SW_SHIFT = 55 - 32;
/** PXNTable, bit 59 (table descriptors). */
export const DH_PXNTABLE = 1 << (59 - 32);
/** UXNTable (XNTable), bit 60. */
export const DH_UXNTABLE = 1 << (60 - 32);
/** APTable[0], bit 61: no EL0 access at lower levels. */
export const DH_APTABLE0 = 1 << (61 - 32);
/** APTable[1], bit 62: no write access at lower levels. */
export const DH_APTABLE1 = 1 << (62 - 32);
/** NSTable, bit 63 (ignored in Non-secure state). */
export const DH_NSTABLE = 1 << 31;

/** AP[2:1] encodings (D8.4.1, stage 1 data access permissions). */
export const AP_RW_EL1 = 0b00, AP_RW_ALL = 0b01, AP_RO_EL1 = 0b10, AP_RO_ALL = 0b11;
/** SH encodings. */
export const SH_NON = 0b00, SH_OUTER = 0b10, SH_INNER = 0b11;

/** Levels at which a block descriptor is allowed, per granule (AArch64.BlockDescSupported, no LPA/LPA2). */
export function blockAllowed(granuleShift: number, level: number): boolean {
  return granuleShift === 12 ? level === 1 || level === 2 : level === 2;
}

/** Output/next-table address of a descriptor: bits [47:granuleShift], as a number. */
export function descAddress(lo: number, hi: number, granuleShift: number): number {
  const low = lo >>> granuleShift;
  return (hi & D_HI_ADDR_MASK) * 4294967296 + low * 2 ** granuleShift;
}

/** Attributes for a leaf (block or page) descriptor, as a caller writes them. */
export interface LeafAttrs {
  /** MAIR index, 0..7. */
  attrIndx: number;
  /** AP[2:1]. */
  ap: number;
  /** Shareability, SH[1:0]. */
  sh: number;
  af: boolean;
  nG: boolean;
  pxn: boolean;
  uxn: boolean;
  dbm: boolean;
  contiguous: boolean;
  /** Software bits [58:55]. */
  sw: number;
}

export const DEFAULT_LEAF: LeafAttrs = {
  attrIndx: 0, ap: AP_RW_EL1, sh: SH_INNER, af: true, nG: false, pxn: false, uxn: false, dbm: false,
  contiguous: false, sw: 0,
};

/** Encode a block (level < 3) or page (level 3) descriptor as [lo, hi]. */
export function encodeLeaf(oa: number, level: number, a: Partial<LeafAttrs> = {}): [number, number] {
  const x = { ...DEFAULT_LEAF, ...a };
  let lo = D_VALID | (level === 3 ? D_TYPE : 0) | ((x.attrIndx & 7) << D_ATTRINDX_SHIFT) | ((x.ap & 3) << 6) |
    ((x.sh & 3) << D_SH_SHIFT) | (x.af ? D_AF : 0) | (x.nG ? D_NG : 0);
  lo = (lo | (oa % 4294967296 & 0xfffff000)) >>> 0;
  const hi = (Math.floor(oa / 4294967296) & D_HI_ADDR_MASK) | (x.dbm ? DH_DBM : 0) | (x.contiguous ? DH_CONT : 0) |
    (x.pxn ? DH_PXN : 0) | (x.uxn ? DH_UXN : 0) | ((x.sw & 15) << DH_SW_SHIFT);
  return [lo, hi >>> 0];
}

/** Hierarchical attributes a table descriptor can carry. */
export interface TableAttrs {
  pxnTable: boolean;
  uxnTable: boolean;
  /** APTable[1:0]. */
  apTable: number;
}

/** Encode a table descriptor as [lo, hi]. */
export function encodeTable(next: number, t: Partial<TableAttrs> = {}): [number, number] {
  const lo = ((D_VALID | D_TYPE) | (next % 4294967296 & 0xfffff000)) >>> 0;
  const ap = t.apTable ?? 0;
  const hi = (Math.floor(next / 4294967296) & D_HI_ADDR_MASK) | (t.pxnTable ? DH_PXNTABLE : 0) |
    (t.uxnTable ? DH_UXNTABLE : 0) | (ap & 1 ? DH_APTABLE0 : 0) | (ap & 2 ? DH_APTABLE1 : 0);
  return [lo, hi >>> 0];
}

export function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
export function fromBig(v: bigint): [number, number] {
  return [Number(v & 0xffff_ffffn), Number((v >> 32n) & 0xffff_ffffn)];
}

/** A descriptor decoded for people (the `mmu dump` tree, error messages). */
export interface DecodedDescriptor {
  kind: 'invalid' | 'table' | 'block' | 'page' | 'reserved';
  address: number;
  attrIndx: number;
  ap: number;
  sh: number;
  af: boolean;
  nG: boolean;
  dbm: boolean;
  contiguous: boolean;
  pxn: boolean;
  uxn: boolean;
  pxnTable: boolean;
  uxnTable: boolean;
  apTable: number;
}

export function decodeDescriptor(lo: number, hi: number, level: number, granuleShift: number): DecodedDescriptor {
  const valid = (lo & D_VALID) !== 0, type = (lo & D_TYPE) !== 0;
  const kind: DecodedDescriptor['kind'] = !valid ? 'invalid'
    : level === 3 ? (type ? 'page' : 'reserved')
    : type ? 'table' : blockAllowed(granuleShift, level) ? 'block' : 'reserved';
  return {
    kind, address: descAddress(lo, hi, granuleShift),
    attrIndx: (lo >>> D_ATTRINDX_SHIFT) & 7, ap: (lo >>> 6) & 3, sh: (lo >>> D_SH_SHIFT) & 3,
    af: (lo & D_AF) !== 0, nG: (lo & D_NG) !== 0, dbm: (hi & DH_DBM) !== 0, contiguous: (hi & DH_CONT) !== 0,
    pxn: (hi & DH_PXN) !== 0, uxn: (hi & DH_UXN) !== 0,
    pxnTable: (hi & DH_PXNTABLE) !== 0, uxnTable: (hi & DH_UXNTABLE) !== 0,
    apTable: ((hi & DH_APTABLE0) ? 1 : 0) | ((hi & DH_APTABLE1) ? 2 : 0),
  };
}

/** Number of entries the contiguous hint groups, per granule and level (D8.6.1, Table "Contiguous bit"). */
export function contiguousEntries(granuleShift: number, level: number): number {
  if (granuleShift === 12) return 16;
  if (granuleShift === 14) return level === 3 ? 128 : 32;
  return 32; // 64K: 32 at level 3 and level 2
}
