// A filesystem a user writes against vfsim's public API only (`import ... from 'vfsim'`): inodes in an
// array, directories as Maps, file data as sparse 4 KiB pages (a missing page is a hole and reads as
// zeros, as truncate(2) and lseek(2) past EOF require). The VFS does paths, permissions, descriptors and
// timestamps; this implements only the Backend contract (vfs/backend.ts in the vfsim sources).
// Mount it with `new Vfs({ root: new PageFs() })` and run vfsim/testing's suites on its Process.

import { fsErr, NO_INO, constants as C } from 'vfsim';

const PAGE = 4096;

export class PageFs {
  fsType = 'pagefs';
  rootIno = 1;
  capabilities = Object.freeze({ nameMax: 255, maxFileSize: 2 ** 40, punchHole: false, readOnly: false });
  #inodes = [undefined]; // index = inode number; 0 unused
  #free = [];

  constructor() {
    const root = this.#alloc({ mode: C.S_IFDIR | 0o755, uid: 0, gid: 0, rdev: 0, timeSec: 0, timeNsec: 0 });
    root.attr.nlink = 2;
    root.parent = 1;
  }

  #alloc(n) {
    const ino = this.#free.length > 0 ? this.#free.pop() : this.#inodes.length;
    const t = n.timeSec, ns = n.timeNsec;
    const node = {
      attr: { ino, mode: n.mode, nlink: 1, uid: n.uid, gid: n.gid, rdev: n.rdev, size: 0, blocks: 0, blksize: PAGE,
        atimeSec: t, atimeNsec: ns, mtimeSec: t, mtimeNsec: ns, ctimeSec: t, ctimeNsec: ns, birthtimeSec: t, birthtimeNsec: ns },
      dir: (n.mode & C.S_IFMT) === C.S_IFDIR ? new Map() : null,
      parent: 0,
      pages: new Map(), // page index -> Uint8Array(PAGE)
      target: '',
    };
    this.#inodes[ino] = node;
    return node;
  }
  #get(ino) {
    const n = this.#inodes[ino];
    if (n === undefined) throw fsErr('ENOENT');
    return n;
  }
  #dir(ino) {
    const n = this.#get(ino);
    if (n.dir === null) throw fsErr('ENOTDIR');
    return n;
  }
  #blocks(n) {
    n.attr.blocks = n.pages.size * (PAGE / 512);
  }

  // ---- filesystem level ----
  statfs() {
    const used = this.#inodes.length - 1 - this.#free.length;
    return { type: 0x50414745, bsize: PAGE, frsize: PAGE, blocks: 1 << 20, bfree: 1 << 20, bavail: 1 << 20, files: 1 << 20, ffree: (1 << 20) - used, namelen: 255 };
  }
  sync() {}
  unmount() { this.#inodes.length = 1; }

  // ---- names ----
  lookup(dir, name) { return this.#dir(dir).dir.get(name) ?? NO_INO; }
  getattr(ino) { return this.#get(ino).attr; }
  setattr(ino, s) {
    const a = this.#get(ino).attr;
    if (s.mode !== undefined) a.mode = (a.mode & C.S_IFMT) | (s.mode & 0o7777);
    if (s.uid !== undefined) a.uid = s.uid;
    if (s.gid !== undefined) a.gid = s.gid;
    if (s.atimeSec !== undefined) { a.atimeSec = s.atimeSec; a.atimeNsec = s.atimeNsec; }
    if (s.mtimeSec !== undefined) { a.mtimeSec = s.mtimeSec; a.mtimeNsec = s.mtimeNsec; }
    if (s.ctimeSec !== undefined) { a.ctimeSec = s.ctimeSec; a.ctimeNsec = s.ctimeNsec; }
  }
  #insert(dir, name, n) {
    const d = this.#dir(dir);
    if (d.dir.has(name)) throw fsErr('EEXIST');
    const node = this.#alloc(n);
    d.dir.set(name, node.attr.ino);
    return node;
  }
  create(dir, name, n) { return this.#insert(dir, name, n).attr.ino; }
  mkdir(dir, name, n) {
    const node = this.#insert(dir, name, n);
    node.attr.nlink = 2;
    node.parent = dir;
    this.#get(dir).attr.nlink++;
    return node.attr.ino;
  }
  symlink(dir, name, target, n) {
    const node = this.#insert(dir, name, n);
    node.target = target;
    node.attr.size = new TextEncoder().encode(target).length;
    return node.attr.ino;
  }
  readlink(ino) {
    const n = this.#get(ino);
    if ((n.attr.mode & C.S_IFMT) !== C.S_IFLNK) throw fsErr('EINVAL');
    return n.target;
  }
  link(dir, name, ino) {
    const d = this.#dir(dir);
    if (d.dir.has(name)) throw fsErr('EEXIST');
    d.dir.set(name, ino);
    this.#get(ino).attr.nlink++;
  }
  unlink(dir, name) {
    const d = this.#dir(dir), ino = d.dir.get(name);
    if (ino === undefined) throw fsErr('ENOENT');
    d.dir.delete(name);
    this.#get(ino).attr.nlink--;
  }
  rmdir(dir, name) {
    const d = this.#dir(dir), ino = d.dir.get(name);
    if (ino === undefined) throw fsErr('ENOENT');
    const n = this.#dir(ino);
    if (n.dir.size > 0) throw fsErr('ENOTEMPTY');
    d.dir.delete(name);
    n.attr.nlink = 0;
    d.attr.nlink--;
  }
  #reparent(n, from, to) {
    if (n.dir === null || from === to) return;
    n.parent = to;
    this.#get(from).attr.nlink--;
    this.#get(to).attr.nlink++;
  }
  rename(srcDir, srcName, dstDir, dstName, flags) {
    const sd = this.#dir(srcDir), dd = this.#dir(dstDir);
    const si = sd.dir.get(srcName), di = dd.dir.get(dstName);
    if (si === undefined) throw fsErr('ENOENT');
    const src = this.#get(si);
    if (flags & C.RENAME_EXCHANGE) {
      if (di === undefined) throw fsErr('ENOENT');
      const dst = this.#get(di);
      sd.dir.set(srcName, di);
      dd.dir.set(dstName, si);
      this.#reparent(src, srcDir, dstDir);
      this.#reparent(dst, dstDir, srcDir);
      return;
    }
    if (di !== undefined) {
      if (flags & C.RENAME_NOREPLACE) throw fsErr('EEXIST');
      const dst = this.#get(di);
      if (dst.dir !== null) {
        if (dst.dir.size > 0) throw fsErr('ENOTEMPTY');
        dst.attr.nlink = 0;
        dd.attr.nlink--;
      } else {
        dst.attr.nlink--;
      }
    }
    sd.dir.delete(srcName);
    dd.dir.set(dstName, si);
    this.#reparent(src, srcDir, dstDir);
  }
  readdir(dir) {
    const out = [];
    for (const [name, ino] of this.#dir(dir).dir) out.push({ name, ino, type: C.modeToDtype(this.#get(ino).attr.mode) });
    return out;
  }

  // ---- data ----
  read(ino, pos, buf, off, len) {
    const n = this.#get(ino);
    const end = Math.min(pos + len, n.attr.size);
    let p = pos;
    while (p < end) {
      const idx = Math.floor(p / PAGE), inPage = p - idx * PAGE, k = Math.min(PAGE - inPage, end - p);
      const page = n.pages.get(idx);
      if (page === undefined) buf.fill(0, off + (p - pos), off + (p - pos) + k);
      else buf.set(page.subarray(inPage, inPage + k), off + (p - pos));
      p += k;
    }
    return Math.max(0, end - pos);
  }
  write(ino, pos, buf, off, len) {
    const n = this.#get(ino);
    for (let p = pos; p < pos + len;) {
      const idx = Math.floor(p / PAGE), inPage = p - idx * PAGE, k = Math.min(PAGE - inPage, pos + len - p);
      let page = n.pages.get(idx);
      if (page === undefined) n.pages.set(idx, (page = new Uint8Array(PAGE)));
      page.set(buf.subarray(off + (p - pos), off + (p - pos) + k), inPage);
      p += k;
    }
    if (pos + len > n.attr.size) n.attr.size = pos + len;
    this.#blocks(n);
    return len;
  }
  truncate(ino, size) {
    const n = this.#get(ino);
    const keep = Math.ceil(size / PAGE);
    for (const idx of [...n.pages.keys()]) if (idx >= keep) n.pages.delete(idx);
    const last = n.pages.get(Math.floor(size / PAGE));
    if (last !== undefined) last.fill(0, size % PAGE);
    n.attr.size = size;
    this.#blocks(n);
  }
  fsync(ino) { this.#get(ino); }
  inactive(ino) {
    this.#inodes[ino] = undefined;
    this.#free.push(ino);
  }
}
