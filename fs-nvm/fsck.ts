// pcmfs consistency check (an fsck over the mounted, recovered state), the invariants the crash explorer
// asks of every recovered image: every block used once and every used block referenced (no leaks), link
// counts equal to the names (directories: 2 + subdirectories, as ext4's e2fsck pass 4 checks), every
// named inode live, no page of a file past its size.

import { S_IFMT, S_IFDIR } from '../vfs/constants.js';
import type { PcmFs } from './pcmfs.js';
import { BLOCK } from './layout.js';

export interface PcmFsckReport {
  readonly problems: string[];
  readonly inodes: number;
  readonly usedBlocks: number;
}

export function fsckPcm(fs: PcmFs): PcmFsckReport {
  const problems: string[] = [];
  const g = fs.geometry;
  const refs = new Uint32Array(g.blocks);
  const names = new Map<number, number>();
  const subdirs = new Map<number, number>();
  let inodes = 0;
  for (const n of fs.inodes) {
    if (n === undefined) continue;
    inodes++;
    for (const b of n.pages) refs[b]!++;
    if (n.map !== null) {
      const lastPage = Math.ceil(n.attr.size / BLOCK);
      for (const [pg, b] of n.map) {
        refs[b]!++;
        if (pg >= lastPage) problems.push(`ino ${n.ino}: page ${pg} past size ${n.attr.size}`);
      }
    }
    if (n.entries !== null) {
      for (const [name, ino] of n.entries) {
        const c = fs.inodes[ino];
        if (c === undefined) {
          problems.push(`ino ${n.ino}: entry ${JSON.stringify(name)} names free inode ${ino}`);
          continue;
        }
        names.set(ino, (names.get(ino) ?? 0) + 1);
        if ((c.attr.mode & S_IFMT) === S_IFDIR) subdirs.set(n.ino, (subdirs.get(n.ino) ?? 0) + 1);
      }
    }
  }
  for (const n of fs.inodes) {
    if (n === undefined) continue;
    const named = names.get(n.ino) ?? 0;
    const want = n.isDir ? (n.ino !== 1 && named === 0 ? 0 : 2 + (subdirs.get(n.ino) ?? 0)) : named;
    // An unnamed inode may be live while open (unlinked, not yet inactive): its nlink is 0.
    if (n.attr.nlink !== want) problems.push(`ino ${n.ino}: nlink ${n.attr.nlink}, names say ${want}`);
    if (n.isDir && n.ino !== 1 && (names.get(n.ino) ?? 0) > 1) problems.push(`directory ${n.ino} named twice`);
  }
  let used = 0;
  for (let b = g.dataStart; b < g.blocks; b++) {
    const inUse = fs.alloc.used[b] === 1;
    if (refs[b]! > 1) problems.push(`block ${b} used ${refs[b]} times`);
    if (inUse && refs[b] === 0) problems.push(`block ${b} leaked (allocated, unreferenced)`);
    if (!inUse && refs[b]! > 0) problems.push(`block ${b} referenced but free`);
    if (inUse) used++;
  }
  if (used + fs.alloc.free !== g.blocks - g.dataStart) problems.push(`free count ${fs.alloc.free} disagrees with the bitmap`);
  return { problems, inodes, usedBlocks: used };
}
