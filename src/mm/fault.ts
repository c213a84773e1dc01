// The page-fault handler installed on the Cpu (Linux do_page_fault → handle_mm_fault → do_fault /
// do_wp_page; OSv's vm_fault → file_vma::fault → pagecache::get). It finds the VMA, checks the access
// against its protection, asks the page cache for the frame (or copies it for a private write), writes
// the descriptor and returns 'retry'. What cannot be fixed is a signal event: SIGSEGV for no VMA or a
// forbidden access (mmap(2)), SIGBUS for a page wholly past end-of-file, no frame to be had, or a read
// error from the file's store (Linux filemap_fault: VM_FAULT_SIGBUS when the read of the page fails).

import type { FaultSignal, MemFault } from '../hw/cpu.js';
import { invariant } from '../sim/assert.js';
import { FsError } from '../sim/errno.js';
import { FaultKind } from '../hw/mmu/fault.js';
import { MmuError } from '../hw/mmu/error.js';
import { NO_FRAME, type Frame } from '../hw/ram.js';
import { AddressSpace } from './address-space.js';
import type { Mm } from './mm.js';
import { PG_BORROWED, PG_DIRTY, type FileMapping } from './page-cache.js';
import type { Vma } from './vma.js';
import type { DaxState } from './dax.js';

const W = new Uint32Array(2);

export function handleFault(mm: Mm, f: MemFault): 'retry' | FaultSignal {
  mm.stats.faults++;
  const as = mm.current;
  const va = f.far;
  const vma = as === null ? undefined : as.find(va);
  if (as === null || vma === undefined || f.kind === FaultKind.External || f.kind === FaultKind.AddressSize ||
      (f.isExec ? !vma.exec : f.isWrite ? !vma.writable : !vma.readable)) {
    mm.stats.sigsegv++;
    return { signal: 'SIGSEGV', addr: va };
  }
  if (f.kind === FaultKind.AccessFlag) mm.stats.afFaults++;
  else if (f.kind === FaultKind.Permission && f.isWrite) mm.stats.dirtyFaults++;
  const vpn = Math.floor(va / 4096);
  return installPage(mm, as, vma, vpn, f.isWrite) ? 'retry' : sigbus(mm, va);
}

function sigbus(mm: Mm, va: number): FaultSignal {
  mm.stats.sigbus++;
  return { signal: 'SIGBUS', addr: va };
}

/**
 * Make `vpn` translate as `vma` says for a read or a write; false when it cannot (past EOF, no frame,
 * or an errno from the page cache or its pager: EIO from a damaged block, ENOMEM for the ARC's buffer).
 * Also the fix for access-flag and write-permission faults: the descriptor is rewritten whole. The
 * handler contract (src/hw/exception.ts) allows no JS exception out of a fault, so an FsError becomes
 * the false that the caller turns into SIGBUS (Linux filemap_fault → VM_FAULT_SIGBUS for a read error;
 * for no memory Linux returns VM_FAULT_OOM and the OOM killer acts — vfsim has no OOM killer and, as
 * issue 5 specifies, delivers SIGBUS for a fault that finds nothing to reclaim); anything else
 * (an InvariantError) is a bug in vfsim and passes on.
 */
export function installPage(mm: Mm, as: AddressSpace, vma: Vma, vpn: number, write: boolean): boolean {
  try {
    return install(mm, as, vma, vpn, write);
  } catch (e) {
    if (e instanceof FsError) return false;
    throw e;
  }
}

function install(mm: Mm, as: AddressSpace, vma: Vma, vpn: number, write: boolean): boolean {
  const m = vma.mapping;
  const exec = vma.exec;
  if (m === null) {
    // Private anonymous: a zeroed frame of its own on first touch.
    let p = as.priv.get(vpn);
    if (p === undefined) {
      p = mm.ram.allocFrame(true);
      if (p === NO_FRAME) return false;
      as.priv.set(vpn, p);
    }
    return mapPinned(mm, as, vpn, p, vma.writable, exec, false, NO_FRAME);
  }
  const pc = mm.pageCache;
  const idx = vma.fileIndex(vpn, 4096);
  if (idx * 4096 >= m.size) return false; // mmap(2): SIGBUS for a page wholly beyond the end of the file
  if (m.dax !== null) return installDax(mm, as, vma, vpn, idx, write, m.dax);
  if (!vma.shared) {
    if (mapOwnCopy(as, vma, vpn, exec)) return true;
    if (write) {
      // Copy-on-write: the new frame first, so reclaim cannot take the source while we copy it.
      const nf = mm.ram.allocFrame(false);
      if (nf === NO_FRAME) return false;
      let src: Frame;
      try {
        src = pc.findOrCreatePage(m, idx);
      } catch (e) {
        mm.ram.freeFrame(nf); // the read failed (EIO): the copy's frame goes back before the SIGBUS
        throw e;
      }
      if (src === NO_FRAME) {
        mm.ram.freeFrame(nf);
        return false;
      }
      const b = mm.ram.bytes;
      b.copyWithin(nf * 4096, src * 4096, src * 4096 + 4096);
      // The copy is a kernel memcpy of one page (the profile's memcpy rate, sourced there).
      mm.mmu.clock.now += 4096 * mm.mmu.profile.cpu.memcpyNsPerByte;
      const old = as.pteFrame.get(vpn);
      if (old !== undefined) mm.rmap.remove(old, as.id, vpn);
      as.priv.set(vpn, nf);
      mm.stats.cowCopies++;
      return mapPinned(mm, as, vpn, nf, true, exec, false, -1);
    }
    // A private page not yet written maps the cache's frame read-only: it sees the file until copied.
    const f = pc.findOrCreatePage(m, idx);
    if (f === NO_FRAME) return false;
    if (!mapPinned(mm, as, vpn, f, false, exec, false, f)) return false;
    return (pc.flags[f]! & PG_BORROWED) === 0 || stillLent(mm, as, vpn, m, idx, f);
  }
  // A store needs a frame the cache owns: a borrowed (ARC) page's share is broken first, its read-only
  // translations removed everywhere (page-share.ts), and this one is written afresh below.
  const f = pc.findOrCreatePage(m, idx, write);
  if (f === NO_FRAME) return false;
  if ((pc.flags[f]! & PG_BORROWED) !== 0) {
    // The ARC's buffer itself: read-only and without DBM even under hardware dirty management, so the
    // first store faults here (a permission fault) instead of the walker writing the ARC's data.
    if (!mapPinned(mm, as, vpn, f, false, exec, false, f)) return false;
    return stillLent(mm, as, vpn, m, idx, f);
  }
  if (write) pc.markDirty(m, idx);
  // Rewriting a live entry: a store the hardware recorded in it (DBM) must reach the page first.
  if (as.pteFrame.get(vpn) === f && as.readPte(vpn, W) && AddressSpace.isWritable(W[0]!)) pc.markDirty(m, idx);
  // A dirty page is mapped writable (nothing left to learn from the next store); a clean one is
  // read-only (software: the first store faults) or writable-clean (hardware DBM).
  const dirty = (pc.flags[f]! & PG_DIRTY) !== 0;
  const canWrite = vma.writable && dirty;
  const dbm = vma.writable && mm.hardwareDirty;
  return mapPinned(mm, as, vpn, f, canWrite, exec, dbm, f);
}

/**
 * A DAX page (fs/dax.c dax_iomap_pte_fault): the descriptor points at the file's block on persistent
 * memory, writable at once in a shared writable map (msync/fsync flush every mapped page, so no dirty
 * tracking is needed); a private map reads the block until its first store copies it into a RAM frame.
 */
function installDax(mm: Mm, as: AddressSpace, vma: Vma, vpn: number, idx: number, write: boolean, d: DaxState): boolean {
  d.mms.add(mm);
  // The device must be on the CPU's bus (the kernel's memremap of pmem); the model has one PCM device.
  const onBus = mm.cpu.pcmDevice;
  if (onBus !== d.dev) {
    invariant(onBus === null, 'one persistent-memory device per machine');
    mm.cpu.attachPcm(d.dev);
  }
  const exec = vma.exec;
  if (!vma.shared) {
    if (mapOwnCopy(as, vma, vpn, exec)) return true;
    if (write) {
      const nf = mm.ram.allocFrame(false);
      if (nf === NO_FRAME) return false;
      const pa = d.page(idx);
      if (pa < 0) {
        mm.ram.freeFrame(nf);
        return false;
      }
      d.dev.read(pa - d.dev.base, mm.ram.bytes, nf * 4096, 4096);
      // A kernel memcpy of one page (the profile's memcpy rate, sourced there) on top of the device's reads.
      mm.mmu.clock.now += 4096 * mm.mmu.profile.cpu.memcpyNsPerByte;
      as.priv.set(vpn, nf);
      mm.stats.cowCopies++;
      return mapPinned(mm, as, vpn, nf, true, exec, false, NO_FRAME);
    }
  }
  const pa = d.page(idx);
  if (pa < 0) return false;
  const f = (pa - mm.ram.base) / 4096;
  return mapPinned(mm, as, vpn, f, vma.shared && vma.writable, exec, false, NO_FRAME);
}

/**
 * After mapping borrowed frame `f`: a translation table may have been allocated, and the allocation
 * runs the shrinkers, which do not know the fault's pin — the ARC may have evicted the buffer (and so
 * revoked the page and freed the frame) meanwhile. Then the new descriptor is removed again and the
 * access retries into a fresh fault. True either way (the fault is handled).
 */
function stillLent(mm: Mm, as: AddressSpace, vpn: number, m: FileMapping, idx: number, f: Frame): boolean {
  if (mm.pageCache.findPage(m, idx) !== f) mm.zapPte(as, vpn, false);
  return true;
}

/** Write the descriptor with `f` pinned against reclaim (a table frame may be needed), and its rmap entry. */
function mapPinned(mm: Mm, as: AddressSpace, vpn: number, f: Frame, w: boolean, x: boolean, dbm: boolean, cacheFrame: Frame): boolean {
  const prevPin = mm.pinned;
  mm.pinned = f;
  try {
    const had = as.pteFrame.get(vpn);
    as.setPte(vpn, f, w, x, dbm);
    if (cacheFrame !== NO_FRAME && had !== cacheFrame) mm.rmap.add(cacheFrame, as.id, vpn);
  } catch (e) {
    // No frame for a translation table (MmuError ENOMEM), or a shrinker's errno: the fault's SIGBUS.
    // Anything else is a bug in vfsim and passes on (the same rule as installPage).
    if (e instanceof MmuError || e instanceof FsError) return false;
    throw e;
  } finally {
    mm.pinned = prevPin;
  }
  return true;
}

/** A private map's page that already has its own copy (COW done, or anonymous): map that frame. */
function mapOwnCopy(as: AddressSpace, vma: Vma, vpn: number, exec: boolean): boolean {
  const own = as.priv.get(vpn);
  if (own === undefined) return false;
  as.setPte(vpn, own, vma.writable, exec, false);
  return true;
}
