// Shared set-up for the VFS tests: a Vfs over a fresh ramfs, processes with given credentials, and an
// errno assertion. Not a test file (tap runs *.test.ts only).

import type { Test } from 'tap';
import { Vfs } from '../../vfs/vfs.js';
import type { Process } from '../../vfs/process.js';
import { RamFs } from '../../fs-ram/index.js';
import { Ram } from '../../src/hw/ram.js';
import { FsError, type ErrnoCode } from '../../vfs/errno.js';
import type { Ino } from '../../vfs/backend.js';

/** A RamFs that records the inodes the VFS hands to `inactive`. */
export class CountingRamFs extends RamFs {
  readonly inactivated: Ino[] = [];
  override inactive(ino: Ino): void {
    this.inactivated.push(ino);
    super.inactive(ino);
  }
}

export function ramfs(): CountingRamFs {
  return new CountingRamFs({ ram: new Ram({ bytes: 16 << 20 }) });
}

export function setup(): { vfs: Vfs; p: Process; fs: CountingRamFs } {
  const fs = ramfs();
  const vfs = new Vfs({ root: fs });
  return { vfs, p: vfs.root, fs };
}

export function user(vfs: Vfs, uid: number, gid = uid, groups: number[] = [], cwd?: string): Process {
  return vfs.process({ cred: { uid, gid, groups }, umask: 0o022, ...(cwd !== undefined ? { cwd } : {}) });
}

/** Assert `fn` throws an FsError with `code` (and, if given, syscall). */
export function errno(t: Test, fn: () => unknown, code: ErrnoCode, what: string, syscall?: string): void {
  try {
    fn();
    t.fail(`${what}: expected ${code}, got success`);
  } catch (e) {
    if (!(e instanceof FsError)) {
      t.fail(`${what}: expected FsError ${code}, got ${String(e)}`);
      return;
    }
    t.equal(e.code, code, what);
    if (syscall !== undefined) t.equal(e.syscall, syscall, `${what} (syscall)`);
  }
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Write a whole file (create or truncate). */
export function put(p: Process, path: string, text: string, mode = 0o644): void {
  const fd = p.open(path, 0o1101, mode); // O_CREAT|O_WRONLY|O_TRUNC
  const b = enc(text);
  p.write(fd, b, 0, b.length, null);
  p.close(fd);
}

/** Read a whole file. */
export function get(p: Process, path: string): string {
  const fd = p.open(path, 0);
  const size = p.fstat(fd).size;
  const b = new Uint8Array(size);
  let n = 0;
  while (n < size) {
    const r = p.read(fd, b, n, size - n, null);
    if (r === 0) break;
    n += r;
  }
  p.close(fd);
  return dec(b.subarray(0, n));
}

/** The whole tree as sorted "path type mode uid gid size nlink [target|content]" lines (for "unchanged" checks). */
export function tree(p: Process, dir = '/'): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of p.readdir(d)) {
      const path = (d === '/' ? '' : d) + '/' + e.name;
      const s = p.lstat(path);
      let extra = '';
      if ((s.mode & 0o170000) === 0o120000) extra = p.readlink(path);
      else if ((s.mode & 0o170000) === 0o100000) extra = get(p, path);
      out.push(`${path} ${s.mode.toString(8)} ${s.uid} ${s.gid} ${s.size} ${s.nlink} ${extra}`);
      if ((s.mode & 0o170000) === 0o040000) walk(path);
    }
  };
  walk(dir);
  return out.sort();
}
