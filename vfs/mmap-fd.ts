// The file side of mmap(2): from a descriptor to what src/mm maps — the backend's page-cache mapping
// for the inode (Backend.pager, OSv's vop_cache), or its DAX mapping (Backend.daxMapping: pcmfs), and the
// description's access mode. Errors as Linux's
// do_mmap: EBADF (not an open descriptor, or O_PATH), ENODEV (not a regular file, or a backend without
// a page cache), EACCES (not open for reading; shared writable map of a file not open for writing).

import type { AddressSpace } from '../src/mm/address-space.js';
import { mmap, type MmapFile } from '../src/mm/mmap.js';
import { MAP_ANONYMOUS } from '../src/mm/mman.js';
import type { FileMapping } from '../src/mm/page-cache.js';
import { O_APPEND, S_IFREG } from './constants.js';
import { fsErr, FsError } from './errno.js';
import type { Process } from './process.js';
import type { Vfs } from './vfs.js';
import type { Vnode } from './vnode.js';
import type { FileRef } from '../src/mm/vma.js';

/** What mmap needs of descriptor `fd` of process `p`. */
export function mmapFileOf(p: Process, fd: number): MmapFile {
  const f = p.fds.get(fd);
  if (f.pathOnly) throw fsErr('EBADF', 'mmap');
  if (f.vnode.type !== S_IFREG) throw fsErr('ENODEV', 'mmap');
  const be = f.vnode.mnt.backend;
  const m = be.pager !== undefined ? (be.pager(f.vnode.ino) as FileMapping | undefined)
    : be.daxMapping !== undefined ? (be.daxMapping(f.vnode.ino) as FileMapping | undefined) : undefined;
  if (m === undefined) throw fsErr('ENODEV', 'mmap');
  const ref = new MappedFile(p.vfs, f.vnode);
  return { mapping: m, readable: f.readable, writable: f.writable, append: (f.flags & O_APPEND) !== 0, ref };
}

/**
 * A VMA's file (vm_file): keeps the node alive after close() and unlink() (its pages stay valid), as in
 * Linux, and is what msync(MS_SYNC) fsyncs. Errors of the backend's fsync (EIO) reach msync's caller.
 */
class MappedFile implements FileRef {
  constructor(private readonly vfs: Vfs, private readonly vnode: Vnode) {}
  hold(): void {
    this.vfs.hold(this.vnode);
  }
  release(): void {
    this.vfs.release(this.vnode);
  }
  fsync(dataOnly: boolean, start: number, end: number): void {
    try {
      this.vnode.mnt.backend.fsync(this.vnode.ino, dataOnly, start, end);
    } catch (e) {
      // The backend's errno (EIO) is msync's to report, named as msync's (as mmapFd names mmap's).
      throw e instanceof FsError ? e.at('msync') : e;
    }
  }
}

/** mmap(2) of descriptor `fd` (ignored with MAP_ANONYMOUS) into `as`; returns the address. */
export function mmapFd(p: Process, as: AddressSpace, addr: number, length: number, prot: number, flags: number, fd: number, offset: number): number {
  try {
    const file = (flags & MAP_ANONYMOUS) !== 0 ? null : mmapFileOf(p, fd);
    return mmap(as, addr, length, prot, flags, file, offset);
  } catch (e) {
    if (e instanceof Error && 'syscall' in e && (e as { syscall?: string }).syscall === undefined) (e as { syscall?: string }).syscall = 'mmap';
    throw e;
  }
}
