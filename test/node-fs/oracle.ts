// Differential harness: run the same script against real node:fs in a fresh directory on Linux tmpfs
// (/dev/shm) and against createFs() with the same absolute directory made inside the VFS, then compare
// every step's outcome — results, and errors down to class, code, errno, syscall, path, dest, message.

import * as realFs from 'node:fs';
import { createFs, Dirent, Stats, BigIntStats } from '../../src/node-fs/index.js';

export type AnyFs = typeof realFs | ReturnType<typeof createFs>;
export type Step = (f: () => unknown) => void;
export type Script = (fs: any, R: string, step: Step) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The shape of a value that must agree between the two: no inode numbers, devices or times. */
export function describe(v: unknown): unknown {
  if (v instanceof Error) {
    const e = v as Error & Record<string, unknown>;
    // vfsim's system errors are FsError, a subclass of Error named 'Error'; Node's cp errors are a NodeError subclass of SystemError.
    const cls = e.constructor.name === 'NodeError' ? 'SystemError' : e.constructor.name === 'FsError' ? 'Error' : e.constructor.name;
    const out: Record<string, unknown> = { class: cls, name: e.name, message: e.message };
    for (const k of ['code', 'errno', 'syscall', 'path', 'dest']) if (k in e) out[k] = e[k];
    if ('info' in e) out.info = e.info;
    return out;
  }
  if (v instanceof realFs.Stats || v instanceof Stats || v instanceof BigIntStats || (typeof v === 'object' && v !== null && 'atimeNs' in v)) {
    const s = v as realFs.Stats;
    return {
      stats: typeof s.size, file: s.isFile(), dir: s.isDirectory(), link: s.isSymbolicLink(),
      size: s.size, mode: s.mode, nlink: s.nlink, uid: s.uid, gid: s.gid,
      // Directory sizes are filesystem-specific (tmpfs counts entries × 20 bytes), so are blocks.
    };
  }
  if (v instanceof realFs.Dirent || v instanceof Dirent) {
    const d = v as realFs.Dirent;
    return { dirent: d.name, parentPath: d.parentPath, file: d.isFile(), dir: d.isDirectory(), link: d.isSymbolicLink() };
  }
  if (Buffer.isBuffer(v)) return `buffer:${v.toString('hex')}`;
  if (Array.isArray(v)) return v.map(describe);
  if (typeof v === 'bigint') return `${v}n`;
  return v;
}

let seq = 0;

/** Run `script` on both and return [node's steps, vfsim's steps]. */
export function runBoth(script: Script): [unknown[], unknown[], string] {
  const R = `/dev/shm/vfsim-nodefs-${process.pid}-${seq++}`;
  realFs.rmSync(R, { recursive: true, force: true });
  realFs.mkdirSync(R, { recursive: true });
  const ours = createFs(undefined, { ramBytes: 64 << 20 });
  ours.mkdirSync(R, { recursive: true });
  const run = (fs: AnyFs): unknown[] => {
    const steps: unknown[] = [];
    const step: Step = (f) => {
      try { steps.push({ ok: describe(f()) }); } catch (e) { steps.push({ err: describe(e) }); }
    };
    const cwd = process.cwd();
    try { script(fs, R, step); } finally { process.chdir(cwd); }
    return steps;
  };
  try {
    return [run(realFs), run(ours), R];
  } finally {
    realFs.rmSync(R, { recursive: true, force: true });
  }
}
