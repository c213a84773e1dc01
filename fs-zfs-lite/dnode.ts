// A dnode: one object's attributes (ZFS keeps them in the dnode's bonus buffer, znode_phys_t / SA) and
// the root of its block tree (dn_blkptr, dn_nlevels). 256 bytes on disk, 16 to a block of the
// meta-dnode, the object that holds all dnodes (ZFS On-Disk Specification §3, "dnode_phys_t").
// The in-memory `Dnode` is also what getattr returns, so a stat allocates nothing.

import type { Attr, Ino, NewNode } from '../vfs/backend.js';
import { BLOCK, BP_SIZE, rd32, rd64, wr32, wr64 } from './layout.js';

export const DNODE_SIZE = 256;
export const DNODES_PER_BLOCK = BLOCK / DNODE_SIZE; // 16
export const DNODE_SHIFT = 4;
const DN_INUSE = 0, DN_NLEVELS = 1, DN_MODE = 4, DN_NLINK = 8, DN_UID = 12, DN_GID = 16, DN_RDEV = 20, DN_SIZE = 24,
  DN_PARENT = 32, DN_ATIME = 40, DN_ATIMENS = 48, DN_MTIMENS = 52, DN_MTIME = 56, DN_CTIME = 64, DN_CTIMENS = 72,
  DN_BTIMENS = 76, DN_BTIME = 80, DN_NBLOCKS = 88, DN_ZAPSHIFT = 96, DN_BP = 128;

export class Dnode implements Attr {
  mode = 0;
  nlink = 0;
  uid = 0;
  gid = 0;
  rdev = 0;
  size = 0;
  blocks = 0;
  blksize = BLOCK;
  atimeSec = 0;
  atimeNsec = 0;
  mtimeSec = 0;
  mtimeNsec = 0;
  ctimeSec = 0;
  ctimeNsec = 0;
  birthtimeSec = 0;
  birthtimeNsec = 0;
  /** A directory's parent (for rename's ancestor check and '..'). */
  parent: Ino = 0;
  /** Levels of the block tree: 1 means the root pointer addresses block 0 directly. */
  nlevels = 1;
  /** A directory's ZAP: log2 of its leaf count. */
  zapShift = 0;
  /** Data blocks allocated (st_blocks = 8 × this). */
  nblocks = 0;
  /** Root block pointer. */
  readonly root = new Uint8Array(BP_SIZE);

  constructor(readonly ino: Ino) {}

  init(node: NewNode, nlink: number): void {
    this.mode = node.mode;
    this.nlink = nlink;
    this.uid = node.uid;
    this.gid = node.gid;
    this.rdev = node.rdev;
    this.atimeSec = this.mtimeSec = this.ctimeSec = this.birthtimeSec = node.timeSec;
    this.atimeNsec = this.mtimeNsec = this.ctimeNsec = this.birthtimeNsec = node.timeNsec;
  }

  encode(b: Uint8Array, o: number): void {
    b.fill(0, o, o + DNODE_SIZE);
    b[o + DN_INUSE] = 1;
    b[o + DN_NLEVELS] = this.nlevels;
    wr32(b, o + DN_MODE, this.mode);
    wr32(b, o + DN_NLINK, this.nlink);
    wr32(b, o + DN_UID, this.uid);
    wr32(b, o + DN_GID, this.gid);
    wr32(b, o + DN_RDEV, this.rdev);
    wr64(b, o + DN_SIZE, this.size);
    wr64(b, o + DN_PARENT, this.parent);
    wr64(b, o + DN_ATIME, this.atimeSec);
    wr32(b, o + DN_ATIMENS, this.atimeNsec);
    wr32(b, o + DN_MTIMENS, this.mtimeNsec);
    wr64(b, o + DN_MTIME, this.mtimeSec);
    wr64(b, o + DN_CTIME, this.ctimeSec);
    wr32(b, o + DN_CTIMENS, this.ctimeNsec);
    wr32(b, o + DN_BTIMENS, this.birthtimeNsec);
    wr64(b, o + DN_BTIME, this.birthtimeSec);
    wr64(b, o + DN_NBLOCKS, this.nblocks);
    wr32(b, o + DN_ZAPSHIFT, this.zapShift);
    b.set(this.root, o + DN_BP);
  }

  /** Decode; false if the slot is free. Values are not trusted: the caller validates what it uses. */
  decode(b: Uint8Array, o: number): boolean {
    if (b[o + DN_INUSE] !== 1) return false;
    this.nlevels = b[o + DN_NLEVELS]!;
    this.mode = rd32(b, o + DN_MODE);
    this.nlink = rd32(b, o + DN_NLINK);
    this.uid = rd32(b, o + DN_UID);
    this.gid = rd32(b, o + DN_GID);
    this.rdev = rd32(b, o + DN_RDEV);
    this.size = rd64(b, o + DN_SIZE);
    this.parent = rd64(b, o + DN_PARENT);
    this.atimeSec = rd64(b, o + DN_ATIME);
    this.atimeNsec = rd32(b, o + DN_ATIMENS);
    this.mtimeNsec = rd32(b, o + DN_MTIMENS);
    this.mtimeSec = rd64(b, o + DN_MTIME);
    this.ctimeSec = rd64(b, o + DN_CTIME);
    this.ctimeNsec = rd32(b, o + DN_CTIMENS);
    this.birthtimeNsec = rd32(b, o + DN_BTIMENS);
    this.birthtimeSec = rd64(b, o + DN_BTIME);
    this.nblocks = rd64(b, o + DN_NBLOCKS);
    this.blocks = this.nblocks * (BLOCK / 512);
    this.zapShift = rd32(b, o + DN_ZAPSHIFT);
    this.root.set(b.subarray(o + DN_BP, o + DN_BP + BP_SIZE));
    return true;
  }
}
