// The VMSAv8-64 system registers that control stage 1 EL1&0 translation (TCR_EL1, MAIR_EL1, TTBR0/1_EL1,
// SCTLR_EL1) and the ID registers that say which MMU features the CPU implements (ID_AA64MMFR0/1/2_EL1).
// Field positions follow the Arm ARM (DDI 0487, chapter D19 register descriptions); the decoded form is
// what the walker reads, computed once per register write so that no translation re-decodes a register.

/** Register values as the architecture encodes them (64-bit). */
export interface MmuRegs {
  TCR_EL1: bigint;
  MAIR_EL1: bigint;
  TTBR0_EL1: bigint;
  TTBR1_EL1: bigint;
  SCTLR_EL1: bigint;
  ID_AA64MMFR0_EL1: bigint;
  ID_AA64MMFR1_EL1: bigint;
  ID_AA64MMFR2_EL1: bigint;
}
export type RegName = keyof MmuRegs;
export const REG_NAMES: readonly RegName[] = [
  'TCR_EL1', 'MAIR_EL1', 'TTBR0_EL1', 'TTBR1_EL1', 'SCTLR_EL1',
  'ID_AA64MMFR0_EL1', 'ID_AA64MMFR1_EL1', 'ID_AA64MMFR2_EL1',
];

// ---- TCR_EL1 (D19.2, "TCR_EL1, Translation Control Register (EL1)") ----
export const TCR = {
  T0SZ: [0, 6], EPD0: [7, 1], IRGN0: [8, 2], ORGN0: [10, 2], SH0: [12, 2], TG0: [14, 2],
  T1SZ: [16, 6], A1: [22, 1], EPD1: [23, 1], IRGN1: [24, 2], ORGN1: [26, 2], SH1: [28, 2], TG1: [30, 2],
  IPS: [32, 3], AS: [36, 1], TBI0: [37, 1], TBI1: [38, 1], HA: [39, 1], HD: [40, 1], HPD0: [41, 1], HPD1: [42, 1],
} as const satisfies Record<string, readonly [number, number]>;
export type TcrField = keyof typeof TCR;

/** TG0 encodings (4K=0b00, 64K=0b01, 16K=0b10; 0b11 reserved). */
export const TG0_4K = 0, TG0_64K = 1, TG0_16K = 2;
/** TG1 encodings (16K=0b01, 4K=0b10, 64K=0b11; 0b00 reserved): deliberately not TG0's. */
export const TG1_16K = 1, TG1_4K = 2, TG1_64K = 3;

// ---- SCTLR_EL1 ----
export const SCTLR_M = 1n << 0n;
export const SCTLR_WXN = 1n << 19n;
/** EE: big-endian translation tables. Not modelled: tables are read little-endian whatever EE says. */
export const SCTLR_EE = 1n << 25n;

// ---- TTBRn_EL1: BADDR[47:1], ASID[63:48], CnP[0] ----
export const TTBR_ASID_SHIFT = 48n;

/** Read a field of a 64-bit register. */
export function field(reg: bigint, pos: readonly [number, number]): number {
  return Number((reg >> BigInt(pos[0])) & ((1n << BigInt(pos[1])) - 1n));
}

/** Return `reg` with a field replaced (the value is masked to the field's width). */
export function withField(reg: bigint, pos: readonly [number, number], value: number | bigint): bigint {
  const mask = ((1n << BigInt(pos[1])) - 1n) << BigInt(pos[0]);
  return (reg & ~mask) | ((BigInt(value) << BigInt(pos[0])) & mask);
}

/** Build a TCR_EL1 value from named fields (unnamed fields are 0). */
export function makeTcr(fields: Partial<Record<TcrField, number>>): bigint {
  let v = 0n;
  for (const [k, val] of Object.entries(fields) as [TcrField, number][]) v = withField(v, TCR[k], val);
  return v;
}

/** A TTBR value: table base physical address and ASID. */
export function makeTtbr(baddr: number, asid = 0): bigint {
  return (BigInt(asid & 0xffff) << TTBR_ASID_SHIFT) | BigInt(baddr);
}

/** Build MAIR_EL1 from up to 8 attribute bytes (Attr0 first). */
export function makeMair(attrs: readonly number[]): bigint {
  let v = 0n;
  attrs.forEach((a, i) => (v |= BigInt(a & 0xff) << BigInt(8 * i)));
  return v;
}

/** Common MAIR attribute bytes (D8.5.4 "Memory attribute indirection"). */
export const MAIR_ATTR = {
  DEVICE_nGnRnE: 0x00,
  DEVICE_nGnRE: 0x04,
  DEVICE_GRE: 0x0c,
  NORMAL_NC: 0x44,
  NORMAL_WT: 0xbb,
  NORMAL_WB: 0xff,
} as const;

// ---- ID registers (D19.2 ID_AA64MMFR0_EL1, ID_AA64MMFR1_EL1, ID_AA64MMFR2_EL1) ----
export const MMFR0 = { PARange: [0, 4], ASIDBits: [4, 4], TGran16: [20, 4], TGran64: [24, 4], TGran4: [28, 4] } as const;
export const MMFR1 = { HAFDBS: [0, 4], HPDS: [12, 4] } as const;
export const MMFR2 = { VARange: [16, 4], ST: [28, 4] } as const;

/** PARange / IPS encodings to address bits (0b110 = 52 bits needs FEAT_LPA, which is not modelled). */
export const PA_BITS: readonly number[] = [32, 36, 40, 42, 44, 48];

/** The MMU features a CPU implements, decoded from its ID registers. */
export interface MmuFeatures {
  /** Implemented physical address size in bits (PAMax). */
  paBits: number;
  parange: number;
  asid16: boolean;
  tgran4: boolean;
  tgran16: boolean;
  tgran64: boolean;
  /** FEAT_HAFDBS: 0 none, 1 Access flag only, 2 Access flag and dirty state. */
  hafdbs: number;
  /** FEAT_HPDS (1) / FEAT_HPDS2 (2): TCR.HPDn honoured. */
  hpds: number;
  /** FEAT_TTST: TxSZ may go up to 48 (47 for 64K). */
  st: boolean;
}

export interface CpuIdRegs {
  ID_AA64MMFR0_EL1: bigint;
  ID_AA64MMFR1_EL1: bigint;
  ID_AA64MMFR2_EL1: bigint;
}

/**
 * Built-in CPUs. The Cortex values are the reset values their Technical Reference Manuals give
 * (QEMU's cortex-a53/a57/a72 models use the same): v8.0, no HAFDBS/HPDS/TTST, no 16K granule.
 * `max` implements every feature this model has: 48-bit PA, 16-bit ASIDs, all three granules,
 * hardware Access flag and dirty state, HPDS, TTST.
 */
export const CPU_PRESETS: Record<string, CpuIdRegs> = {
  // Cortex-A53 TRM r0p4, ID_AA64MMFR0_EL1 = 0x0000_0000_0000_1122: 40-bit PA, 16-bit ASID, 4K+64K.
  'cortex-a53': { ID_AA64MMFR0_EL1: 0x1122n, ID_AA64MMFR1_EL1: 0n, ID_AA64MMFR2_EL1: 0n },
  // Cortex-A57 TRM r1p3, ID_AA64MMFR0_EL1 = 0x0000_0000_0000_1124: 44-bit PA.
  'cortex-a57': { ID_AA64MMFR0_EL1: 0x1124n, ID_AA64MMFR1_EL1: 0n, ID_AA64MMFR2_EL1: 0n },
  // Cortex-A72 TRM r0p3, same value as the A57.
  'cortex-a72': { ID_AA64MMFR0_EL1: 0x1124n, ID_AA64MMFR1_EL1: 0n, ID_AA64MMFR2_EL1: 0n },
  // PARange=0b0101 (48), ASIDBits=0b0010, TGran16=1, TGran64=0, TGran4=0; HAFDBS=2, HPDS=1; ST=1.
  max: { ID_AA64MMFR0_EL1: 0x0010_0025n, ID_AA64MMFR1_EL1: 0x1002n, ID_AA64MMFR2_EL1: 0x1000_0000n },
};
/** The CPU a machine gets when none is named (and whose ID registers a replay machine line inherits). */
export const DEFAULT_CPU = 'max';

/**
 * Decode and check a set of ID registers. Returns an error message for values this model cannot
 * honour (52-bit PA/VA, LPA2 granules, HAFT) or a set with no granule at all; otherwise the features.
 */
export function decodeFeatures(id: CpuIdRegs): MmuFeatures | string {
  const m0 = id.ID_AA64MMFR0_EL1, m1 = id.ID_AA64MMFR1_EL1, m2 = id.ID_AA64MMFR2_EL1;
  const parange = field(m0, MMFR0.PARange);
  if (parange > 5) return `ID_AA64MMFR0_EL1.PARange=${parange}: only 32..48-bit physical addresses are modelled`;
  const asidBits = field(m0, MMFR0.ASIDBits);
  if (asidBits !== 0 && asidBits !== 2) return `ID_AA64MMFR0_EL1.ASIDBits=${asidBits} is reserved`;
  const t4 = field(m0, MMFR0.TGran4), t16 = field(m0, MMFR0.TGran16), t64 = field(m0, MMFR0.TGran64);
  if (t4 !== 0 && t4 !== 0xf) return `ID_AA64MMFR0_EL1.TGran4=${t4}: only 0 (supported) or 0xF (not) are modelled`;
  if (t16 !== 0 && t16 !== 1) return `ID_AA64MMFR0_EL1.TGran16=${t16}: only 0 (not supported) or 1 (supported) are modelled`;
  if (t64 !== 0 && t64 !== 0xf) return `ID_AA64MMFR0_EL1.TGran64=${t64}: only 0 (supported) or 0xF (not) are modelled`;
  if (t4 === 0xf && t16 === 0 && t64 === 0xf) return 'ID_AA64MMFR0_EL1 implements no translation granule';
  const hafdbs = field(m1, MMFR1.HAFDBS);
  if (hafdbs > 2) return `ID_AA64MMFR1_EL1.HAFDBS=${hafdbs}: only 0..2 are modelled`;
  const hpds = field(m1, MMFR1.HPDS);
  if (hpds > 2) return `ID_AA64MMFR1_EL1.HPDS=${hpds} is reserved`;
  const varange = field(m2, MMFR2.VARange);
  if (varange !== 0) return `ID_AA64MMFR2_EL1.VARange=${varange}: 52-bit VAs are not modelled`;
  const st = field(m2, MMFR2.ST);
  if (st > 1) return `ID_AA64MMFR2_EL1.ST=${st} is reserved`;
  return {
    paBits: PA_BITS[parange]!, parange, asid16: asidBits === 2,
    tgran4: t4 === 0, tgran16: t16 === 1, tgran64: t64 === 0, hafdbs, hpds, st: st === 1,
  };
}

/** Decoded parameters of one VA range (TTBR0 or TTBR1 half). Plain numbers: read on every walk. */
export interface RangeParams {
  /** Effective TxSZ (clamped into range when `tszOob`). */
  tsz: number;
  /** TxSZ was outside [min, max]: every walk takes a level 0 Translation fault (our IMPDEF choice). */
  tszOob: boolean;
  /** Granule: log2 of the page size (12, 14, 16). */
  granuleShift: number;
  /** Index bits per level: granuleShift - 3. */
  stride: number;
  startLevel: number;
  /** Index bits at the start level. */
  startBits: number;
  epd: boolean;
  /** Hierarchical permissions disabled (TCR.HPDn with FEAT_HPDS). */
  hpd: boolean;
  tbi: boolean;
  /** Table base from TTBRn (bits below the start table's size cleared), as a number. */
  base: number;
  /** TTBRn.BADDR holds bits at or above the output address size: level 0 Address size fault. */
  baseTooBig: boolean;
  /**
   * VA bits [top:inputSize] (top = 55 with TBI, else 63), split into 32-bit halves: they must all equal
   * the range's select bit (0 for TTBR0, 1 for TTBR1) or the VA is in neither range.
   */
  vaHiMask: number;
  vaLoMask: number;
}

/** Everything a translation needs, decoded from the registers and the features. */
export interface Regime {
  mmuOn: boolean;
  wxn: boolean;
  ha: boolean;
  hd: boolean;
  /** Output address size in bits: min(PAMax, TCR.IPS), 48 at most. */
  oaBits: number;
  /** PAMax, the implemented physical address size (what an MMU-off access is checked against). */
  paBits: number;
  /** Current ASID (from TTBR1 when TCR.A1, else TTBR0; 8 bits unless TCR.AS and 16-bit ASIDs). */
  asid: number;
  asid16: boolean;
  mair: Uint8Array;
  r: [RangeParams, RangeParams];
}

function granuleShiftFor(tg: number, select: 0 | 1, f: MmuFeatures): number {
  // Requested granule from the encoding (the two TGn fields encode differently).
  let want = 0;
  if (select === 0) want = tg === TG0_4K ? 12 : tg === TG0_64K ? 16 : tg === TG0_16K ? 14 : 0;
  else want = tg === TG1_4K ? 12 : tg === TG1_64K ? 16 : tg === TG1_16K ? 14 : 0;
  if ((want === 12 && f.tgran4) || (want === 14 && f.tgran16) || (want === 16 && f.tgran64)) return want;
  // CONSTRAINED UNPREDICTABLE (Arm ARM, TCR_EL1.TGn: "a reserved value ... behaves as if it had been
  // programmed to a defined value"; an unimplemented size likewise). Our choice, the same as QEMU's: the
  // smallest implemented granule. test/hw/mmu-config.test.ts checks it.
  return f.tgran4 ? 12 : f.tgran16 ? 14 : 16;
}

function rangeParams(tcr: bigint, ttbr: bigint, select: 0 | 1, f: MmuFeatures, oaBits: number): RangeParams {
  const tszRaw = field(tcr, select ? TCR.T1SZ : TCR.T0SZ);
  const granuleShift = granuleShiftFor(field(tcr, select ? TCR.TG1 : TCR.TG0), select, f);
  const stride = granuleShift - 3;
  // Limits (Arm ARM D8.1.9, "Input address size"): min TxSZ 16 (48-bit VA, no FEAT_LVA);
  // max 39 without FEAT_TTST, 48 with it (47 for 64K).
  const maxTsz = f.st ? (granuleShift === 16 ? 47 : 48) : 39;
  const minTsz = 16;
  // Out of range is CONSTRAINED UNPREDICTABLE: either behave as the nearest limit or fault. Our choice,
  // QEMU's too: clamp for the arithmetic but fault every walk with a level 0 Translation fault.
  const tsz = Math.min(maxTsz, Math.max(minTsz, tszRaw));
  const inputSize = 64 - tsz;
  const startLevel = 4 - Math.floor((inputSize - 4) / stride);
  const startBits = inputSize - (granuleShift + stride * (3 - startLevel));
  const baddr = Number(ttbr & 0xffff_ffff_ffffn); // TTBR[47:0]
  const tableBytes = 2 ** (startBits + 3);
  const tbi = field(tcr, select ? TCR.TBI1 : TCR.TBI0) === 1;
  const [vaHiMask, vaLoMask] = bitsMask(inputSize, tbi ? 55 : 63);
  return {
    vaHiMask, vaLoMask,
    tsz, tszOob: tszRaw !== tsz, granuleShift, stride, startLevel, startBits,
    epd: field(tcr, select ? TCR.EPD1 : TCR.EPD0) === 1,
    hpd: f.hpds >= 1 && field(tcr, select ? TCR.HPD1 : TCR.HPD0) === 1,
    tbi,
    // Base bits below the table's size are RES0 (CnP is bit 0); misaligned values are CONSTRAINED
    // UNPREDICTABLE and we treat those bits as zero, as QEMU does.
    base: baddr - (baddr % tableBytes),
    baseTooBig: baddr >= 2 ** oaBits,
  };
}

/** Mask of bits [hiBit:loBit] of a 64-bit value as [high word, low word] (signed int32s, as `&` yields). */
export function bitsMask(loBit: number, hiBit: number): [number, number] {
  let hi = 0, lo = 0;
  for (let b = loBit; b <= hiBit; b++) {
    if (b >= 32) hi |= 1 << (b - 32);
    else lo |= 1 << b;
  }
  return [hi | 0, lo | 0];
}

/** Decode the registers into a Regime for the walker. */
export function decodeRegime(regs: MmuRegs, f: MmuFeatures): Regime {
  const tcr = regs.TCR_EL1;
  // IPS values above PARange (including the reserved 0b110/0b111) behave as PARange (D19 TCR_EL1.IPS).
  const ips = field(tcr, TCR.IPS);
  const oaBits = PA_BITS[Math.min(ips, f.parange)]!;
  const ha = f.hafdbs >= 1 && field(tcr, TCR.HA) === 1;
  // Dirty-state management needs the Access flag managed too (HD is treated as 0 when HA is 0).
  const hd = ha && f.hafdbs >= 2 && field(tcr, TCR.HD) === 1;
  const asid16 = f.asid16 && field(tcr, TCR.AS) === 1;
  const asidReg = field(tcr, TCR.A1) ? regs.TTBR1_EL1 : regs.TTBR0_EL1;
  const asid = Number(asidReg >> TTBR_ASID_SHIFT) & (asid16 ? 0xffff : 0xff);
  const mair = new Uint8Array(8);
  for (let i = 0; i < 8; i++) mair[i] = Number((regs.MAIR_EL1 >> BigInt(8 * i)) & 0xffn);
  return {
    mmuOn: (regs.SCTLR_EL1 & SCTLR_M) !== 0n,
    wxn: (regs.SCTLR_EL1 & SCTLR_WXN) !== 0n,
    ha, hd, oaBits, paBits: f.paBits, asid, asid16, mair,
    r: [rangeParams(tcr, regs.TTBR0_EL1, 0, f, oaBits), rangeParams(tcr, regs.TTBR1_EL1, 1, f, oaBits)],
  };
}

/** Register values a fresh machine starts with: MMU off, everything zero, the given CPU's ID registers. */
export function resetRegs(cpu: CpuIdRegs = CPU_PRESETS[DEFAULT_CPU]!): MmuRegs {
  return {
    TCR_EL1: 0n, MAIR_EL1: 0n, TTBR0_EL1: 0n, TTBR1_EL1: 0n, SCTLR_EL1: 0n,
    ID_AA64MMFR0_EL1: cpu.ID_AA64MMFR0_EL1, ID_AA64MMFR1_EL1: cpu.ID_AA64MMFR1_EL1,
    ID_AA64MMFR2_EL1: cpu.ID_AA64MMFR2_EL1,
  };
}
