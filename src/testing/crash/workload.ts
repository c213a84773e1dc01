// The crash explorer's workload format: a JSON list of system calls on paths relative to the test root,
// backend-neutral, and its interpreter over any `Syscalls` (a vfsim Process). Descriptors are named by the
// path they were opened on, as in ACE's j-lang (CrashMonkey, OSDI '18): `open foo` gives fd "foo".
// Written data is CrashMonkey's pattern (`WriteData`: the 32-byte text below, repeated).

import { FsError, fsErr } from '../../../vfs/errno.js';
import * as C from '../../../vfs/constants.js';
import type { Syscalls } from '../../../vfs/syscalls.js';

/** One call. `path` fields are relative to the test root ('' is the root itself). */
export type CrashCall =
  | { op: 'open'; path: string; flags: string[]; mode?: number }
  | { op: 'opendir'; path: string }
  | { op: 'close'; path: string }
  | { op: 'creat'; path: string; mode?: number }
  | { op: 'mkdir'; path: string; mode?: number }
  | { op: 'rmdir'; path: string }
  | { op: 'unlink'; path: string }
  | { op: 'remove'; path: string }
  | { op: 'link'; from: string; to: string }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'rename'; from: string; to: string }
  /** pwrite of `len` bytes at `off` of the pattern `data` ('write', 'dwrite', 'mmapwrite'; default 'write'). */
  | { op: 'write'; path: string; off: number; len: number; data?: 'write' | 'dwrite' | 'mmapwrite' }
  | { op: 'truncate'; path: string; len: number }
  | { op: 'falloc'; path: string; mode: number; off: number; len: number }
  | { op: 'fsync'; path: string }
  | { op: 'fdatasync'; path: string }
  | { op: 'sync' };

export interface Workload {
  name: string;
  calls: CrashCall[];
  /**
   * Index of the first call whose crash states are explored (calls before it are set-up, run before
   * recording starts: Chipmunk's `mark`). Default 0.
   */
  from?: number;
  /** Explore up to this call (exclusive). Default: all calls. */
  to?: number;
}

export const PATTERNS = {
  write: 'abcdefghijklmnopqrstuvwxyz123456',
  dwrite: 'ddddddddddklmnopqrstuvwxyz123456',
  mmapwrite: 'mmmmmmmmmmklmnopqrstuvwxyz123456',
} as const;

const patternBytes = new Map<string, Uint8Array>();
/** `len` bytes of the pattern as it lies at file offset `off` (CrashMonkey writes it from the buffer start). */
export function patternData(kind: keyof typeof PATTERNS, len: number): Uint8Array {
  const key = `${kind}:${len}`;
  let b = patternBytes.get(key);
  if (b === undefined) {
    const p = new TextEncoder().encode(PATTERNS[kind]);
    b = new Uint8Array(len);
    for (let i = 0; i < len; i++) b[i] = p[i % p.length]!;
    if (patternBytes.size > 64) patternBytes.clear();
    patternBytes.set(key, b);
  }
  return b;
}

const FLAG_VALUES: Record<string, number> = {
  O_RDONLY: C.O_RDONLY, O_WRONLY: C.O_WRONLY, O_RDWR: C.O_RDWR, O_CREAT: C.O_CREAT, O_EXCL: C.O_EXCL,
  O_TRUNC: C.O_TRUNC, O_APPEND: C.O_APPEND, O_DIRECTORY: C.O_DIRECTORY, O_NOFOLLOW: C.O_NOFOLLOW,
  O_DIRECT: 0, O_SYNC: C.O_SYNC, O_DSYNC: C.O_DSYNC,
};
export const openFlagNames = Object.keys(FLAG_VALUES);

const OPS = new Set(['open', 'opendir', 'close', 'creat', 'mkdir', 'rmdir', 'unlink', 'remove', 'link', 'symlink', 'rename',
  'write', 'truncate', 'falloc', 'fsync', 'fdatasync', 'sync']);

/** Check a parsed JSON workload file: an array of calls, or of workloads ({name, calls}); EINVAL otherwise. */
export function parseWorkloadJson(text: string, name: string): Workload[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw fsErr('EINVAL', 'workload', name);
  }
  const asCalls = (x: unknown): CrashCall[] => {
    if (!Array.isArray(x)) throw fsErr('EINVAL', 'workload', name);
    for (const c of x) {
      if (typeof c !== 'object' || c === null || !OPS.has((c as { op: string }).op)) throw fsErr('EINVAL', 'workload', name);
      for (const k of ['path', 'from', 'to', 'target'] as const) {
        const f = (c as Record<string, unknown>)[k];
        if (f !== undefined && typeof f !== 'string') throw fsErr('EINVAL', 'workload', name);
      }
      for (const k of ['off', 'len', 'mode'] as const) {
        const f = (c as Record<string, unknown>)[k];
        if (f !== undefined && !Number.isSafeInteger(f)) throw fsErr('EINVAL', 'workload', name);
      }
    }
    return x as CrashCall[];
  };
  if (!Array.isArray(v)) throw fsErr('EINVAL', 'workload', name);
  if (v.length > 0 && typeof v[0] === 'object' && v[0] !== null && 'calls' in v[0]) {
    return v.map((w, i) => {
      const o = w as Partial<Workload>;
      const wl: Workload = { name: typeof o.name === 'string' ? o.name : `${name}#${i}`, calls: asCalls(o.calls) };
      if (Number.isSafeInteger(o.from)) wl.from = o.from!;
      if (Number.isSafeInteger(o.to)) wl.to = o.to!;
      return wl;
    });
  }
  return [{ name, calls: asCalls(v) }];
}

/** One-line C-like form of a call, for reports. */
export function formatCall(c: CrashCall): string {
  switch (c.op) {
    case 'open': return `open("${c.path}", ${c.flags.join('|')}, 0${(c.mode ?? 0).toString(8)})`;
    case 'link': case 'rename': return `${c.op}("${c.from}", "${c.to}")`;
    case 'symlink': return `symlink("${c.target}", "${c.path}")`;
    case 'write': return `pwrite("${c.path}", ${c.data ?? 'write'}, ${c.len}, ${c.off})`;
    case 'truncate': return `truncate("${c.path}", ${c.len})`;
    case 'falloc': return `fallocate("${c.path}", ${c.mode}, ${c.off}, ${c.len})`;
    case 'sync': return 'sync()';
    default: return `${c.op}("${c.path}")`;
  }
}

/** Runs calls on a process, keeping the descriptors by path. */
export class WorkloadExecutor {
  readonly p: Syscalls;
  readonly root: string;
  private readonly fds = new Map<string, number>();

  constructor(p: Syscalls, root = '/') {
    this.p = p;
    this.root = root.endsWith('/') ? root : root + '/';
  }

  abs(path: string): string {
    return path === '' ? (this.root === '/' ? '/' : this.root.slice(0, -1)) : this.root + path;
  }

  /** Run one call: 'ok' or the errno code. */
  run(c: CrashCall): string {
    try {
      this.exec(c);
      return 'ok';
    } catch (e) {
      if (e instanceof FsError) return e.code;
      throw e;
    }
  }

  /** Close every descriptor still open (the end of a workload). */
  closeAll(): void {
    for (const fd of this.fds.values()) {
      try {
        this.p.close(fd);
      } catch {
        // already closed by the workload's own calls
      }
    }
    this.fds.clear();
  }

  private fdFor(path: string, dir = false): { fd: number; temp: boolean } {
    const fd = this.fds.get(path);
    if (fd !== undefined) return { fd, temp: false };
    return { fd: this.p.open(this.abs(path), dir ? C.O_RDONLY : C.O_RDWR), temp: true };
  }

  private exec(c: CrashCall): void {
    const p = this.p;
    switch (c.op) {
      case 'open': {
        let flags = 0;
        for (const f of c.flags) {
          const v = FLAG_VALUES[f];
          if (v === undefined) throw fsErr('EINVAL');
          flags |= v;
        }
        const fd = p.open(this.abs(c.path), flags, c.mode ?? 0o644);
        const old = this.fds.get(c.path);
        if (old !== undefined) p.close(old);
        this.fds.set(c.path, fd);
        return;
      }
      case 'opendir': {
        const fd = p.open(this.abs(c.path), C.O_DIRECTORY | C.O_RDONLY);
        const old = this.fds.get(c.path);
        if (old !== undefined) p.close(old);
        this.fds.set(c.path, fd);
        return;
      }
      case 'close': {
        const fd = this.fds.get(c.path);
        if (fd === undefined) throw fsErr('EBADF');
        this.fds.delete(c.path);
        p.close(fd);
        return;
      }
      case 'creat': {
        const fd = p.open(this.abs(c.path), C.O_CREAT | C.O_WRONLY | C.O_TRUNC, c.mode ?? 0o644);
        p.close(fd);
        return;
      }
      case 'mkdir': p.mkdir(this.abs(c.path), c.mode ?? 0o755); return;
      case 'rmdir': p.rmdir(this.abs(c.path)); return;
      case 'unlink': p.unlink(this.abs(c.path)); return;
      case 'remove':
        try {
          p.unlink(this.abs(c.path));
        } catch (e) {
          if (e instanceof FsError && e.code === 'EISDIR') p.rmdir(this.abs(c.path));
          else throw e;
        }
        return;
      case 'link': p.link(this.abs(c.from), this.abs(c.to)); return;
      case 'symlink': p.symlink(c.target, this.abs(c.path)); return;
      case 'rename': p.rename(this.abs(c.from), this.abs(c.to)); return;
      case 'write': {
        if (c.off < 0 || c.len < 0) throw fsErr('EINVAL');
        const { fd, temp } = this.fdFor(c.path);
        try {
          p.write(fd, patternData(c.data ?? 'write', c.len), 0, c.len, c.off);
        } finally {
          if (temp) p.close(fd);
        }
        return;
      }
      case 'truncate': p.truncate(this.abs(c.path), c.len); return;
      case 'falloc': {
        if (c.off < 0 || c.len <= 0) throw fsErr('EINVAL');
        const { fd, temp } = this.fdFor(c.path);
        try {
          p.fallocate(fd, c.mode, c.off, c.len);
        } finally {
          if (temp) p.close(fd);
        }
        return;
      }
      case 'fsync':
      case 'fdatasync': {
        let h: { fd: number; temp: boolean };
        try {
          h = this.fdFor(c.path);
        } catch (e) {
          if (e instanceof FsError && e.code === 'EISDIR') h = this.fdFor(c.path, true);
          else throw e;
        }
        try {
          if (c.op === 'fsync') p.fsync(h.fd);
          else p.fdatasync(h.fd);
        } finally {
          if (h.temp) p.close(h.fd);
        }
        return;
      }
      case 'sync': p.sync(); return;
    }
  }
}
