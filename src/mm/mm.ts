// The kernel's memory manager: the machine's MMU and CPU, the unified page cache, the address spaces
// (one ASID each), the reverse map and reclaim, wired as Linux wires mm/ (mm_struct per process,
// handle_mm_fault on aborts, a shrinker for the page cache). `new Mm({ ram })` builds the MMU and CPU
// configured as OSv's boot.S does (4K granule, 48-bit VAs, MAIR Attr4 Normal WB) with this handler
// installed; accesses then go through `mm.cpu` at EL0 in the current address space.
//
// Dirty and access state (DESIGN.md "Memory management"): `hardwareDirty: false` (default) is the
// software scheme — clean shared pages are mapped read-only and the first store takes a permission
// fault that marks the page dirty; reclaim clears AF and an access takes an Access-flag fault.
// `hardwareDirty: true` sets TCR_EL1.HA/HD (FEAT_HAFDBS): pages are mapped writable-clean (DBM=1,
// AP[2]=1), the walker sets AF and clears AP[2] itself, and writeback reads the descriptors.

import { Cpu, type MemFault, type FaultSignal } from '../hw/cpu.js';
import { Mmu } from '../hw/mmu/mmu.js';
import { RamPhys } from '../hw/mmu/physmem.js';
import { makeMair, makeTcr, makeTtbr, MAIR_ATTR, SCTLR_M } from '../hw/mmu/registers.js';
import { D_AF, D_AP2 } from '../hw/mmu/descriptor.js';
import { NO_FRAME, type Frame, type Ram } from '../hw/ram.js';
import { invariant } from '../sim/assert.js';
import { fsErr } from '../sim/errno.js';
import type { Clock } from '../sim/clock.js';
import { AddressSpace } from './address-space.js';
import { handleFault } from './fault.js';
import { PageCache, PG_CACHED, PG_DIRTY, type FileMapping, type PageCacheHooks, type PageIndex } from './page-cache.js';
import { Reclaim } from './reclaim.js';
import { Rmap } from './rmap.js';

export interface MmOptions {
  ram: Ram;
  /** The page cache the filesystems use (so that read/write and mmap share frames). Made over `ram` if absent. */
  pageCache?: PageCache;
  /** Hardware access-flag and dirty-state management (TCR_EL1.HA/HD). Default false: software. */
  hardwareDirty?: boolean;
  clock?: Clock;
}

export class Mm implements PageCacheHooks {
  readonly ram: Ram;
  readonly pageCache: PageCache;
  readonly mmu: Mmu;
  readonly cpu: Cpu;
  readonly rmap: Rmap;
  readonly reclaim: Reclaim;
  readonly hardwareDirty: boolean;
  readonly spaces: (AddressSpace | undefined)[] = [];
  current: AddressSpace | null = null;
  /** A frame the fault path holds while it takes more frames: reclaim passes it over. */
  pinned: Frame = NO_FRAME;
  readonly stats = { faults: 0, cowCopies: 0, sigsegv: 0, sigbus: 0, dirtyFaults: 0, afFaults: 0 };
  private nextAsid = 1;
  private readonly freeAsids: number[] = [];
  private readonly w = new Uint32Array(2);

  constructor(opts: MmOptions) {
    this.ram = opts.ram;
    invariant(opts.ram.frameSize === 4096, 'mm maps 4 KiB pages (RAM frames of 4 KiB)');
    this.pageCache = opts.pageCache ?? new PageCache(opts.ram, opts.clock ? { clock: opts.clock } : {});
    invariant(this.pageCache.ram === opts.ram, 'the page cache lives in the same RAM');
    this.hardwareDirty = opts.hardwareDirty ?? false;
    this.rmap = new Rmap(opts.ram.frameCount);
    this.mmu = new Mmu({ mem: new RamPhys(opts.ram), cpu: 'max', ...(opts.clock ? { clock: opts.clock } : {}) });
    const hw = this.hardwareDirty ? 1 : 0;
    this.mmu.setRegs({
      // T0SZ 16 (48-bit), TG0 4K; TTBR1 walks disabled (EPD1), TG1 = 4K (encoding 2); 16-bit ASIDs.
      TCR_EL1: makeTcr({ T0SZ: 16, TG0: 0, EPD1: 1, TG1: 2, IPS: 5, AS: 1, HA: hw, HD: hw }),
      MAIR_EL1: makeMair([MAIR_ATTR.DEVICE_nGnRnE, MAIR_ATTR.DEVICE_nGnRE, MAIR_ATTR.DEVICE_GRE, MAIR_ATTR.NORMAL_NC, MAIR_ATTR.NORMAL_WB]),
      SCTLR_EL1: SCTLR_M,
    });
    this.cpu = new Cpu({ mmu: this.mmu, ram: opts.ram, el: 0 });
    this.cpu.setFaultHandler((f: MemFault): 'retry' | FaultSignal => handleFault(this, f));
    invariant(this.pageCache.hooks === null, 'one Mm per page cache');
    this.pageCache.hooks = this;
    this.reclaim = new Reclaim(this);
    opts.ram.registerShrinker(this.reclaim);
  }

  // ---- address spaces ----

  /** A new, empty address space with its own ASID and TTBR0 tables. ENOMEM when RAM or ASIDs run out. */
  createAddressSpace(): AddressSpace {
    const asid = this.freeAsids.length > 0 ? this.freeAsids.pop()! : this.nextAsid++;
    if (asid > 0xffff) throw fsErr('ENOMEM');
    let id = this.spaces.indexOf(undefined);
    if (id < 0) id = this.spaces.length;
    let as: AddressSpace;
    try {
      as = new AddressSpace(this, id, asid);
    } catch {
      this.freeAsids.push(asid);
      throw fsErr('ENOMEM');
    }
    this.spaces[id] = as;
    if (this.current === null) this.switchTo(as);
    return as;
  }

  /** Make `as` current: TTBR0_EL1 = its root with its ASID (no TLB flush: entries are ASID-tagged). */
  switchTo(as: AddressSpace): void {
    if (this.current === as) return;
    this.mmu.setRegs({ TTBR0_EL1: makeTtbr(as.tables.root, as.asid) });
    this.current = as;
  }

  /** Unmap everything, free the tables, retire the ASID (TLBI ASIDE1 first, as a recycled ASID must not hit). */
  destroyAddressSpace(as: AddressSpace): void {
    for (const vma of as.vmas.slice()) {
      this.zapRange(as, vma.start, vma.end, true);
      vma.ref?.release();
    }
    as.vmas.length = 0;
    this.mmu.tlbiAsid(as.asid);
    if (this.current === as) this.current = null;
    as.tables.destroy();
    this.spaces[as.id] = undefined;
    this.freeAsids.push(as.asid);
  }

  // ---- page-table entries and the frames behind them ----

  /**
   * Remove the translation of `vpn` in `as`: its dirty state goes to the page (a writable descriptor of
   * a shared page cache frame means written), the rmap entry goes; with `freePriv` a private frame is
   * freed too (munmap, MADV_DONTNEED), otherwise kept for a later fault (mprotect).
   */
  zapPte(as: AddressSpace, vpn: number, freePriv: boolean): void {
    const f = as.pteFrame.get(vpn);
    if (f !== undefined) {
      const lo = as.clearPte(vpn);
      // A frame past RAM's is a DAX page on persistent memory: no page-cache flags, no rmap entry.
      if (as.priv.get(vpn) !== f && f >= 0 && f < this.ram.frameCount) {
        if (AddressSpace.isWritable(lo)) this.markFrameDirty(f);
        this.rmap.remove(f, as.id, vpn);
      }
    }
    if (freePriv) {
      const p = as.priv.get(vpn);
      if (p !== undefined) {
        as.priv.delete(vpn);
        this.ram.freeFrame(p);
      }
    }
  }

  /** zapPte for every page of [start, end) that has a translation or a private frame. */
  zapRange(as: AddressSpace, start: number, end: number, freePriv: boolean): void {
    const s = start / 4096, e = end / 4096;
    if (e - s <= as.pteFrame.size + as.priv.size) {
      for (let v = s; v < e; v++) this.zapPte(as, v, freePriv);
      return;
    }
    const vpns: number[] = [];
    for (const v of as.pteFrame.keys()) if (v >= s && v < e) vpns.push(v);
    for (const v of as.priv.keys()) if (v >= s && v < e && !as.pteFrame.has(v)) vpns.push(v);
    for (const v of vpns) this.zapPte(as, v, freePriv);
  }

  private markFrameDirty(f: Frame): void {
    const pc = this.pageCache;
    // Already dirty (a software-dirty page is marked at its write fault): no lookup to make.
    if ((pc.flags[f]! & (PG_CACHED | PG_DIRTY)) !== PG_CACHED) return;
    const m = pc.mappingOf(f);
    if (m !== undefined) pc.markDirty(m, pc.index[f]!);
  }

  // ---- PageCacheHooks: keep every mapping of a page coherent with what the cache does to it ----

  mapCount(f: Frame): number {
    return this.rmap.count(f);
  }

  beforeDrop(f: Frame): void {
    const r = this.rmap;
    for (let n = r.count(f); n > 0; n--) {
      this.zapPte(this.spaces[r.asAt(f, 0)]!, r.vpnAt(f, 0), false);
      invariant(r.count(f) < n, 'zapping a translation removes its rmap entry');
    }
  }

  /**
   * Before page `f` is written back: fold each mapping's dirty state into PG_DIRTY and make the
   * descriptors clean again (read-only, or writable-clean under DBM), with a TLBI each, so that a
   * store after the writeback dirties the page again (OSv §2 item 5 is this step missing).
   */
  beforeWriteback(_m: FileMapping, _idx: PageIndex, f: Frame): void {
    const r = this.rmap;
    const w = this.w;
    for (let i = 0, n = r.count(f); i < n; i++) {
      const as = this.spaces[r.asAt(f, i)]!, vpn = r.vpnAt(f, i);
      if (!as.readPte(vpn, w)) continue;
      const lo = w[0]!;
      if (AddressSpace.isWritable(lo)) {
        this.markFrameDirty(f);
        as.writePte(vpn, lo | D_AP2, w[1]!);
      }
    }
  }

  gatherDirty(m: FileMapping, start: PageIndex, end: PageIndex): void {
    if (!this.hardwareDirty || this.rmap.entries === 0) return;
    const pc = this.pageCache, r = this.rmap, w = this.w;
    for (let i = m.pages.next(start, end); i >= 0; i = m.pages.next(i + 1, end)) {
      const f = m.pages.get(i);
      if ((pc.flags[f]! & PG_DIRTY) !== 0) continue;
      for (let k = 0, n = r.count(f); k < n; k++) {
        if (this.spaces[r.asAt(f, k)]!.readPte(r.vpnAt(f, k), w) && AddressSpace.isWritable(w[0]!)) {
          pc.markDirty(m, i);
          break;
        }
      }
    }
  }

  /** Truncate reaches private copies too (Linux unmap_mapping_range with even_cows): past EOF they go. */
  truncated(m: FileMapping, size: number): void {
    const first = Math.ceil(size / 4096);
    for (const as of this.spaces) {
      if (as === undefined) continue;
      for (const vma of as.vmas) {
        if (vma.mapping !== m || vma.shared) continue;
        const s = vma.start / 4096;
        const from = Math.max(s, s + (first - vma.pgoff));
        if (from * 4096 < vma.end) this.zapRange(as, from * 4096, vma.end, true);
      }
    }
  }

  /** Clear the access flag of every translation of `f`; true if any was set (the page was used). */
  testAndClearYoung(f: Frame): boolean {
    const r = this.rmap, w = this.w;
    let young = false;
    for (let i = 0, n = r.count(f); i < n; i++) {
      const as = this.spaces[r.asAt(f, i)]!, vpn = r.vpnAt(f, i);
      if (!as.readPte(vpn, w) || (w[0]! & D_AF) === 0) continue;
      young = true;
      as.writePte(vpn, w[0]! & ~D_AF, w[1]!);
    }
    return young;
  }

  // ---- consistency ----

  /**
   * Problems found (empty if none), after ramfs' fsck: every page descriptor points at the frame the
   * page cache holds for its (file, index), or at the space's own private frame; every such frame is
   * allocated; the rmap and the descriptors agree both ways.
   */
  fsck(): string[] {
    const out: string[] = [];
    const pc = this.pageCache;
    let rmapped = 0;
    for (const as of this.spaces) {
      if (as === undefined) continue;
      for (const [vpn, f] of as.pteFrame) {
        const where = `space ${as.id} va 0x${(vpn * 4096).toString(16)}`;
        // A DAX page maps the file's current block on persistent memory (dax.ts), not a RAM frame.
        const dv = as.find(vpn * 4096);
        if (dv !== undefined && dv.mapping !== null && dv.mapping.dax !== null && as.priv.get(vpn) !== f) {
          const at = dv.mapping.dax.mapped.get(dv.fileIndex(vpn, 4096));
          if (at !== this.ram.frameToPaddr(f)) out.push(`${where}: DAX page maps PA 0x${this.ram.frameToPaddr(f).toString(16)}, the file's block is ${at === undefined ? 'unknown' : `0x${at.toString(16)}`}`);
          continue;
        }
        if (!this.ram.isAllocated(f)) out.push(`${where}: maps free frame ${f}`);
        const vma = as.find(vpn * 4096);
        if (vma === undefined) { out.push(`${where}: mapped outside every VMA`); continue; }
        if (as.priv.get(vpn) === f) continue;
        if (vma.mapping === null) { out.push(`${where}: anonymous page is not the space's own`); continue; }
        const idx = vma.fileIndex(vpn, 4096);
        if (pc.findPage(vma.mapping, idx) !== f) out.push(`${where}: maps frame ${f}, the cache has ${pc.findPage(vma.mapping, idx)} for page ${idx}`);
        let found = false;
        for (let i = 0, n = this.rmap.count(f); i < n; i++) if (this.rmap.asAt(f, i) === as.id && this.rmap.vpnAt(f, i) === vpn) found = true;
        if (!found) out.push(`${where}: no rmap entry`);
        rmapped++;
      }
    }
    const entries = this.rmap.entries;
    if (entries !== rmapped) out.push(`rmap holds ${entries} entries, descriptors ${rmapped}`);
    return out;
  }
}
