// fsx's second mode: two address spaces (two ASIDs, two TTBR0 roots) map the same file, one shared and
// one private, and random stores through each are checked from the other and through read():
// a shared store is seen by every shared mapping and by read() at once (one page cache); a private
// store is seen by nobody else, and a private page not yet written still shows the file (mmap(2)).

import { Ram } from '../../hw/ram.js';
import { Mm } from '../../mm/mm.js';
import { MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../mm/mman.js';
import { Prng } from '../../sim/prng.js';
import { Vfs } from '../../../vfs/vfs.js';
import { mmapFd } from '../../../vfs/mmap-fd.js';
import { O_CREAT, O_RDWR } from '../../../vfs/constants.js';
import type { FsxBackendFactory } from './fsx.js';

export interface TwoSpacesResult {
  ops: number;
  failures: string[];
}

export function runTwoSpaces(backend: FsxBackendFactory, opts: { seed?: number; ops?: number; ramMiB?: number; hardwareDirty?: boolean } = {}): TwoSpacesResult {
  const ram = new Ram({ bytes: (opts.ramMiB ?? 16) << 20 });
  const fs = backend(ram);
  const p = new Vfs({ root: fs }).root;
  const mm = new Mm({ ram, pageCache: fs.pageCache, hardwareDirty: opts.hardwareDirty ?? false });
  const a = mm.createAddressSpace(), b = mm.createAddressSpace();
  const pages = 16, len = pages * 4096;
  const fd = p.open('/two', O_RDWR | O_CREAT, 0o644);
  p.ftruncate(fd, len);
  const file = new Uint8Array(len); // model of the file
  const priv = new Uint8Array(len); // model of b's private view
  const privWritten = new Uint8Array(pages);
  const va = mmapFd(p, a, 0, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  const vb = mmapFd(p, b, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  const rng = new Prng(opts.seed ?? 1);
  const failures: string[] = [];
  const n = opts.ops ?? 2000;
  const one = new Uint8Array(1);
  for (let i = 1; i <= n && failures.length === 0; i++) {
    const off = rng.below(len), v = i & 255;
    const k = rng.below(4);
    if (k === 0) { mm.switchTo(a); mm.cpu.store8(va + off, v); file[off] = v; }
    else if (k === 1) {
      const pg = off >> 12;
      // The first private store copies the page as the file has it then (copy-on-write).
      if (!privWritten[pg]) { priv.set(file.subarray(pg * 4096, pg * 4096 + 4096), pg * 4096); privWritten[pg] = 1; }
      mm.switchTo(b); mm.cpu.store8(vb + off, v); priv[off] = v;
    }
    else if (k === 2) { p.write(fd, Uint8Array.of(v), 0, 1, off); file[off] = v; }
    // Check one byte through each view.
    const q = rng.below(len);
    mm.switchTo(a);
    const ga = mm.cpu.load8(va + q);
    mm.switchTo(b);
    const gb = mm.cpu.load8(vb + q);
    p.read(fd, one, 0, 1, q);
    const wantB = privWritten[q >> 12] ? priv[q]! : file[q]!;
    if (ga !== file[q]) failures.push(`op ${i}: shared view at ${q} reads ${ga}, file has ${file[q]}`);
    if (one[0] !== file[q]) failures.push(`op ${i}: read() at ${q} gives ${one[0]}, file has ${file[q]}`);
    if (gb !== wantB) failures.push(`op ${i}: private view at ${q} reads ${gb}, want ${wantB}`);
  }
  return { ops: n, failures };
}
