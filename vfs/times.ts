// Timestamps from the virtual clock (DESIGN.md "Determinism and time"): every VFS call charges the
// clock kernel.vfsCallNs, so two calls never share a nanosecond and a rerun gives the same times.
// Which call updates which time follows Linux (tmpfs, fs/libfs.c, mm/shmem.c): creating or removing a
// name sets the parent's mtime+ctime; the inode whose link count or attributes change gets ctime;
// write/truncate set mtime+ctime; reads set atime under the relatime rule (fs/inode.c
// relatime_need_update: atime <= mtime, atime <= ctime, or older than a day).
//
// The SetAttr objects passed to backends are reused scratch objects (no allocation per call); the
// backend contract says it copies what it needs and keeps nothing.

import { VIRTUAL_EPOCH_NS } from '../src/sim/clock.js';
import type { Attr, SetAttr } from './backend.js';
import type { Vnode } from './vnode.js';

/** Seconds since 1970 at virtual time 0 (VIRTUAL_EPOCH_NS is an exact multiple of 1e9). */
export const EPOCH_SEC = VIRTUAL_EPOCH_NS / 1e9;

/** The current time, refreshed by `stamp`. */
export class Now {
  sec = EPOCH_SEC;
  nsec = 0;
}

/** Refresh `now` from a virtual-ns reading. */
export function stamp(now: Now, clockNs: number): void {
  const s = Math.floor(clockNs / 1e9);
  now.sec = EPOCH_SEC + s;
  now.nsec = Math.floor(clockNs - s * 1e9);
}

const MC: SetAttr = { mtimeSec: 0, mtimeNsec: 0, ctimeSec: 0, ctimeNsec: 0 };
const C: SetAttr = { ctimeSec: 0, ctimeNsec: 0 };
const A: SetAttr = { atimeSec: 0, atimeNsec: 0 };

/** mtime and ctime := now (a directory gained or lost a name; a file's data changed). */
export function touchMC(now: Now, v: Vnode): void {
  MC.mtimeSec = MC.ctimeSec = now.sec;
  MC.mtimeNsec = MC.ctimeNsec = now.nsec;
  v.mnt.backend.setattr(v.ino, MC);
}

/** ctime := now (link count, owner, mode or name changed). */
export function touchC(now: Now, v: Vnode): void {
  C.ctimeSec = now.sec;
  C.ctimeNsec = now.nsec;
  v.mnt.backend.setattr(v.ino, C);
}

const DAY_SEC = 24 * 60 * 60;

function le(aSec: number, aNsec: number, bSec: number, bNsec: number): boolean {
  return aSec < bSec || (aSec === bSec && aNsec <= bNsec);
}

/** touch_atime under relatime (the Linux default mount option). */
export function touchAtime(now: Now, v: Vnode, attr: Readonly<Attr>): void {
  if (v.mnt.readOnly) return;
  if (
    le(attr.atimeSec, attr.atimeNsec, attr.mtimeSec, attr.mtimeNsec) ||
    le(attr.atimeSec, attr.atimeNsec, attr.ctimeSec, attr.ctimeNsec) ||
    now.sec - attr.atimeSec >= DAY_SEC
  ) {
    A.atimeSec = now.sec;
    A.atimeNsec = now.nsec;
    v.mnt.backend.setattr(v.ino, A);
  }
}
