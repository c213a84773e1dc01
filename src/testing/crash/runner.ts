// The crash explorer's runner and oracle, backend-neutral. A workload runs once on the reference (ramfs
// behind the VFS: the states the syscalls allow) and once on the target, whose device records its writes
// with a marker at each call's start and end; the target's crash-state source then builds crash images
// (device-specific: PCM pieces at fences, or block-device write sets) and mounts each (recovery). The
// oracle, after Chipmunk (EuroSys '23) and Vinter (ATC '22) for synchronous persistent-memory file systems:
// a crash after call i returned must show the state after i; a crash inside call i, the state before or
// after it (atomic); the image must mount; the target's fsck must find nothing.

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
  for (let i = 0; i < to; i++) {
    if (i === from) s.record();
    if (i >= from) s.mark(2 * i);
    const got = ex.run(wl.calls[i]!);
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
  let crashStates = 0;
  s.explore((point, mount) => {
    if (point.call >= end) return false;
    crashStates++;
    const k = point.call - from; // snaps[k] = before call `point.call`, snaps[k + 1] = after it
    const allowed = point.call < from ? [ref.snaps[0]!] : point.returned ? [ref.snaps[k + 1]!] : [ref.snaps[k]!, ref.snaps[k + 1]!];
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
      const what = point.returned ? 'the state after the call' : 'the state before or after the call';
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
  for (let i = 0; i < to; i++) {
    if (i === from) s.record();
    if (i >= from) s.mark(2 * i);
    ex.run(wl.calls[i]!);
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
  const k = v.call - from;
  const allowed = v.call < from ? [ref.snaps[0]!] : v.returned ? [ref.snaps[k + 1]!] : [ref.snaps[k]!, ref.snaps[k + 1]!];
  return { state, error: null, rejected: !allowed.includes(state) || s.fsck(b).length > 0 };
}
