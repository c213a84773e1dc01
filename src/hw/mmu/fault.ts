// Synchronous aborts as the architecture reports them: the fault kinds of a stage 1 translation, their
// fault status codes (DFSC/IFSC, Arm ARM D19 ESR_ELx "ISS encoding for an exception from a Data Abort"),
// and ESR_EL1 (EC 0x20/0x21 instruction abort, 0x24/0x25 data abort; lower EL / same EL).
//
// Priority (Arm ARM D8 "Prioritization of Synchronous exceptions", the order of the checks in
// AArch64.S1Translate/S1Walk, which QEMU's get_phys_addr_lpae follows), highest first:
//   1. configuration faults, level 0: TxSZ out of range (Translation), VA outside both ranges
//      (Translation), EPDn=1 (Translation), TTBRn base beyond the output size (Address size);
//   2. per level, in walk order: external abort on the descriptor fetch; invalid or reserved descriptor
//      (Translation); output/next-table address beyond the output size (Address size);
//   3. at the leaf: Access flag (AF=0 without TCR.HA); then Permission;
//   4. an external abort on the final access (the PA is not memory).

/** Fault kinds (plain numbers: they travel through typed arrays and hot paths). */
export const FaultKind = {
  None: 0,
  AddressSize: 1,
  Translation: 2,
  AccessFlag: 3,
  Permission: 4,
  /** Synchronous External abort on the access itself (the PA is not backed by memory). */
  External: 5,
  /** Synchronous External abort on a translation table walk (a descriptor's PA is not memory). */
  ExternalOnWalk: 6,
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];

export const FAULT_NAMES = ['none', 'addressSize', 'translation', 'accessFlag', 'permission', 'external', 'externalOnWalk'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/** The 6-bit fault status code (DFSC/IFSC, and PAR_EL1.FST) for a kind and level. */
export function faultStatusCode(kind: FaultKind, level: number): number {
  switch (kind) {
    case FaultKind.AddressSize: return 0b000000 | level;
    case FaultKind.Translation: return 0b000100 | level;
    case FaultKind.AccessFlag: return 0b001000 | level;
    case FaultKind.Permission: return 0b001100 | level;
    case FaultKind.External: return 0b010000;
    case FaultKind.ExternalOnWalk: return 0b010100 | level;
    default: return 0;
  }
}

/** Inverse of faultStatusCode for the codes this model produces; null otherwise. */
export function decodeFaultStatus(fsc: number): { kind: FaultKind; level: number } | null {
  if (fsc === 0b010000) return { kind: FaultKind.External, level: 0 };
  const level = fsc & 3;
  switch (fsc >> 2) {
    case 0: return { kind: FaultKind.AddressSize, level };
    case 1: return { kind: FaultKind.Translation, level };
    case 2: return { kind: FaultKind.AccessFlag, level };
    case 3: return { kind: FaultKind.Permission, level };
    case 5: return { kind: FaultKind.ExternalOnWalk, level };
    default: return null;
  }
}

// ---- ESR_EL1 ----
export const EC_IABT_LOWER = 0x20;
export const EC_IABT_CUR = 0x21;
export const EC_DABT_LOWER = 0x24;
export const EC_DABT_CUR = 0x25;
export const ESR_EC_SHIFT = 26;
/** IL, bit 25: a 32-bit instruction (every A64 instruction). */
export const ESR_IL = 1 << 25;
/** ISS.EA, bit 9: external abort type (IMPLEMENTATION DEFINED; 0 here). */
export const ESR_EA = 1 << 9;
/** ISS.S1PTW, bit 7: fault on a stage 2 translation of a stage 1 walk (never, without stage 2). */
export const ESR_S1PTW = 1 << 7;
/** ISS.WnR, bit 6 (data aborts): the access was a write. */
export const ESR_WNR = 1 << 6;
export const ESR_FSC_MASK = 0x3f;

/**
 * ESR_EL1 for a stage 1 abort taken to EL1. `fromEl` is the EL the access was made at (EL0 → "lower EL"
 * class, EL1 → "same EL" class). ISV is 0: the model has no instruction to report the register of.
 */
export function encodeEsr(kind: FaultKind, level: number, isWrite: boolean, isExec: boolean, fromEl: number): number {
  const ec = isExec ? (fromEl === 0 ? EC_IABT_LOWER : EC_IABT_CUR) : (fromEl === 0 ? EC_DABT_LOWER : EC_DABT_CUR);
  const wnr = !isExec && isWrite ? ESR_WNR : 0;
  return ((ec << ESR_EC_SHIFT) | ESR_IL | wnr | faultStatusCode(kind, level)) >>> 0;
}

export interface DecodedEsr {
  ec: number;
  il: boolean;
  isInstructionAbort: boolean;
  isDataAbort: boolean;
  fromLowerEl: boolean;
  wnr: boolean;
  fsc: number;
  kind: FaultKind | null;
  level: number;
}

export function decodeEsr(esr: number): DecodedEsr {
  const ec = esr >>> ESR_EC_SHIFT;
  const fsc = esr & ESR_FSC_MASK;
  const d = decodeFaultStatus(fsc);
  return {
    ec, il: (esr & ESR_IL) !== 0,
    isInstructionAbort: ec === EC_IABT_LOWER || ec === EC_IABT_CUR,
    isDataAbort: ec === EC_DABT_LOWER || ec === EC_DABT_CUR,
    fromLowerEl: ec === EC_IABT_LOWER || ec === EC_DABT_LOWER,
    wnr: (esr & ESR_WNR) !== 0, fsc, kind: d ? d.kind : null, level: d ? d.level : 0,
  };
}
