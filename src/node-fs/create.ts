// createFs: an object shaped like node:fs (sync, callback and promises forms, constants, the classes,
// streams, and memfs's fromJSON/toJSON) over one process of a VFS. With no argument it builds its own
// machine: a default-sized RAM (1 GiB, an ArrayBuffer the OS zero-fills lazily, so untouched frames
// cost no resident memory), a ramfs root in that RAM, and a VFS with its own virtual clock.

import { Ram } from '../hw/ram.js';
import { Clock } from '../sim/clock.js';
import { RamFs } from '../../fs-ram/index.js';
import { Vfs } from '../../vfs/vfs.js';
import type { ProcessOptions, Syscalls } from '../../vfs/syscalls.js';
import { buildFace } from './face.js';

/** Default RAM of a self-made machine: 1 GiB (enough for the 256 MiB benchmark files with room to spare). */
export const DEFAULT_RAM_BYTES = 1 << 30;

/** Something that makes processes: a `Vfs`. */
export interface ProcessFactory {
  process(opts?: ProcessOptions): Syscalls;
}

export interface CreateFsOptions extends ProcessOptions {
  /** RAM size when createFs builds its own machine (default DEFAULT_RAM_BYTES). */
  ramBytes?: number;
  /** Seed of mkdtemp's name generator (default fixed: same calls, same names). */
  seed?: number;
}

function isFactory(x: unknown): x is ProcessFactory {
  return typeof (x as ProcessFactory).process === 'function' && typeof (x as Syscalls).open !== 'function';
}

/** A VFS with a ramfs root over a RAM of its own (`ramBytes`, default 1 GiB), sharing one virtual clock. */
export function createDefaultVfs(ramBytes = DEFAULT_RAM_BYTES): Vfs {
  const clock = new Clock();
  const ram = new Ram({ bytes: ramBytes });
  return new Vfs({ root: new RamFs({ ram, clock }), clock });
}

/**
 * A node:fs-shaped object over a VFS process.
 *
 * - `createFs()` — a fresh machine: 1 GiB RAM, ramfs root, root credentials, umask 022, cwd '/'.
 * - `createFs(vfs, opts?)` — a new process of an existing `Vfs` (opts: cred, umask, cwd).
 * - `createFs(process)` — the face over a process (any `Syscalls`) you made yourself.
 *
 * Besides node:fs's names it carries `fromJSON`/`toJSON` (memfs's snapshots) and `sys`, the
 * underlying process, for calls node:fs lacks (mount, umask, chdir).
 */
export function createFs(vfs?: Vfs | ProcessFactory | Syscalls, opts: CreateFsOptions = {}) {
  const { ramBytes, seed, ...procOpts } = opts;
  const source = vfs ?? createDefaultVfs(ramBytes);
  const sys: Syscalls = isFactory(source) ? source.process(procOpts) : (source as Syscalls);
  return buildFace(sys, seed);
}

export type NodeFs = ReturnType<typeof createFs>;
