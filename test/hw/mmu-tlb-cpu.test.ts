// The TLB and the CPU: stale entries until TLBI, ASID tagging and global entries, the TLBI operations,
// the contiguous hint, exceptions (ESR/FAR), the fault handler's retry and signal paths, bulk copies,
// counters and virtual-clock charges. Rules: Arm ARM D8.13 (TLB maintenance), D1 (exception entry/return).
import t from 'tap';
import { AP_RO_EL1, AP_RW_ALL, AP_RW_EL1 } from '../../src/hw/mmu/descriptor.js';
import { decodeEsr, FaultKind } from '../../src/hw/mmu/fault.js';
import { makeTtbr } from '../../src/hw/mmu/registers.js';
import { OSV_AARCH64_KVM } from '../../src/sim/profile.js';
import type { MemFault } from '../../src/hw/cpu.js';
import { machine } from './mmu-machine.js';

t.test('a stale TLB entry is used until TLBI VAE1 removes it (D8.13.1: TLB contents persist until invalidated)', async (t) => {
  const m = machine();
  const a = m.frame(), b = m.frame();
  m.ram.view.setUint32(a - m.ram.base, 0xaaaa, true);
  m.ram.view.setUint32(b - m.ram.base, 0xbbbb, true);
  m.t0.map(0x10000, a, 4096);
  t.equal(m.cpu.load32(0x10000), 0xaaaa);
  m.t0.unmap(0x10000, 4096);
  m.t0.map(0x10000, b, 4096); // software rewrote the descriptor but did not invalidate
  t.equal(m.cpu.load32(0x10000), 0xaaaa, 'still the old frame: the TLB holds the old translation');
  m.mmu.tlbiVa(0x10000, 0);
  t.equal(m.cpu.load32(0x10000), 0xbbbb, 'after TLBI VAE1 the walk sees the new descriptor');
  m.t0.unmap(0x10000, 4096);
  m.mmu.tlbiVa(0x10000, 0, true); // VALE1
  m.cpu.load32(0x10000);
  t.equal(m.cpu.takeSignal()?.signal, 'SIGSEGV', 'unmapped and invalidated: a translation fault');
  t.equal(decodeEsr(m.cpu.ESR_EL1).fsc, 0x07, 'DFSC translation fault level 3');
});

t.test('ASID-tagged entries, global entries, TLBI ASIDE1/VAAE1/VMALLE1 (D8.13.x)', async (t) => {
  const m = machine({ asid: 1 });
  const a = m.frame(), g = m.frame();
  m.ram.view.setUint32(a - m.ram.base, 1, true);
  m.ram.view.setUint32(g - m.ram.base, 7, true);
  m.t0.map(0x10000, a, 4096, { nG: true });
  m.t0.map(0x20000, g, 4096, { nG: false });
  t.equal(m.cpu.load32(0x10000), 1);
  t.equal(m.cpu.load32(0x20000), 7);
  t.equal(m.mmu.tlb.valid, 2);
  // Context switch to ASID 2 with an empty table: the nG entry must not match, the global one does.
  const other = m.frame();
  m.mmu.setRegs({ TTBR0_EL1: makeTtbr(other, 2) });
  m.cpu.load32(0x10000);
  t.equal(m.cpu.takeSignal()?.signal, 'SIGSEGV', 'ASID 2 does not see ASID 1\'s non-global entry');
  t.equal(m.cpu.load32(0x20000), 7, 'the global entry matches every ASID (stale, as the table is empty)');
  m.mmu.tlbiAsid(2);
  t.equal(m.cpu.load32(0x20000), 7, 'TLBI ASIDE1 leaves global entries');
  m.mmu.tlbiVaAllAsid(0x20000);
  m.cpu.load32(0x20000);
  t.equal(m.cpu.takeSignal()?.signal, 'SIGSEGV', 'TLBI VAAE1 removed the global entry');
  m.mmu.setRegs({ TTBR0_EL1: makeTtbr(m.t0.root, 1) });
  t.equal(m.cpu.load32(0x10000), 1, 'back in ASID 1: its entry is still cached');
  const misses = m.mmu.cv.tlbMisses;
  m.cpu.load32(0x10000 + 64);
  t.equal(m.mmu.cv.tlbMisses, misses);
  m.mmu.tlbiAsid(1);
  m.cpu.load32(0x10008);
  t.equal(m.mmu.cv.tlbMisses, misses + 1, 'TLBI ASIDE1 removed ASID 1\'s entry');
  m.mmu.tlbiAll();
  t.equal(m.mmu.tlb.valid, 0, 'TLBI VMALLE1 empties the TLB');
});

t.test('TLB size is configurable and entries are evicted when a set is full', async (t) => {
  const m = machine({ tlb: { entries: 16, ways: 2 } });
  const pa = m.frame();
  m.t0.map(0, pa, 4096);
  for (let i = 1; i < 64; i++) m.t0.map(i * 4096, pa, 4096);
  for (let i = 0; i < 64; i++) m.cpu.load8(i * 4096);
  t.equal(m.mmu.tlb.valid, 16, 'no more than 16 entries');
  t.equal(m.mmu.cv.walks, 64);
});

t.test('the contiguous hint lets one entry cover 16 pages (D8.6.1)', async (t) => {
  const m = machine();
  const base = m.ram.frameToPaddr(0) + (1 << 20); // 64K-aligned PA inside RAM
  m.t0.map(0x100000, base, 16 * 4096, { contiguous: true });
  t.ok(m.t0.leaf(0x100000)!.hi & (1 << 20), 'CONT set by the builder on an aligned group');
  for (let i = 0; i < 16; i++) m.cpu.load8(0x100000 + i * 4096);
  t.equal(m.mmu.cv.walks, 1, 'one walk for the whole group');
  m.mmu.tlbiVa(0x100000 + 5 * 4096, 0);
  t.equal(m.mmu.tlb.valid, 0, 'TLBI by any VA in the group removes the entry');
  const n = machine();
  n.t0.map(0x100000, base, 16 * 4096);
  for (let i = 0; i < 16; i++) n.cpu.load8(0x100000 + i * 4096);
  t.equal(n.mmu.cv.walks, 16, 'without the hint, one walk per page');
});

t.test('exceptions: ESR_EL1 EC/WnR/DFSC and FAR_EL1, from EL0 and EL1 (D19 ESR_EL1, D1.x)', async (t) => {
  const m = machine();
  const faults: MemFault[] = [];
  m.cpu.setFaultHandler((f) => { faults.push(f); return { signal: 'SIGSEGV', addr: f.far }; });
  m.cpu.el = 0;
  m.cpu.store64(0x7000_1238, 5);
  m.cpu.el = 1;
  m.cpu.load16(0x7000_2000);
  m.cpu.fetch32(0x7000_3000);
  t.equal(faults.length, 3);
  t.same(faults.map((f) => decodeEsr(f.esr).ec), [0x24, 0x25, 0x21]);
  t.same(faults.map((f) => decodeEsr(f.esr).wnr), [true, false, false]);
  t.same(faults.map((f) => f.far), [0x7000_1238, 0x7000_2000, 0x7000_3000]);
  t.same(faults.map((f) => f.kind), [FaultKind.Translation, FaultKind.Translation, FaultKind.Translation]);
  t.same(faults.map((f) => f.level), [0, 0, 0], 'nothing mapped: the level 0 entry is the first invalid one');
  t.ok(faults.every((f) => (f.esr & (1 << 25)) !== 0), 'IL=1');
  t.equal(m.cpu.FAR_EL1, 0x7000_3000);
  t.same(m.cpu.takeSignal(), { signal: 'SIGSEGV', addr: 0x7000_1238 }, 'the first signal stays pending');
  t.equal(m.mmu.cv.faultTranslation, 3);
  t.equal(m.mmu.cv.exceptions, 3);
});

t.test('the handler fixes the tables and returns retry: the access completes (demand paging)', async (t) => {
  const m = machine();
  let calls = 0;
  m.cpu.setFaultHandler((f) => {
    calls++;
    const page = f.far - (f.far % 4096);
    if (f.kind === FaultKind.Translation) {
      m.t0.map(page, m.frame(), 4096, { ap: AP_RO_EL1 });
      return 'retry';
    }
    if (f.kind === FaultKind.Permission && f.isWrite) {
      // Copy-on-write style: make it writable, then invalidate the stale read-only entry.
      const leaf = m.t0.leaf(page)!;
      m.t0.phys.write64(leaf.descPa, leaf.lo & ~(1 << 7), leaf.hi);
      m.mmu.tlbiVa(page, 0);
      return 'retry';
    }
    return { signal: 'SIGBUS', addr: f.far };
  });
  m.cpu.store64(0x9000_0010, 0x1234_5678_9abc);
  t.equal(m.cpu.load64(0x9000_0010), 0x1234_5678_9abc);
  t.equal(calls, 2, 'a translation fault, then a permission fault on the read-only page');
  t.equal(m.cpu.takeSignal(), null);
  t.equal(m.cpu.load64(-8 + 0x9000_0018), 0x1234_5678_9abc);
  m.cpu.store64(0x9000_0020, -2);
  t.equal(m.cpu.load64(0x9000_0020), -2, 'signed 64-bit reading');
  t.equal(m.cpu.load64Big(0x9000_0020), 0xffff_ffff_ffff_fffen);
  // A handler that never fixes anything is a kernel bug, not an infinite loop.
  const n = machine();
  n.cpu.setFaultHandler(() => 'retry');
  t.throws(() => n.cpu.load8(0x1000), /makes progress/);
});

t.test('a PA that is not RAM is a synchronous external abort → SIGBUS without a handler (DFSC 0b010000)', async (t) => {
  const m = machine();
  m.t0.map(0x1000, 0x1000_0000, 4096); // below RAM
  m.cpu.load32(0x1000);
  t.same(m.cpu.takeSignal(), { signal: 'SIGBUS', addr: 0x1000 });
  t.equal(m.cpu.ESR_EL1 & 0x3f, 0x10);
  t.equal(m.mmu.cv.faultExternal, 1);
});

t.test('bulk read/write cross pages; a fault ends the copy short (copy_from_user semantics)', async (t) => {
  const m = machine();
  m.t0.map(0x40000, m.frame(), 4096, { ap: AP_RW_EL1 });
  m.t0.map(0x41000, m.frame(), 4096);
  m.t0.map(0x42000, m.frame(), 4096, { ap: AP_RO_EL1 });
  const src = new Uint8Array(8192).map((_, i) => (i * 7) & 255);
  t.equal(m.cpu.write(0x40000 + 100, src.subarray(0, 8000)), 8000);
  t.same(m.cpu.read(0x40000 + 100, 8000), src.subarray(0, 8000));
  t.equal(m.cpu.write(0x41000 + 96, src), 4000, 'stops at the read-only page');
  t.equal(m.cpu.takeSignal()?.addr, 0x42000);
  // An unaligned 8-byte access across a page boundary.
  m.cpu.store64(0x40ffc, 0x0102_0304_0506);
  t.equal(m.cpu.load64(0x40ffc), 0x0102_0304_0506);
  t.equal(m.cpu.load32(0x40ffe), 0x0304_0506 >>> 16 | (0x0102 << 16));
});

t.test('counters and virtual time: TLB hit, 4 descriptor fetches per level-0 walk, exception cost (cost profile)', async (t) => {
  const m = machine();
  m.t0.map(0x1000, m.frame(), 4096, { ap: AP_RW_ALL });
  const c = OSV_AARCH64_KVM.cpu;
  const t0 = m.mmu.clock.now;
  m.cpu.load8(0x1000); // miss + 4-level walk
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;
  t.ok(near(m.mmu.clock.now - t0, 4 * c.descriptorFetchNs), 'a walk from level 0 costs 4 descriptor fetches');
  const t1 = m.mmu.clock.now;
  m.cpu.load8(0x1001);
  t.ok(near(m.mmu.clock.now - t1, c.l1HitNs), 'a TLB hit costs an L1 hit');
  const t2 = m.mmu.clock.now;
  m.cpu.load8(0x5000); // translation fault at level 3 after 4 reads, no handler
  t.ok(near(m.mmu.clock.now - t2, 4 * c.descriptorFetchNs + c.exceptionNs), 'walk + exception entry/return');
  t.same([m.mmu.cv.tlbHits, m.mmu.cv.tlbMisses, m.mmu.cv.walks, m.mmu.cv.descriptorReads, m.mmu.cv.faultTranslation], [1, 2, 2, 8, 1]);
  const snap = m.mmu.counters.snapshot();
  t.equal(snap.walks, 2);
});

t.test('tagged pointers through the CPU: TBI0 ignores the top byte; without TBI the VA faults, FAR exact (D8.1.x "Address tagging")', async (t) => {
  const m = machine({ tcr: { TBI0: 1 } });
  m.t0.map(0x10000, m.frame(), 4096);
  m.cpu.storeTagged(0x5a00_0000_0001_0008n, 8, 0xfeed_face_cafe_beefn);
  t.equal(m.cpu.load64Big(0x10008), 0xfeed_face_cafe_beefn, 'the tagged store hit the untagged page');
  t.equal(m.cpu.loadTagged(0xa500_0000_0001_0008n, 4), 0xcafe_beefn);
  const n = machine(); // TBI0 = 0
  n.t0.map(0x10000, n.frame(), 4096);
  const faults: bigint[] = [];
  n.cpu.setFaultHandler((f) => { faults.push(f.farBig); return { signal: 'SIGSEGV', addr: f.far }; });
  t.equal(n.cpu.loadTagged(0x5a00_0000_0001_0008n, 8), 0n);
  t.same(faults, [0x5a00_0000_0001_0008n], 'FAR reports the full VA');
  t.equal(n.cpu.ESR_EL1 & 0x3f, 0x04, 'a level 0 translation fault: outside both VA ranges');
  t.equal(n.cpu.takeSignal()?.signal, 'SIGSEGV');
});

t.test('the TLB-hit path allocates nothing: no scavenge in 2M loads and stores (issue 4, "No allocation on the hit path")', async (t) => {
  const v8 = await import('node:v8');
  const m = machine();
  const va = 0x80_0000_0000; // above 2^30: a double, the case where V8 could box it
  m.t0.map(va, m.frame(), 4096);
  const loop = (n: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const a = va + ((i * 8) & 0xff8);
      s += m.cpu.load8(a);
      m.cpu.store8(a, i);
    }
    return s;
  };
  loop(200_000); // let the JIT optimise the loop first
  const prof = new v8.GCProfiler();
  prof.start();
  loop(2_000_000);
  const r = prof.stop();
  t.equal(r.statistics.filter((e) => e.gcType === 'Scavenge').length, 0, 'no young-generation collection');
});

t.test('bad TLB geometry is EINVAL, not a crash', async (t) => {
  const { Tlb } = await import('../../src/hw/mmu/tlb.js');
  t.throws(() => new Tlb({ entries: 1000 }), { code: 'EINVAL' });
  t.throws(() => new Tlb({ entries: 64, ways: 3 }), { code: 'EINVAL' });
  t.throws(() => new Tlb({ entries: 4, ways: 8 }), { code: 'EINVAL' });
  t.equal(new Tlb({ entries: 64, ways: 64 }).sets, 1, 'fully associative is allowed');
});
