// Differential testing against Linux: the same operation sequences run on two targets — vfsim (or the
// reference model) and the host kernel through node:fs in a fresh sandbox directory on tmpfs — and every
// outcome (value or errno) and the final tree are compared. What can only differ because the host is a
// different machine (inode numbers, timestamps, allocation, directory sizes, readdir order) is excluded
// explicitly, with the reason, in `EXCLUSIONS`. A disagreement is shrunk to a short replayable sequence.

import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import * as C from '../../vfs/constants.js';
import type { FlagTable, Op, Outcome, PosixTarget } from './posix-ops.js';
import { OpRunner, opsArb, formatOp, statView, LINUX_EXCLUDED, errorName } from './posix-ops.js';
import { NodeFsTarget, HOST_FLAGS, hostScratchDir, asHostUser } from './node-target.js';
import { USERS } from './posix-ops.js';
import type { Cred } from '../../vfs/syscalls.js';

/** What is not compared, and why (printed by `vfsim check posix`). */
export const EXCLUSIONS: Readonly<Record<string, string>> = {
  'st_dev, st_ino': 'numbers are the host\'s; hard links are compared as groups of names sharing an inode instead',
  'timestamp values': 'vfsim stamps from its virtual clock, the host from its wall clock; which calls move mtime and ctime is compared (stamp ops)',
  'st_blocks, st_blksize': 'allocation policy of the filesystem, not POSIX semantics',
  'directory st_size': 'filesystem-specific (tmpfs counts entries, ext4 counts blocks)',
  'readdir order': 'filesystem-specific (tmpfs lists newest first); names are compared as sets',
  'descriptor numbers': 'the host process has other descriptors open; compared as "a descriptor was returned"',
  ...Object.fromEntries(Object.entries(LINUX_EXCLUDED).map(([k, v]) => [`${k} (not generated)`, v])),
};

/** One side of the comparison: a fresh target per sequence, and a way to clean up. */
export interface Side {
  readonly name: string;
  /** Root's process. */
  readonly target: PosixTarget;
  /** Processes of USERS[0], USERS[1] on the same tree, same cwd and umask. */
  readonly users: readonly PosixTarget[];
  readonly flags: FlagTable;
  /** Called before each op (the Linux side waits out a clock tick there when timestamps are compared). */
  beforeOp?: () => void;
  dispose(): void;
}

export type SideFactory = (layout: SandboxLayout) => Side;

/**
 * The sandbox: the sequence runs in `cwd`, below padding directories, so that '..' climbing out of
 * the working directory still lands in a tree both sides have alike (empty apart from the padding).
 */
export interface SandboxLayout {
  cwd: string;
  dirs: string[];
  umask: number;
}

export const DEFAULT_LAYOUT: SandboxLayout = { cwd: '/p1/p2/w', dirs: ['/p1', '/p1/p2', '/p1/p2/w'], umask: 0o022 };

/**
 * Block for `ms` of wall time. The kernel stamps inodes from a coarse clock (one tick: 4 ms at HZ=250)
 * and, with multigrain timestamps, may keep an unread time when the tick has not moved: two updates
 * in one tick can look like one. Waiting a tick before each call makes every update visible.
 */
function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Linux through node:fs, in a fresh directory under /dev/shm (or the OS temp dir). `tickMs` > 0 waits
 * that long before each op (for `stamp` comparisons; use at least one clock tick, 1000/HZ ms).
 */
export function linuxSide(layout: SandboxLayout, scratch = hostScratchDir(), tickMs = 0): Side {
  const top = fs.mkdtempSync(path.join(scratch, 'vfsim-check-'));
  fs.chmodSync(top, 0o755); // other users must be able to walk in, as in vfsim's '/'
  for (const d of layout.dirs) {
    fs.mkdirSync(top + d);
    fs.chmodSync(top + d, 0o755);
  }
  const target = new NodeFsTarget(top, layout.cwd);
  const leave = target.enter();
  const oldUmask = process.umask(layout.umask);
  const users = hostCanSwitchUsers() ? USERS.map((c) => asHostUser(target, c)) : [];
  return {
    name: 'linux', target, users, flags: HOST_FLAGS,
    ...(tickMs > 0 ? { beforeOp: () => sleepMs(tickMs) } : {}),
    dispose() {
      process.umask(oldUmask);
      leave();
      fs.rmSync(top, { recursive: true, force: true });
    },
  };
}

/** A side built from any `PosixTarget` whose '/' is fresh and empty (vfsim's process, the reference model). */
export function targetSide(name: string, target: PosixTarget & { chdir(p: string): void }, flags: FlagTable,
  layout: SandboxLayout, dispose = (): void => {}, asUser?: (cred: Cred) => PosixTarget): Side {
  for (const d of layout.dirs) {
    target.mkdir(d, 0o755);
    target.chmod(d, 0o755);
  }
  target.chdir(layout.cwd);
  return { name, target, users: asUser ? USERS.map(asUser) : [], flags, dispose };
}

/** One file of the final tree, as both sides must agree on it. */
export interface TreeEntry {
  path: string;
  type: string;
  mode: string;
  nlink: number;
  uid: number;
  gid: number;
  size?: number;
  /** Regular files: the contents (latin1). */
  data?: string;
  /** Symlinks: the target. */
  target?: string;
  /** Hard links: the first path (in sorted order) naming the same inode. */
  sameAs?: string;
}

/** Walk the tree under '/' with lstat/readdir/readlink/open+read, in sorted order. */
export function snapshotTree(t: PosixTarget, flags: FlagTable): TreeEntry[] {
  const out: TreeEntry[] = [];
  const firstByIno = new Map<number, string>();
  const walk = (dir: string): void => {
    const names = t.readdir(dir).map((d) => d.name).sort();
    for (const name of names) {
      const p = (dir === '/' ? '' : dir) + '/' + name;
      const s = t.lstat(p);
      const e: TreeEntry = { path: p, ...statView(s) };
      const type = s.mode & C.S_IFMT;
      if (type !== C.S_IFDIR) {
        const first = firstByIno.get(s.ino);
        if (first !== undefined) e.sameAs = first;
        else firstByIno.set(s.ino, p);
      }
      if (type === C.S_IFLNK) e.target = t.readlink(p);
      if (type === C.S_IFREG) e.data = readAll(t, flags, p, s.size);
      out.push(e);
      if (type === C.S_IFDIR) walk(p);
    }
  };
  walk('/');
  return out;
}

function readAll(t: PosixTarget, flags: FlagTable, p: string, size: number): string {
  // A file with mode 000 is still readable by root; read through a fresh descriptor.
  const fd = t.open(p, flags.O_RDONLY | flags.O_NOFOLLOW, 0);
  try {
    const buf = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const n = t.read(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    let s = '';
    for (let i = 0; i < got; i++) s += String.fromCharCode(buf[i]!);
    return s;
  } finally {
    t.close(fd);
  }
}

export interface Disagreement {
  sequence: number;
  /** Index of the op where the sides first disagreed; equal to ops.length for a final-tree difference. */
  step: number;
  what: string;
  a: unknown;
  b: unknown;
  /** The sequence up to and including the step (replay it with `vfsim check posix --replay`). */
  ops: Op[];
}

const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);

/**
 * A difference the caller already knows about (a bug filed against the subject), to be counted rather
 * than reported: called with the op and both outcomes when they differ; true lets the sequence go on.
 * Only differences that leave both sides unchanged (two different errnos) should be tolerated.
 */
export type Tolerate = (op: Op, a: Outcome, b: Outcome) => boolean;

/** Run one sequence on two fresh sides; return the first disagreement or undefined. */
export function compareSequence(ops: readonly Op[], makeA: SideFactory, makeB: SideFactory,
  layout: SandboxLayout = DEFAULT_LAYOUT, sequence = 0, trace?: (i: number, op: Op, a: Outcome, b: Outcome) => void,
  tolerate?: Tolerate): Disagreement | undefined {
  const A = makeA(layout), B = makeB(layout);
  const ra = new OpRunner(A.target, A.flags, false, A.users), rb = new OpRunner(B.target, B.flags, false, B.users);
  try {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      A.beforeOp?.();
      B.beforeOp?.();
      const oa = ra.run(op), ob = rb.run(op);
      trace?.(i, op, oa, ob);
      if (!same(oa, ob) && !(tolerate?.(op, oa, ob) ?? false)) return { sequence, step: i, what: formatOp(op), a: oa, b: ob, ops: ops.slice(0, i + 1) };
    }
    ra.closeAll();
    rb.closeAll();
    let ta: TreeEntry[] | string, tb: TreeEntry[] | string;
    try { ta = snapshotTree(A.target, A.flags); } catch (e) { ta = `snapshot failed: ${errorName(e)}`; }
    try { tb = snapshotTree(B.target, B.flags); } catch (e) { tb = `snapshot failed: ${errorName(e)}`; }
    if (!same(ta, tb)) {
      const d = firstTreeDifference(ta, tb);
      return { sequence, step: ops.length, what: `final tree: ${d.path}`, a: d.a, b: d.b, ops: [...ops] };
    }
    return undefined;
  } finally {
    ra.closeAll();
    rb.closeAll();
    A.dispose();
    B.dispose();
  }
}

function firstTreeDifference(a: TreeEntry[] | string, b: TreeEntry[] | string): { path: string; a: unknown; b: unknown } {
  if (typeof a === 'string' || typeof b === 'string') return { path: '/', a, b };
  const ma = new Map(a.map((e) => [e.path, e])), mb = new Map(b.map((e) => [e.path, e]));
  const paths = [...new Set([...ma.keys(), ...mb.keys()])].sort();
  for (const p of paths) {
    if (!same(ma.get(p), mb.get(p))) return { path: p, a: ma.get(p) ?? 'absent', b: mb.get(p) ?? 'absent' };
  }
  return { path: '/', a, b };
}

/**
 * Shrink a failing sequence: drop ops one at a time (from the end) while some disagreement remains
 * (ddmin's one-at-a-time pass, repeated until nothing more can go).
 */
export function shrinkSequence(ops: Op[], makeA: SideFactory, makeB: SideFactory, layout = DEFAULT_LAYOUT,
  tolerate?: Tolerate): { ops: Op[]; d: Disagreement } {
  let cur = ops;
  let d = compareSequence(cur, makeA, makeB, layout, 0, undefined, tolerate);
  if (d === undefined) throw new Error('shrinkSequence: the sequence does not fail');
  cur = d.ops;
  for (let changed = true; changed;) {
    changed = false;
    for (let i = cur.length - 1; i >= 0; i--) {
      const cand = cur.slice(0, i).concat(cur.slice(i + 1));
      if (cand.length === 0) continue;
      const dc = compareSequence(cand, makeA, makeB, layout, 0, undefined, tolerate);
      if (dc !== undefined) { cur = dc.ops; d = dc; changed = true; i = Math.min(i, cur.length); }
    }
  }
  return { ops: cur, d };
}

export interface DifferentialOptions {
  seed: number;
  /** Longest sequence. */
  ops: number;
  sequences: number;
  layout?: SandboxLayout;
  /** Called after each sequence (for a progress bar). */
  progress?: (done: number) => void;
  /** Shrink the first disagreement to a minimal sequence. Default true. */
  shrink?: boolean;
  /** Known differences to count instead of report (see `Tolerate`). */
  tolerate?: Tolerate;
  /** Generate path operations as the unprivileged USERS too (default: when the host process is root). */
  users?: boolean;
  /** Generate `stamp` ops comparing which calls move mtime/ctime (default false; the model keeps no times). */
  times?: boolean;
  /** Let unprivileged users link too (for a subject with the host's fs.protected_hardlinks; see OpsOptions). */
  userLinks?: boolean;
}

export interface DifferentialReport {
  seed: number;
  sequences: number;
  ops: number;
  disagreements: Disagreement[];
  /** The first disagreement shrunk to a short sequence, if any. */
  minimal?: Disagreement;
  excluded: Readonly<Record<string, string>>;
}

/** Generate the sequences from the seed (fast-check's generator, seeded) — the same seed gives the same sequences. */
export function generateSequences(seed: number, count: number, maxOps: number, users = true, times = false, userLinks = false): Op[][] {
  return fc.sample(opsArb(maxOps, { linux: true, users, times, userLinks }), { seed, numRuns: count });
}

/** The host's fs.protected_hardlinks (may_linkat), false where it cannot be read. */
export function hostProtectedHardlinks(): boolean {
  try {
    return fs.readFileSync('/proc/sys/fs/protected_hardlinks', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** Whether this process can act as other users on the host (it must be root to seteuid and back). */
export const hostCanSwitchUsers = (): boolean => process.getuid?.() === 0 && typeof process.seteuid === 'function';

export function runDifferential(o: DifferentialOptions, makeA: SideFactory, makeB: SideFactory): DifferentialReport {
  const layout = o.layout ?? DEFAULT_LAYOUT;
  const seqs = generateSequences(o.seed, o.sequences, o.ops, o.users ?? hostCanSwitchUsers(), o.times ?? false, o.userLinks ?? false);
  const disagreements: Disagreement[] = [];
  let total = 0;
  seqs.forEach((ops, i) => {
    total += ops.length;
    const d = compareSequence(ops, makeA, makeB, layout, i, undefined, o.tolerate);
    if (d) disagreements.push(d);
    o.progress?.(i + 1);
  });
  const report: DifferentialReport = { seed: o.seed, sequences: seqs.length, ops: total, disagreements, excluded: EXCLUSIONS };
  if (disagreements.length > 0 && o.shrink !== false) {
    const first = disagreements[0]!;
    const s = shrinkSequence(first.ops, makeA, makeB, layout, o.tolerate);
    report.minimal = { ...s.d, sequence: first.sequence };
  }
  return report;
}
