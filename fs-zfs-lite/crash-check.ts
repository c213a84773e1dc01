// Crash-consistency checking for ZFS-lite (after CrashMonkey, Mohan et al., OSDI 2018): run a workload
// on a fresh pool while the block device records every write and flush; at each flush point take the
// crash states the device allows (the durable image plus subsets of the writes still in its volatile
// cache), import each one, and check that what import gives is the tree after some prefix of the
// workload between the last durable point (the last fsync/sync that completed, or the last committed
// txg) and the step that was running — nothing lost, nothing invented, nothing half-done.
// `crashCheck(workload, options) → { crashStates, violations }` is the shape a generic explorer calls.

import { BlockDevice } from '../src/hw/block/block-device.js';
import { BlockCrashReplayer, type WriteAtomicity } from '../src/hw/block/crash.js';
import { BlockEvent } from '../src/hw/block/trace.js';
import type { SubsetMode } from '../src/hw/pcm/subsets.js';
import { Clock } from '../src/sim/clock.js';
import { Ram } from '../src/hw/ram.js';
import { PageCache } from '../src/mm/page-cache.js';
import { FsError } from '../vfs/errno.js';
import { Vfs } from '../vfs/vfs.js';
import type { Process } from '../vfs/process.js';
import type { Backend, Ino } from '../vfs/backend.js';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../vfs/constants.js';
import { createZfsLite, importZfsLite } from './index.js';

export interface CrashStep {
  name: string;
  /** Run the step; `fds` carries descriptors between steps. */
  run(p: Process, fds: Map<string, number>): void;
  /** When it returns, everything before it is durable (fsync, fdatasync, sync). */
  durable?: boolean;
}

export interface CrashWorkload {
  steps: CrashStep[];
}

export interface CrashCheckOptions {
  /** Device size (default 2 MiB). */
  deviceBytes?: number;
  /** RAM of the machine (default 4 MiB). */
  ramBytes?: number;
  /** Which subsets of in-flight writes to try at each flush point (default: keep or drop at most one). */
  subsets?: SubsetMode;
  atomicity?: WriteAtomicity;
  /** Stop after this many violations (default 10). */
  maxViolations?: number;
  txgTimeoutNs?: number;
  /** TEST ONLY: the broken pool that writes its uberblock before the tree is flushed. */
  unsafeUberblockBeforeFlush?: boolean;
}

export interface CrashViolation {
  /** Trace position of the flush the crash came before. */
  cut: number;
  /** Steps completed when the crash happened (the step running is steps[step]). */
  step: number;
  /** Writes kept (indices into the in-flight writes). */
  kept: number[];
  /** Import error, or "state is no allowed prefix". */
  reason: string;
  /** The allowed states: indices into the sequence of states after each mutating backend call. */
  allowed: [number, number];
}

export interface CrashCheckResult {
  crashStates: number;
  cuts: number;
  violations: CrashViolation[];
}

/** The tree as the backend holds it (no atime updates, no log records): a canonical string. */
export function snapshotBackend(fs: Backend): string {
  const out: string[] = [];
  const walk = (dir: Ino, path: string, depth: number): void => {
    if (depth > 64) throw new Error('snapshot: tree too deep');
    const ents = [...fs.readdir(dir)].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of ents) {
      const a = fs.getattr(e.ino);
      const p = path + '/' + e.name;
      let extra = '';
      const t = a.mode & S_IFMT;
      if (t === S_IFREG) {
        const b = new Uint8Array(a.size);
        let got = 0;
        while (got < a.size) {
          const n = fs.read(e.ino, got, b, got, a.size - got);
          if (n <= 0) break;
          got += n;
        }
        extra = ` data=${Buffer.from(b).toString('base64')}`;
      } else if (t === S_IFLNK) extra = ` ->${fs.readlink(e.ino)}`;
      out.push(`${p} ino=${e.ino} mode=${a.mode.toString(8)} nlink=${a.nlink} uid=${a.uid} gid=${a.gid} size=${t === S_IFDIR ? '-' : a.size}${extra}`);
      if (t === S_IFDIR) walk(e.ino, p, depth + 1);
    }
  };
  walk(fs.rootIno, '', 0);
  return out.join('\n');
}

/** Backend calls that change the tree (each is one intent-log record). */
const MUTATIONS = ['create', 'mkdir', 'symlink', 'link', 'unlink', 'rmdir', 'rename', 'setattr', 'write', 'truncate', 'punchHole'] as const;

export function crashCheck(workload: CrashWorkload, options: CrashCheckOptions = {}): CrashCheckResult {
  const bytes = options.deviceBytes ?? 2 << 20;
  const ramBytes = options.ramBytes ?? 4 << 20;
  const clock = new Clock();
  const dev = new BlockDevice({ bytes, clock });
  const fs = createZfsLite({
    dev, ramBytes, clock,
    ...(options.txgTimeoutNs !== undefined ? { txgTimeoutNs: options.txgTimeoutNs } : {}),
    ...(options.unsafeUberblockBeforeFlush ? { unsafeUberblockBeforeFlush: true } : {}),
  });
  const vfs = new Vfs({ root: fs, clock });
  const p = vfs.process({ umask: 0o022 });
  const fds = new Map<string, number>();
  // The tree after every mutating backend call (the intent log's unit: one record each, so a crash in
  // the middle of a log commit can leave any prefix of them), in order; states[0] is the initial tree.
  const states: string[] = [snapshotBackend(fs)];
  const orig = new Map<string, (...a: unknown[]) => unknown>();
  const target = fs as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const m of MUTATIONS) {
    const f = target[m]!;
    orig.set(m, f);
    target[m] = (...a: unknown[]): unknown => {
      const r = f.apply(fs, a);
      states.push(snapshotBackend(fs));
      return r;
    };
  }
  // stepEnd[k]: trace length when step k returned; lastState[k]: index of the state after k steps;
  // durable[k]: index of the last state certainly durable once k steps have returned.
  const lastState: number[] = [0];
  const durable: number[] = [0];
  const stepEnd: number[] = [];
  const trace = dev.startTrace();
  const steps = workload.steps;
  try {
    for (let k = 0; k < steps.length; k++) {
      const txgBefore = fs.pool.txg;
      steps[k]!.run(p, fds);
      stepEnd.push(trace.length);
      lastState.push(states.length - 1);
      let d = durable[k]!;
      if (steps[k]!.durable) d = states.length - 1;
      else if (fs.pool.txg !== txgBefore) d = Math.max(d, lastState[k]!); // a txg committed before this step changed anything
      durable.push(d);
    }
  } finally {
    dev.stopTrace();
    for (const [m, f] of orig) target[m] = f;
  }

  const cuts = trace.indicesOf(BlockEvent.Flush);
  cuts.push(trace.length);
  const replayer = new BlockCrashReplayer(trace);
  const d2 = new BlockDevice({ bytes, clock: new Clock() });
  const pageCache = new PageCache(new Ram({ bytes: ramBytes }));
  const mode: SubsetMode = options.subsets ?? { kind: 'bounded', k: 1 };
  const maxV = options.maxViolations ?? 10;
  const violations: CrashViolation[] = [];
  let crashStates = 0;
  for (const cut of cuts) {
    // The step running at the cut: the first whose trace end is past it (all done at the final cut).
    let step = stepEnd.findIndex((e) => e > cut);
    if (step < 0) step = steps.length;
    // Allowed: any state from the last durable one to the last the running step can have reached.
    const lo = durable[step]!;
    const hi = step < steps.length ? lastState[step + 1]! : lastState[steps.length]!;
    const allowed = new Set(states.slice(lo, hi + 1));
    const crash = replayer.at(cut, options.atomicity ?? 'write');
    crash.forEach(mode, (image, sel) => {
      crashStates++;
      let reason: string | null = null;
      try {
        // Power on with this image (one device and one machine for all states: a reboot, not a new box).
        d2.loadImage(image);
        const fs2 = importZfsLite(d2, { pageCache });
        const got = snapshotBackend(fs2);
        if (!allowed.has(got)) reason = `state is no allowed prefix:\n${got}`;
        fs2.unmount();
      } catch (e) {
        reason = e instanceof FsError ? `import failed: ${e.code}` : `import threw: ${String(e)}`;
      }
      if (reason !== null) {
        const kept: number[] = [];
        for (let i = 0; i < crash.count; i++) if (sel[i] === 1) kept.push(i);
        violations.push({ cut, step, kept, reason, allowed: [lo, hi] });
      }
      return violations.length < maxV;
    });
    if (violations.length >= maxV) break;
  }
  return { crashStates, cuts: cuts.length, violations };
}
