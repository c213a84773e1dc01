// A second backend, written the way a user would write one: Maps and growable byte arrays, only what
// vfs/backend.ts asks for. It shows the contract is enough for the VFS (no ramfs specifics leak into
// vfs/), and backends.test.ts runs the same scenarios on it and on ramfs. Test helper, not exported.

import { fsErr } from '../../vfs/errno.js';
import { NO_INO } from '../../vfs/backend.js';
import type { Attr, Backend, DirEntry, Ino, NewNode, SetAttr, StatFs } from '../../vfs/backend.js';
import { modeToDtype, RENAME_EXCHANGE, RENAME_NOREPLACE, S_IFDIR, S_IFLNK, S_IFMT } from '../../vfs/constants.js';

interface MapNode {
  attr: Attr;
  entries: Map<string, Ino> | null;
  data: Uint8Array;
  target: string;
}

export class MapFs implements Backend {
  readonly fsType = 'mapfs';
  readonly rootIno: Ino = 1;
  readonly capabilities = Object.freeze({ nameMax: 255, maxFileSize: 2 ** 40, punchHole: false, readOnly: false });
  private nodes = new Map<Ino, MapNode>();
  private next = 1;

  constructor() {
    const root = this.make({ mode: S_IFDIR | 0o755, uid: 0, gid: 0, rdev: 0, timeSec: 0, timeNsec: 0 });
    root.attr.nlink = 2;
  }

  private make(n: NewNode): MapNode {
    const ino = this.next++;
    const t = (n.mode & S_IFMT) === S_IFDIR;
    const node: MapNode = {
      attr: {
        ino, mode: n.mode, nlink: 1, uid: n.uid, gid: n.gid, rdev: n.rdev, size: 0, blocks: 0, blksize: 4096,
        atimeSec: n.timeSec, atimeNsec: n.timeNsec, mtimeSec: n.timeSec, mtimeNsec: n.timeNsec,
        ctimeSec: n.timeSec, ctimeNsec: n.timeNsec, birthtimeSec: n.timeSec, birthtimeNsec: n.timeNsec,
      },
      entries: t ? new Map() : null,
      data: new Uint8Array(0),
      target: '',
    };
    this.nodes.set(ino, node);
    return node;
  }

  private node(ino: Ino): MapNode {
    const n = this.nodes.get(ino);
    if (n === undefined) throw fsErr('ENOENT');
    return n;
  }

  private dir(ino: Ino): Map<string, Ino> {
    const e = this.node(ino).entries;
    if (e === null) throw fsErr('ENOTDIR');
    return e;
  }

  statfs(): StatFs {
    return { type: 0x4d415046, bsize: 4096, frsize: 4096, blocks: 1 << 20, bfree: 1 << 20, bavail: 1 << 20, files: 1 << 20, ffree: (1 << 20) - this.nodes.size, namelen: 255 };
  }
  sync(): void {}
  unmount(): void {
    this.nodes.clear();
  }
  lookup(dir: Ino, name: string): Ino {
    return this.dir(dir).get(name) ?? NO_INO;
  }
  getattr(ino: Ino): Readonly<Attr> {
    return this.node(ino).attr;
  }
  setattr(ino: Ino, set: SetAttr): void {
    const a = this.node(ino).attr;
    if (set.mode !== undefined) a.mode = (a.mode & S_IFMT) | (set.mode & 0o7777);
    if (set.uid !== undefined) a.uid = set.uid;
    if (set.gid !== undefined) a.gid = set.gid;
    if (set.atimeSec !== undefined) { a.atimeSec = set.atimeSec; a.atimeNsec = set.atimeNsec!; }
    if (set.mtimeSec !== undefined) { a.mtimeSec = set.mtimeSec; a.mtimeNsec = set.mtimeNsec!; }
    if (set.ctimeSec !== undefined) { a.ctimeSec = set.ctimeSec; a.ctimeNsec = set.ctimeNsec!; }
  }
  private add(dir: Ino, name: string, n: NewNode): MapNode {
    const d = this.dir(dir);
    if (d.has(name)) throw fsErr('EEXIST');
    const node = this.make(n);
    d.set(name, node.attr.ino);
    return node;
  }
  create(dir: Ino, name: string, n: NewNode): Ino {
    return this.add(dir, name, n).attr.ino;
  }
  mkdir(dir: Ino, name: string, n: NewNode): Ino {
    const node = this.add(dir, name, n);
    node.attr.nlink = 2;
    node.entries!.set('..', dir); // kept to find the parent; hidden from readdir
    this.node(dir).attr.nlink++;
    return node.attr.ino;
  }
  symlink(dir: Ino, name: string, target: string, n: NewNode): Ino {
    const node = this.add(dir, name, n);
    node.target = target;
    node.attr.size = Buffer.byteLength(target);
    return node.attr.ino;
  }
  readlink(ino: Ino): string {
    const n = this.node(ino);
    if ((n.attr.mode & S_IFMT) !== S_IFLNK) throw fsErr('EINVAL');
    return n.target;
  }
  link(dir: Ino, name: string, ino: Ino): void {
    const d = this.dir(dir);
    if (d.has(name)) throw fsErr('EEXIST');
    d.set(name, ino);
    this.node(ino).attr.nlink++;
  }
  unlink(dir: Ino, name: string): void {
    const d = this.dir(dir);
    const ino = d.get(name);
    if (ino === undefined) throw fsErr('ENOENT');
    d.delete(name);
    this.node(ino).attr.nlink--;
  }
  private isEmpty(n: MapNode): boolean {
    return n.entries!.size === 1; // only '..'
  }
  rmdir(dir: Ino, name: string): void {
    const d = this.dir(dir);
    const ino = d.get(name)!;
    const n = this.node(ino);
    if (!this.isEmpty(n)) throw fsErr('ENOTEMPTY');
    d.delete(name);
    n.attr.nlink = 0;
    this.node(dir).attr.nlink--;
  }
  rename(srcDir: Ino, srcName: string, dstDir: Ino, dstName: string, flags: number): void {
    const sd = this.dir(srcDir);
    const dd = this.dir(dstDir);
    const si = sd.get(srcName)!;
    const di = dd.get(dstName);
    const src = this.node(si);
    const moveDir = (n: MapNode, from: Ino, to: Ino): void => {
      if (n.entries === null || from === to) return;
      n.entries.set('..', to);
      this.node(from).attr.nlink--;
      this.node(to).attr.nlink++;
    };
    if (flags & RENAME_EXCHANGE) {
      const dst = this.node(di!);
      sd.set(srcName, di!);
      dd.set(dstName, si);
      moveDir(src, srcDir, dstDir);
      moveDir(dst, dstDir, srcDir);
      return;
    }
    if (flags & RENAME_NOREPLACE && di !== undefined) throw fsErr('EEXIST');
    if (di !== undefined) {
      const dst = this.node(di);
      if (dst.entries !== null) {
        if (!this.isEmpty(dst)) throw fsErr('ENOTEMPTY');
        dst.attr.nlink = 0;
        this.node(dstDir).attr.nlink--;
      } else dst.attr.nlink--;
    }
    sd.delete(srcName);
    dd.set(dstName, si);
    moveDir(src, srcDir, dstDir);
  }
  readdir(dir: Ino): readonly DirEntry[] {
    const out: DirEntry[] = [];
    for (const [name, ino] of this.dir(dir)) {
      if (name !== '..') out.push({ name, ino, type: modeToDtype(this.node(ino).attr.mode) });
    }
    return out;
  }
  read(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number {
    const d = this.node(ino);
    const n = Math.max(0, Math.min(len, d.attr.size - pos));
    const have = Math.max(0, Math.min(n, d.data.length - pos));
    if (have > 0) buf.set(d.data.subarray(pos, pos + have), off);
    buf.fill(0, off + have, off + n);
    return n;
  }
  private grow(n: MapNode, size: number): void {
    if (n.data.length >= size) return;
    const d = new Uint8Array(Math.max(size, n.data.length * 2));
    d.set(n.data);
    n.data = d;
  }
  write(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number {
    const n = this.node(ino);
    this.grow(n, pos + len);
    n.data.set(buf.subarray(off, off + len), pos);
    if (pos + len > n.attr.size) n.attr.size = pos + len;
    n.attr.blocks = Math.ceil(n.attr.size / 512);
    return len;
  }
  truncate(ino: Ino, size: number): void {
    const n = this.node(ino);
    if (size < n.data.length) n.data.fill(0, size);
    n.attr.size = size;
    n.attr.blocks = Math.ceil(Math.min(size, n.data.length) / 512);
  }
  fsync(ino: Ino): void {
    this.node(ino);
  }
  inactive(ino: Ino): void {
    this.nodes.delete(ino);
  }
  /** Live inodes (for tests of inactive). */
  get liveCount(): number {
    return this.nodes.size;
  }
}
