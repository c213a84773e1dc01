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

// The syscalls take `unsigned long start` and `size_t len`; here both are safe integers, a negative one
// standing for the 64-bit value 2^64 + n (a length past 2^63, or a TTBR1 / kernel-half address), so the
// kernel's unsigned wrap-arounds are followed exactly, without BigInt on these paths.
const U64 = 2 ** 64;

/** PAGE_ALIGN(len) on a size_t, `(len + ~PAGE_MASK) & PAGE_MASK`: -4095 .. -1 wrap round to 0. */
function pageAlign(len: number): number {
  const r = Math.ceil(len / PS) * PS;
  return r === 0 ? 0 : r; // never -0
}

/** Whether `start + len` wraps past 2^64 (the kernel's `end < start`), both taken as unsigned 64-bit. */
function wraps(start: number, len: number): boolean {
  if (start < 0 && len < 0) return true; // both are at least 2^64 - 2^53
  return (start < 0) !== (len < 0) && start + len >= 0;
}

/** `start + len` (not wrapping) as a number to compare with VMA bounds: exact below 2^53; past 2^63 only its order is kept. */
function endOf(start: number, len: number): number {
  const e = start + len;
  return e < 0 ? U64 + e : e;
}

/**
 * munmap(2) as __vm_munmap / do_vmi_munmap (mm/mmap.c, mm/vma.c): EINVAL for a misaligned start, a start
 * past TASK_SIZE (a kernel-half address included), `len > TASK_SIZE - start` (tested on the length as
 * given, before PAGE_ALIGN, so every length of 2^63 or more is EINVAL, -1 .. -4095 included) and a zero
 * length (`end == start`). Unmapped parts of the range are fine.
 */
export function munmap(as: AddressSpace, addr: number, length: number): void {
  checkNum(addr, length);
  if (addr % PS !== 0 || addr < 0 || addr > VA_LIMIT || length < 0 || length > VA_LIMIT - addr) throw fsErr('EINVAL');
  const end = addr + pageAlign(length);
  if (end === addr) throw fsErr('EINVAL');
  unmapRange(as, addr, end);
}

/**
 * mprotect(2) as do_mprotect_pkey (mm/mprotect.c), in its order: EINVAL for a misaligned start; a zero
 * length succeeds (before the protection bits are looked at); PAGE_ALIGN(len), and ENOMEM when the end
 * wraps or equals the start (a length of -1 .. -4095 rounds to 0: ENOMEM); EINVAL for unknown protection
 * bits. The VMAs are then changed one by one from the start: ENOMEM at the first hole and EACCES
 * (PROT_WRITE on a shared map of a file not open for writing) at the first such VMA, with the VMAs
 * before it already changed, as Linux's loop leaves them. Each changed part is split off (__split_vma)
 * and its translations removed (dirty state kept), so the next access faults under the new protection.
 */
export function mprotect(as: AddressSpace, addr: number, length: number, prot: number): void {
  checkNum(addr, length, prot);
  if (addr % PS !== 0) throw fsErr('EINVAL');
  if (length === 0) return;
  const len = pageAlign(length);
  if (len === 0 || wraps(addr, len)) throw fsErr('ENOMEM');
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) !== 0) throw fsErr('EINVAL');
  if (addr < 0) throw fsErr('ENOMEM'); // a kernel-half start: vma_find finds no user VMA
  const end = endOf(addr, len);
  let at = addr;
  while (at < end) {
    const v = as.find(at);
    if (v === undefined) throw fsErr('ENOMEM');
    if (v.shared && (prot & PROT_WRITE) !== 0 && !v.fileWritable) throw fsErr('EACCES');
    const e = Math.min(end, v.end);
    splitAt(as, at);
    splitAt(as, e);
    as.find(at)!.prot = prot;
    as.mm.zapRange(as, at, e, false);
    at = e;
  }
}

/**
 * msync(2) as Linux does it (mm/msync.c, since 2.6.19), in the kernel's order: EINVAL for flags other
 * than MS_ASYNC|MS_INVALIDATE|MS_SYNC, for an address not page aligned, and for MS_SYNC with MS_ASYNC;
 * then the length is rounded up to a page (`len = (len + ~PAGE_MASK) & PAGE_MASK`, so -1 .. -4095 become
 * 0); ENOMEM when start + len wraps past 2^64; 0 when end == start — before any VMA is looked up, so a
 * zero length succeeds at any aligned address, a kernel-half one included. Then find_vma: a kernel-half
 * start has no user VMA (ENOMEM). The range is walked VMA by VMA:
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
  const len = pageAlign(length);
  if (wraps(addr, len)) throw fsErr('ENOMEM');
  if (len === 0) return 0;
  if (addr < 0) throw fsErr('ENOMEM'); // TTBR1 half: find_vma finds no user VMA
  const end = endOf(addr, len);
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
 * madvise(2) as do_madvise (mm/madvise.c), in its order: EINVAL for unknown advice, a misaligned start,
 * a non-zero length that PAGE_ALIGN rounds to 0 (-1 .. -4095), and a range that wraps past 2^64; an empty
 * range succeeds. The advice then applies to the mapped parts of the range and a hole is ENOMEM at the
 * end (madvise_walk_vmas: "just ignore them, but return -ENOMEM at the end"). MADV_DONTNEED drops the
 * translations and private pages (private anonymous memory reads zeros again, a private file map the
 * file); NORMAL/RANDOM/SEQUENTIAL/WILLNEED are hints.
 */
export function madvise(as: AddressSpace, addr: number, length: number, advice: number): void {
  checkNum(addr, length, advice);
  if (advice !== MADV_NORMAL && advice !== MADV_RANDOM && advice !== MADV_SEQUENTIAL && advice !== MADV_WILLNEED && advice !== MADV_DONTNEED) {
    throw fsErr('EINVAL');
  }
  if (addr % PS !== 0) throw fsErr('EINVAL');
  const len = pageAlign(length);
  if (length !== 0 && len === 0) throw fsErr('EINVAL');
  if (wraps(addr, len)) throw fsErr('EINVAL');
  if (len === 0) return;
  if (addr < 0) throw fsErr('ENOMEM'); // no user VMA in the kernel half
  const end = Math.min(endOf(addr, len), VA_LIMIT);
  if (advice === MADV_DONTNEED) as.mm.zapRange(as, addr, end, true);
  if (!as.covered(addr, endOf(addr, len))) throw fsErr('ENOMEM');
}

/**
 * mincore(2) (mm/mincore.c): one byte per page, 1 if the page is resident (a private frame, or the file
 * page in the page cache). EINVAL for a misaligned start; ENOMEM when access_ok(start, len) fails (a
 * range past TASK_SIZE, a kernel-half start or a length past 2^63) or part of the range is not mapped.
 */
export function mincore(as: AddressSpace, addr: number, length: number): Uint8Array {
  checkNum(addr, length);
  if (addr % PS !== 0) throw fsErr('EINVAL');
  if (addr < 0 || length < 0 || length > VA_LIMIT || addr > VA_LIMIT - length) throw fsErr('ENOMEM');
  const end = addr + pageAlign(length);
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
