// `vfsim bench mm`: the simulator's speed for memory-mapped files (issue 5, "Speed"): page faults
// served per second on first touch of every page of a 256 MiB shared file mapping (ramfs, so every
// fault finds its page in the page cache), sequential read bandwidth through that mapping once it is
// faulted in (Cpu.readInto: TLB, walks on misses), read() of the same file through the VFS, and a raw
// Uint8Array.set copy of the same size. Target: mapped read ≥ 50% of the copy. Wall time, best of rounds.

import { cpus, loadavg } from 'node:os';
import type { BenchOptions } from '../src/cli/bench.js';
import { Ram } from '../src/hw/ram.js';
import { Mm } from '../src/mm/mm.js';
import { munmap } from '../src/mm/mmap.js';
import { MAP_SHARED, PROT_READ } from '../src/mm/mman.js';
import { RamFs } from '../fs-ram/index.js';
import { Vfs } from '../vfs/vfs.js';
import { mmapFd } from '../vfs/mmap-fd.js';
import { O_CREAT, O_RDWR } from '../vfs/constants.js';
import { formatPercent, formatRate, formatTable, startProgress } from './report.js';

export interface MmBenchResult {
  faultsPerSec: number;
  mappedReadMiBs: number;
  readMiBs: number;
  memcpyMiBs: number;
}

const MiB = 1 << 20;

function timed(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage(), t0 = performance.now();
  fn();
  const wall = performance.now() - t0, c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

export function measureMm(opts: BenchOptions): { wall: MmBenchResult; cpu: MmBenchResult } {
  const bytes = (opts.quick ? 64 : 256) * MiB;
  const pages = bytes / 4096;
  const ram = new Ram({ bytes: bytes + 32 * MiB });
  const fs = new RamFs({ ram });
  const p = new Vfs({ root: fs }).root;
  const mm = new Mm({ ram, pageCache: fs.pageCache });
  const as = mm.createAddressSpace();
  const fd = p.open('/big', O_RDWR | O_CREAT, 0o644);
  const chunk = new Uint8Array(MiB);
  for (let i = 0; i < chunk.length; i++) chunk[i] = i * 31;
  for (let off = 0; off < bytes; off += MiB) p.write(fd, chunk, 0, MiB, off);
  const dst = new Uint8Array(bytes);
  const rounds = opts.quick ? 2 : 3;
  const progress = startProgress(rounds * 4, 'bench mm');
  const bestW = { faultsPerSec: 0, mappedReadMiBs: 0, readMiBs: 0, memcpyMiBs: 0 };
  const bestC = { ...bestW };
  const keep = (k: keyof MmBenchResult, units: number, t: { wall: number; cpu: number }) => {
    bestW[k] = Math.max(bestW[k], Math.round(units / t.wall * 1000));
    bestC[k] = Math.max(bestC[k], Math.round(units / t.cpu * 1000));
  };
  let sum = 0;
  for (let r = 0; r < rounds; r++) {
    const va = mmapFd(p, as, 0, bytes, PROT_READ, MAP_SHARED, fd, 0);
    const f0 = mm.stats.faults;
    const cpu = mm.cpu;
    const tf = timed(() => { for (let i = 0; i < pages; i++) sum += cpu.load8(va + i * 4096); });
    if (mm.stats.faults - f0 !== pages) throw new Error(`expected ${pages} faults, got ${mm.stats.faults - f0}`);
    keep('faultsPerSec', pages, tf);
    progress.tick('first-touch faults');
    let n = 0;
    const tm = timed(() => { n = cpu.readInto(va, dst, 0, bytes); });
    if (n !== bytes || dst[12345] !== chunk[12345]) throw new Error('mapped read came back wrong');
    keep('mappedReadMiBs', bytes / MiB, tm);
    progress.tick('mapped read');
    const tr = timed(() => { n = p.read(fd, dst, 0, bytes, 0); });
    if (n !== bytes) throw new Error('read() came back short');
    keep('readMiBs', bytes / MiB, tr);
    progress.tick('read()');
    const tc = timed(() => dst.set(ram.bytes.subarray(0, bytes)));
    keep('memcpyMiBs', bytes / MiB, tc);
    progress.tick('memcpy');
    munmap(as, va, bytes);
  }
  progress.stop();
  if (sum === -1) process.stderr.write('');
  return { wall: bestW, cpu: bestC };
}

export async function run(opts: BenchOptions): Promise<void> {
  const { wall: d, cpu: c } = measureMm(opts);
  if (opts.json) {
    process.stdout.write(JSON.stringify(d) + '\n');
    return;
  }
  const size = opts.quick ? '64 MiB' : '256 MiB';
  const rows = [
    [`first-touch page faults, ${size} map`, formatRate(d.faultsPerSec, 'ops/s'), formatRate(c.faultsPerSec, 'ops/s'), 'faults/s', '', ''],
    [`mapped sequential read, ${size}`, formatRate(d.mappedReadMiBs, 'MiB/s'), formatRate(c.mappedReadMiBs, 'MiB/s'), 'MiB/s', `≥ 50% of copy (${formatPercent(d.mappedReadMiBs, d.memcpyMiBs)}; CPU ${formatPercent(c.mappedReadMiBs, c.memcpyMiBs)})`, d.mappedReadMiBs >= d.memcpyMiBs / 2 ? 'met' : 'MISSED'],
    [`read() of the same file`, formatRate(d.readMiBs, 'MiB/s'), formatRate(c.readMiBs, 'MiB/s'), 'MiB/s', '', ''],
    [`Uint8Array.set copy, ${size}`, formatRate(d.memcpyMiBs, 'MiB/s'), formatRate(c.memcpyMiBs, 'MiB/s'), 'MiB/s', '', ''],
  ];
  process.stdout.write(formatTable(['', 'wall', 'CPU time', 'unit', 'target (wall)', ''], rows, ['l', 'r', 'r', 'l', 'l', 'l']) + '\n');
  process.stdout.write(`best of ${opts.quick ? 2 : 3} rounds; host load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs; --json prints the wall rates\n`);
}
