// `vfsim bench pcm`: the simulator's speed on persistent memory (issue 6, "Speed"): DAX sequential read
// and write of a 64 MiB file on pcmfs through the VFS (1 MiB calls) beside a raw Uint8Array.set copy of
// the same size in the same run, and crash exploration (checked crash states per second, on a 20-call
// workload). Targets: DAX read ≥ 40% of the copy, ≥ 2,000 states/s. Wall time; the modelled machine's
// virtual-time figures and the wear comparison are printed apart and never mixed with it.

import { cpus, loadavg } from 'node:os';
import type { BenchOptions } from '../src/cli/bench.js';
import { PcmDevice } from '../src/hw/pcm/pcm.js';
import { Vfs } from '../vfs/vfs.js';
import { O_CREAT, O_RDWR } from '../vfs/constants.js';
import { PcmFs } from '../fs-nvm/index.js';
import { pcmfsTarget, runWorkload, type CrashCall, type Workload } from '../src/testing/crash/index.js';
import { wearWorkload } from '../src/cli/pcm.js';
import { formatPercent, formatRate, formatTable, startProgress } from './report.js';

export interface PcmBenchResult {
  daxReadMiBs: number;
  daxWriteMiBs: number;
  memcpyMiBs: number;
  crashStatesPerSec: number;
}

const MiB = 1 << 20;

/** The 20-call workload of the crash-rate figure: ACE's operations over shared names, with fsyncs. */
export const BENCH_WORKLOAD: Workload = {
  name: 'bench-20',
  calls: ([
    { op: 'mkdir', path: 'A', mode: 0o777 },
    { op: 'creat', path: 'foo', mode: 0o644 },
    { op: 'write', path: 'foo', off: 0, len: 4096 },
    { op: 'fsync', path: 'foo' },
    { op: 'mkdir', path: 'B', mode: 0o777 },
    { op: 'link', from: 'foo', to: 'A/bar' },
    { op: 'write', path: 'A/bar', off: 2000, len: 3000 },
    { op: 'rename', from: 'foo', to: 'B/foo' },
    { op: 'creat', path: 'A/foo', mode: 0o644 },
    { op: 'truncate', path: 'A/bar', len: 2500 },
    { op: 'unlink', path: 'B/foo' },
    { op: 'mkdir', path: 'A/C', mode: 0o777 },
    { op: 'rename', from: 'A/foo', to: 'A/C/foo' },
    { op: 'write', path: 'A/C/foo', off: 0, len: 100 },
    { op: 'fsync', path: 'A' },
    { op: 'link', from: 'A/C/foo', to: 'bar' },
    { op: 'rename', from: 'A/C', to: 'B/C' },
    { op: 'unlink', path: 'bar' },
    { op: 'truncate', path: 'B/C/foo', len: 0 },
    { op: 'sync' },
  ] satisfies CrashCall[]),
};

interface Io { wallMiBs: number; virtualMiBs: number }

function daxIo(bytes: number, rounds: number): { read: Io; write: Io; memcpy: number } {
  const dev = new PcmDevice({ bytes: bytes + 16 * MiB });
  PcmFs.mkfs(dev);
  const fs = PcmFs.mount(dev);
  const p = new Vfs({ root: fs, clock: dev.clock }).root;
  const src = new Uint8Array(bytes), dst = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 4096) src[i] = i >>> 12;
  let read: Io = { wallMiBs: 0, virtualMiBs: 0 }, write: Io = { wallMiBs: 0, virtualMiBs: 0 }, memcpy = 0;
  for (let r = 0; r < rounds; r++) {
    const fd = p.open(`/f${r % 2}`, O_CREAT | O_RDWR, 0o644);
    let v0 = dev.clock.now, t0 = performance.now();
    for (let off = 0; off < bytes; off += MiB) p.write(fd, src, off, MiB, off);
    let wall = performance.now() - t0, virt = dev.clock.now - v0;
    write = { wallMiBs: Math.max(write.wallMiBs, bytes / MiB / (wall / 1000)), virtualMiBs: bytes / MiB / (virt / 1e9) };
    v0 = dev.clock.now;
    t0 = performance.now();
    for (let off = 0; off < bytes; off += MiB) p.read(fd, dst, off, MiB, off);
    wall = performance.now() - t0;
    virt = dev.clock.now - v0;
    read = { wallMiBs: Math.max(read.wallMiBs, bytes / MiB / (wall / 1000)), virtualMiBs: bytes / MiB / (virt / 1e9) };
    if (dst[4096] !== 1) throw new Error('DAX read returned the wrong bytes');
    p.close(fd);
    p.unlink(`/f${r % 2}`);
    t0 = performance.now();
    dst.set(src);
    memcpy = Math.max(memcpy, bytes / MiB / ((performance.now() - t0) / 1000));
  }
  return { read, write, memcpy };
}

function crashRate(rounds: number): { perSec: number; states: number; violations: number } {
  const target = pcmfsTarget();
  let best = 0, states = 0, violations = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const rep = runWorkload(target, BENCH_WORKLOAD);
    const s = (performance.now() - t0) / 1000;
    states = rep.crashStates;
    violations = rep.violations.length;
    best = Math.max(best, rep.crashStates / s);
  }
  return { perSec: best, states, violations };
}

export function measurePcm(opts: BenchOptions): PcmBenchResult & { detail: ReturnType<typeof daxIo>; crash: ReturnType<typeof crashRate> } {
  const rounds = opts.quick ? 2 : 4;
  const progress = startProgress(2, 'bench pcm');
  const detail = daxIo(64 * MiB, rounds);
  progress.tick('DAX read/write');
  const crash = crashRate(rounds);
  progress.tick('crash states');
  progress.stop();
  return {
    daxReadMiBs: Math.round(detail.read.wallMiBs), daxWriteMiBs: Math.round(detail.write.wallMiBs), memcpyMiBs: Math.round(detail.memcpy),
    crashStatesPerSec: Math.round(crash.perSec), detail, crash,
  };
}

export async function run(opts: BenchOptions): Promise<void> {
  const d = measurePcm(opts);
  if (opts.json) {
    const { daxReadMiBs, daxWriteMiBs, memcpyMiBs, crashStatesPerSec } = d;
    process.stdout.write(JSON.stringify({ daxReadMiBs, daxWriteMiBs, memcpyMiBs, crashStatesPerSec }) + '\n');
    return;
  }
  const rows = [
    ['DAX read, 64 MiB in 1 MiB calls', formatRate(d.daxReadMiBs, 'MiB/s'), 'MiB/s', `≥ 40% of copy (${formatPercent(d.daxReadMiBs, d.memcpyMiBs)})`, d.daxReadMiBs >= 0.4 * d.memcpyMiBs ? 'met' : 'MISSED'],
    ['DAX write (copy-on-write, streaming stores)', formatRate(d.daxWriteMiBs, 'MiB/s'), 'MiB/s', `${formatPercent(d.daxWriteMiBs, d.memcpyMiBs)} of copy`, ''],
    ['Uint8Array.set copy, 64 MiB', formatRate(d.memcpyMiBs, 'MiB/s'), 'MiB/s', '', ''],
    [`crash states checked (20 calls, ${d.crash.states} states)`, formatRate(d.crashStatesPerSec, 'ops/s'), 'states/s', '≥ 2,000', d.crashStatesPerSec >= 2000 ? 'met' : 'MISSED'],
  ];
  process.stdout.write(formatTable(['wall time', 'rate', 'unit', 'target', ''], rows, ['l', 'r', 'l', 'l', 'l']) + '\n\n');
  const on = wearWorkload(true, opts.quick ? 1000 : 4000, opts.seed), off = wearWorkload(false, opts.quick ? 1000 : 4000, opts.seed);
  const vrows = [
    ['DAX read (Optane figures: 169 ns first line, 6.6 GB/s)', d.detail.read.virtualMiBs.toFixed(0), 'MiB/s'],
    ['DAX write (2.3 GB/s streaming, fences)', d.detail.write.virtualMiBs.toFixed(0), 'MiB/s'],
    [`wear after ${on.ops} file ops, levelled: max / mean line writes`, `${on.report.lines.max} / ${on.report.lines.mean.toFixed(2)}`, 'writes'],
    ['wear, plain (lowest block first, one journal slot)', `${off.report.lines.max} / ${off.report.lines.mean.toFixed(2)}`, 'writes'],
  ];
  process.stdout.write(formatTable(['modelled machine (virtual time, not wall)', 'value', 'unit'], vrows, ['l', 'r', 'l']) + '\n');
  process.stdout.write(`best of ${opts.quick ? 2 : 4} rounds; crash violations on the bench workload: ${d.crash.violations}; host load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs; --json prints the wall rates\n`);
}
