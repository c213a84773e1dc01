// vfsim as a subject of `vfsim bench fs`, two ways over the same machine (a ramfs root in a 1 GiB RAM,
// createFs()'s default): through createFs(), the node:fs face users switch to from memfs, and through
// the VFS's own syscall surface (a Vfs process), with no Node-shaped layer on top.

import { O_CREAT, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from '../vfs/constants.js';
import type { Syscalls } from '../vfs/syscalls.js';
import { NodeShapedSubject, SubjectUnavailable, type FsSubject, type NodeFsLike } from './fs-subject.js';

/** Imported lazily, so that a tree that does not build yet reports "unavailable" instead of failing the peers. */
async function importOwn<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    throw new SubjectUnavailable(`not built (${e instanceof Error ? e.message.split('\n')[0] : e})`);
  }
}

export async function loadVfsim(): Promise<FsSubject> {
  const { createFs, DEFAULT_RAM_BYTES } = await importOwn(() => import('../src/node-fs/index.js'));
  const fs = createFs() as unknown as NodeFsLike;
  return new NodeShapedSubject('vfsim', `vfsim createFs() (ramfs root, ${DEFAULT_RAM_BYTES >>> 20} MiB RAM)`, fs, '');
}

export async function loadVfsimVfs(): Promise<FsSubject> {
  const [{ Vfs }, { RamFs }, { Ram }, { Clock }, { DEFAULT_RAM_BYTES }] = await importOwn(() =>
    Promise.all([
      import('../vfs/vfs.js'),
      import('../fs-ram/index.js'),
      import('../src/hw/ram.js'),
      import('../src/sim/clock.js'),
      import('../src/node-fs/index.js'),
    ]),
  );
  const clock = new Clock();
  const vfs = new Vfs({ root: new RamFs({ ram: new Ram({ bytes: DEFAULT_RAM_BYTES }), clock }), clock });
  return new SyscallsSubject(vfs.process(), `vfsim Vfs.process() syscalls (ramfs root, ${DEFAULT_RAM_BYTES >>> 20} MiB RAM)`);
}

const OPEN_FLAGS = { w: O_WRONLY | O_CREAT | O_TRUNC, r: O_RDONLY, 'r+': O_RDWR } as const;

/** Drives a process's syscalls as a C program would: open/read/write/close, buffers it owns. */
export class SyscallsSubject implements FsSubject {
  readonly name = 'vfsim-vfs';
  readonly root = '';
  constructor(
    private readonly sys: Syscalls,
    readonly what: string,
  ) {}

  mkdir(path: string): void {
    this.sys.mkdir(path, 0o755);
  }
  createFile(path: string, data: Uint8Array): void {
    const fd = this.sys.open(path, OPEN_FLAGS.w, 0o644);
    try {
      this.sys.write(fd, data, 0, data.length, null);
    } finally {
      this.sys.close(fd);
    }
  }
  /** Reads to end of file (read returning 0), as readFileSync does. */
  readSmall(path: string, buf: Uint8Array): number {
    const fd = this.sys.open(path, O_RDONLY);
    let total = 0;
    try {
      for (;;) {
        const n = this.sys.read(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        total += n;
      }
    } finally {
      this.sys.close(fd);
    }
    return total;
  }
  stat(path: string): number {
    return this.sys.stat(path).size;
  }
  readdir(path: string): number {
    return this.sys.readdir(path).length;
  }
  rename(from: string, to: string): void {
    this.sys.rename(from, to);
  }
  unlink(path: string): void {
    this.sys.unlink(path);
  }
  open(path: string, mode: 'w' | 'r' | 'r+'): number {
    return this.sys.open(path, OPEN_FLAGS[mode], 0o644);
  }
  read(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number {
    return this.sys.read(fd, buf, off, len, pos);
  }
  write(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number {
    return this.sys.write(fd, buf, off, len, pos);
  }
  close(fd: number): void {
    this.sys.close(fd);
  }
  dispose(): void {}
}
