// `vfsim bench mmu`: the simulator's speed through the MMU (issue 4, "Speed"): 8-byte loads that hit the
// TLB, loads that miss and walk 4 levels (4K granule, 48-bit VA, start level 0), and a bulk 64 MiB read
// through 4 KiB pages, beside a raw Uint8Array.set copy of the same size in the same run. Targets:
// ≥ 50 M TLB-hit loads/s, ≥ 5 M walks/s, bulk ≥ 50% of the copy. Wall time; the model's clock is not it.

import { cpus, loadavg } from 'node:os';
import type { BenchOptions } from '../src/cli/bench.js';
import { Cpu } from '../src/hw/cpu.js';
import { Mmu } from '../src/hw/mmu/mmu.js';
import { RamPhys } from '../src/hw/mmu/physmem.js';
import { makeMair, makeTcr, makeTtbr, MAIR_ATTR, SCTLR_M } from '../src/hw/mmu/registers.js';
import { TranslationTables } from '../src/hw/mmu/tables.js';
import { Ram } from '../src/hw/ram.js';
import { formatPercent, formatRate, formatTable, startProgress } from './report.js';

export interface MmuBenchResult {
  tlbHitLoadsPerSec: number;
  walksPerSec: number;
  bulkReadMiBs: number;
  memcpyMiBs: number;
}

const MiB = 1 << 20;

function setup(bulkBytes: number) {
  const ram = new Ram({ bytes: bulkBytes + 16 * MiB });
  const tables = new TranslationTables({ ram, granule: 4096, vaBits: 48 });
  const mmu = new Mmu({ mem: new RamPhys(ram), cpu: 'max' });
  mmu.setRegs({
    TCR_EL1: makeTcr({ ...tables.tcrFields(), EPD1: 1, TG1: 2, IPS: 5, AS: 1 }),
    MAIR_EL1: makeMair([MAIR_ATTR.DEVICE_nGnRnE, 0, 0, 0, MAIR_ATTR.NORMAL_WB]),
    TTBR0_EL1: makeTtbr(tables.root, 1),
    SCTLR_EL1: SCTLR_M,
  });
  const cpu = new Cpu({ mmu, ram });
  // The bulk region: bulkBytes of RAM mapped page by page (no blocks) at a VA whose walk starts at level 0.
  const dataPa = ram.frameToPaddr(ram.frameCount - bulkBytes / 4096);
  const va = 0x0080_0000_0000;
  tables.map(va, dataPa, bulkBytes, { attrIndx: 4 }, { blocks: false });
  for (let i = 0; i < bulkBytes; i += 4096) ram.bytes[dataPa - ram.base + i] = i >>> 12; // touch every page
  return { ram, mmu, cpu, va, dataPa };
}

/** Loads that hit: 16 pages (in the TLB), 512 consecutive 8-byte loads in each, round and round. */
function tlbHitLoads(cpu: Cpu, va: number, loads: number): number {
  let sum = 0;
  const t0 = performance.now();
  for (let n = 0; n < loads; ) {
    for (let p = 0; p < 16; p++) {
      const base = va + p * 4096;
      for (let off = 0; off < 4096; off += 8) sum += cpu.load64(base + off);
      n += 512;
    }
  }
  const ms = performance.now() - t0;
  if (sum === -1) process.stderr.write('');
  return (loads / ms) * 1000;
}

/** Loads that miss: one per page over 16384 pages, 16 times the TLB's 1024 entries, so every one walks. */
function missLoads(cpu: Cpu, mmu: Mmu, va: number, pages: number, loads: number): number {
  let sum = 0;
  mmu.tlbiAll();
  const w0 = mmu.cv.walks;
  const t0 = performance.now();
  for (let n = 0; n < loads; n++) sum += cpu.load64(va + (n % pages) * 4096);
  const ms = performance.now() - t0;
  const walks = mmu.cv.walks - w0;
  if (walks !== loads) throw new Error(`walk benchmark: ${walks} walks for ${loads} loads (the TLB caught some)`);
  if (sum === -1) process.stderr.write('');
  return (walks / ms) * 1000;
}

function bulkRead(cpu: Cpu, mmu: Mmu, va: number, dst: Uint8Array): number {
  mmu.tlbiAll(); // start cold: the read walks every page
  const t0 = performance.now();
  const n = cpu.readInto(va, dst, 0, dst.length);
  const ms = performance.now() - t0;
  if (n !== dst.length) throw new Error('bulk read stopped short');
  return dst.length / MiB / (ms / 1000);
}

function memcpy(ram: Ram, off: number, dst: Uint8Array): number {
  const t0 = performance.now();
  dst.set(ram.bytes.subarray(off, off + dst.length));
  const ms = performance.now() - t0;
  return dst.length / MiB / (ms / 1000);
}

export function measureMmu(opts: BenchOptions): MmuBenchResult {
  const bulkBytes = 64 * MiB;
  const m = setup(bulkBytes);
  const rounds = opts.quick ? 2 : 5;
  const progress = startProgress(rounds * 4, 'bench mmu');
  const dst = new Uint8Array(bulkBytes);
  let hit = 0, walk = 0, bulk = 0, copy = 0;
  // Best of several rounds for each (the first lets the JIT compile the paths).
  for (let r = 0; r < rounds; r++) {
    hit = Math.max(hit, tlbHitLoads(m.cpu, m.va, opts.quick ? 5_000_000 : 20_000_000));
    progress.tick('TLB-hit loads');
    walk = Math.max(walk, missLoads(m.cpu, m.mmu, m.va, bulkBytes / 4096, opts.quick ? 500_000 : 2_000_000));
    progress.tick('walks');
    bulk = Math.max(bulk, bulkRead(m.cpu, m.mmu, m.va, dst));
    progress.tick('bulk read');
    copy = Math.max(copy, memcpy(m.ram, m.dataPa - m.ram.base, dst));
    progress.tick('memcpy');
  }
  progress.stop();
  return { tlbHitLoadsPerSec: Math.round(hit), walksPerSec: Math.round(walk), bulkReadMiBs: Math.round(bulk), memcpyMiBs: Math.round(copy) };
}

export async function run(opts: BenchOptions): Promise<void> {
  const r = measureMmu(opts);
  if (opts.json) {
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  const rows = [
    ['8-byte loads, TLB hit', formatRate(r.tlbHitLoadsPerSec, 'ops/s'), 'loads/s', '≥ 50 M', r.tlbHitLoadsPerSec >= 50e6 ? 'met' : 'MISSED'],
    ['loads, TLB miss + 4-level walk', formatRate(r.walksPerSec, 'ops/s'), 'walks/s', '≥ 5 M', r.walksPerSec >= 5e6 ? 'met' : 'MISSED'],
    ['bulk 64 MiB read, 4 KiB pages', formatRate(r.bulkReadMiBs, 'MiB/s'), 'MiB/s', `≥ 50% of copy (${formatPercent(r.bulkReadMiBs, r.memcpyMiBs)})`, r.bulkReadMiBs >= r.memcpyMiBs / 2 ? 'met' : 'MISSED'],
    ['Uint8Array.set copy, 64 MiB', formatRate(r.memcpyMiBs, 'MiB/s'), 'MiB/s', '', ''],
  ];
  process.stdout.write(formatTable(['', 'rate', 'unit', 'target', ''], rows, ['l', 'r', 'l', 'l', 'l']) + '\n');
  // Wall-clock rates fall with other work on the host; say how busy it was.
  process.stdout.write(`best of ${opts.quick ? 2 : 5} rounds; host load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs\n`);
}
