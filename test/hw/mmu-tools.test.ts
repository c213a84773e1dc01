// The table builder (blocks, splitting, unmap, every granule, the TTBR1 range), `vfsim mmu dump` and the
// replay format: a machine dumped as a replay line answers AT queries exactly as the live machine does.
import t from 'tap';
import { sampleMachine } from '../../src/cli/mmu.js';
import { at } from '../../src/hw/mmu/at.js';
import { dumpTables, formatDump } from '../../src/hw/mmu/dump.js';
import { decodePar } from '../../src/hw/mmu/par.js';
import { Replayer, replayLines } from '../../src/hw/mmu/replay.js';
import { RamPhys } from '../../src/hw/mmu/physmem.js';
import { AP_RW_ALL } from '../../src/hw/mmu/descriptor.js';
import { machine } from './mmu-machine.js';

t.test('builder: a 2M block split by a 4K remap keeps the rest of the block (D8.3, break-before-make is the caller\'s)', async (t) => {
  const m = machine();
  const pa = m.ram.base + (2 << 20);
  m.t0.map(0x20_0000, pa, 2 << 20);
  t.equal(m.t0.leaf(0x20_0000)!.level, 2);
  const tables = m.t0.tables;
  const other = m.frame();
  m.t0.map(0x20_5000, other, 4096, { ap: AP_RW_ALL });
  t.equal(m.t0.tables, tables + 1, 'one new level 3 table');
  t.equal(decodePar(at(m.mmu, 'S1E1R', 0x20_5008n)).pa, BigInt(other));
  t.equal(decodePar(at(m.mmu, 'S1E1R', 0x20_6008n)).pa, BigInt(pa + 0x6000), 'neighbours still map the block');
  t.ok(decodePar(at(m.mmu, 'S1E0R', 0x20_6008n)).f, 'neighbours keep the block\'s EL1-only AP');
  m.t0.unmap(0x20_0000, 2 << 20);
  t.equal(m.t0.tables, tables, 'the split table was freed');
  t.ok(decodePar(at(m.mmu, 'S1E1R', 0x20_6008n)).f);
  m.t0.map(0, m.ram.base + (2 << 20), 1 << 30); // a 1G range whose PA is only 2M-aligned → 2M blocks
  t.equal(m.t0.leaf(0x1000)!.level, 2);
  t.throws(() => m.t0.map(0x1001, 0, 4096), { code: 'EINVAL' });
  t.throws(() => m.t0.map(2 ** 48, 0, 4096), { code: 'EINVAL' });
});

t.test('16K and 64K granules and the TTBR1 range through the CPU (negative VA numbers)', async (t) => {
  for (const granule of [16384, 65536] as const) {
    const m = machine({ granule, ramBytes: 8 << 20, ttbr1: true, vaBits: 48 });
    const pa = m.frame();
    const va = -(2 ** 40) + granule * 3; // 0xffff_ff00_0000_0000 + 3 granules
    m.t1!.map(va, pa, granule);
    m.cpu.store64(va + granule - 8, 0x55aa);
    t.equal(m.cpu.load64(va + granule - 8), 0x55aa, `${granule}: store and load in the TTBR1 range`);
    t.equal(m.ram.view.getUint32(pa - m.ram.base + granule - 8, true), 0x55aa);
    t.equal(m.mmu.cv.walks, 1, `${granule}: one walk for the whole ${granule / 1024}K page`);
    const p = decodePar(at(m.mmu, 'S1E1R', BigInt.asUintN(64, BigInt(va + 8))));
    t.equal(p.pa, BigInt(pa));
  }
});

t.test('mmu dump prints the tree with decoded attributes (sample address space)', async (t) => {
  const mmu = sampleMachine();
  const ranges = dumpTables(mmu);
  t.equal(ranges.length, 2);
  const text = formatDump(ranges).join('\n');
  t.match(text, /TTBR0_EL1 = 0x0001000040000000/);
  t.match(text, /L2\[000\] 0x0000000040000000 \+2M block -> 0x000040000000  NORMAL-WB EL1:rw EL0:-- inner-sh UXN/);
  t.match(text, /DEVICE-nGnRnE EL1:rw EL0:-- non-sh UXN PXN/);
  t.match(text, /CONT/);
  t.match(text, /AF=0 nG UXN PXN DBM/);
  t.match(text, /TTBR1_EL1 .*\n\s+L0\[256\] 0xffff800000000000 \+512G table -> 0x[0-9a-f]+  UXNTable/);
  const few = dumpTables(mmu, { maxEntries: 3 });
  t.ok(few[0]!.truncated);
});

t.test('replay: a machine line made from a live machine answers AT exactly as the machine does', async (t) => {
  const mmu = sampleMachine();
  const ram = (mmu.mem as RamPhys).ram;
  const mem: [string, string][] = [];
  for (let off = 0; off < 64 * 4096; off += 8) {
    const v = ram.view.getBigUint64(off, true);
    if (v !== 0n) mem.push(['0x' + (ram.base + off).toString(16), '0x' + v.toString(16)]);
  }
  const regs = Object.fromEntries(Object.entries(mmu.regs).map(([k, v]) => [k, '0x' + v.toString(16)]));
  const vas = [0x400123n, 0x600008n, 0x60f000n, 0x7fff_fff0_0010n, 0x7fff_fff0_3010n, 0x900_0000n, 0x4000_1000n,
    0xffff_8000_0000_1000n, 0xffff_8000_03ff_f000n, 0x1234n, 0xffff_0000_0000_0000n, 0x0001_0000_0000_0000n];
  const lines = [JSON.stringify({ regs, mem })];
  const want: string[] = [];
  for (const va of vas) {
    for (const op of ['S1E1R', 'S1E1W', 'S1E0R', 'S1E0W'] as const) {
      lines.push(JSON.stringify({ op, va: '0x' + va.toString(16) }));
      want.push(`{"par":"0x${at(mmu, op, va).toString(16).padStart(16, '0')}"}`);
    }
  }
  const out = replayLines(lines.join('\n'));
  t.same(out, want);
  t.ok(out.some((l) => l.endsWith('b80"}')) && out.some((l) => /"0x0{13}8[0-9a-f]{2}"/.test(l)), 'both successes and faults');
});

t.test('replay: bad lines are EINVAL errors naming the line; ID registers left out come from the CPU', async (t) => {
  const r = new Replayer('cortex-a53');
  t.throws(() => r.line('{"op":"S1E1R","va":"zz"}', 3), { code: 'EINVAL', message: /line 3: va/ });
  t.throws(() => r.line('{"regs":{"TCR_EL2":"0x0"}}', 4), { code: 'EINVAL', message: /unknown register TCR_EL2/ });
  t.throws(() => r.line('{"regs":{},"mem":[["0x10000000000","0x1"]]}', 5), { code: 'EINVAL', message: /below PAMax \(40 bits\)/ });
  t.throws(() => r.line('not json', 6), { code: 'EINVAL' });
  r.line('{"regs":{"SCTLR_EL1":"0x0"}}', 7);
  t.equal(r.mmu.features.paBits, 40, 'cortex-a53 ID registers');
  t.equal(r.line('{"op":"S1E1R","va":"0x123456789"}'), '{"par":"0x0000000123456b00"}', 'MMU off: flat, Device, Outer Shareable');
  t.equal(r.line('', 8), null);
});

t.test('vfsim/hw exports the machine: Ram, the MMU and CPU, their encoders, and the other devices', async (t) => {
  const hw = await import('../../src/hw/index.js');
  for (const name of ['Ram', 'Mmu', 'Cpu', 'Tlb', 'TranslationTables', 'RamPhys', 'SparseMem', 'at', 'encodeEsr', 'decodeEsr',
    'parSuccess', 'decodePar', 'encodeLeaf', 'decodeDescriptor', 'makeTcr', 'CPU_PRESETS', 'dumpTables', 'Replayer', 'MmuError',
    'PcmDevice', 'BlockDevice']) {
    t.ok(name in hw, name);
  }
});
