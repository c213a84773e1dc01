// The mmap family on an address space, with Linux's argument rules and errors (mmap(2), munmap(2),
// mprotect(2), msync(2), madvise(2), mincore(2); mm/mmap.c, mm/mprotect.c, mm/msync.c). Ranges are
// split at VMA boundaries as __split_vma does; a descriptor that changes or goes is followed by a TLBI
// for the space's ASID and the VA. Faults fill pages lazily (fault.ts).

import { fsErr } from '../sim/errno.js';
import { MMAP_BASE, VA_LIMIT, type AddressSpace } from './address-space.js';
import {
  MADV_DONTNEED, MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MAP_ANONYMOUS, MAP_FIXED,
  MAP_FIXED_NOREPLACE, MAP_KNOWN, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_TYPE, MS_ASYNC,
  MS_INVALIDATE, MS_SYNC, PROT_EXEC, PROT_READ, PROT_WRITE,
} from './mman.js';
import type { FileMapping } from './page-cache.js';
import { Vma, type FileRef } from './vma.js';
import { installPage } from './fault.js';
import { daxWriteback } from './dax.js';

const PS = 4096;

/** What mmap needs of an open file: its page-cache mapping and its access mode (the VFS fills it in). */
export interface MmapFile {
  mapping: FileMapping;
  readable: boolean;
  writable: boolean;
  /** O_APPEND: a shared writable map is EACCES (mmap(2)). */
  append?: boolean;
  /** Take / drop a reference on the file: each VMA holds one, as a VMA holds its struct file in Linux. */
  ref?: FileRef;
}

function pageUp(n: number): number {
  return Math.ceil(n / PS) * PS;
}

function checkNum(...xs: number[]): void {
  for (const x of xs) if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw fsErr('EINVAL');
}

/**
 * mmap(2): map `length` bytes of `file` at `offset` (or anonymous memory when `file` is null and
 * MAP_ANONYMOUS is given) and return the address. Errors: EINVAL (zero length, misaligned offset or
 * fixed address, no or bad map type), EACCES (file not open for reading; shared writable map of a file
 * not open for writing or opened O_APPEND), EBADF (a file-less map without MAP_ANONYMOUS), EEXIST
 * (MAP_FIXED_NOREPLACE over a mapping), ENOMEM (no room, or past the VA range), EOPNOTSUPP (unknown
 * flags with MAP_SHARED_VALIDATE).
 */
export function mmap(as: AddressSpace, addr: number, length: number, prot: number, flags: number, file: MmapFile | null, offset: number): number {
  checkNum(addr, length, prot, flags, offset);
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) throw fsErr('EINVAL');
  if (type === MAP_SHARED_VALIDATE && (flags & ~MAP_KNOWN) !== 0) throw fsErr('EOPNOTSUPP');
  if (length <= 0 || offset < 0 || offset % PS !== 0) throw fsErr('EINVAL');
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) !== 0) throw fsErr('EINVAL');
  const len = pageUp(length);
  const anon = (flags & MAP_ANONYMOUS) !== 0;
  const shared = type !== MAP_PRIVATE;
  if (!anon) {
    if (file === null) throw fsErr('EBADF');
    if (!file.readable) throw fsErr('EACCES');
    if (shared && (prot & PROT_WRITE) !== 0 && (!file.writable || file.append === true)) throw fsErr('EACCES');
    if ((offset + len) / PS > Number.MAX_SAFE_INTEGER / PS) throw fsErr('EOVERFLOW');
  }
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  let start: number;
  if (fixed) {
    if (addr % PS !== 0) throw fsErr('EINVAL');
    if (addr < 0 || addr + len > VA_LIMIT) throw fsErr('ENOMEM');
    if ((flags & MAP_FIXED_NOREPLACE) !== 0 && (flags & MAP_FIXED) === 0) {
      const i = as.firstAfter(addr);
      if (i < as.vmas.length && as.vmas[i]!.start < addr + len) throw fsErr('EEXIST');
    }
    start = addr;
  } else {
    start = findFree(as, addr % PS === 0 && addr > 0 ? addr : MMAP_BASE, len);
  }
  const mm = as.mm;
  let mapping: FileMapping | null = null;
  let pgoff = 0;
  if (!anon) {
    mapping = file!.mapping;
    pgoff = offset / PS;
  } else if (shared) {
    // Shared anonymous memory is a shmem file of its own: unevictable pages, size = the length.
    mapping = mm.pageCache.createMapping({ evictable: false });
    mapping.size = len;
  }
  if (fixed) unmapRange(as, start, start + len);
  const vflags = (shared ? MAP_SHARED : MAP_PRIVATE) | (anon ? MAP_ANONYMOUS : 0);
  const ref = anon ? null : file!.ref ?? null;
  ref?.hold();
  const vma = new Vma(start, start + len, prot, vflags, mapping, pgoff, anon || file!.writable, ref);
  as.insert(vma);
  if ((flags & MAP_POPULATE) !== 0 && vma.readable) {
    // Prefault as read faults would (Linux populate_vma_page_range); pages past EOF or without a frame
    // are left to fault later, as MAP_POPULATE never fails the mmap.
    for (let v = start / PS; v < (start + len) / PS; v++) if (!installPage(as.mm, as, vma, v, false)) break;
  }
  return start;
}

/** First gap of `len` bytes at or above `hint` (Linux's bottom-up get_unmapped_area). */
function findFree(as: AddressSpace, hint: number, len: number): number {
  let at = hint;
  for (let i = as.firstAfter(at); i < as.vmas.length; i++) {
    const v = as.vmas[i]!;
    if (v.start >= at + len) break;
    at = Math.max(at, v.end);
  }
  if (at + len > VA_LIMIT) {
    if (hint !== MMAP_BASE) return findFree(as, MMAP_BASE, len);
    throw fsErr('ENOMEM');
  }
  return at;
}

/** Split VMAs so that `va` is a boundary (no-op if it already is or lies in no VMA). */
function splitAt(as: AddressSpace, va: number): void {
  const v = as.find(va);
  if (v === undefined || v.start === va) return;
  const tail = v.slice(va, v.end, PS);
  v.end = va;
  as.insert(tail);
}

/** Remove [start, end) from the space: VMAs split or dropped, pages unmapped, private frames freed. */
function unmapRange(as: AddressSpace, start: number, end: number): void {
  splitAt(as, start);
  splitAt(as, end);
  const i = as.firstAfter(start);
  let j = i;
  while (j < as.vmas.length && as.vmas[j]!.start < end) j++;
  if (j === i) return;
  const gone = as.vmas.splice(i, j - i);
  as.mm.zapRange(as, start, end, true);
  for (const v of gone) {
    v.ref?.release();
    // The last VMA of a shared anonymous region takes its shmem pages with it.
    if (v.mapping !== null && (v.flags & MAP_ANONYMOUS) !== 0 && !as.mm.spaces.some((s) => s?.vmas.some((x) => x.mapping === v.mapping))) {
      as.mm.pageCache.releaseMapping(v.mapping);
    }
  }
}

function checkRange(addr: number, length: number): number {
  checkNum(addr, length);
  if (addr % PS !== 0 || addr < 0 || length < 0) throw fsErr('EINVAL');
  const end = addr + pageUp(length);
  if (end > VA_LIMIT) throw fsErr('ENOMEM');
  return end;
}

/**
 * munmap(2): EINVAL for a misaligned address, zero length or a range past the address space (Linux
 * __do_munmap checks `len > TASK_SIZE - start`); unmapped parts of the range are fine.
 */
export function munmap(as: AddressSpace, addr: number, length: number): void {
  checkNum(addr, length);
  if (length <= 0 || addr < 0 || addr + pageUp(length) > VA_LIMIT) throw fsErr('EINVAL');
  const end = checkRange(addr, length);
  unmapRange(as, addr, end);
}

/**
 * mprotect(2): EINVAL (misaligned, bad bits), ENOMEM (part of the range not mapped), EACCES (PROT_WRITE
 * on a shared map of a file not open for writing). VMAs are split at the range's ends; translations in
 * the range are removed (dirty state kept) so the next access faults under the new protection.
 */
export function mprotect(as: AddressSpace, addr: number, length: number, prot: number): void {
  const end = checkRange(addr, length);
  checkNum(prot);
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) !== 0) throw fsErr('EINVAL');
  if (length === 0) return;
  if (!as.covered(addr, end)) throw fsErr('ENOMEM');
  for (let i = as.firstAfter(addr); i < as.vmas.length && as.vmas[i]!.start < end; i++) {
    const v = as.vmas[i]!;
    if (v.shared && (prot & PROT_WRITE) !== 0 && !v.fileWritable) throw fsErr('EACCES');
  }
  splitAt(as, addr);
  splitAt(as, end);
  for (let i = as.firstAfter(addr); i < as.vmas.length && as.vmas[i]!.start < end; i++) as.vmas[i]!.prot = prot;
  as.mm.zapRange(as, addr, end, false);
}

/**
 * msync(2) as Linux does it (mm/msync.c, since 2.6.19). Checks first, in the kernel's order: EINVAL for
 * flags other than MS_ASYNC|MS_INVALIDATE|MS_SYNC, for an address not page aligned, and for MS_SYNC with
 * MS_ASYNC; ENOMEM for a length that wraps past the top of the address space; then a zero length
 * succeeds. The range is walked VMA by VMA:
 * - MS_SYNC writes back, for each shared file VMA in the range, the file's dirty pages over the part it
 *   maps (vfs_fsync_range: pages dirtied by write() included) — on a DAX mapping, DC CVAP of the mapped
 *   lines and a DSB (dax.ts) — then calls the file's fsync with datasync set, as vfs_fsync_range does;
 * - MS_ASYNC does nothing more: dirty pages are tracked (PG_DIRTY, or the descriptors' dirty state that
 *   fsync, sync, reclaim and munmap gather) and written back by those, as by Linux's flusher;
 * - MS_INVALIDATE needs nothing: the cache is unified, no stale copy exists (and no page is mlocked, so
 *   Linux's EBUSY cannot arise).
 * A hole in the range is ENOMEM, raised after the mapped parts were synced (Linux returns the error at
 * the end); with MS_ASYNC alone, at the first hole. Returns the pages written (or flushed, for DAX).
 */
export function msync(as: AddressSpace, addr: number, length: number, flags: number): number {
  checkNum(addr, length, flags);
  if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) !== 0) throw fsErr('EINVAL');
  if (addr % PS !== 0) throw fsErr('EINVAL');
  if ((flags & MS_ASYNC) !== 0 && (flags & MS_SYNC) !== 0) throw fsErr('EINVAL');
  // A negative length is a size_t past 2^63: start + len wraps (ENOMEM). A negative VA is the TTBR1
  // (kernel) half, where no user VMA lies: find_vma finds nothing (ENOMEM).
  if (length < 0 || addr < 0) throw fsErr('ENOMEM');
  const end = addr + pageUp(length);
  if (end === addr) return 0;
  const vmas = as.vmas;
  let start = addr;
  let unmapped = false;
  let written = 0;
  for (let i = as.firstAfter(start); ; i++) {
    if (i >= vmas.length) throw fsErr('ENOMEM');
    const v = vmas[i]!;
    if (start < v.start) {
      if (flags === MS_ASYNC) throw fsErr('ENOMEM');
      start = v.start;
      if (start >= end) throw fsErr('ENOMEM');
      unmapped = true;
    }
    const e = Math.min(end, v.end);
    if ((flags & MS_SYNC) !== 0 && v.shared && v.mapping !== null) {
      const from = v.fileIndex(start / PS, PS), to = v.fileIndex(e / PS, PS);
      // DAX: the stores are in the device's cache; DC CVAP of the mapped lines and a DSB make them durable.
      if (v.mapping.dax !== null) written += daxWriteback(v.mapping.dax, from, to);
      else written += as.mm.pageCache.writeback(v.mapping, from, to);
      // vfs_fsync_range(file, start, end, 1): the backend makes what was written back durable (a
      // disk-backed one flushes or commits its log; ramfs has nothing to do).
      v.ref?.fsync?.(true, from * PS, to * PS);
    }
    start = v.end;
    if (start >= end) break;
  }
  if (unmapped) throw fsErr('ENOMEM');
  return written;
}

/**
 * madvise(2): MADV_DONTNEED drops the range's translations and private pages (private anonymous memory
 * reads zeros again, a private file map the file); NORMAL/RANDOM/SEQUENTIAL/WILLNEED are hints.
 * EINVAL (misaligned, unknown advice), ENOMEM (part of the range not mapped).
 */
export function madvise(as: AddressSpace, addr: number, length: number, advice: number): void {
  const end = checkRange(addr, length);
  if (advice !== MADV_NORMAL && advice !== MADV_RANDOM && advice !== MADV_SEQUENTIAL && advice !== MADV_WILLNEED && advice !== MADV_DONTNEED) {
    throw fsErr('EINVAL');
  }
  if (length === 0) return;
  if (!as.covered(addr, end)) throw fsErr('ENOMEM');
  if (advice === MADV_DONTNEED) as.mm.zapRange(as, addr, end, true);
}

/**
 * mincore(2): one byte per page, 1 if the page is resident (a private frame, or the file page in the
 * page cache). EINVAL (misaligned), ENOMEM (part of the range not mapped).
 */
export function mincore(as: AddressSpace, addr: number, length: number): Uint8Array {
  const end = checkRange(addr, length);
  if (!as.covered(addr, end)) throw fsErr('ENOMEM');
  const out = new Uint8Array((end - addr) / PS);
  const pc = as.mm.pageCache;
  for (let k = 0; k < out.length; k++) {
    const va = addr + k * PS, vpn = va / PS;
    if (as.priv.has(vpn)) out[k] = 1;
    else {
      const v = as.find(va)!;
      if (v.mapping !== null && pc.findPage(v.mapping, v.fileIndex(vpn, PS)) >= 0) out[k] = 1;
    }
  }
  return out;
}
