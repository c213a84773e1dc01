// The reference model's nodes and the credential rules it applies to them, as Linux does for a task's
// fsuid/fsgid and groups: generic_permission's owner/group/other classes with root's CAP_DAC_OVERRIDE
// (fs/namei.c), the sticky-directory rule (check_sticky), and what an unprivileged write or truncate
// clears (setattr_should_drop_suidgid, fs/attr.c). Root here is uid 0 with every capability.

import * as C from '../../vfs/constants.js';
import type { Cred } from '../../vfs/syscalls.js';

/** A node of the model tree. */
export interface MNode {
  ino: number;
  /** S_IFMT bits and permission bits together. */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  rdev: number;
  data: Uint8Array;
  size: number;
  target: string;
  /** Directories only: entries in insertion order, and the parent ('..'). */
  entries: Map<string, MNode>;
  parent: MNode | null;
}

/** in_group_p: the caller's gid or one of its supplementary groups. */
export function inGroup(cred: Cred, gid: number): boolean {
  return cred.gid === gid || cred.groups.includes(gid);
}

/**
 * generic_permission: the owner, group or other class of the mode decides (only the first class that
 * applies); root passes, except exec on a non-directory with no x bit at all.
 */
export function mayAccess(cred: Cred, n: MNode, mask: number): boolean {
  if (cred.uid === 0) return !(mask & 1) || C.isDir(n.mode) || (n.mode & 0o111) !== 0;
  let bits = n.mode & 7;
  if (cred.uid === n.uid) bits = (n.mode >> 6) & 7;
  else if (inGroup(cred, n.gid)) bits = (n.mode >> 3) & 7;
  return (bits & mask) === mask;
}

/** check_sticky: in a sticky directory only the entry's owner, the directory's owner or root may remove it. */
export function stickyDenies(cred: Cred, dir: MNode, n: MNode): boolean {
  return (dir.mode & C.S_ISVTX) !== 0 && cred.uid !== 0 && cred.uid !== n.uid && cred.uid !== dir.uid;
}

/**
 * setattr_should_drop_suidgid: what a write or truncate by an unprivileged caller clears — set-user-ID
 * always; set-group-ID when group-executable, or when the caller is not in the file's group.
 */
export function killSuid(cred: Cred, n: MNode): void {
  if (cred.uid === 0 || !C.isReg(n.mode)) return;
  if (n.mode & C.S_ISUID) n.mode &= ~C.S_ISUID;
  if ((n.mode & C.S_ISGID) && ((n.mode & 0o010) || !inGroup(cred, n.gid))) n.mode &= ~C.S_ISGID;
}
