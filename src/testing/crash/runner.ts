// The crash explorer's runner and oracle, backend-neutral. A workload runs once on the reference (ramfs
// behind the VFS: the states the syscalls allow) and once on the target, whose device records its writes
// with a marker at each call's start and end; the target's crash-state source then builds crash images
// (device-specific: PCM pieces at fences, or block-device write sets) and mounts each (recovery). The
// oracle, after Chipmunk (EuroSys '23) and Vinter (ATC '22) for synchronous persistent-memory file systems:
// a crash after call i returned must show the state after i; a crash inside call i, the state before or
// after it (atomic); the image must mount; the target's fsck must find nothing. An asynchronous target
// (durability 'fsync', e.g. ZFS: committed txg + the intent log replayed) is held to the prefix rule
// instead: the state after some prefix of the calls, at least up to the last completed fsync/sync.

import { Vfs } from '../../../vfs/vfs.js';
import type { Backend } from '../../../vfs/backend.js';
import { FsError } from '../../../vfs/errno.js';
import { createRamFs } from '../../../fs-ram/index.js';
import { WorkloadExecutor, formatCall, type Workload } from './workload.js';
import { diffSnapshots, snapshotBackend } from './snapshot.js';

/** Where in the run a crash image was taken. */
export interface CrashPoint {
  /** The last call started before the crash (workload index), or from - 1 if none. */
  call: number;
  /** Whether that call had returned. */
  returned: boolean;
  /** Device-specific, enough to rebuild the same image (e.g. trace cut and kept pieces). */
  where: Record<string, unknown>;
}

/** A run on a target's device, with its crash-state source. */
export interface CrashSession {
  readonly backend: Backend;
  /** Start recording (after the set-up calls). */
  record(): void;
  /** A marker in the recording: call i starts (2i) or ends (2i + 1). */
  mark(tag: number): void;
  /** Stop recording. */
  stop(): void;
  /**
   * Visit crash images in order: `mount()` recovers the image and returns the backend (throws FsError when
   * recovery refuses it). The backend is valid only during the visit. Return false to stop.
   */
  explore(visit: (point: CrashPoint, mount: () => Backend) => boolean | void): void;
  /** Mount one image named by a point's `where` (replaying a violation). */
  mountAt(where: Record<string, unknown>): Backend;
  /** Consistency problems of a recovered backend (fsck). */
  fsck(b: Backend): string[];
}

/** A device-specific crash-state source: a fresh formatted device with the backend mounted. */
export interface CrashTarget {
  readonly name: string;
  /**
   * 'synchronous' (default; pcmfs): a returned call is durable. 'fsync': only calls up to the last
   * successful fsync/fdatasync/sync are; a crash may show the state after any later prefix of the calls
   * (ZFS: the last committed txg plus the fsync'ed log records, and fsync commits the whole log, so
   * durable states are prefixes), never a state outside that sequence.
   */
  readonly durability?: 'synchronous' | 'fsync';
  open(): CrashSession;
}

export type ViolationKind = 'mount' | 'state' | 'fsck' | 'outcome' | 'usability';

export interface Violation {
  workload: string;
  kind: ViolationKind;
  /** Call index and its C-like form. */
  call: number;
  callText: string;
  returned: boolean;
  detail: string;
  /** Replayable: the workload, the target, and the crash image (`replayViolation`). */
  replay: { target: string; workload: Workload; where: Record<string, unknown> };
}

export interface WorkloadReport {
  workload: string;
  calls: number;
  crashStates: number;
  violations: Violation[];
}

export interface RunOptions {
  /** Stop exploring a workload after this many violations (default 5). */
  maxViolations?: number;
  /**
   * Also check each recovered image is usable, as Chipmunk does: create and write a file, then delete
   * everything deletable; any error is a violation (how NOVA_BUG5 shows). Doubles the cost per image.
   */
  usability?: boolean;
}

/** Chipmunk's usability check on a recovered backend: a write, then remove the whole tree. Returns the failure. */
export function usable(b: Backend): string | null {
  const p = new Vfs({ root: b }).root;
  const step = (what: string, f: () => void): string | null => {
    try {
      f();
      return null;
    } catch (e) {
      if (e instanceof FsError) return `${what}: ${e.code}`;
      throw e;
    }
  };
  const probe = new Uint8Array(5000).fill(0x70);
  let err = step('create and write a file', () => {
    const fd = p.open('/.crash-probe', 0o102, 0o644);
    p.write(fd, probe, 0, probe.length, 0);
    p.close(fd);
  });
  if (err !== null) return err;
  const rm = (dir: string): string | null => {
    for (const e of p.readdir(dir)) {
      const path = (dir === '/' ? '' : dir) + '/' + e.name;
      const isDir = (p.lstat(path).mode & 0o170000) === 0o040000;
      const r = isDir ? rm(path) ?? step(`rmdir ${path}`, () => p.rmdir(path)) : step(`unlink ${path}`, () => p.unlink(path));
      if (r !== null) return r;
    }
    return null;
  };
  let left: string | null = null;
  err = step('remove everything', () => {
    left = rm('/');
  });
  if (left !== null) return left;
  return err ?? (p.readdir('/').length === 0 ? null : 'names left after removing everything');
}

/** The reference states: before call `from`, then after each call up to `to`, and each call's outcome. */
function reference(wl: Workload, from: number, to: number): { snaps: string[]; outcomes: string[] } {
  const ram = createRamFs({ ramBytes: 2 << 20 });
  const vfs = new Vfs({ root: ram });
  const ex = new WorkloadExecutor(vfs.root);
  const snaps: string[] = [], outcomes: string[] = [];
  for (let i = 0; i < to; i++) {
    if (i === from) snaps.push(snapshotBackend(ram));
    outcomes.push(ex.run(wl.calls[i]!));
    if (i >= from) snaps.push(snapshotBackend(ram));
  }
  if (from >= to) snaps.push(snapshotBackend(ram));
  return { snaps, outcomes };
}

const SYNC_OPS = new Set(['fsync', 'fdatasync', 'sync']);

/**
 * The reference states a crash at `point` may show (indices into `snaps`, see reference()). `lastSync[i]`:
 * the last call < i that was a successful fsync/fdatasync/sync, or -1 (used in 'fsync' mode only).
 */
function allowedStates(target: CrashTarget, snaps: string[], from: number, call: number, returned: boolean, lastSync: Int32Array): string[] {
  if (call < from) return [snaps[0]!];
  const k = call - from;
  if (target.durability !== 'fsync') return returned ? [snaps[k + 1]!] : [snaps[k]!, snaps[k + 1]!];
  const done = lastSync[returned ? call + 1 : call]!;
  const lo = done < from ? 0 : done - from + 1;
  return snaps.slice(lo, k + 2);
}

/** lastSync[i] for i in 0..n: the last successful sync-type call before call i (outcomes from the target). */
function syncPrefix(wl: Workload, outcomes: string[], n: number): Int32Array {
  const out = new Int32Array(n + 1);
  out[0] = -1;
  for (let i = 0; i < n; i++) out[i + 1] = SYNC_OPS.has(wl.calls[i]!.op) && outcomes[i] === 'ok' ? i : out[i]!;
  return out;
}

/** Run one workload on `target` and check every crash image its source yields. */
export function runWorkload(target: CrashTarget, wl: Workload, opts: RunOptions = {}): WorkloadReport {
  const from = Math.max(0, wl.from ?? 0), to = Math.min(wl.calls.length, wl.to ?? wl.calls.length);
  const maxViolations = opts.maxViolations ?? 5;
  const ref = reference(wl, from, to);
  const violations: Violation[] = [];
  const s = target.open();
  const vfs = new Vfs({ root: s.backend });
  const ex = new WorkloadExecutor(vfs.root);
  // A call that fails with EINVAL ends a j-lang workload there (CrashMonkey's generated code returns).
  let end = to;
  const outcomes: string[] = [];
  for (let i = 0; i < to; i++) {
    if (i === from) s.record();
    if (i >= from) s.mark(2 * i);
    const got = ex.run(wl.calls[i]!);
    outcomes.push(got);
    if (i >= from) s.mark(2 * i + 1);
    if (got !== ref.outcomes[i]) {
      violations.push(violation(target, wl, 'outcome', i, true, `returned ${got}, the reference (ramfs) ${ref.outcomes[i]}`, {}));
    }
    if (got === 'EINVAL' && wl.calls[i]!.op === 'write') {
      end = i + 1;
      break;
    }
  }
  s.stop();
  const lastSync = syncPrefix(wl, outcomes, outcomes.length);
  let crashStates = 0;
  s.explore((point, mount) => {
    if (point.call >= end) return false;
    crashStates++;
    const allowed = allowedStates(target, ref.snaps, from, point.call, point.returned, lastSync);
    let b: Backend;
    try {
      b = mount();
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      violations.push(violation(target, wl, 'mount', point.call, point.returned, `recovery refused the image: ${e.code}`, point.where));
      return violations.length < maxViolations;
    }
    const got = snapshotBackend(b);
    if (!allowed.includes(got)) {
      const d = diffSnapshots(allowed[allowed.length - 1]!, got);
      const what = target.durability === 'fsync' ? 'the state after a prefix of the calls holding every fsync\'ed one'
        : point.returned ? 'the state after the call' : 'the state before or after the call';
      violations.push(violation(target, wl, 'state', point.call, point.returned,
        `recovered state is not ${what}; missing ${JSON.stringify(d.missing)}, unexpected ${JSON.stringify(d.unexpected)}`, point.where));
    }
    const problems = s.fsck(b);
    if (problems.length > 0) violations.push(violation(target, wl, 'fsck', point.call, point.returned, problems.join('; '), point.where));
    if (opts.usability === true) {
      const u = usable(b);
      if (u !== null) violations.push(violation(target, wl, 'usability', point.call, point.returned, `recovered image not usable: ${u}`, point.where));
      else {
        const after = s.fsck(b);
        if (after.length > 0) violations.push(violation(target, wl, 'usability', point.call, point.returned, `fsck after use: ${after.join('; ')}`, point.where));
      }
    }
    return violations.length < maxViolations;
  });
  return { workload: wl.name, calls: end - from, crashStates, violations };
}

function violation(target: CrashTarget, wl: Workload, kind: ViolationKind, call: number, returned: boolean, detail: string,
  where: Record<string, unknown>): Violation {
  const c = wl.calls[call];
  return {
    workload: wl.name, kind, call, callText: c === undefined ? '(before the first call)' : formatCall(c), returned, detail,
    replay: { target: target.name, workload: wl, where },
  };
}

/**
 * Rebuild a violation's crash image and check it again: the recovered state (or the errno recovery
 * gave) and whether the oracle still rejects it.
 */
export function replayViolation(target: CrashTarget, v: Violation): { state: string | null; error: string | null; rejected: boolean } {
  const wl = v.replay.workload;
  const from = Math.max(0, wl.from ?? 0), to = Math.min(wl.calls.length, wl.to ?? wl.calls.length);
  const ref = reference(wl, from, to);
  const s = target.open();
  const ex = new WorkloadExecutor(new Vfs({ root: s.backend }).root);
  const outcomes: string[] = [];
  for (let i = 0; i < to; i++) {
    if (i === from) s.record();
    if (i >= from) s.mark(2 * i);
    outcomes.push(ex.run(wl.calls[i]!));
    if (i >= from) s.mark(2 * i + 1);
  }
  s.stop();
  let b: Backend;
  try {
    b = s.mountAt(v.replay.where);
  } catch (e) {
    if (e instanceof FsError) return { state: null, error: e.code, rejected: true };
    throw e;
  }
  const state = snapshotBackend(b);
  const allowed = allowedStates(target, ref.snaps, from, v.call, v.returned, syncPrefix(wl, outcomes, outcomes.length));
  return { state, error: null, rejected: !allowed.includes(state) || s.fsck(b).length > 0 };
}
