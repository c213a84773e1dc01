// Atomic rename for ramfs: flags 0, RENAME_NOREPLACE and RENAME_EXCHANGE (renameat2(2)), after Linux
// fs/namei.c (do_renameat2, lock_rename's "trap", vfs_rename) and mm/shmem.c (shmem_rename2,
// shmem_exchange). Every check comes before the first change, so a failed call changes nothing.

import { fsErr } from '../vfs/errno.js';
import type { Ino } from '../vfs/backend.js';
import { RENAME_EXCHANGE, RENAME_NOREPLACE } from '../vfs/constants.js';
import type { RamInode } from './inode.js';

/**
 * Move `sd[srcName]` to `dd[dstName]` (directories both; `flags` already validated). Fixes link counts:
 * a directory moving between parents takes its '..' along (old parent's nlink down, new parent's up);
 * a replaced directory's nlink drops to 0 and its parent loses a '..'; a replaced file loses one link.
 */
export function renameEntry(
  inodes: readonly (RamInode | undefined)[],
  sd: RamInode,
  srcName: string,
  dd: RamInode,
  dstName: string,
  flags: number,
): void {
  const srcIno = sd.entries!.get(srcName);
  if (srcIno === undefined) throw fsErr('ENOENT');
  const src = inodes[srcIno]!;
  const dstIno = dd.entries!.get(dstName);
  const dst = dstIno === undefined ? undefined : inodes[dstIno]!;
  // The checks in the order Linux makes them, so that a call breaking two rules gets Linux's errno.
  if (flags === RENAME_EXCHANGE && dst === undefined) throw fsErr('ENOENT');
  if (flags === RENAME_NOREPLACE && dst !== undefined) throw fsErr('EEXIST');
  if (sd !== dd) {
    // lock_rename's trap: the source may not be an ancestor of the new parent (it would be cut off
    // from the tree), nor the target an ancestor of the old parent.
    if (src.entries !== null && isAncestor(inodes, srcIno, dd.ino)) throw fsErr('EINVAL');
    if (dst !== undefined && dst.entries !== null && isAncestor(inodes, dst.ino, sd.ino)) {
      throw fsErr(flags === RENAME_EXCHANGE ? 'EINVAL' : 'ENOTEMPTY');
    }
  }
  // rename(2): "If oldpath and newpath are existing hard links referring to the same file, then
  // rename() does nothing, and returns a success status."
  if (dst === src) return;

  if (flags === RENAME_EXCHANGE) {
    exchange(sd, srcName, src, dd, dstName, dst!);
    return;
  }
  if (dst !== undefined) {
    if (src.entries !== null && dst.entries === null) throw fsErr('ENOTDIR');
    if (src.entries === null && dst.entries !== null) throw fsErr('EISDIR');
    if (dst.entries !== null && dst.entries.size !== 0) throw fsErr('ENOTEMPTY');
  }
  // From here on nothing can fail.
  if (dst !== undefined) {
    if (dst.entries !== null) {
      dst.nlink = 0;
      dd.nlink--; // the replaced directory's '..'
    } else dst.nlink--;
    dd.removeEntry(dstName);
  }
  sd.removeEntry(srcName);
  dd.addEntry(dstName, srcIno);
  if (src.entries !== null && sd !== dd) {
    src.parent = dd.ino;
    sd.nlink--;
    dd.nlink++;
  }
}

/** RENAME_EXCHANGE: swap the two entries; directory sizes stay, parents' nlink follow the '..'s. */
function exchange(sd: RamInode, srcName: string, src: RamInode, dd: RamInode, dstName: string, dst: RamInode): void {
  sd.entries!.set(srcName, dst.ino);
  dd.entries!.set(dstName, src.ino);
  sd.dirents = dd.dirents = null;
  if (sd === dd) return;
  const srcIsDir = src.entries !== null;
  const dstIsDir = dst.entries !== null;
  if (srcIsDir) src.parent = dd.ino;
  if (dstIsDir) dst.parent = sd.ino;
  if (srcIsDir && !dstIsDir) {
    sd.nlink--;
    dd.nlink++;
  } else if (!srcIsDir && dstIsDir) {
    dd.nlink--;
    sd.nlink++;
  }
}

/** Whether directory `a` is `b` or one of `b`'s ancestors (walking '..' up to the root). */
function isAncestor(inodes: readonly (RamInode | undefined)[], a: Ino, b: Ino): boolean {
  for (let i = b; ; ) {
    if (i === a) return true;
    const p = inodes[i]!.parent;
    if (p === i) return false;
    i = p;
  }
}
