// The CPU's memory side: loads, stores, instruction fetches and bulk copies at EL0 or EL1, translated
// through the MMU's TLB, with synchronous aborts delivered to the handler the kernel (src/mm) installs
// and the access retried when it returns, as an ERET back to the faulting instruction does (Arm ARM D1.x
// "Exception entry"/"Exception return"). A one-entry "last translation" per access type makes runs of
// accesses to one 4 KiB page cost a compare and a typed-array read.
//
// Values: 8/16/32-bit loads return unsigned numbers. 64-bit loads return the value as a *signed* 64-bit
// number (exact when |v| < 2^53: every PA, every canonical VA, sizes); load64Big returns it exactly.
// VAs are numbers in the same signed reading: 0xffff_8000_0000_0000 is -2^47 (the TTBR1 range).
//
// Persistent memory (a PcmDevice attached with attachPcm) is reached on the miss paths only: a PA in its
// range goes through the device's load/store/read/write (its cache, flush and crash model), and is never
// put in the one-entry caches, so the RAM hit paths are unchanged. translate() reports such a PA as an
// offset encoded below -1 (PCM_OFF - off), -1 being "signal pending".

import { invariant } from '../sim/assert.js';
import type { Clock } from '../sim/clock.js';
import { encodeEsr, FaultKind } from './mmu/fault.js';
import { FAULT_COUNTER, type Mmu, type MmuCounter } from './mmu/mmu.js';
import { ACC_EXEC, ACC_READ, ACC_WRITE, type AccessType } from './mmu/walk.js';
import type { PcmDevice } from './pcm/pcm.js';
import type { Ram } from './ram.js';
import { MAX_RETRIES, MemFaultRecord, type FaultHandler, type FaultSignal } from './exception.js';
import { loadTagged, storeTagged } from './tagged.js';
import { PCM_OFF, copyFromVa, copyToVa } from './copy.js';

export type { FaultHandler, FaultSignal, MemFault } from './exception.js';
export { MAX_RETRIES } from './exception.js';



export interface CpuOptions {
  mmu: Mmu;
  ram: Ram;
  el?: 0 | 1;
}

export class Cpu {
  readonly mmu: Mmu;
  readonly ram: Ram;
  /** ESR_EL1 and FAR_EL1 of the last exception taken. */
  ESR_EL1 = 0;
  FAR_EL1 = 0;
  /** The first signal a handler reported and nobody took yet. */
  signal: FaultSignal | null = null;
  private handler: FaultHandler | null = null;
  /** @internal The current EL (copy.ts reads it; `el` is the public face). */
  elNow: 0 | 1;
  /** @internal RAM's bytes (copy.ts). */
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** @internal */
  readonly ramBase: number;
  /** @internal */
  readonly ramSize: number;
  private readonly cv: Record<MmuCounter, number>;
  private readonly clock: Clock;
  private readonly hitNs: number;
  /** @internal */
  readonly copyNsPerByte: number;
  private readonly scratch = new DataView(new ArrayBuffer(8));
  // One-entry translation caches: VA of a 4 KiB page and the RAM byte offset it maps to.
  private rPage = NaN;
  private rBase = 0;
  private wPage = NaN;
  private wBase = 0;
  private xPage = NaN;
  private xBase = 0;
  /** The VA handed to a miss path (see loadSlowBox). */
  private readonly vaBox = new Float64Array(1);
  /** Persistent memory on the bus (DAX mappings reach it), or null. */
  private pcm: PcmDevice | null = null;

  constructor(opts: CpuOptions) {
    this.mmu = opts.mmu;
    this.ram = opts.ram;
    invariant(opts.ram.base % 4096 === 0, 'RAM base is 4 KiB aligned');
    this.bytes = opts.ram.bytes;
    this.view = opts.ram.view;
    this.ramBase = opts.ram.base;
    this.ramSize = opts.ram.bytes.length;
    this.cv = opts.mmu.cv;
    this.clock = opts.mmu.clock;
    this.hitNs = opts.mmu.profile.cpu.l1HitNs;
    this.copyNsPerByte = opts.mmu.profile.cpu.memcpyNsPerByte;
    this.elNow = opts.el ?? 1;
    opts.mmu.onInvalidate = () => this.forget();
  }

  /**
   * Put a persistent-memory device on the physical bus: loads and stores to PAs in [pcm.base, pcm.base +
   * pcm.size) go to it (a DAX mapping's PTEs point there). Without one such PAs take an External abort.
   */
  attachPcm(pcm: PcmDevice | null): void {
    invariant(pcm === null || pcm.base % 4096 === 0, 'PCM base is 4 KiB aligned');
    this.pcm = pcm;
    this.forget();
  }

  /** The persistent-memory device on the bus, or null. */
  get pcmDevice(): PcmDevice | null {
    return this.pcm;
  }

  /** Current exception level. */
  get el(): 0 | 1 {
    return this.elNow;
  }
  set el(v: 0 | 1) {
    this.elNow = v;
    this.forget();
  }

  /** Install (or remove, with null) the synchronous-abort handler. Without one, faults raise SIGSEGV/SIGBUS. */
  setFaultHandler(h: FaultHandler | null): void {
    this.handler = h;
  }

  /** Take the pending signal (and clear it). */
  takeSignal(): FaultSignal | null {
    const s = this.signal;
    this.signal = null;
    return s;
  }

  /** Drop the one-entry caches (a TLBI or register write may have changed what they hold). */
  forget(): void {
    this.rPage = NaN;
    this.wPage = NaN;
    this.xPage = NaN;
  }

  // ---- loads ----
  // Each access is a small fast path (the one-entry cache for its 4 KiB page) and a separate miss
  // method, small enough for V8 to inline several accessors into one caller; the hit path allocates
  // nothing (the VA reaches the miss path through vaBox, never boxed).

  load8(va: number): number {
    const off = va & 4095;
    if (va - off === this.rPage) {
      this.hit();
      return this.bytes[this.rBase + off]!;
    }
    this.vaBox[0] = va;
    return this.load8Miss();
  }

  load16(va: number): number {
    const off = va & 4095;
    if (va - off === this.rPage && off <= 4094) {
      this.hit();
      return this.view.getUint16(this.rBase + off, true);
    }
    this.vaBox[0] = va;
    return this.loadSlowBox(2) ? this.scratch.getUint16(0, true) : 0;
  }

  load32(va: number): number {
    const off = va & 4095;
    if (va - off === this.rPage && off <= 4092) {
      this.hit();
      return this.view.getUint32(this.rBase + off, true);
    }
    this.vaBox[0] = va;
    return this.loadSlowBox(4) ? this.scratch.getUint32(0, true) : 0;
  }

  /** 64-bit load as a signed number (exact for |v| < 2^53). */
  load64(va: number): number {
    const off = va & 4095;
    if (va - off === this.rPage && off <= 4088) {
      this.hit();
      const p = this.rBase + off;
      return this.view.getInt32(p + 4, true) * 4294967296 + this.view.getUint32(p, true);
    }
    this.vaBox[0] = va;
    return this.load64Miss();
  }

  /** 64-bit load, exact. */
  load64Big(va: number): bigint {
    return this.loadSlow(va, 8) ? this.scratch.getBigUint64(0, true) : 0n;
  }

  /** Instruction fetch of one A64 instruction (32 bits) with execute permission checks. */
  fetch32(va: number): number {
    const off = va & 4095;
    if (va - off === this.xPage && off <= 4092) {
      this.hit();
      return this.view.getUint32(this.xBase + off, true);
    }
    this.vaBox[0] = va;
    return this.fetchMiss();
  }

  // ---- stores ----

  store8(va: number, v: number): void {
    const off = va & 4095;
    if (va - off === this.wPage) {
      this.hit();
      this.bytes[this.wBase + off] = v;
      return;
    }
    this.vaBox[0] = va;
    this.store8Miss(v);
  }

  store16(va: number, v: number): void {
    const off = va & 4095;
    if (va - off === this.wPage && off <= 4094) {
      this.hit();
      this.view.setUint16(this.wBase + off, v, true);
      return;
    }
    this.scratch.setUint16(0, v, true);
    this.vaBox[0] = va;
    this.storeSlowBox(2);
  }

  store32(va: number, v: number): void {
    const off = va & 4095;
    if (va - off === this.wPage && off <= 4092) {
      this.hit();
      this.view.setUint32(this.wBase + off, v, true);
      return;
    }
    this.scratch.setUint32(0, v, true);
    this.vaBox[0] = va;
    this.storeSlowBox(4);
  }

  /** 64-bit store of a number (signed reading; exact for safe integers). */
  store64(va: number, v: number): void {
    const off = va & 4095;
    if (va - off === this.wPage && off <= 4088) {
      this.hit();
      const hi = Math.floor(v / 4294967296);
      this.view.setUint32(this.wBase + off, v - hi * 4294967296, true);
      this.view.setInt32(this.wBase + off + 4, hi | 0, true);
      return;
    }
    this.vaBox[0] = va;
    this.store64Miss(v);
  }

  store64Big(va: number, v: bigint): void {
    this.scratch.setBigUint64(0, BigInt.asUintN(64, v), true);
    this.storeSlow(va, 8);
  }

  /** A hit in a one-entry cache: a TLB hit as far as counters and virtual time go. */
  private hit(): void {
    this.cv.tlbHits++;
    this.clock.now += this.hitNs;
  }

  // The miss paths take the VA from a one-element Float64Array rather than as an argument. A double
  // passed to a call must be boxed as a heap number, and when several inlined accessors pass the same
  // VA to their miss paths, TurboFan shares one boxing between them and hoists it above the hit test:
  // an allocation on every hit. A typed-array store/load is never boxed and not merged across paths.
  private loadSlowBox(size: number): boolean {
    return this.loadSlow(this.vaBox[0]!, size);
  }

  private storeSlowBox(size: number): void {
    this.storeSlow(this.vaBox[0]!, size);
  }

  private load8Miss(): number {
    const va = this.vaBox[0]!;
    const o = this.translate(va, ACC_READ);
    return o === -1 ? 0 : this.rd8(o);
  }

  private load64Miss(): number {
    const va = this.vaBox[0]!;
    const o = this.translate(va, ACC_READ);
    if (o === -1) return 0;
    if ((va & 4095) > 4088 || o < 0) return this.crossing(va, 8, ACC_READ, o) ? this.scratch.getInt32(4, true) * 4294967296 + this.scratch.getUint32(0, true) : 0;
    return this.view.getInt32(o + 4, true) * 4294967296 + this.view.getUint32(o, true);
  }

  private fetchMiss(): number {
    const va = this.vaBox[0]!;
    const o = this.translate(va, ACC_EXEC);
    if (o === -1) return 0;
    if ((va & 4095) > 4092 || o < 0) return this.crossing(va, 4, ACC_EXEC, o) ? this.scratch.getUint32(0, true) : 0;
    return this.view.getUint32(o, true);
  }

  private store8Miss(v: number): void {
    const va = this.vaBox[0]!;
    const o = this.translate(va, ACC_WRITE);
    if (o !== -1) this.wr8(o, v);
  }

  private store64Miss(v: number): void {
    const va = this.vaBox[0]!;
    const hi = Math.floor(v / 4294967296);
    this.scratch.setUint32(0, v - hi * 4294967296, true);
    this.scratch.setInt32(4, hi | 0, true);
    this.storeSlow(va, 8);
  }

  // ---- bulk ----

  /**
   * Copy `len` bytes from VA `va` into dst[dstOff..]. Returns the bytes copied: `len`, or fewer when a
   * fault ended in a signal (the copy stops at the first byte that could not be read, as copy_from_user).
   */
  readInto(va: number, dst: Uint8Array, dstOff: number, len: number): number {
    return copyFromVa(this, va, dst, dstOff, len);
  }

  /** Read `len` bytes (a new array; a short one if a fault ended in a signal). */
  read(va: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    const n = this.readInto(va, out, 0, len);
    return n === len ? out : out.subarray(0, n);
  }

  /** Copy `src` to VA `va`. Returns the bytes written (fewer if a fault ended in a signal). */
  write(va: number, src: Uint8Array): number {
    return copyToVa(this, va, src);
  }

  // ---- full 64-bit VAs: tagged pointers (tagged.ts) ----

  /** Load `size` bytes from a 64-bit VA given exactly: TCR_EL1.TBIn tagged pointers, VAs past 2^53 (tagged.ts). */
  loadTagged(va: bigint, size: 1 | 2 | 4 | 8): bigint {
    return loadTagged(this, va, size);
  }

  /** Store `size` bytes of `value` at a 64-bit VA given exactly (see loadTagged). */
  storeTagged(va: bigint, size: 1 | 2 | 4 | 8, value: bigint): void {
    storeTagged(this, va, size, value);
  }

  // ---- the slow path ----

  /** Byte at translate() result `o` (RAM offset, or an encoded PCM offset). */
  private rd8(o: number): number {
    return o >= 0 ? this.bytes[o]! : this.pcm!.load8(PCM_OFF - o);
  }

  private wr8(o: number, v: number): void {
    if (o >= 0) this.bytes[o] = v;
    else this.pcm!.store8(PCM_OFF - o, v);
  }

  /** Into scratch[0..size): true if every byte was read. */
  private loadSlow(va: number, size: number): boolean {
    const o = this.translate(va, ACC_READ);
    if (o === -1) return false;
    if ((va & 4095) + size > 4096 || o < 0) return this.crossing(va, size, ACC_READ, o);
    for (let i = 0; i < size; i++) this.scratch.setUint8(i, this.bytes[o + i]!);
    return true;
  }

  /**
   * An access that crosses into the next 4 KiB page (both pages are translated before any byte moves),
   * or any access to PCM (byte by byte through the device; `first` then covers the whole access).
   */
  private crossing(va: number, size: number, acc: AccessType, o1: number): boolean {
    const first = 4096 - (va & 4095);
    let o2 = 0;
    if (first < size) {
      o2 = this.translate(va + first, acc);
      if (o2 === -1) return false;
    }
    for (let i = 0; i < size; i++) {
      // An encoded PCM offset runs downwards: byte i of it is (o1 - i).
      const o = i < first ? (o1 >= 0 ? o1 + i : o1 - i) : (o2 >= 0 ? o2 + (i - first) : o2 - (i - first));
      if (acc === ACC_WRITE) this.wr8(o, this.scratch.getUint8(i));
      else this.scratch.setUint8(i, this.rd8(o));
    }
    return true;
  }

  /** Write scratch[0..size) to va. */
  private storeSlow(va: number, size: number): void {
    const o = this.translate(va, ACC_WRITE);
    if (o === -1) return;
    if ((va & 4095) + size > 4096 || o < 0) {
      this.crossing(va, size, ACC_WRITE, o);
      return;
    }
    for (let i = 0; i < size; i++) this.bytes[o + i] = this.scratch.getUint8(i);
  }

  /**
   * Translate for an access at the current EL, taking exceptions until it succeeds or the handler
   * reports a signal. Returns the RAM byte offset of `va`, -1 (signal pending), or for a PA on the
   * attached PCM device PCM_OFF - (its device offset), which is below -1.
   */
  private translate(va: number, acc: AccessType): number {
    const mmu = this.mmu;
    mmu.vaIn[0] = va;
    return this.resolve(va, acc, mmu.translateIn(acc, this.elNow));
  }

  /**
   * translate() once the first translateIn of `va` has returned `ok`: the bulk copies make that call
   * on their fast path, and a miss there goes straight to the exception (no second walk of a VA that
   * just faulted; hardware walks again only after the handler's ERET).
   */
  /** @internal */
  resolve(va: number, acc: AccessType, ok: boolean): number {
    const mmu = this.mmu;
    for (let tries = 0; ; tries++) {
      let kind: FaultKind, level = 0;
      if (ok) {
        const off = mmu.pa - this.ramBase;
        if (off >= 0 && off < this.ramSize) {
          const page = va - (va & 4095), base = off - (va & 4095);
          // RAM is whole 4 KiB frames from a 4 KiB-aligned base, so the page lies in RAM.
          if (acc === ACC_READ) { this.rPage = page; this.rBase = base; }
          else if (acc === ACC_WRITE) { this.wPage = page; this.wBase = base; }
          else { this.xPage = page; this.xBase = base; }
          return off;
        }
        const pcm = this.pcm;
        if (pcm !== null && pcm.contains(mmu.pa)) return PCM_OFF - (mmu.pa - pcm.base);
        kind = FaultKind.External; // the PA is not memory
      } else {
        kind = mmu.faultKind;
        level = mmu.faultLevel;
      }
      const outcome = this.takeException(va, acc, kind, level);
      if (outcome !== 'retry') {
        if (this.signal === null) this.signal = outcome;
        return -1;
      }
      invariant(tries < MAX_RETRIES, 'the fault handler makes progress (it returned retry without fixing the fault)');
      mmu.vaIn[0] = va;
      ok = mmu.translateIn(acc, this.elNow);
    }
  }

  /**
   * Exception entry to EL1 for an abort at `va` (exactFar: the exact 64-bit FAR when `va` cannot hold
   * it): ESR/FAR set, counters and clock charged, the handler run. For the CPU's own paths and tagged.ts.
   */
  takeException(va: number, acc: AccessType, kind: FaultKind, level: number, exactFar: bigint | null = null): 'retry' | FaultSignal {
    const isWrite = acc === ACC_WRITE, isExec = acc === ACC_EXEC;
    const esr = encodeEsr(kind, level, isWrite, isExec, this.elNow);
    this.ESR_EL1 = esr;
    this.FAR_EL1 = va;
    this.cv.exceptions++;
    this.cv[FAULT_COUNTER[kind]!]++;
    this.mmu.clock.now += this.mmu.profile.cpu.exceptionNs;
    this.forget();
    const h = this.handler;
    if (h === null) {
      const signal = kind === FaultKind.External ? 'SIGBUS' : 'SIGSEGV';
      return { signal, addr: va };
    }
    return h(new MemFaultRecord(esr, va, exactFar, kind, level, isWrite, isExec, this.elNow));
  }
}
