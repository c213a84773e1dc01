// The memory management unit: system registers, the TLB and the walker together, with the counters and
// the virtual-clock charges every translation makes (a TLB hit, a descriptor fetch per level, a TLBI).
// Stage 1 EL1&0 of VMSAv8-64 in Non-secure state (a KVM guest's view; stage 2 is the host's business).

import { Clock } from '../../sim/clock.js';
import { Counters } from '../../sim/counters.js';
import { OSV_AARCH64_KVM, type CostProfile } from '../../sim/profile.js';
import { MmuError } from './error.js';
import { FaultKind } from './fault.js';
import type { PhysMem } from './physmem.js';
import {
  CPU_PRESETS, DEFAULT_CPU, REG_NAMES, decodeFeatures, decodeRegime, resetRegs,
  type CpuIdRegs, type MmuFeatures, type MmuRegs, type Regime,
} from './registers.js';
import { TLB_DBM, Tlb, type TlbOptions } from './tlb.js';
import { ACC_WRITE, POW2, WalkResult, Walker, permBit, type AccessType } from './walk.js';

export { MmuError } from './error.js';

export const MMU_COUNTERS = [
  'tlbHits', 'tlbMisses', 'walks', 'descriptorReads', 'afUpdates', 'dirtyUpdates', 'tlbi', 'atOps',
  'exceptions', 'faultAddressSize', 'faultTranslation', 'faultAccessFlag', 'faultPermission', 'faultExternal',
  'faultExternalOnWalk',
] as const;
export type MmuCounter = (typeof MMU_COUNTERS)[number];

/** Counter name for exceptions of each FaultKind. */
export const FAULT_COUNTER: readonly MmuCounter[] = [
  'exceptions', 'faultAddressSize', 'faultTranslation', 'faultAccessFlag', 'faultPermission', 'faultExternal',
  'faultExternalOnWalk',
];

export type TlbiOp = 'VMALLE1' | 'VAE1' | 'VALE1' | 'VAAE1' | 'ASIDE1';
export const TLBI_OPS: readonly TlbiOp[] = ['VMALLE1', 'VAE1', 'VALE1', 'VAAE1', 'ASIDE1'];

export interface MmuOptions {
  /** Physical memory the walker reads descriptors from. */
  mem: PhysMem;
  /** A preset name (`cortex-a53`, `cortex-a57`, `cortex-a72`, `max`) or ID register values. Default `max`. */
  cpu?: string | CpuIdRegs;
  tlb?: TlbOptions;
  clock?: Clock;
  profile?: CostProfile;
}

export function cpuIdRegs(cpu: string | CpuIdRegs | undefined): CpuIdRegs {
  if (cpu === undefined) return CPU_PRESETS[DEFAULT_CPU]!;
  if (typeof cpu !== 'string') return cpu;
  const p = CPU_PRESETS[cpu];
  if (!p) throw new MmuError('EINVAL', `unknown CPU '${cpu}' (known: ${Object.keys(CPU_PRESETS).join(', ')})`);
  return p;
}

export class Mmu {
  readonly mem: PhysMem;
  readonly tlb: Tlb;
  readonly clock: Clock;
  readonly profile: CostProfile;
  readonly counters = new Counters<MmuCounter>(MMU_COUNTERS);
  /** The counters' values, bumped directly on the hot paths. */
  readonly cv: Record<MmuCounter, number>;
  features: MmuFeatures;
  regime: Regime;
  private regsNow: MmuRegs;
  readonly walker: Walker;
  readonly res = new WalkResult();
  /** The VA translateIn works on (see there). */
  readonly vaIn = new Float64Array(1);
  /** Called whenever cached translations may have changed meaning (TLBI, register writes). */
  onInvalidate: (() => void) | null = null;

  // Output of translateVa (no allocation): the PA, and how many bytes of VA from there share the entry.
  pa = 0;
  spanLeft = 0;
  faultKind: FaultKind = FaultKind.None;
  faultLevel = 0;

  private readonly hitNs: number;
  private readonly descNs: number;

  constructor(opts: MmuOptions) {
    this.mem = opts.mem;
    this.tlb = new Tlb(opts.tlb);
    this.clock = opts.clock ?? new Clock();
    this.profile = opts.profile ?? OSV_AARCH64_KVM;
    this.hitNs = this.profile.cpu.l1HitNs;
    this.descNs = this.profile.cpu.descriptorFetchNs;
    this.cv = this.counters.values;
    this.regsNow = resetRegs(cpuIdRegs(opts.cpu));
    const f = decodeFeatures(this.regsNow);
    if (typeof f === 'string') throw new MmuError('EINVAL', f);
    this.features = f;
    this.regime = decodeRegime(this.regsNow, f);
    this.walker = new Walker(this.mem);
    this.walker.regime = this.regime;
  }

  /** Current register values. */
  get regs(): Readonly<MmuRegs> {
    return this.regsNow;
  }

  /**
   * Write system registers (MSR). The TLB is not flushed, as on hardware: entries made under the old
   * values stay until a TLBI (software must invalidate after changing TCR/TTBR/MAIR, D8.13.x). Throws
   * MmuError (EINVAL) for ID register values that describe an inconsistent or unmodelled CPU.
   */
  setRegs(values: Partial<MmuRegs>): void {
    const next = { ...this.regsNow };
    for (const k of REG_NAMES) {
      const v = values[k];
      if (v !== undefined) next[k] = BigInt.asUintN(64, v);
    }
    const f = decodeFeatures(next);
    if (typeof f === 'string') throw new MmuError('EINVAL', f);
    this.regsNow = next;
    this.features = f;
    this.regime = decodeRegime(next, f);
    this.walker.regime = this.regime;
    this.onInvalidate?.();
  }

  /**
   * Translate `va` (a VA as a signed 64-bit number, exact below 2^53 in magnitude) for a CPU access.
   * True: `pa` and `spanLeft` are set (and a TLB entry exists). False: `faultKind`/`faultLevel` say why.
   * No exception is taken here; the CPU does that.
   */
  translateVa(va: number, acc: AccessType, el: number): boolean {
    this.vaIn[0] = va;
    return this.translateIn(acc, el);
  }

  /**
   * translateVa for the VA in `vaIn[0]`. The hot callers hand the VA over in that typed-array slot: a
   * double passed as an argument is boxed as a heap number (an allocation per call); a slot is not.
   */
  translateIn(acc: AccessType, el: number): boolean {
    const va = this.vaIn[0]!;
    const va4k = Math.floor(va / 4096);
    const tlb = this.tlb;
    tlb.key[0] = va4k;
    const e = tlb.lookupIn(this.regime.asid);
    if (e >= 0) {
      const need = permBit(acc, el);
      if ((tlb.perms[e]! & need) !== 0 || !(acc === ACC_WRITE && (tlb.flags[e]! & TLB_DBM) !== 0)) {
        this.cv.tlbHits++;
        this.clock.now += this.hitNs;
        if ((tlb.perms[e]! & need) === 0) {
          // A permission fault straight from the TLB entry (hardware does not re-walk for it).
          this.faultKind = FaultKind.Permission;
          this.faultLevel = tlb.level[e]!;
          return false;
        }
        const size = POW2[tlb.shift[e]! + 12]!;
        const base = tlb.tag[e]! * size;
        this.pa = tlb.paBase[e]! + (va - base);
        this.spanLeft = base + size - va;
        return true;
      }
      // Writable-clean (DBM) entry and a write: walk again so the dirty state is set in the descriptor.
    }
    this.cv.tlbMisses++;
    const r = this.res;
    const halves = this.walker.vaHalves;
    halves[0] = Math.floor(va / 4294967296);
    halves[1] = va;
    this.walkIn(acc, el, true);
    if (r.fault !== FaultKind.None) {
      this.faultKind = r.fault;
      this.faultLevel = r.level;
      return false;
    }
    const s = r.spanShift - 12;
    // With the MMU off nothing is cached: hardware makes no TLB entries for the flat map.
    if (this.regime.mmuOn) {
      tlb.key[0] = va4k;
      tlb.key[1] = r.spanPa;
      tlb.insertIn(s, this.regime.asid, !r.nG, r.perms, r.dbm ? TLB_DBM : 0, r.attr, r.sh, r.level, e);
    }
    this.pa = r.pa;
    this.spanLeft = POW2[r.spanShift]! - (r.pa - r.spanPa);
    return true;
  }

  /** One walk with its counters and clock charges; the result is in `res`. */
  doWalk(vaHi: number, vaLo: number, acc: AccessType, el: number, update: boolean): WalkResult {
    const halves = this.walker.vaHalves;
    halves[0] = vaHi;
    halves[1] = vaLo;
    return this.walkIn(acc, el, update);
  }

  /** doWalk for the VA in walker.vaHalves. */
  private walkIn(acc: AccessType, el: number, update: boolean): WalkResult {
    const r = this.res;
    this.walker.walkIn(acc, el, update, r);
    this.cv.walks++;
    this.cv.descriptorReads += r.reads;
    this.clock.now += r.reads * this.descNs;
    if (r.updated & 1) this.cv.afUpdates++;
    if (r.updated & 2) this.cv.dirtyUpdates++;
    return r;
  }

  // ---- TLB maintenance (D8.13.x; the VA operand is VA[55:12] in Xt[43:0], the ASID in Xt[63:48]) ----

  /** Run a TLBI instruction with its Xt operand (ignored by VMALLE1). */
  tlbi(op: TlbiOp, xt: bigint = 0n): void {
    const asid = Number((xt >> 48n) & 0xffffn) & (this.regime.asid16 ? 0xffff : 0xff);
    // Xt[43:0] = VA[55:12]; bit 55 is sign-extended to form the VA (only its page number matters here).
    const page = BigInt.asIntN(44, xt & 0xfff_ffff_ffffn);
    const va4k = Number(page);
    switch (op) {
      case 'VMALLE1': this.tlb.invalidateAll(); break;
      case 'VAE1': case 'VALE1': this.tlb.invalidateVa(va4k, asid); break;
      case 'VAAE1': this.tlb.invalidateVa(va4k, -1); break;
      case 'ASIDE1': this.tlb.invalidateAsid(asid); break;
    }
    this.cv.tlbi++;
    this.clock.now += this.profile.cpu.tlbiNs;
    this.onInvalidate?.();
  }

  /** TLBI VMALLE1. */
  tlbiAll(): void {
    this.tlbi('VMALLE1');
  }
  /** TLBI VAE1 for a VA number and an ASID (VALE1 is the same here: only leaf entries are cached). */
  tlbiVa(va: number, asid: number, lastLevelOnly = false): void {
    this.tlbi(lastLevelOnly ? 'VALE1' : 'VAE1', tlbiOperand(va, asid));
  }
  /** TLBI VAAE1: the VA in every ASID. */
  tlbiVaAllAsid(va: number): void {
    this.tlbi('VAAE1', tlbiOperand(va, 0));
  }
  /** TLBI ASIDE1. */
  tlbiAsid(asid: number): void {
    this.tlbi('ASIDE1', BigInt(asid & 0xffff) << 48n);
  }
}

/** The Xt operand of TLBI VAE1 & co. for a VA number and ASID. */
export function tlbiOperand(va: number, asid: number): bigint {
  const page = BigInt(Math.floor(va / 4096)) & 0xfff_ffff_ffffn;
  return (BigInt(asid & 0xffff) << 48n) | page;
}
