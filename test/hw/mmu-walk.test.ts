// Worked examples of the stage 1 walk, each tied to the Arm ARM (DDI 0487) rule it checks, through the
// public API: the table builder, AT instructions (PAR_EL1), and CPU accesses.
import t from 'tap';
import { at } from '../../src/hw/mmu/at.js';
import { decodePar } from '../../src/hw/mmu/par.js';
import { encodeLeaf, encodeTable, AP_RO_ALL, AP_RO_EL1, AP_RW_ALL, AP_RW_EL1, SH_INNER } from '../../src/hw/mmu/descriptor.js';
import { FaultKind, faultStatusCode } from '../../src/hw/mmu/fault.js';
import { decodeRegime, decodeFeatures, makeTcr, resetRegs, CPU_PRESETS, SCTLR_M, SCTLR_WXN, type MmuFeatures } from '../../src/hw/mmu/registers.js';
import { machine, ATTR_NORMAL, ATTR_DEVICE } from './mmu-machine.js';

const ok = (par: bigint) => decodePar(par);
const fst = (k: FaultKind, l: number) => faultStatusCode(k, l);
const big = (n: number) => BigInt.asUintN(64, BigInt(n));

t.test('4K granule, 48-bit VA: a level 3 page gives PAR_EL1 bit for bit (D19 PAR_EL1; D8.2 4-level walk)', async (t) => {
  const m = machine();
  const pa = m.frame();
  const va = 0x0040_2000_1000;
  m.t0.map(va, pa, 4096, { attrIndx: ATTR_NORMAL, sh: SH_INNER });
  const par = at(m.mmu, 'S1E1R', big(va + 0x234));
  // F=0, SH=0b11 at [8:7], NS=1 at [9], RES1 at [11], PA[47:12], ATTR=0xff at [63:56].
  t.equal(par, (0xffn << 56n) | BigInt(pa) | (3n << 7n) | (1n << 9n) | (1n << 11n));
  t.equal(m.mmu.cv.descriptorReads, 4, 'start level 0, four descriptor fetches');
});

t.test('start level follows TxSZ and the granule (D8.2.x "Initial lookup level")', async (t) => {
  const f = decodeFeatures(CPU_PRESETS.max!) as MmuFeatures;
  const cases: [number, number, number][] = [
    // [TG0, T0SZ, start level]
    [0, 16, 0], [0, 25, 1], [0, 34, 2], [0, 43, 3], // 4K: 48, 39, 30, 21-bit VAs
    [2, 16, 0], [2, 17, 1], [2, 28, 2], [2, 39, 3], // 16K
    [1, 16, 1], [1, 22, 2], [1, 35, 3], // 64K
  ];
  for (const [tg, tsz, level] of cases) {
    const g = decodeRegime({ ...resetRegs(), TCR_EL1: makeTcr({ TG0: tg, T0SZ: tsz }) }, f);
    t.equal(g.r[0].startLevel, level, `TG0=${tg} T0SZ=${tsz}`);
  }
});

t.test('blocks where alignment allows: 1G and 2M with 4K, 32M with 16K, 512M with 64K (D8.3 block descriptors)', async (t) => {
  for (const [granule, size, level] of [[4096, 1 << 30, 1], [4096, 2 << 20, 2], [16384, 32 << 20, 2], [65536, 512 << 20, 2]] as const) {
    const m = machine({ granule, ramBytes: 4 << 20 });
    const va = size * 3, pa = size * 5; // PA need not be RAM for AT
    m.t0.map(va, pa, size, { attrIndx: ATTR_NORMAL });
    const leaf = m.t0.leaf(va + size - 8)!;
    t.equal(leaf.level, level, `${granule} granule: a ${size >> 20}M block at level ${level}`);
    const p = ok(at(m.mmu, 'S1E1R', big(va + size - 8)));
    t.notOk(p.f);
    const want = pa + size - 8;
    t.equal(p.pa, BigInt(want - (want % 4096)), 'PAR.PA is the block base plus the VA offset, bits [47:12]');
  }
});

t.test('block descriptors where none may be, and the reserved level 3 encoding, are Translation faults (D8.3)', async (t) => {
  const m = machine();
  const ph = m.t0.phys;
  // A "block" at level 0 (4K granule): invalid without FEAT_LPA2.
  ph.write64(m.t0.root, ...encodeLeaf(0, 0));
  t.equal(ok(at(m.mmu, 'S1E1R', 0x10n)).fst, fst(FaultKind.Translation, 0));
  // Level 3 entry with bit[1] = 0: reserved.
  const va = 0x80_0000_0000; // L0 index 1
  m.t0.map(va, 0x4080_0000, 4096);
  const leaf = m.t0.leaf(va)!;
  ph.write64(leaf.descPa, ...encodeLeaf(0x4080_0000, 1 /* block encoding */));
  t.equal(ok(at(m.mmu, 'S1E1R', big(va))).fst, fst(FaultKind.Translation, 3));
  // 64K granule: a level 1 block needs 52-bit PAs (FEAT_LPA): a Translation fault at level 1.
  const m64 = machine({ granule: 65536, ramBytes: 4 << 20 });
  m64.t0.phys.write64(m64.t0.root, ...encodeLeaf(0, 1));
  t.equal(ok(at(m64.mmu, 'S1E1R', 0x10n)).fst, fst(FaultKind.Translation, 1));
});

t.test('data access permissions AP[2:1] at EL1 and EL0 (D8.4.1 Table "Data access permissions")', async (t) => {
  const m = machine();
  const expect: Record<number, string> = {
    [AP_RW_EL1]: 'RW--', [AP_RW_ALL]: 'RWRW', [AP_RO_EL1]: 'R---', [AP_RO_ALL]: 'R-R-',
  };
  for (const ap of [0, 1, 2, 3]) {
    const va = 0x1000_0000 + ap * 4096;
    m.t0.map(va, 0x4000_0000 + ap * 4096, 4096, { ap });
    const s = (['S1E1R', 'S1E1W', 'S1E0R', 'S1E0W'] as const).map((op, i) => {
      const p = ok(at(m.mmu, op, big(va)));
      if (p.f) t.equal(p.fst, fst(FaultKind.Permission, 3), 'a permission fault at level 3');
      return p.f ? '-' : 'RWRW'[i];
    }).join('');
    t.equal(s, expect[ap], `AP=${ap.toString(2).padStart(2, '0')}`);
  }
});

t.test('hierarchical APTable/UXNTable/PXNTable restrict, and TCR.HPD0 turns them off with FEAT_HPDS (D8.4.2)', async (t) => {
  for (const cpu of ['max', 'cortex-a57']) {
    for (const hpd of [0, 1]) {
      const m = machine({ cpu, tcr: { HPD0: hpd } });
      const va = 0x4000_0000;
      // apTable 0b11: no EL0, no write below; UXNTable, PXNTable.
      m.t0.map(va, 0x4000_0000, 4096, { ap: AP_RW_ALL }, { table: { apTable: 3, uxnTable: true, pxnTable: true } });
      const e1w = !ok(at(m.mmu, 'S1E1W', big(va))).f, e0r = !ok(at(m.mmu, 'S1E0R', big(va))).f;
      const honoured = !(hpd === 1 && cpu === 'max');
      t.equal(e1w, !honoured, `${cpu} HPD0=${hpd}: EL1 write ${honoured ? 'denied by APTable[1]' : 'allowed'}`);
      t.equal(e0r, !honoured, `${cpu} HPD0=${hpd}: EL0 read ${honoured ? 'denied by APTable[0]' : 'allowed'}`);
      m.cpu.el = 0;
      m.cpu.fetch32(va);
      const sig = m.cpu.takeSignal();
      t.equal(sig !== null, honoured, 'EL0 execute: UXNTable');
    }
  }
});

t.test('execute permissions: UXN/PXN, EL0-writable is never EL1-executable, WXN (D8.4.3)', async (t) => {
  const cases: [number, boolean, boolean, bigint, boolean, boolean][] = [
    // ap, uxn, pxn, sctlr extra, EL1 exec, EL0 exec
    [AP_RO_EL1, false, false, 0n, true, true],
    [AP_RO_EL1, true, false, 0n, true, false],
    [AP_RO_EL1, false, true, 0n, false, true],
    [AP_RW_ALL, true, false, 0n, false, false], // EL0-writable: PXN implied
    [AP_RW_EL1, false, false, SCTLR_WXN, false, true], // EL1-writable + WXN
    [AP_RO_ALL, false, false, SCTLR_WXN, true, true],
    [AP_RW_EL1, false, false, 0n, true, true], // AP=00, UXN=0: execute-only at EL0
  ];
  for (const [ap, uxn, pxn, extra, x1, x0] of cases) {
    const m = machine({ sctlr: SCTLR_M | extra });
    const pa = m.frame();
    m.t0.map(0x10000, pa, 4096, { ap, uxn, pxn });
    for (const el of [1, 0] as const) {
      m.cpu.el = el;
      m.cpu.fetch32(0x10004);
      const s = m.cpu.takeSignal();
      t.equal(s === null, el === 1 ? x1 : x0, `AP=${ap} UXN=${uxn} PXN=${pxn} WXN=${extra !== 0n}: EL${el} exec`);
      if (s) t.equal(m.cpu.ESR_EL1 >>> 26, el === 0 ? 0x20 : 0x21, 'instruction abort EC, lower/same EL');
    }
  }
});

t.test('Access flag: fault without TCR.HA; with HA the walk sets AF in RAM (D8.4.x hardware AF management)', async (t) => {
  const m = machine();
  const pa = m.frame();
  m.t0.map(0x20000, pa, 4096, { af: false });
  t.equal(ok(at(m.mmu, 'S1E1R', 0x20000n)).fst, fst(FaultKind.AccessFlag, 3));
  m.cpu.load64(0x20000);
  t.equal(m.cpu.takeSignal()?.signal, 'SIGSEGV');
  t.equal(m.cpu.ESR_EL1 & 0x3f, 0x0b, 'DFSC access flag fault, level 3');
  t.equal(m.mmu.cv.faultAccessFlag, 1);
  m.mmu.setRegs({ TCR_EL1: m.mmu.regs.TCR_EL1 | (1n << 39n) });
  m.cpu.store64(0x20008, 77);
  t.equal(m.cpu.load64(0x20008), 77);
  t.ok(m.t0.leaf(0x20000)!.lo & (1 << 10), 'AF now set in the descriptor in RAM');
  t.equal(m.mmu.cv.afUpdates, 1);
  // Without FEAT_HAFDBS, TCR.HA is RES0: still a fault.
  const a57 = machine({ cpu: 'cortex-a57', tcr: { HA: 1 } });
  a57.t0.map(0x20000, a57.frame(), 4096, { af: false });
  t.equal(ok(at(a57.mmu, 'S1E1R', 0x20000n)).fst, fst(FaultKind.AccessFlag, 3));
});

t.test('dirty state: DBM with TCR.HD makes the first write clear AP[2] in RAM; without HD it faults (D8.4.x)', async (t) => {
  const m = machine({ tcr: { HA: 1, HD: 1 } });
  const pa = m.frame();
  m.t0.map(0x30000, pa, 4096, { ap: AP_RO_EL1, dbm: true });
  t.equal(m.cpu.load32(0x30000), 0);
  t.ok(m.t0.leaf(0x30000)!.lo & (1 << 7), 'a read leaves the page clean (AP[2]=1)');
  m.cpu.store32(0x30000, 0xdeadbeef);
  t.equal(m.cpu.takeSignal(), null);
  t.notOk(m.t0.leaf(0x30000)!.lo & (1 << 7), 'the write made it dirty (AP[2]=0)');
  t.equal(m.mmu.cv.dirtyUpdates, 1);
  t.equal(m.cpu.load32(0x30000), 0xdeadbeef);
  // HD without HA is treated as HD=0.
  const n = machine({ tcr: { HA: 0, HD: 1 } });
  n.t0.map(0x30000, n.frame(), 4096, { ap: AP_RO_EL1, dbm: true });
  n.cpu.store32(0x30000, 1);
  t.equal(n.cpu.takeSignal()?.signal, 'SIGSEGV');
  t.equal(n.cpu.ESR_EL1 & 0x7f, 0x40 | 0x0f, 'WnR and a level 3 permission fault');
});

t.test('output address size: descriptors and TTBR beyond TCR.IPS/PAMax give Address size faults (D8.1.x)', async (t) => {
  const m = machine({ tcr: { IPS: 2 } }); // 40-bit OA
  m.t0.map(0x1000, 2 ** 40, 4096);
  t.equal(ok(at(m.mmu, 'S1E1R', 0x1000n)).fst, fst(FaultKind.AddressSize, 3));
  m.t0.map(0x4000_0000, 2 ** 41, 1 << 30); // a 1G block
  t.equal(ok(at(m.mmu, 'S1E1R', 0x4000_0000n)).fst, fst(FaultKind.AddressSize, 1));
  // IPS beyond PARange behaves as PARange: cortex-a53 has 40 bits.
  const a53 = machine({ cpu: 'cortex-a53', tcr: { IPS: 5 } });
  a53.t0.map(0x1000, 2 ** 40, 4096);
  t.equal(ok(at(a53.mmu, 'S1E1R', 0x1000n)).fst, fst(FaultKind.AddressSize, 3));
  // TTBR0 base beyond the OA size: level 0.
  m.mmu.setRegs({ TTBR0_EL1: 1n << 44n });
  t.equal(ok(at(m.mmu, 'S1E1R', 0x1000n)).fst, fst(FaultKind.AddressSize, 0));
});

t.test('VA ranges: outside both TTBR ranges, EPDn, TBI (D8.1.x "VA ranges", "Address tagging")', async (t) => {
  const m = machine({ ttbr1: true, tcr: { TBI0: 1 } });
  const pa = m.frame();
  m.t0.map(0x5000, pa, 4096);
  m.t1!.map(-(2 ** 20), pa, 4096); // 0xffff_ffff_fff0_0000
  t.notOk(ok(at(m.mmu, 'S1E1R', 0xffff_ffff_fff0_0010n)).f, 'TTBR1 range');
  t.equal(ok(at(m.mmu, 'S1E1R', 0x0001_0000_0000_5000n)).fst, fst(FaultKind.Translation, 0), 'bit 48 set in the TTBR0 half');
  t.equal(ok(at(m.mmu, 'S1E1R', 0xfffe_ffff_fff0_0000n)).fst, fst(FaultKind.Translation, 0), 'bit 48 clear in the TTBR1 half');
  t.notOk(ok(at(m.mmu, 'S1E1R', 0x5a00_0000_0000_5000n)).f, 'TBI0: the top byte is ignored');
  t.equal(ok(at(m.mmu, 'S1E1R', 0x5aff_ffff_fff0_0000n)).fst, fst(FaultKind.Translation, 0), 'TBI1=0: the top byte counts');
  m.mmu.setRegs({ TCR_EL1: m.mmu.regs.TCR_EL1 | (1n << 7n) });
  t.equal(ok(at(m.mmu, 'S1E1R', 0x5000n)).fst, fst(FaultKind.Translation, 0), 'EPD0');
});

t.test('MMU off: flat map, Device-nGnRnE, Outer Shareable; beyond PAMax an Address size fault (AArch64.TranslateAddressS1Off)', async (t) => {
  const m = machine({ sctlr: 0n, cpu: 'cortex-a53' });
  const p = ok(at(m.mmu, 'S1E0W', 0x12_3456_7890n));
  t.equal(p.pa, 0x12_3456_7000n);
  t.equal(p.attr, 0);
  t.equal(p.sh, 2);
  t.equal(ok(at(m.mmu, 'S1E1R', 1n << 40n)).fst, fst(FaultKind.AddressSize, 0), 'cortex-a53 PAMax is 40 bits');
});

t.test('PAR_EL1.SH is Outer Shareable for Device and Normal Non-cacheable memory (PAREncodeShareability)', async (t) => {
  const m = machine();
  m.t0.map(0x1000, 0x900_0000, 4096, { attrIndx: ATTR_DEVICE, sh: SH_INNER });
  m.t0.map(0x2000, 0x900_1000, 4096, { attrIndx: 3 /* Normal NC */, sh: SH_INNER });
  m.t0.map(0x3000, 0x900_2000, 4096, { attrIndx: ATTR_NORMAL, sh: 0 });
  t.equal(ok(at(m.mmu, 'S1E1R', 0x1000n)).sh, 2);
  t.equal(ok(at(m.mmu, 'S1E1R', 0x2000n)).sh, 2);
  t.equal(ok(at(m.mmu, 'S1E1R', 0x3000n)).sh, 0, 'Normal WB keeps the descriptor SH');
  t.equal(ok(at(m.mmu, 'S1E1R', 0x1000n)).attr, 0x00);
});

t.test('CONSTRAINED UNPREDICTABLE choices: reserved/unimplemented TGn → smallest granule; TxSZ out of range → level 0 Translation fault', async (t) => {
  const f = decodeFeatures(CPU_PRESETS.max!) as MmuFeatures;
  const a57 = decodeFeatures(CPU_PRESETS['cortex-a57']!) as MmuFeatures;
  t.equal(decodeRegime({ ...resetRegs(), TCR_EL1: makeTcr({ TG0: 3, T0SZ: 16 }) }, f).r[0].granuleShift, 12, 'TG0=0b11 (reserved) → 4K');
  t.equal(decodeRegime({ ...resetRegs(), TCR_EL1: makeTcr({ TG1: 0, T1SZ: 16 }) }, f).r[1].granuleShift, 12, 'TG1=0b00 (reserved) → 4K');
  t.equal(decodeRegime({ ...resetRegs(), TCR_EL1: makeTcr({ TG0: 2, T0SZ: 16 }) }, a57).r[0].granuleShift, 12, '16K on a CPU without it → 4K');
  const m = machine({ tcr: { T0SZ: 12 } });
  t.equal(ok(at(m.mmu, 'S1E1R', 0x1000n)).fst, fst(FaultKind.Translation, 0), 'T0SZ=12 < 16');
  const a = machine({ cpu: 'cortex-a57', vaBits: 24, tcr: { T0SZ: 40 } });
  t.equal(ok(at(a.mmu, 'S1E1R', 0x1000n)).fst, fst(FaultKind.Translation, 0), 'T0SZ=40 > 39 without FEAT_TTST');
  const s = machine({ vaBits: 24 }); // T0SZ=40 is fine with FEAT_TTST
  s.t0.map(0x1000, 0x4000_0000, 4096);
  t.notOk(ok(at(s.mmu, 'S1E1R', 0x1000n)).f, 'T0SZ=40 with FEAT_TTST (max)');
});

t.test('ID registers: presets decode, inconsistent sets are refused with EINVAL', async (t) => {
  const a53 = decodeFeatures(CPU_PRESETS['cortex-a53']!) as MmuFeatures;
  t.same([a53.paBits, a53.tgran4, a53.tgran16, a53.tgran64, a53.hafdbs], [40, true, false, true, 0]);
  const max = decodeFeatures(CPU_PRESETS.max!) as MmuFeatures;
  t.same([max.paBits, max.tgran16, max.hafdbs, max.hpds, max.st], [48, true, 2, 1, true]);
  t.match(decodeFeatures({ ID_AA64MMFR0_EL1: 0xff00_0005n, ID_AA64MMFR1_EL1: 0n, ID_AA64MMFR2_EL1: 0n }), /no translation granule/);
  t.match(decodeFeatures({ ID_AA64MMFR0_EL1: 6n, ID_AA64MMFR1_EL1: 0n, ID_AA64MMFR2_EL1: 0n }), /PARange/);
  const m = machine();
  t.throws(() => m.mmu.setRegs({ ID_AA64MMFR1_EL1: 7n }), { code: 'EINVAL' });
});

t.test('table descriptors are encoded where the manual puts the bits (D8.3.1)', async (t) => {
  const [lo, hi] = encodeTable(0x1234_5678_9000, { apTable: 3, uxnTable: true, pxnTable: true });
  t.equal(lo, 0x5678_9003);
  t.equal(hi, 0x1234 | (1 << 27) | (1 << 28) | (1 << 29) | (1 << 30));
  const [plo, phi] = encodeLeaf(0x40_0000_1000, 3, { attrIndx: 4, ap: 1, sh: 3, af: true, nG: true, dbm: true, contiguous: true, pxn: true, uxn: true });
  t.equal(plo >>> 0, (0x1000 | 3 | (4 << 2) | (1 << 6) | (3 << 8) | (1 << 10) | (1 << 11)) >>> 0);
  t.equal(phi, 0x40 | (1 << 19) | (1 << 20) | (1 << 21) | (1 << 22));
});

t.test('fault priority: Access flag before Permission; Translation before Address size at one level (fault.ts order)', async (t) => {
  const m = machine({ tcr: { IPS: 2 } });
  // AF=0 on an EL1-only page read from EL0: both an Access flag and a Permission fault apply.
  m.t0.map(0x1000, 0x4000_0000, 4096, { af: false, ap: AP_RW_EL1 });
  t.equal(ok(at(m.mmu, 'S1E0R', 0x1000n)).fst, fst(FaultKind.AccessFlag, 3));
  // A reserved level 3 encoding whose address is also beyond the OA size: Translation wins.
  const leaf = m.t0.leaf(0x1000)!;
  m.t0.phys.write64(leaf.descPa, ...encodeLeaf(2 ** 41, 1));
  t.equal(ok(at(m.mmu, 'S1E1R', 0x1000n)).fst, fst(FaultKind.Translation, 3));
  // A bad TTBR base and an out-of-range VA: the VA check comes first (both level 0).
  m.mmu.setRegs({ TTBR0_EL1: 1n << 45n });
  t.equal(ok(at(m.mmu, 'S1E1R', 0x0001_0000_0000_0000n)).fst, fst(FaultKind.Translation, 0));
  t.equal(ok(at(m.mmu, 'S1E1R', 0x1000n)).fst, fst(FaultKind.AddressSize, 0));
});

t.test('TTBR: CnP (bit 0) and base bits below the table size are ignored (RES0, treated as zero)', async (t) => {
  const m = machine();
  m.t0.map(0x1000, 0x4010_0000, 4096);
  m.mmu.setRegs({ TTBR0_EL1: BigInt(m.t0.root) | 0xff9n });
  t.equal(ok(at(m.mmu, 'S1E1R', 0x1000n)).pa, 0x4010_0000n);
});
