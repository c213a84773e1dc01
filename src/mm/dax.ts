// DAX file mappings (Linux fs/dax.c, Documentation/filesystems/dax.rst): a file on persistent memory is
// mapped by pointing the page-table entries at the file's blocks on the device, with no page cache. The
// filesystem says where a page lives (`page`); msync/fsync write the mapped lines back with DC CVAP and
// a DSB (dax_writeback_mapping_range, which flushes with arch_wb_cache_pmem), and the filesystem zaps
// the translations of pages whose block moves (pcmfs writes copy-on-write: see PcmFs.daxMapping).

import type { Paddr } from '../hw/ram.js';
import type { PcmDevice } from '../hw/pcm/pcm.js';
import type { FileMapping } from './file-mapping.js';
import type { Mm } from './mm.js';

const PS = 4096;

/**
 * The DAX side of one file's FileMapping (`FileMapping.dax`). The mapping has no pages of its own; its
 * `size` is kept equal to the file's by the filesystem, so the fault handler's SIGBUS-past-EOF rule holds.
 */
export class DaxState {
  /** Memory managers whose address spaces may hold translations of this file (filled by the fault handler). */
  readonly mms = new Set<Mm>();
  /** Pages handed to a fault and their PAs: what writeback flushes and what invalidate forgets. */
  readonly mapped = new Map<number, Paddr>();

  constructor(
    /** The persistent memory the file's blocks live on (the CPU must have it attached: Cpu.attachPcm). */
    readonly dev: PcmDevice,
    /**
     * PA of file page `idx` (4 KiB aligned, inside `dev`), allocating a block for a hole; -1 if it
     * cannot be had (no space, I/O error): the fault then raises SIGBUS, as a DAX fault's VM_FAULT_SIGBUS.
     */
    private readonly lookup: (idx: number) => Paddr,
  ) {}

  /** The PA to map for page `idx` (see the constructor's `lookup`), remembered for writeback. */
  page(idx: number): Paddr {
    const pa = this.lookup(idx);
    if (pa >= 0) this.mapped.set(idx, pa);
    return pa;
  }
}

/**
 * Write back the mapped pages of [first, last) (page indices): DC CVAP of every line, then one DSB, so
 * every store made through a mapping before the call is in every crash image after it (Arm ARM B2.6.x
 * "persistence", DC CVAP to the point of persistence). Returns the pages flushed.
 */
export function daxWriteback(d: DaxState, first: number, last: number): number {
  let n = 0;
  for (const [idx, pa] of d.mapped) {
    if (idx < first || idx >= last) continue;
    d.dev.flushRange(pa - d.dev.base, PS);
    n++;
  }
  d.dev.fence();
  return n;
}

/**
 * The file's pages [first, last) no longer live where they were mapped (their blocks were replaced or
 * freed): remove every translation of them in every space that maps `m` (unmap_mapping_range), so the
 * next access faults and maps the current block. Private copies (COW frames) are kept, as in Linux.
 */
export function daxInvalidate(m: FileMapping, first: number, last: number): void {
  const d = m.dax;
  if (d === null) return;
  for (const idx of d.mapped.keys()) if (idx >= first && idx < last) d.mapped.delete(idx);
  for (const mm of d.mms) {
    for (const as of mm.spaces) {
      if (as === undefined) continue;
      for (const v of as.vmas) {
        if (v.mapping !== m) continue;
        const vFirst = v.pgoff, vLast = v.pgoff + (v.end - v.start) / PS;
        const s = Math.max(first, vFirst), e = Math.min(last, vLast);
        if (s >= e) continue;
        mm.zapRange(as, v.start + (s - vFirst) * PS, v.start + (e - vFirst) * PS, false);
      }
    }
  }
}
