// Shared set-up for the mm tests: a machine's RAM, a backend over it (ramfs, or the store backend
// whose pages can be evicted), a VFS process, and the memory manager with one address space.

import { Ram } from '../../src/hw/ram.js';
import { Mm } from '../../src/mm/mm.js';
import { RamFs } from '../../fs-ram/index.js';
import { StoreFs } from '../../src/testing/store-fs.js';
import { Vfs } from '../../vfs/vfs.js';
import { O_CREAT, O_RDWR } from '../../vfs/constants.js';

export function setup(o: { fs?: 'ramfs' | 'store'; ramMiB?: number; hardwareDirty?: boolean } = {}) {
  const ram = new Ram({ bytes: (o.ramMiB ?? 8) * 1048576 });
  const fs = o.fs === 'store' ? new StoreFs({ ram }) : new RamFs({ ram });
  const vfs = new Vfs({ root: fs });
  const p = vfs.root;
  const mm = new Mm({ ram, pageCache: fs.pageCache, hardwareDirty: o.hardwareDirty ?? false });
  const as = mm.createAddressSpace();
  return { ram, fs, vfs, p, mm, as, cpu: mm.cpu };
}

/** A file of `len` bytes, byte i = (i * 7 + seed) & 255, open O_RDWR. */
export function patternFile(p: ReturnType<typeof setup>['p'], path: string, len: number, seed = 1): { fd: number; data: Uint8Array } {
  const data = new Uint8Array(len);
  for (let i = 0; i < len; i++) data[i] = (i * 7 + seed) & 255;
  const fd = p.open(path, O_RDWR | O_CREAT, 0o644);
  p.write(fd, data, 0, len, 0);
  return { fd, data };
}

export function errCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'ok';
}
