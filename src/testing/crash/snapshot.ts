// The state a crash oracle compares: every name under the root with its type, mode, owner, link count,
// size, a hash of its contents (or the symlink target) and which names share an inode, read through the
// Backend interface so that any backend (the reference ramfs, a recovered pcmfs) can be compared. Times,
// inode numbers, block counts and directory sizes are left out: they may differ between backends and
// (times) are committed apart from the operation on pcmfs, as Linux allows.

import type { Backend } from '../../../vfs/backend.js';
import { S_IFMT, S_IFDIR, S_IFREG, S_IFLNK } from '../../../vfs/constants.js';

const scratch = new Uint8Array(1 << 16);
const scratch32 = new Uint32Array(scratch.buffer);

/** FNV-1a over 32-bit words of the file's contents (zero-padded last word). */
function hashFile(b: Backend, ino: number, size: number): number {
  let h = 0x811c9dc5, pos = 0;
  while (pos < size) {
    const want = Math.min(scratch.length, size - pos);
    const got = b.read(ino, pos, scratch, 0, want);
    if (got <= 0) break;
    const words = (got + 3) >>> 2;
    if (got & 3) scratch.fill(0, got, words * 4);
    for (let i = 0; i < words; i++) h = Math.imul(h ^ scratch32[i]!, 0x01000193);
    pos += got;
  }
  return (h ^ pos) >>> 0;
}

/** One canonical string for the whole tree (equal strings: equal states). */
export function snapshotBackend(b: Backend): string {
  const lines: string[] = [];
  const group = new Map<number, string>();
  const walk = (dir: number, prefix: string): void => {
    const ents = [...b.readdir(dir)].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    for (const e of ents) {
      const path = prefix + e.name;
      const a = b.getattr(e.ino);
      const type = a.mode & S_IFMT;
      let extra = '';
      if (type === S_IFREG) {
        extra = `${a.size}:${hashFile(b, e.ino, a.size).toString(16)}`;
        if (a.nlink > 1) {
          const first = group.get(e.ino);
          if (first === undefined) group.set(e.ino, path);
          else extra += ` =${first}`;
        }
      } else if (type === S_IFLNK) extra = `->${b.readlink(e.ino)}`;
      lines.push(`${path} ${a.mode.toString(8)} ${a.uid}:${a.gid} n${a.nlink} ${extra}`);
      if (type === S_IFDIR) walk(e.ino, path + '/');
    }
  };
  const r = b.getattr(b.rootIno);
  lines.push(`/ ${r.mode.toString(8)} ${r.uid}:${r.gid} n${r.nlink}`);
  walk(b.rootIno, '/');
  return lines.join('\n');
}

/** The lines of `got` not in `want` and the reverse, for a violation's description. */
export function diffSnapshots(want: string, got: string): { missing: string[]; unexpected: string[] } {
  const w = new Set(want.split('\n')), g = new Set(got.split('\n'));
  return { missing: [...w].filter((l) => !g.has(l)), unexpected: [...g].filter((l) => !w.has(l)) };
}
