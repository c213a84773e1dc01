// A process's descriptor table (Linux struct fdtable): small integers naming open file descriptions,
// lowest free number first (POSIX), dup/dup2 sharing one description and so one offset. Bad numbers
// (negative, fractional, out of range, closed) are EBADF; no free slot below the limit is EMFILE.

import { fsErr } from './errno.js';
import type { OpenFile } from './file.js';

/** Default RLIMIT_NOFILE (systemd's default hard limit on current Linux distributions). */
export const DEFAULT_MAX_FDS = 524288;

export class FdTable {
  private files: (OpenFile | null)[] = [];
  /** No descriptor below this number is free. */
  private lowFree = 0;
  readonly max: number;

  constructor(max = DEFAULT_MAX_FDS) {
    this.max = max;
  }

  /** The description behind `fd`, or EBADF. */
  get(fd: number): OpenFile {
    const f = this.files[fd];
    if (f === undefined || f === null || !Number.isInteger(fd)) throw fsErr('EBADF');
    return f;
  }

  /** Whether `fd` is open. */
  has(fd: number): boolean {
    const f = this.files[fd];
    return f !== undefined && f !== null && Number.isInteger(fd);
  }

  /** Install `f` at the lowest free number >= min. */
  install(f: OpenFile, min = 0): number {
    let fd = Math.max(min, this.lowFree);
    const files = this.files;
    while (fd < files.length && files[fd] !== null) fd++;
    if (fd >= this.max) throw fsErr('EMFILE');
    if (fd === files.length) files.push(f);
    else files[fd] = f;
    if (min <= this.lowFree) this.lowFree = fd + 1;
    return fd;
  }

  /** EMFILE unless a descriptor is free (checked before open does any work, as get_unused_fd_flags). */
  checkFree(): void {
    let fd = this.lowFree;
    const files = this.files;
    while (fd < files.length && files[fd] !== null) fd++;
    this.lowFree = fd;
    if (fd >= this.max) throw fsErr('EMFILE');
  }

  /** Put `f` at exactly `fd` (dup2), returning what was there. */
  replace(fd: number, f: OpenFile): OpenFile | null {
    const files = this.files;
    while (files.length <= fd) files.push(null);
    const old = files[fd]!;
    files[fd] = f;
    if (fd === this.lowFree) {
      let n = fd + 1;
      while (n < files.length && files[n] !== null) n++;
      this.lowFree = n;
    }
    return old;
  }

  /** Empty slot `fd` and return its description (the caller has checked it is open). */
  remove(fd: number): OpenFile {
    const f = this.files[fd]!;
    this.files[fd] = null;
    if (fd < this.lowFree) this.lowFree = fd;
    while (this.files.length > 0 && this.files[this.files.length - 1] === null) this.files.pop();
    return f;
  }

  /** Every open descriptor number, ascending. */
  open(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.files.length; i++) if (this.files[i] !== null) out.push(i);
    return out;
  }
}
