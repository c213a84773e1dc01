// PAR_EL1, the Physical Address Register an AT instruction writes (Arm ARM D19, "PAR_EL1"), in its
// 64-bit (VMSAv8-64) format. Success: F=0, SH[8:7], NS[9], bit 11 RES1, PA[47:12], ATTR[63:56].
// Failure: F=1, FST[6:1], PTW[8], S[9], bit 11 RES1. SH follows PAREncodeShareability(): Device and
// Normal Non-cacheable memory report 0b10 (Outer Shareable) whatever the descriptor says.

import { FaultKind, faultStatusCode } from './fault.js';

export const PAR_F = 1;
export const PAR_RES1 = 1 << 11;
export const PAR_NS = 1 << 9;
export const PAR_S = 1 << 9;
export const PAR_PTW = 1 << 8;

/** SH as PAR reports it for a MAIR attribute byte and the descriptor's SH. */
export function parShareability(attr: number, sh: number): number {
  // Device (high nibble 0), Normal inner+outer Non-cacheable (0x44), and 0x40 (outer NC, inner field
  // 0b0000, which QEMU also treats as Non-cacheable) are reported as Outer Shareable.
  if ((attr & 0xf0) === 0 || attr === 0x44 || attr === 0x40) return 0b10;
  return sh & 3;
}

/**
 * PAR_EL1 for a successful translation, as [lo, hi] 32-bit halves. NS is 1: this models the
 * Non-secure EL1&0 regime (a KVM guest), where the output is always Non-secure (QEMU reports the same).
 */
export function parSuccess(pa: number, attr: number, sh: number, out: Uint32Array): void {
  const lo = (pa % 4294967296) & 0xfffff000;
  out[0] = (lo | (parShareability(attr, sh) << 7) | PAR_NS | PAR_RES1) >>> 0;
  out[1] = ((Math.floor(pa / 4294967296) & 0xffff) | ((attr & 0xff) << 24)) >>> 0;
}

/** PAR_EL1 for a fault (stage 1, no stage 2 walk: PTW and S are 0). */
export function parFault(kind: FaultKind, level: number, out: Uint32Array): void {
  out[0] = (PAR_F | (faultStatusCode(kind, level) << 1) | PAR_RES1) >>> 0;
  out[1] = 0;
}

export function parToBig(out: Uint32Array): bigint {
  return (BigInt(out[1]!) << 32n) | BigInt(out[0]!);
}

export interface DecodedPar {
  f: boolean;
  /** Fault status (F=1). */
  fst: number;
  ptw: boolean;
  s: boolean;
  /** PA (F=0): bits [47:12]. */
  pa: bigint;
  sh: number;
  ns: boolean;
  attr: number;
}

export function decodePar(par: bigint): DecodedPar {
  const f = (par & 1n) === 1n;
  return {
    f,
    fst: f ? Number((par >> 1n) & 0x3fn) : 0,
    ptw: f && ((par >> 8n) & 1n) === 1n,
    s: f && ((par >> 9n) & 1n) === 1n,
    pa: f ? 0n : par & 0x0000_ffff_ffff_f000n,
    sh: f ? 0 : Number((par >> 7n) & 3n),
    ns: !f && ((par >> 9n) & 1n) === 1n,
    attr: f ? 0 : Number(par >> 56n),
  };
}
