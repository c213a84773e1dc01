// Address translation instructions AT S1E1R, S1E1W, S1E0R, S1E0W (Arm ARM C5.5 "A64 system
// instructions for address translation"): a stage 1 EL1&0 translation for a read or write at EL1 or
// EL0, reported in PAR_EL1 instead of taking an exception. Implementation choices (both allowed):
// AT does not look up or fill the TLB (it always walks, as QEMU does), and it does not write hardware
// Access flag / dirty-state updates back (the PAR is the one the updated descriptor would give).

import type { Mmu } from './mmu.js';
import { parFault, parSuccess, parToBig } from './par.js';
import { ACC_READ, ACC_WRITE, type AccessType } from './walk.js';
import { FaultKind } from './fault.js';

export type AtOp = 'S1E1R' | 'S1E1W' | 'S1E0R' | 'S1E0W';
export const AT_OPS: readonly AtOp[] = ['S1E1R', 'S1E1W', 'S1E0R', 'S1E0W'];

const OP_ACC: Record<AtOp, AccessType> = { S1E1R: ACC_READ, S1E1W: ACC_WRITE, S1E0R: ACC_READ, S1E0W: ACC_WRITE };
const OP_EL: Record<AtOp, number> = { S1E1R: 1, S1E1W: 1, S1E0R: 0, S1E0W: 0 };

/** Run an AT instruction on a VA given as 32-bit halves; PAR_EL1 lands in out[0] (lo) and out[1] (hi). */
export function atHalves(mmu: Mmu, op: AtOp, vaHi: number, vaLo: number, out: Uint32Array): void {
  const r = mmu.doWalk(vaHi >>> 0, vaLo >>> 0, OP_ACC[op], OP_EL[op], false);
  mmu.cv.atOps++;
  if (r.fault !== FaultKind.None) parFault(r.fault, r.level, out);
  else parSuccess(r.pa, r.attr, r.sh, out);
}

const scratch = new Uint32Array(2);

/** Run an AT instruction on a 64-bit VA (tags and all) and return PAR_EL1. */
export function at(mmu: Mmu, op: AtOp, va: bigint): bigint {
  const v = BigInt.asUintN(64, va);
  atHalves(mmu, op, Number(v >> 32n), Number(v & 0xffff_ffffn), scratch);
  return parToBig(scratch);
}
