// Synchronous exceptions from memory accesses as the kernel sees them (Arm ARM D1.x "Exception entry",
// D17.2 ESR_EL1 and FAR_EL1): the syndrome record a Data or Instruction Abort hands the EL1 handler,
// the handler's answer (retry the access, or give up with a signal), and the handler's type.

import type { FaultKind } from './mmu/fault.js';

/** What the kernel's fault handler is told about a synchronous abort. */
export interface MemFault {
  /** ESR_EL1 as the architecture encodes it (EC, IL, ISS with WnR and DFSC/IFSC). */
  readonly esr: number;
  /** FAR_EL1: the faulting VA (signed number reading; exact below 2^53 in magnitude). */
  readonly far: number;
  /** FAR_EL1 exactly, as a 64-bit value (differs from `far` only for VAs beyond ±2^53). */
  readonly farBig: bigint;
  readonly kind: FaultKind;
  readonly level: number;
  readonly isWrite: boolean;
  readonly isExec: boolean;
  /** The EL the access was made at. */
  readonly el: 0 | 1;
}

/** A handler that keeps returning 'retry' without progress is a kernel bug: this many retries is fatal. */
export const MAX_RETRIES = 64;

/** A signal the kernel reports instead of fixing the fault. */
export interface FaultSignal {
  signal: 'SIGSEGV' | 'SIGBUS';
  addr: number;
}

/**
 * The kernel's synchronous-abort handler. Return 'retry' after fixing the cause (install a descriptor,
 * set AF, make a page writable, TLBI): the access runs again. Return a signal to give up: the access is
 * abandoned (loads return 0, stores write nothing, bulk copies stop) and the signal is left pending in
 * `cpu.signal` for the guest model to deliver. No JS exception is thrown on either path.
 */
export type FaultHandler = (fault: MemFault) => 'retry' | FaultSignal;

/**
 * One exception's syndrome. FAR_EL1 as a BigInt is made only if the handler asks for it: a demand-paged
 * access takes a fault per page, and two BigInt conversions per fault were a measurable part of it.
 */
export class MemFaultRecord implements MemFault {
  constructor(
    readonly esr: number,
    readonly far: number,
    private readonly exactFar: bigint | null,
    readonly kind: FaultKind,
    readonly level: number,
    readonly isWrite: boolean,
    readonly isExec: boolean,
    readonly el: 0 | 1,
  ) {}

  get farBig(): bigint {
    return this.exactFar ?? BigInt.asUintN(64, BigInt(this.far));
  }
}
