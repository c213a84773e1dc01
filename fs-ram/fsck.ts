// A consistency check of a ramfs (fsck for a filesystem that lives in memory): the counting rules
// that rename, link and unlink must keep, and the frame accounting of the page cache. Property tests
// run it after every step; a user's own harness can too (`ramfs.fsck()` returns the problems found).

import type { Ino } from '../vfs/backend.js';
import { S_IFMT, S_IFREG, S_IFLNK } from '../vfs/constants.js';
import type { PageBudget } from '../src/mm/pager.js';
import { BOGO_DIRENT_SIZE } from './inode.js';
import type { RamInode } from './inode.js';

/**
 * Problems found, as sentences; empty when the filesystem is consistent. Checks: every entry names a
 * live inode; directories have nlink 2 + subdirectories, size 40 + 20 per entry, and know their
 * parent; a non-directory's nlink equals the names it has; a live inode no name reaches has nlink 0
 * (unlinked, still open); st_blocks matches the pages held; the budget equals the pages held.
 */
export function fsck(
  inodes: readonly (RamInode | undefined)[],
  rootIno: Ino,
  budget: PageBudget,
  sectorsPerPage: number,
): string[] {
  const problems: string[] = [];
  const names = new Map<Ino, number>();
  let pages = 0;
  for (const n of inodes) {
    if (n === undefined) continue;
    if (n.mapping !== null) {
      pages += n.mapping.nrPages;
      if (n.blocks !== n.mapping.nrPages * sectorsPerPage) problems.push(`ino ${n.ino}: blocks ${n.blocks}, ${n.mapping.nrPages} pages`);
      if ((n.mode & S_IFMT) === S_IFREG && n.mapping.size !== n.size) problems.push(`ino ${n.ino}: size ${n.size}, mapping ${n.mapping.size}`);
    } else if (n.blocks !== 0) problems.push(`ino ${n.ino}: blocks ${n.blocks} without pages`);
    if ((n.mode & S_IFMT) === S_IFLNK && n.target === null) problems.push(`ino ${n.ino}: a symlink without a target`);
    if (n.entries === null) continue;
    let subdirs = 0;
    for (const [name, ino] of n.entries) {
      const c = inodes[ino];
      if (c === undefined) {
        problems.push(`ino ${n.ino}: entry '${name}' names freed inode ${ino}`);
        continue;
      }
      if (c.entries !== null) {
        subdirs++;
        if (c.parent !== n.ino) problems.push(`ino ${ino} ('${name}'): parent ${c.parent}, found in ${n.ino}`);
        if ((names.get(ino) ?? 0) > 0) problems.push(`ino ${ino}: a directory with two names`);
      }
      names.set(ino, (names.get(ino) ?? 0) + 1);
    }
    if (n.nlink !== 0 || n.ino === rootIno) {
      if (n.nlink !== 2 + subdirs) problems.push(`ino ${n.ino}: directory nlink ${n.nlink}, ${subdirs} subdirectories`);
    } else if (n.entries.size !== 0) problems.push(`ino ${n.ino}: a removed directory with entries`);
    if (n.size !== BOGO_DIRENT_SIZE * (2 + n.entries.size)) problems.push(`ino ${n.ino}: directory size ${n.size}`);
  }
  for (const n of inodes) {
    if (n === undefined || n.ino === rootIno) continue;
    const k = names.get(n.ino) ?? 0;
    if (n.entries === null) {
      if (n.nlink !== k) problems.push(`ino ${n.ino}: nlink ${n.nlink}, ${k} names`);
    } else if ((n.nlink === 0) !== (k === 0)) problems.push(`ino ${n.ino}: directory nlink ${n.nlink} with ${k} names`);
  }
  if (budget.used !== pages) problems.push(`budget says ${budget.used} pages, files hold ${pages}`);
  return problems;
}
