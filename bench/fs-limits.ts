// The limits the data workloads are compared with: raw copies between JavaScript typed arrays in the
// same kind of process, shaped like the workloads. No filesystem kept in JS memory can move bytes faster
// than Uint8Array.set, so "% of the limit" says how much the filesystem's own bookkeeping costs.

import { Prng } from '../src/sim/prng.js';
import { threadCpuMs } from './cpu-clock.js';
import type { FsBenchSizes } from './fs-sizes.js';

const MiB = 1024 * 1024;
const now = (): number => performance.now();

export interface Limits {
  /** seqWrite/seqRead's limit: a reused chunk buffer streamed into a dataBytes destination, MiB/s. */
  memcpyMiBs: number;
  /**
   * The read shape of the same stream (not one of issue 3's keys, and not what its targets use): the
   * dataBytes buffer copied out into the reused chunk buffer, whose destination stays in the CPU cache,
   * so it is faster than memcpyMiBs. seqRead is compared with it in the table's last column.
   */
  memcpyReadMiBs: number;
  /** randRead/randWrite's limit: ioBytes copied out of random aligned offsets of a dataBytes buffer. */
  randCopyOpsPerSec: number;
}

export interface MeasuredLimits {
  /** Per second of wall time (what the table compares with). */
  wall: Limits;
  /** Per second of the thread's CPU time (compared with the subjects' cpuRate on a busy machine). */
  cpu: Limits;
  /** CPU time over wall time while measuring (see SubjectRun.cpuShare). */
  cpuShare: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Warm-up plus `reps` timed repetitions, each repeated until minRepMs has passed; median rates. */
function rate(z: FsBenchSizes, once: () => number, acc: { wall: number; cpu: number }): { wall: number; cpu: number } {
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let r = 0; r < z.warmup + z.reps; r++) {
    const c0 = threadCpuMs();
    const t0 = now();
    let work = 0;
    let ms = 0;
    do {
      work += once();
      ms = now() - t0;
    } while (ms < z.minRepMs);
    const cpu = threadCpuMs() - c0;
    if (r >= z.warmup) {
      rates.push((work / ms) * 1000);
      cpuRates.push((work / Math.max(cpu, 1e-3)) * 1000);
      acc.wall += ms;
      acc.cpu += cpu;
    }
  }
  return { wall: median(rates), cpu: median(cpuRates) };
}

export function measureLimits(z: FsBenchSizes, seed: number): MeasuredLimits {
  const acc = { wall: 0, cpu: 0 };
  const chunk = new Uint8Array(z.chunkBytes).fill(0x5a);
  const big = new Uint8Array(z.dataBytes);
  // Touch every page first: a repetition measures copying, as a filesystem overwriting its file does.
  for (let i = 0; i < big.length; i += 4096) big[i] = (i >>> 12) & 0xff;
  const chunks = z.dataBytes / z.chunkBytes;
  const memcpyRead = rate(z, () => {
    for (let i = 0; i < chunks; i++) chunk.set(big.subarray(i * z.chunkBytes, (i + 1) * z.chunkBytes));
    return z.dataBytes / MiB;
  }, acc);
  const memcpy = rate(z, () => {
    for (let i = 0; i < chunks; i++) big.set(chunk, i * z.chunkBytes);
    return z.dataBytes / MiB;
  }, acc);

  // The same offsets the randRead/randWrite workloads use (same seed, same generator).
  const prng = new Prng(seed);
  const slots = Math.floor(z.dataBytes / z.ioBytes);
  const offs = new Float64Array(z.randOps);
  for (let i = 0; i < z.randOps; i++) offs[i] = prng.below(slots) * z.ioBytes;
  const out = new Uint8Array(z.ioBytes);
  const len = z.ioBytes;
  let fold = 0;
  const randCopy = rate(z, () => {
    for (let i = 0; i < offs.length; i++) {
      const o = offs[i]!;
      out.set(big.subarray(o, o + len));
      fold += out[0]!;
    }
    return offs.length;
  }, acc);
  if (fold < 0) throw new Error('unreachable: keeps the copies observable');
  return {
    wall: { memcpyMiBs: memcpy.wall, memcpyReadMiBs: memcpyRead.wall, randCopyOpsPerSec: randCopy.wall },
    cpu: { memcpyMiBs: memcpy.cpu, memcpyReadMiBs: memcpyRead.cpu, randCopyOpsPerSec: randCopy.cpu },
    cpuShare: acc.cpu / Math.max(acc.wall, 1e-3),
  };
}
