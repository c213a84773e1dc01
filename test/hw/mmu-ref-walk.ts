// An independent reference for AT S1E{0,1}{R,W}: a stage 1 EL1&0 translation written from the Arm ARM
// pseudo-code (AArch64.S1Translate, AArch64.S1TTWParamsEL10, AArch64.S1InvalidTxSZ, AArch64.VAIsOutOfRange,
// AArch64.S1Walk, AArch64.BlockDescSupported, AArch64.S1CheckPermissions, AArch64.TranslateAddressS1Off,
// PAREncodeShareability), in BigInt arithmetic and sharing no code with src/hw/mmu. Its CONSTRAINED
// UNPREDICTABLE choices are the ones src/hw/mmu documents: a reserved or unimplemented TGn selects the
// smallest implemented granule; TxSZ out of range is a level 0 Translation fault; AT does not update
// descriptors but reports the PAR the updated descriptor gives.

export type RefRegs = Record<
  'TCR_EL1' | 'MAIR_EL1' | 'TTBR0_EL1' | 'TTBR1_EL1' | 'SCTLR_EL1' | 'ID_AA64MMFR0_EL1' | 'ID_AA64MMFR1_EL1' | 'ID_AA64MMFR2_EL1',
  bigint
>;

/** Bits [hi:lo] of x. */
const bits = (x: bigint, hi: number, lo: number): bigint => (x >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);
const bit = (x: bigint, n: number): boolean => ((x >> BigInt(n)) & 1n) === 1n;
const ones = (n: number): bigint => (1n << BigInt(n)) - 1n;

type FaultType = 'AddressSize' | 'Translation' | 'AccessFlag' | 'Permission';
const FSC_BASE: Record<FaultType, bigint> = { AddressSize: 0b000000n, Translation: 0b000100n, AccessFlag: 0b001000n, Permission: 0b001100n };

function parFault(type: FaultType, level: number): bigint {
  const fst = FSC_BASE[type] | BigInt(level);
  return 1n | (fst << 1n) | (1n << 11n);
}

function parOk(pa: bigint, memattr: bigint, sh: bigint): bigint {
  // PAREncodeShareability: Device, or Normal Inner and Outer Non-cacheable, report Outer Shareable.
  const device = bits(memattr, 7, 4) === 0n;
  const nc = memattr === 0x44n || memattr === 0x40n;
  const shOut = device || nc ? 0b10n : sh;
  return (memattr << 56n) | (bits(pa, 47, 12) << 12n) | (1n << 11n) | (1n << 9n) | (shOut << 7n);
}

const PAMAX = [32, 36, 40, 42, 44, 48];

export type RefOp = 'S1E1R' | 'S1E1W' | 'S1E0R' | 'S1E0W';

/** PAR_EL1 for an AT instruction. */
export function refAt(regs: RefRegs, mem: Map<bigint, bigint>, op: RefOp, vaIn: bigint): bigint {
  return refTranslate(regs, mem, op.startsWith('S1E0') ? 0 : 1, op.endsWith('W') ? 'W' : 'R', vaIn);
}

/**
 * The translation of a data read ('R'), write ('W') or instruction fetch ('X') at EL0/EL1, reported in
 * the PAR_EL1 format (an AT instruction has no fetch form; the encoding is just a convenient record).
 */
export function refTranslate(regs: RefRegs, mem: Map<bigint, bigint>, el: number, acc: 'R' | 'W' | 'X', vaIn: bigint): bigint {
  const va = BigInt.asUintN(64, vaIn);
  const write = acc === 'W';
  const mmfr0 = regs.ID_AA64MMFR0_EL1, mmfr1 = regs.ID_AA64MMFR1_EL1, mmfr2 = regs.ID_AA64MMFR2_EL1;
  const parange = Number(bits(mmfr0, 3, 0));
  const pamax = PAMAX[parange]!;
  const tcr = regs.TCR_EL1;

  // Stage 1 disabled: AArch64.TranslateAddressS1Off.
  if (!bit(regs.SCTLR_EL1, 0)) {
    const tbi = bit(va, 55) ? bit(tcr, 38) : bit(tcr, 37);
    const top = tbi ? 55 : 63;
    if (bits(va, top, pamax) !== 0n) return parFault('AddressSize', 0);
    return parOk(bits(va, pamax - 1, 0), 0x00n, 0b10n);
  }

  // AArch64.S1TTWParamsEL10.
  const select = bit(va, 55);
  const has4k = bits(mmfr0, 31, 28) === 0n, has16k = bits(mmfr0, 23, 20) === 1n, has64k = bits(mmfr0, 27, 24) === 0n;
  const tgField = select ? Number(bits(tcr, 31, 30)) : Number(bits(tcr, 15, 14));
  // TG0: 00 4K, 01 64K, 10 16K. TG1: 01 16K, 10 4K, 11 64K.
  const requested = select ? ([0, 14, 12, 16] as const)[tgField]! : ([12, 16, 14, 0] as const)[tgField]!;
  const implemented = (g: number) => (g === 12 && has4k) || (g === 14 && has16k) || (g === 16 && has64k);
  const granulebits = implemented(requested) ? requested : has4k ? 12 : has16k ? 14 : 16;
  const stride = granulebits - 3;
  const txsz = Number(select ? bits(tcr, 21, 16) : bits(tcr, 5, 0));
  const epd = select ? bit(tcr, 23) : bit(tcr, 7);
  const tbi = select ? bit(tcr, 38) : bit(tcr, 37);
  const hpds = Number(bits(mmfr1, 15, 12)) >= 1;
  const hpd = hpds && (select ? bit(tcr, 42) : bit(tcr, 41));
  const hafdbs = Number(bits(mmfr1, 3, 0));
  const ha = hafdbs >= 1 && bit(tcr, 39);
  const hd = hafdbs >= 2 && ha && bit(tcr, 40);
  const st = bits(mmfr2, 31, 28) === 1n;
  const wxn = bit(regs.SCTLR_EL1, 19);

  // AArch64.S1InvalidTxSZ.
  const maxtxsz = st ? (granulebits === 16 ? 47 : 48) : 39;
  if (txsz < 16 || txsz > maxtxsz) return parFault('Translation', 0);
  const inputsize = 64 - txsz;
  // AArch64.VAIsOutOfRange.
  const addrtop = tbi ? 55 : 63;
  const upper = bits(va, addrtop, inputsize);
  if (upper !== (select ? ones(addrtop - inputsize + 1) : 0n)) return parFault('Translation', 0);
  if (epd) return parFault('Translation', 0);

  // AArch64.PhysicalAddressSize: IPS beyond PARange (or reserved) behaves as PARange.
  const ips = Number(bits(tcr, 34, 32));
  const oasize = PAMAX[Math.min(ips, parange)]!;
  const ttbr = select ? regs.TTBR1_EL1 : regs.TTBR0_EL1;
  if (bits(ttbr, 47, oasize) !== 0n) return parFault('AddressSize', 0);

  // Initial lookup level: 4 - RoundUp((inputsize - granulebits) / stride).
  let level = 4 - Math.ceil((inputsize - granulebits) / stride);
  const firstIndexBits = inputsize - (granulebits + (3 - level) * stride);
  let tableBase = bits(ttbr, 47, firstIndexBits + 3) << BigInt(firstIndexBits + 3);
  let apTable = 0n, uxnTable = false, pxnTable = false;

  for (;;) {
    const lsb = granulebits + (3 - level) * stride;
    const nbits = level === 4 - Math.ceil((inputsize - granulebits) / stride) ? firstIndexBits : stride;
    const index = bits(va, lsb + nbits - 1, lsb);
    const descaddr = tableBase + index * 8n;
    const desc = mem.get(descaddr) ?? 0n;
    if (!bit(desc, 0)) return parFault('Translation', level);
    const b1 = bit(desc, 1);
    // AArch64.BlockDescSupported without FEAT_LPA/LPA2: 4K at levels 1-2, 16K/64K at level 2.
    const blockOk = granulebits === 12 ? level === 1 || level === 2 : level === 2;
    if (level === 3 ? !b1 : !b1 && !blockOk) return parFault('Translation', level);
    const addr = bits(desc, 47, granulebits) << BigInt(granulebits);
    if (addr >> BigInt(oasize) !== 0n) return parFault('AddressSize', level);
    if (level < 3 && b1) {
      apTable |= bits(desc, 62, 61);
      uxnTable ||= bit(desc, 60);
      pxnTable ||= bit(desc, 59);
      tableBase = addr;
      level++;
      continue;
    }
    // Leaf. Access flag first, then permissions (AArch64.S1Translate).
    if (!bit(desc, 10) && !ha) return parFault('AccessFlag', level);
    let ap2 = bit(desc, 7), ap1 = bit(desc, 6);
    if (hd && bit(desc, 51) && write) ap2 = false; // the dirty-state update the access would make
    let uxn = bit(desc, 54), pxn = bit(desc, 53);
    if (!hpd) {
      if (apTable & 1n) ap1 = false;
      if (apTable & 2n) ap2 = true;
      uxn ||= uxnTable;
      pxn ||= pxnTable;
    }
    // AArch64.S1CheckPermissions (no PAN, no EPAN, no GCS).
    const el0w = ap1 && !ap2;
    const r = el === 0 ? ap1 : true;
    const w = el === 0 ? el0w : !ap2;
    // Execute: UXN at EL0; at EL1 PXN, and never from EL0-writable memory; WXN removes execute from
    // memory writable at the accessing EL.
    const x = el === 0 ? !uxn && !(wxn && el0w) : !pxn && !el0w && !(wxn && !ap2);
    if (!(acc === 'X' ? x : write ? w : r)) return parFault('Permission', level);
    const pa = (bits(addr, 47, lsb) << BigInt(lsb)) | bits(va, lsb - 1, 0);
    const attrindx = Number(bits(desc, 4, 2));
    const memattr = bits(regs.MAIR_EL1, attrindx * 8 + 7, attrindx * 8);
    return parOk(pa, memattr, bits(desc, 9, 8));
  }
}
