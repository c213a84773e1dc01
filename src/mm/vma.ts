// A virtual memory area (Linux struct vm_area_struct): one contiguous page-aligned VA range with one
// protection and one backing — a page-cache mapping (a file, or shmem for shared anonymous memory) at
// a page offset, or nothing (private anonymous memory). Private copies are owned by the address space.

import type { FileMapping } from './page-cache.js';
import { MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE } from './mman.js';

/**
 * The file a VMA holds (Linux vma->vm_file): a reference that keeps the file alive while it is mapped,
 * and the file's fsync, which msync(MS_SYNC) calls after writing the range back (mm/msync.c:
 * vfs_fsync_range(file, start, end, 1)), so the backend makes the data durable (zfs-lite commits its
 * intent log).
 */
export interface FileRef {
  hold(): void;
  release(): void;
  /** Make bytes [start, end) of the file durable (->fsync(file, start, end, datasync)). */
  fsync?(dataOnly: boolean, start: number, end: number): void;
}

export class Vma {
  constructor(
    /** First VA (page-aligned). */
    public start: number,
    /** VA past the end (page-aligned). */
    public end: number,
    /** PROT_* bits. */
    public prot: number,
    /** MAP_SHARED or MAP_PRIVATE, with MAP_ANONYMOUS if anonymous. */
    public flags: number,
    /** The pages' cache mapping, or null for private anonymous memory. */
    public mapping: FileMapping | null,
    /** File page index of `start`. */
    public pgoff: number,
    /** Whether the file was opened for writing (mprotect PROT_WRITE of a shared map needs it: EACCES). */
    public readonly fileWritable: boolean,
    /** The file reference this VMA holds (null for anonymous memory). */
    public readonly ref: FileRef | null = null,
  ) {}

  get shared(): boolean {
    return (this.flags & MAP_SHARED) !== 0;
  }
  get readable(): boolean {
    return (this.prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) !== 0;
  }
  get writable(): boolean {
    return (this.prot & PROT_WRITE) !== 0;
  }
  get exec(): boolean {
    return (this.prot & PROT_EXEC) !== 0;
  }

  /** The file page index that VA page `vpn` maps. */
  fileIndex(vpn: number, pageSize: number): number {
    return this.pgoff + (vpn - this.start / pageSize);
  }

  /** A copy covering [start, end) of this one (a split: Linux __split_vma). */
  slice(start: number, end: number, pageSize: number): Vma {
    this.ref?.hold(); // each piece of a split holds the file
    return new Vma(start, end, this.prot, this.flags, this.mapping, this.pgoff + (start - this.start) / pageSize, this.fileWritable, this.ref);
  }
}
