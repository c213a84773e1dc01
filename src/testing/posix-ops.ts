// The operation vocabulary of the POSIX property tests: plain-data operations (JSON, so a failing
// sequence can be saved and replayed), the fast-check arbitraries that generate them over a small name
// space (so that names collide, as they must for rename/link/unlink rules to be exercised), and the
// executor that runs one operation on any `Syscalls`-shaped target and reduces the result to a
// comparable outcome. Flags are named symbolically so the same op means the same on every target
// (Linux's generic numbers in vfs/constants.ts, the host's in node:fs constants).

import fc from 'fast-check';
import type { Cred, Stat, Syscalls } from '../../vfs/syscalls.js';
import * as C from '../../vfs/constants.js';

export const OPEN_FLAG_NAMES = ['O_CREAT', 'O_EXCL', 'O_TRUNC', 'O_APPEND', 'O_DIRECTORY', 'O_NOFOLLOW'] as const;
export type OpenFlagName = (typeof OPEN_FLAG_NAMES)[number] | 'O_RDONLY' | 'O_WRONLY' | 'O_RDWR';
export type Whence = 'SEEK_SET' | 'SEEK_CUR' | 'SEEK_END';
export type RenameFlag = 0 | 'RENAME_NOREPLACE' | 'RENAME_EXCHANGE';

/** The unprivileged users path operations may run as (`user: 1 | 2`); absent means root. */
export const USERS: readonly Cred[] = [
  { uid: 1000, gid: 1000, groups: [1000] },
  { uid: 1001, gid: 1000, groups: [1000, 1002] },
];

/** Who runs a path operation: 1 or 2 index USERS; absent is root. */
type As = { user?: 1 | 2 };

/**
 * One operation. `fd` is a slot: the k-th descriptor the same user's process holds open (mod their
 * count), or -1 for a bad one. Each user (root, USERS[0], USERS[1]) has a process of its own.
 */
export type Op =
  | ({ op: 'open'; path: string; flags: OpenFlagName[]; mode: number } & As)
  | ({ op: 'close'; fd: number } & As)
  | ({ op: 'read'; fd: number; len: number } & As)
  | ({ op: 'pread'; fd: number; len: number; pos: number } & As)
  | ({ op: 'write'; fd: number; data: string } & As)
  | ({ op: 'pwrite'; fd: number; data: string; pos: number } & As)
  | ({ op: 'lseek'; fd: number; offset: number; whence: Whence } & As)
  | ({ op: 'dup'; fd: number } & As)
  | ({ op: 'fstat'; fd: number } & As)
  | ({ op: 'ftruncate'; fd: number; len: number } & As)
  | ({ op: 'fchmod'; fd: number; mode: number } & As)
  | ({ op: 'fsync'; fd: number } & As)
  | ({ op: 'mkdir'; path: string; mode: number } & As)
  | ({ op: 'rmdir'; path: string } & As)
  | ({ op: 'unlink'; path: string } & As)
  | ({ op: 'rename'; from: string; to: string; flags: RenameFlag } & As)
  | ({ op: 'link'; from: string; to: string } & As)
  | ({ op: 'symlink'; target: string; path: string } & As)
  | ({ op: 'readlink'; path: string } & As)
  | ({ op: 'stat'; path: string } & As)
  | ({ op: 'lstat'; path: string } & As)
  | ({ op: 'chmod'; path: string; mode: number } & As)
  | ({ op: 'chown'; path: string; uid: number; gid: number } & As)
  | ({ op: 'truncate'; path: string; len: number } & As)
  | ({ op: 'readdir'; path: string } & As)
  | ({ op: 'access'; path: string; mode: number } & As)
  /**
   * lstat, reporting only whether the name still names the inode of its last `stamp` and, if so,
   * whether its mtime and ctime moved since: host-independent facts about which calls update which
   * times (compared with Linux, whose tmpfs hands out fine-grained times once a time has been read).
   */
  | { op: 'stamp'; path: string };

export type OpName = Op['op'];

/** The numbers a target gives the symbolic names (Linux generic for vfsim, the host's for node:fs). */
export interface FlagTable {
  O_RDONLY: number; O_WRONLY: number; O_RDWR: number; O_CREAT: number; O_EXCL: number; O_TRUNC: number;
  O_APPEND: number; O_DIRECTORY: number; O_NOFOLLOW: number;
}

export const VFSIM_FLAGS: FlagTable = {
  O_RDONLY: C.O_RDONLY, O_WRONLY: C.O_WRONLY, O_RDWR: C.O_RDWR, O_CREAT: C.O_CREAT, O_EXCL: C.O_EXCL,
  O_TRUNC: C.O_TRUNC, O_APPEND: C.O_APPEND, O_DIRECTORY: C.O_DIRECTORY, O_NOFOLLOW: C.O_NOFOLLOW,
};

/** The calls the executor uses. The reference model, a vfsim `Process` and the node:fs adapter all have them. */
export type PosixTarget = Pick<Syscalls,
  'open' | 'close' | 'read' | 'write' | 'fstat' | 'ftruncate' | 'fchmod' | 'fsync' | 'stat' | 'lstat' |
  'access' | 'mkdir' | 'rmdir' | 'unlink' | 'link' | 'symlink' | 'readlink' | 'chmod' | 'chown' |
  'truncate' | 'readdir'> & {
  lseek?: Syscalls['lseek'];
  dup?: Syscalls['dup'];
  rename(oldPath: string, newPath: string, flags?: number): void;
};

/** A stat reduced to what two filesystems must agree on (st_dev, st_ino, times, blocks and directory sizes are host-specific). */
export interface StatView {
  type: string;
  mode: string;
  nlink: number;
  uid: number;
  gid: number;
  /** Absent for directories: their st_size is filesystem-specific (tmpfs counts entries, ext4 blocks). */
  size?: number;
}

/** The outcome of one operation: a value, or the errno code (or a JS error's name and code). */
export type Outcome = { ok: true; value?: unknown } | { ok: false; error: string };

export const TYPE_NAMES: Record<number, string> = {
  [C.S_IFREG]: 'regular', [C.S_IFDIR]: 'dir', [C.S_IFLNK]: 'symlink', [C.S_IFIFO]: 'fifo',
  [C.S_IFCHR]: 'char', [C.S_IFBLK]: 'block', [C.S_IFSOCK]: 'socket',
};

export function statView(s: Stat): StatView {
  const type = TYPE_NAMES[s.mode & C.S_IFMT] ?? 'unknown';
  const v: StatView = { type, mode: '0' + (s.mode & C.ALLPERMS).toString(8), nlink: s.nlink, uid: s.uid, gid: s.gid };
  if (type !== 'dir') v.size = s.size;
  return v;
}

/** A descriptor number no target has open: EBADF everywhere (node:fs rejects negative numbers with a TypeError). */
export const BAD_FD = 9999;

/** Runs ops on one target, keeping the descriptors the sequence opened (per user: each has its own process). */
export class OpRunner {
  /** Descriptors open in root's process (index 0) and in each user's (index k). */
  private readonly fdsBy: number[][] = [[], [], []];
  private readonly buf = new Uint8Array(1 << 17);
  /** The last `stamp` of each path: identity (ino, birth time) and times. */
  private readonly stamps = new Map<string, Stat>();

  /**
   * `exactFds`: report descriptor numbers (the model and vfsim both give the lowest free one); else just
   * 'fd'. `users[k - 1]` runs the path operations marked `user: k` (processes of USERS[k - 1]).
   */
  constructor(readonly target: PosixTarget, readonly flags: FlagTable, readonly exactFds = true,
    readonly users: readonly PosixTarget[] = []) {}

  private fds: number[] = this.fdsBy[0]!;

  private fd(slot: number): number {
    if (slot < 0 || this.fds.length === 0) return BAD_FD;
    return this.fds[slot % this.fds.length]!;
  }

  run(op: Op): Outcome {
    try {
      const value = this.exec(op);
      return value === undefined ? { ok: true } : { ok: true, value };
    } catch (e) {
      return { ok: false, error: errorName(e) };
    }
  }

  private exec(op: Op): unknown {
    const user = 'user' in op && op.user !== undefined ? this.users[op.user - 1] : undefined;
    if ('user' in op && op.user !== undefined && user === undefined) throw new Unsupported(`user ${op.user}`);
    const t = user ?? this.target;
    this.fds = this.fdsBy['user' in op && op.user !== undefined ? op.user : 0]!;
    switch (op.op) {
      case 'open': {
        let f = 0;
        for (const n of op.flags) f |= this.flags[n];
        const fd = t.open(op.path, f, op.mode);
        this.fds.push(fd);
        return this.exactFds ? fd : 'fd';
      }
      case 'close': {
        const fd = this.fd(op.fd);
        t.close(fd);
        this.forget(fd);
        return undefined;
      }
      case 'read': case 'pread': {
        const n = t.read(this.fd(op.fd), this.buf, 0, op.len, op.op === 'pread' ? op.pos : null);
        return latin1(this.buf.subarray(0, n));
      }
      case 'write': case 'pwrite': {
        const data = bytes(op.data);
        return t.write(this.fd(op.fd), data, 0, data.length, op.op === 'pwrite' ? op.pos : null);
      }
      case 'lseek': {
        if (!t.lseek) throw new Unsupported('lseek');
        const w = op.whence === 'SEEK_SET' ? C.SEEK_SET : op.whence === 'SEEK_CUR' ? C.SEEK_CUR : C.SEEK_END;
        return t.lseek(this.fd(op.fd), op.offset, w);
      }
      case 'dup': {
        if (!t.dup) throw new Unsupported('dup');
        const fd = t.dup(this.fd(op.fd));
        this.fds.push(fd);
        return this.exactFds ? fd : 'fd';
      }
      case 'fstat': return statView(t.fstat(this.fd(op.fd)));
      case 'ftruncate': return t.ftruncate(this.fd(op.fd), op.len);
      case 'fchmod': return t.fchmod(this.fd(op.fd), op.mode);
      case 'fsync': return t.fsync(this.fd(op.fd));
      case 'mkdir': return t.mkdir(op.path, op.mode);
      case 'rmdir': return t.rmdir(op.path);
      case 'unlink': return t.unlink(op.path);
      case 'rename': {
        const f = op.flags === 'RENAME_NOREPLACE' ? C.RENAME_NOREPLACE : op.flags === 'RENAME_EXCHANGE' ? C.RENAME_EXCHANGE : 0;
        return t.rename(op.from, op.to, f);
      }
      case 'link': return t.link(op.from, op.to);
      case 'symlink': return t.symlink(op.target, op.path);
      case 'readlink': return t.readlink(op.path);
      case 'stat': return statView(t.stat(op.path));
      case 'lstat': return statView(t.lstat(op.path));
      case 'chmod': return t.chmod(op.path, op.mode);
      case 'chown': return t.chown(op.path, op.uid, op.gid);
      case 'truncate': return t.truncate(op.path, op.len);
      // Order is filesystem-specific (tmpfs lists newest first): compare the set, sorted.
      case 'readdir': return t.readdir(op.path).map((d) => d.name).sort();
      case 'access': return t.access(op.path, op.mode);
      case 'stamp': {
        const st = t.lstat(op.path);
        const prev = this.stamps.get(op.path);
        this.stamps.set(op.path, st);
        if (prev === undefined) return 'first';
        if (prev.ino !== st.ino || prev.birthtimeSec !== st.birthtimeSec || prev.birthtimeNsec !== st.birthtimeNsec) return 'another inode';
        const moved = (aS: number, aN: number, bS: number, bN: number): boolean => aS !== bS || aN !== bN;
        return {
          mtime: moved(prev.mtimeSec, prev.mtimeNsec, st.mtimeSec, st.mtimeNsec) ? 'moved' : 'same',
          ctime: moved(prev.ctimeSec, prev.ctimeNsec, st.ctimeSec, st.ctimeNsec) ? 'moved' : 'same',
        };
      }
    }
  }

  private forget(fd: number): void {
    // A closed number may be handed out again; drop every slot that held it.
    for (let i = this.fds.length - 1; i >= 0; i--) if (this.fds[i] === fd) this.fds.splice(i, 1);
  }

  /** Close everything the sequence left open (the end of the processes). */
  closeAll(): void {
    this.fdsBy.forEach((fds, k) => {
      const t = k === 0 ? this.target : this.users[k - 1];
      for (const fd of new Set(fds)) {
        try { t?.close(fd); } catch { /* already closed through a dup */ }
      }
      fds.length = 0;
    });
  }
}

/** Thrown by a target that cannot express an operation (node:fs has no lseek or dup). */
export class Unsupported extends Error {
  constructor(what: string) {
    super(`unsupported: ${what}`);
    this.name = 'Unsupported';
  }
}

export function errorName(e: unknown): string {
  if (e instanceof Unsupported) return 'Unsupported';
  if (e !== null && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    const code = (e as { code: string }).code;
    if (e instanceof TypeError || e instanceof RangeError) return `${e.name}:${code}`;
    return code;
  }
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
};

const q = (s: string): string => JSON.stringify(s);
const oct = (m: number): string => '0o' + m.toString(8);

/** A readable C-like line for an op (fast-check prints these in counterexamples). */
export function formatOp(o: Op): string {
  const who = 'user' in o && o.user !== undefined ? `[uid ${USERS[o.user - 1]!.uid}] ` : '';
  return who + formatCall(o);
}

function formatCall(o: Op): string {
  switch (o.op) {
    case 'open': return `open(${q(o.path)}, ${o.flags.join('|')}, ${oct(o.mode)})`;
    case 'close': case 'dup': case 'fstat': case 'fsync': return `${o.op}(fd#${o.fd})`;
    case 'read': return `read(fd#${o.fd}, ${o.len})`;
    case 'pread': return `pread(fd#${o.fd}, ${o.len}, ${o.pos})`;
    case 'write': return `write(fd#${o.fd}, ${q(o.data)})`;
    case 'pwrite': return `pwrite(fd#${o.fd}, ${q(o.data)}, ${o.pos})`;
    case 'lseek': return `lseek(fd#${o.fd}, ${o.offset}, ${o.whence})`;
    case 'ftruncate': return `ftruncate(fd#${o.fd}, ${o.len})`;
    case 'fchmod': return `fchmod(fd#${o.fd}, ${oct(o.mode)})`;
    case 'mkdir': case 'chmod': return `${o.op}(${q(o.path)}, ${oct(o.mode)})`;
    case 'access': return `access(${q(o.path)}, ${o.mode})`;
    case 'stamp': return `stamp(${q(o.path)})`;
    case 'rmdir': case 'unlink': case 'readlink': case 'stat': case 'lstat': case 'readdir': return `${o.op}(${q(o.path)})`;
    case 'rename': return `rename(${q(o.from)}, ${q(o.to)}${o.flags ? ', ' + o.flags : ''})`;
    case 'link': return `link(${q(o.from)}, ${q(o.to)})`;
    case 'symlink': return `symlink(${q(o.target)}, ${q(o.path)})`;
    case 'chown': return `chown(${q(o.path)}, ${o.uid}, ${o.gid})`;
    case 'truncate': return `truncate(${q(o.path)}, ${o.len})`;
  }
}

// ---- arbitraries ----

export interface OpsOptions {
  /** Restrict to what node:fs can express and what stays inside a sandbox directory on the host. */
  linux?: boolean;
  /** Run some path operations as the unprivileged USERS (default true). */
  users?: boolean;
  /** Generate `stamp` ops, which compare timestamp updates (needs a subject that keeps times: not the model). */
  times?: boolean;
  /**
   * With `linux`: let the unprivileged USERS make hard links too. Only for a subject that applies the
   * host's fs.protected_hardlinks (vfsim with VfsOptions.protectedHardlinks); the model follows the
   * kernel default, off.
   */
  userLinks?: boolean;
  /** Names the paths are built from (few, so that they collide). */
  names?: readonly string[];
}

/** Operations node:fs cannot issue, with the reason (printed by `vfsim check posix`). */
export const LINUX_EXCLUDED: Readonly<Record<string, string>> = {
  lseek: 'node:fs has no lseek(2)',
  dup: 'node:fs has no dup(2)',
  'rename flags': 'node:fs has no renameat2(2) (RENAME_NOREPLACE, RENAME_EXCHANGE)',
  'absolute symlink targets': 'on the host they would point outside the sandbox directory',
  'empty paths': 'the path generator makes none; the bad-input fuzz test covers them on both sides',
  'link by a non-root user (model only)': 'the host has fs.protected_hardlinks=1 (a sysctl; off by default in the kernel and the model; vfsim is run with the host\'s setting)',
  'access by a non-root user': 'access(2) checks the real uid, and the host switches only the effective one (seteuid)',
};

export function pathArb(o: OpsOptions = {}): fc.Arbitrary<string> {
  const names = o.names ?? ['a', 'b', 'c'];
  const comp = fc.oneof({ weight: 14, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.constantFrom('.', '..') });
  // Mostly short paths, so that names collide and the tree grows; sometimes a trailing slash.
  const depth = fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 3, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: fc.constant(3) });
  return fc.tuple(depth.chain((d) => fc.array(comp, { minLength: d, maxLength: d })), fc.integer({ min: 0, max: 11 }))
    .map(([parts, r]) => parts.join('/') + (r === 0 ? '/' : ''));
}

const modeArb = fc.oneof(
  fc.constantFrom(0o755, 0o644, 0o700, 0o777, 0o000, 0o600),
  fc.integer({ min: 0, max: 0o7777 }),
);

export function opArb(o: OpsOptions = {}): fc.Arbitrary<Op> {
  const path = pathArb(o);
  const fd = fc.oneof({ weight: 12, arbitrary: fc.nat({ max: 7 }) }, { weight: 1, arbitrary: fc.constant(-1) });
  const data = fc.string({ unit: fc.constantFrom('x', 'y', 'z', '0', '1'), minLength: 1, maxLength: 24 });
  const pos = fc.oneof({ weight: 8, arbitrary: fc.nat({ max: 40 }) }, { weight: 1, arbitrary: fc.constantFrom(4095, 4096, 8190) });
  const len = fc.oneof({ weight: 8, arbitrary: fc.nat({ max: 40 }) }, { weight: 1, arbitrary: fc.constantFrom(4096, 5000) });
  const acc = fc.constantFrom<OpenFlagName>('O_RDONLY', 'O_WRONLY', 'O_RDWR');
  // Each optional flag is present with probability 1/4 (O_CREAT 1/2), so most opens are plausible ones.
  const opt = (name: OpenFlagName, w: number): fc.Arbitrary<OpenFlagName[]> =>
    fc.oneof({ weight: w, arbitrary: fc.constant<OpenFlagName[]>([name]) }, { weight: 4 - w, arbitrary: fc.constant<OpenFlagName[]>([]) });
  const openFlags = fc.tuple(acc, opt('O_CREAT', 2), opt('O_EXCL', 1), opt('O_TRUNC', 1), opt('O_APPEND', 1), opt('O_DIRECTORY', 1), opt('O_NOFOLLOW', 1))
    .map(([a, ...rest]) => [a, ...rest.flat()] as OpenFlagName[]);
  const target = o.linux
    ? fc.oneof(path, fc.constantFrom('a', 'b', '../a'))
    : fc.oneof(path, fc.constantFrom('/a', '/b/c', 'a', '../a'));
  const asUser = o.users === false ? fc.constant({}) : fc.oneof(
    { weight: 6, arbitrary: fc.constant({}) },
    { weight: 2, arbitrary: fc.constant({ user: 1 as const }) },
    { weight: 2, arbitrary: fc.constant({ user: 2 as const }) },
  );
  // A path operation as root or as one of USERS.
  const by = <T extends object>(a: fc.Arbitrary<T>): fc.Arbitrary<T & As> => fc.tuple(a, asUser).map(([x, u]) => ({ ...x, ...u }));
  const ops: fc.WeightedArbitrary<Op>[] = [
    { weight: 4, arbitrary: by(fc.record({ op: fc.constant('open' as const), path, flags: openFlags, mode: modeArb })) },
    { weight: 4, arbitrary: by(fc.record({ op: fc.constant('open' as const), path, flags: fc.constant<OpenFlagName[]>(['O_RDWR', 'O_CREAT']), mode: fc.constant(0o644) })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('close' as const), fd })) },
    { weight: 2, arbitrary: by(fc.record({ op: fc.constant('read' as const), fd, len: len.map((n) => Math.max(1, n)) })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('pread' as const), fd, len: len.map((n) => Math.max(1, n)), pos })) },
    { weight: 3, arbitrary: by(fc.record({ op: fc.constant('write' as const), fd, data })) },
    { weight: 2, arbitrary: by(fc.record({ op: fc.constant('pwrite' as const), fd, data, pos })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('fstat' as const), fd })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('ftruncate' as const), fd, len })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('fchmod' as const), fd, mode: modeArb })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('fsync' as const), fd })) },
    { weight: 3, arbitrary: by(fc.record({ op: fc.constant('mkdir' as const), path, mode: modeArb })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('rmdir' as const), path })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('unlink' as const), path })) },
    { weight: 3, arbitrary: by(fc.record({ op: fc.constant('rename' as const), from: path, to: path, flags: o.linux ? fc.constant<RenameFlag>(0) : fc.constantFrom<RenameFlag>(0, 0, 'RENAME_NOREPLACE', 'RENAME_EXCHANGE') })) },
    { weight: 2, arbitrary: o.linux && !o.userLinks ? fc.record({ op: fc.constant('link' as const), from: path, to: path }) : by(fc.record({ op: fc.constant('link' as const), from: path, to: path })) },
    { weight: 2, arbitrary: by(fc.record({ op: fc.constant('symlink' as const), target, path })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('readlink' as const), path })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('stat' as const), path })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('lstat' as const), path })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('chmod' as const), path, mode: modeArb })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('chown' as const), path, uid: fc.constantFrom(-1, 0, 1000, 1001), gid: fc.constantFrom(-1, 0, 1000, 1002) })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('truncate' as const), path, len })) },
    { weight: 1, arbitrary: by(fc.record({ op: fc.constant('readdir' as const), path: fc.oneof(path, fc.constant('.')) })) },
    { weight: 1, arbitrary: o.linux ? fc.record({ op: fc.constant('access' as const), path, mode: fc.constantFrom(0, 1, 2, 4, 7) }) : by(fc.record({ op: fc.constant('access' as const), path, mode: fc.constantFrom(0, 1, 2, 4, 7) })) },
  ];
  if (o.times) {
    ops.push({ weight: 8, arbitrary: fc.record({ op: fc.constant('stamp' as const), path: fc.oneof(
      { weight: 1, arbitrary: path }, { weight: 3, arbitrary: fc.constantFrom('.', 'a', 'b', 'c', 'a/b') }) }) });
  }
  if (!o.linux) {
    ops.push(
      { weight: 1, arbitrary: by(fc.record({ op: fc.constant('lseek' as const), fd, offset: fc.integer({ min: -8, max: 40 }), whence: fc.constantFrom<Whence>('SEEK_SET', 'SEEK_CUR', 'SEEK_END') })) },
      { weight: 1, arbitrary: by(fc.record({ op: fc.constant('dup' as const), fd })) },
    );
  }
  return fc.oneof(...ops);
}

export function opsArb(maxOps: number, o: OpsOptions = {}): fc.Arbitrary<Op[]> {
  return fc.array(opArb(o), { minLength: 1, maxLength: maxOps, size: 'max' });
}
