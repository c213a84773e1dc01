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
const WALK_PAGES = 16384;

/** Wall and CPU time of fn, in ms (CPU time: this process's user+system, steadier on a busy host). */
function timed(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage(), t0 = performance.now();
  fn();
  const wall = performance.now() - t0, c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

interface Rate { wall: number; cpu: number }
const rate = (units: number, t: { wall: number; cpu: number }): Rate => ({ wall: (units / t.wall) * 1000, cpu: (units / t.cpu) * 1000 });
const best = (a: Rate, b: Rate): Rate => ({ wall: Math.max(a.wall, b.wall), cpu: Math.max(a.cpu, b.cpu) });

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
  // The walk region: 16384 VA pages (16 times the TLB) aliasing 16 frames, so every load misses the TLB
  // and walks 4 levels while the host's own cache misses on the data do not drown the walk's cost.
  const walkVa = 0x00c0_0000_0000;
  for (let p = 0; p < WALK_PAGES; p++) tables.map(walkVa + p * 4096, dataPa + (p % 16) * 4096, 4096, { attrIndx: 4 });
  return { ram, mmu, cpu, va, dataPa, walkVa };
}

/** Loads that hit: 16 pages (in the TLB), 512 consecutive 8-byte loads in each, round and round. */
function tlbHitLoads(cpu: Cpu, va: number, loads: number): Rate {
  let sum = 0;
  const t = timed(() => {
    for (let n = 0; n < loads; ) {
      for (let p = 0; p < 16; p++) {
        const base = va + p * 4096;
        for (let off = 0; off < 4096; off += 8) sum += cpu.load64(base + off);
        n += 512;
      }
    }
  });
  if (sum === -1) process.stderr.write('');
  return rate(loads, t);
}

/** Loads that miss: one per page over 16384 pages, 16 times the TLB's 1024 entries, so every one walks. */
function missLoads(cpu: Cpu, mmu: Mmu, va: number, pages: number, loads: number): Rate {
  let sum = 0;
  mmu.tlbiAll();
  const w0 = mmu.cv.walks;
  const t = timed(() => {
    for (let n = 0; n < loads; n++) sum += cpu.load64(va + (n % pages) * 4096);
  });
  const walks = mmu.cv.walks - w0;
  if (walks !== loads) throw new Error(`walk benchmark: ${walks} walks for ${loads} loads (the TLB caught some)`);
  if (sum === -1) process.stderr.write('');
  return rate(walks, t);
}

function bulkRead(cpu: Cpu, mmu: Mmu, va: number, dst: Uint8Array): Rate {
  mmu.tlbiAll(); // start cold: the read walks every page
  let n = 0;
  const t = timed(() => { n = cpu.readInto(va, dst, 0, dst.length); });
  if (n !== dst.length) throw new Error('bulk read stopped short');
  return rate(dst.length / MiB, t);
}

function memcpy(ram: Ram, off: number, dst: Uint8Array): Rate {
  return rate(dst.length / MiB, timed(() => dst.set(ram.bytes.subarray(off, off + dst.length))));
}

export interface MmuBenchDetail extends MmuBenchResult {
  /** The same four rates per second of this process's CPU time. */
  cpu: MmuBenchResult;
}

export function measureMmu(opts: BenchOptions): MmuBenchDetail {
  const bulkBytes = 64 * MiB;
  const m = setup(bulkBytes);
  const rounds = opts.quick ? 2 : 5;
  const progress = startProgress(rounds * 4, 'bench mmu');
  const dst = new Uint8Array(bulkBytes);
  const zero: Rate = { wall: 0, cpu: 0 };
  let hit = zero, walk = zero, bulk = zero, copy = zero;
  // Best of several rounds for each (the first lets the JIT compile the paths).
  for (let r = 0; r < rounds; r++) {
    hit = best(hit, tlbHitLoads(m.cpu, m.va, opts.quick ? 5_000_000 : 20_000_000));
    progress.tick('TLB-hit loads');
    walk = best(walk, missLoads(m.cpu, m.mmu, m.walkVa, WALK_PAGES, opts.quick ? 500_000 : 2_000_000));
    progress.tick('walks');
    bulk = best(bulk, bulkRead(m.cpu, m.mmu, m.va, dst));
    progress.tick('bulk read');
    copy = best(copy, memcpy(m.ram, m.dataPa - m.ram.base, dst));
    progress.tick('memcpy');
  }
  progress.stop();
  const pick = (k: 'wall' | 'cpu'): MmuBenchResult => ({
    tlbHitLoadsPerSec: Math.round(hit[k]), walksPerSec: Math.round(walk[k]), bulkReadMiBs: Math.round(bulk[k]), memcpyMiBs: Math.round(copy[k]),
  });
  return { ...pick('wall'), cpu: pick('cpu') };
}

export async function run(opts: BenchOptions): Promise<void> {
  const d = measureMmu(opts);
  if (opts.json) {
    const { cpu: _cpu, ...wall } = d;
    process.stdout.write(JSON.stringify(wall) + '\n');
    return;
  }
  const c = d.cpu;
  const rows = [
    ['8-byte loads, TLB hit', formatRate(d.tlbHitLoadsPerSec, 'ops/s'), formatRate(c.tlbHitLoadsPerSec, 'ops/s'), 'loads/s', '≥ 50 M', d.tlbHitLoadsPerSec >= 50e6 ? 'met' : 'MISSED'],
    ['loads, TLB miss + 4-level walk', formatRate(d.walksPerSec, 'ops/s'), formatRate(c.walksPerSec, 'ops/s'), 'walks/s', '≥ 5 M', d.walksPerSec >= 5e6 ? 'met' : 'MISSED'],
    ['bulk 64 MiB read, 4 KiB pages', formatRate(d.bulkReadMiBs, 'MiB/s'), formatRate(c.bulkReadMiBs, 'MiB/s'), 'MiB/s', `≥ 50% of copy (${formatPercent(d.bulkReadMiBs, d.memcpyMiBs)}; CPU ${formatPercent(c.bulkReadMiBs, c.memcpyMiBs)})`, d.bulkReadMiBs >= d.memcpyMiBs / 2 ? 'met' : 'MISSED'],
    ['Uint8Array.set copy, 64 MiB', formatRate(d.memcpyMiBs, 'MiB/s'), formatRate(c.memcpyMiBs, 'MiB/s'), 'MiB/s', '', ''],
  ];
  process.stdout.write(formatTable(['', 'wall', 'CPU time', 'unit', 'target (wall)', ''], rows, ['l', 'r', 'r', 'l', 'l', 'l']) + '\n');
  // Wall-clock rates fall with other work on the host; say how busy it was.
  process.stdout.write(`best of ${opts.quick ? 2 : 5} rounds; host load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs; --json prints the wall rates\n`);
}
