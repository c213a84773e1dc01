// Accesses by a full 64-bit VA (a BigInt), for tagged pointers and VAs no number can hold: with
// TCR_EL1.TBIn set for the VA's half the top byte is ignored by translation (Arm ARM D8.8 "Address
// tagging"), so the tag is stripped (bits [63:56] become copies of bit 55) and the number path runs,
// and FAR_EL1 reports the untagged VA (the Arm ARM leaves FAR's tag bits UNKNOWN without FEAT_MTE; this
// is our choice). A VA that stays beyond ±2^53 lies in neither TTBR range: it takes the fault a walk gives.

import { invariant } from '../sim/assert.js';
import type { Cpu } from './cpu.js';
import { MAX_RETRIES, type FaultSignal } from './exception.js';
import { FaultKind } from './mmu/fault.js';
import { ACC_READ, ACC_WRITE, type AccessType } from './mmu/walk.js';

/** Load `size` bytes from the 64-bit VA `va` (0n if a fault ended in a signal, left pending on the CPU). */
export function loadTagged(cpu: Cpu, va: bigint, size: 1 | 2 | 4 | 8): bigint {
  for (let tries = 0; ; tries++) {
    const n = untag(cpu, va);
    if (n !== null) {
      if (size === 8) return cpu.load64Big(n);
      return BigInt(size === 1 ? cpu.load8(n) : size === 2 ? cpu.load16(n) : cpu.load32(n));
    }
    if (farFault(cpu, va, ACC_READ) !== 'retry') return 0n;
    invariant(tries < MAX_RETRIES, 'the fault handler makes progress (it returned retry without fixing the fault)');
  }
}

/** Store `size` bytes of `value` at the 64-bit VA `va`. */
export function storeTagged(cpu: Cpu, va: bigint, size: 1 | 2 | 4 | 8, value: bigint): void {
  for (let tries = 0; ; tries++) {
    const n = untag(cpu, va);
    if (n !== null) {
      const v = BigInt.asUintN(64, value);
      if (size === 8) cpu.store64Big(n, v);
      else if (size === 4) cpu.store32(n, Number(v & 0xffff_ffffn));
      else if (size === 2) cpu.store16(n, Number(v & 0xffffn));
      else cpu.store8(n, Number(v & 0xffn));
      return;
    }
    if (farFault(cpu, va, ACC_WRITE) !== 'retry') return;
    invariant(tries < MAX_RETRIES, 'the fault handler makes progress (it returned retry without fixing the fault)');
  }
}

/** The VA as a number after TBI stripping, or null if it does not fit. */
function untag(cpu: Cpu, va: bigint): number | null {
  let v = BigInt.asUintN(64, va);
  const select = Number((v >> 55n) & 1n);
  if (cpu.mmu.regime.r[select]!.tbi) v = select ? v | 0xff00_0000_0000_0000n : v & 0x00ff_ffff_ffff_ffffn;
  const n = BigInt.asIntN(64, v);
  return n >= -(1n << 53n) && n < 1n << 53n ? Number(n) : null;
}

/** Fault for a VA beyond the number range: the walk says which fault; the exception reports it exactly. */
function farFault(cpu: Cpu, va: bigint, acc: AccessType): 'retry' | FaultSignal {
  const v = BigInt.asUintN(64, va);
  const r = cpu.mmu.doWalk(Number(v >> 32n), Number(v & 0xffff_ffffn), acc, cpu.el, false);
  invariant(r.fault !== FaultKind.None, 'a VA beyond 2^53 after tag stripping does not translate');
  const approx = Number(BigInt.asIntN(64, v));
  const outcome = cpu.takeException(approx, acc, r.fault, r.level, v);
  if (outcome !== 'retry' && cpu.signal === null) cpu.signal = outcome;
  return outcome;
}
