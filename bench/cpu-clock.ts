// CPU time of the calling thread, for benchmarks on a machine shared with other work: Linux's
// /proc/thread-self/schedstat starts with the thread's time on a CPU in nanoseconds (user and system,
// Documentation/scheduler/sched-stats.rst), unlike process.cpuUsage(), which adds the GC helper threads.
// Elsewhere it falls back to process.cpuUsage(). Read it around a timed interval, never inside a loop.
// Its resolution is the scheduler tick for a thread that keeps running (the kernel brings the count up to
// date at ticks and context switches: about 4 ms at HZ=250), so intervals should be tens of ms; on a busy
// machine, where this clock matters, context switches make it finer.

import { readFileSync } from 'node:fs';

const SCHEDSTAT = '/proc/thread-self/schedstat';

function fromSchedstat(): number {
  const s = readFileSync(SCHEDSTAT, 'latin1');
  return Number(s.slice(0, s.indexOf(' '))) / 1e6;
}

function fromCpuUsage(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function pick(): () => number {
  try {
    if (Number.isFinite(fromSchedstat())) return fromSchedstat;
  } catch {
    // not Linux, or /proc not mounted
  }
  return fromCpuUsage;
}

/** Milliseconds of CPU time this thread has used (a monotonic count; subtract two readings). */
export const threadCpuMs: () => number = pick();

/** Which clock threadCpuMs reads, for the notes. */
export const threadCpuSource: string = threadCpuMs === fromSchedstat ? SCHEDSTAT : 'process.cpuUsage() (all threads)';
