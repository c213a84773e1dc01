// A small reference model of a POSIX file tree, for property tests: processes (credentials, umask, cwd,
// descriptors) over a shared in-memory tree of inodes (node type and credential rules in
// posix-model-perm.ts, the path walk in posix-model-namei.ts). It follows Linux's fs/namei.c order of
// checks (path_parentat, then the last component; do_renameat2/vfs_rename, do_unlinkat, do_rmdir,
// filename_create, may_open) and tmpfs's (mm/shmem.c) node rules, written plainly so that it can be
// read against the man pages. It is deliberately slow and simple; it models what the op vocabulary
// (posix-ops.ts) can observe.

import * as C from '../../vfs/constants.js';
import type { Cred, Stat, Dirent } from '../../vfs/syscalls.js';
import { type MNode, inGroup, stickyDenies, killSuid } from './posix-model-perm.js';
import { type Parent, type Walker, byteLength, child, createIn, err, need, parentOf, renameTrap, resolveFrom } from './posix-model-namei.js';

interface OpenFile {
  node: MNode;
  flags: number;
  pos: number;
}

/** The calls the reference model implements: a subset of `Syscalls` with the same signatures. */
export type ModelSyscalls = Pick<import('../../vfs/syscalls.js').Syscalls,
  'open' | 'close' | 'read' | 'write' | 'lseek' | 'dup' | 'dup2' | 'fstat' | 'ftruncate' | 'fchmod' |
  'fsync' | 'stat' | 'lstat' | 'access' | 'mkdir' | 'rmdir' | 'unlink' | 'rename' | 'link' | 'symlink' |
  'readlink' | 'chmod' | 'chown' | 'truncate' | 'readdir' | 'chdir'>;

export interface PosixModelOptions {
  umask?: number;
  cred?: Cred;
}

/** The tree several model processes share. */
interface Tree { root: MNode; nextIno: number }

/**
 * The reference model: one process (credentials, umask, cwd, descriptors) over a tree that other
 * processes of the same model may share (`withCred`). Permission checks follow fs/namei.c
 * (may_lookup, may_create, may_delete with the sticky rule, may_open) and fs/attr.c (setattr_prepare,
 * chown_ok/chgrp_ok, the set-ID clearing of chown, chmod and truncate); uid 0 has CAP_DAC_OVERRIDE,
 * CAP_FOWNER, CAP_CHOWN and CAP_FSETID. Timestamps are not modelled.
 */
export class PosixModel implements ModelSyscalls {
  private readonly tree: Tree;
  private readonly root: MNode;
  private cwd: MNode;
  /** The root and credentials every path walk of this process starts from (posix-model-namei.ts). */
  private readonly walker: Walker;
  private readonly fds: (OpenFile | undefined)[] = [];
  private readonly umaskBits: number;
  readonly cred: Cred;

  constructor(opts: PosixModelOptions = {}, share?: PosixModel) {
    this.umaskBits = opts.umask ?? 0o022;
    this.cred = opts.cred ?? { uid: 0, gid: 0, groups: [0] };
    if (share) {
      this.tree = share.tree;
      this.root = share.root;
      this.cwd = share.cwd;
      this.walker = { root: this.root, cred: this.cred };
      return;
    }
    this.tree = { root: undefined as unknown as MNode, nextIno: 1 };
    this.root = this.newNode(C.S_IFDIR | 0o755, null);
    this.tree.root = this.root;
    this.root.parent = this.root;
    this.root.nlink = 2;
    this.cwd = this.root;
    this.walker = { root: this.root, cred: this.cred };
  }

  /** Another process on the same tree with other credentials (its own descriptors; same cwd and umask). */
  withCred(cred: Cred): PosixModel {
    return new PosixModel({ umask: this.umaskBits, cred }, this);
  }

  private newNode(mode: number, parent: MNode | null): MNode {
    return {
      ino: this.tree.nextIno++, mode, uid: this.cred.uid, gid: this.cred.gid, nlink: 1, rdev: 0,
      data: new Uint8Array(0), size: 0, target: '', entries: new Map(), parent,
    };
  }

  // ---- permissions (posix-model-perm.ts) ----

  private get root0(): boolean { return this.cred.uid === 0; }
  private inGroup(gid: number): boolean { return inGroup(this.cred, gid); }
  private need(n: MNode, mask: number, sc: string, path: string): void { need(this.cred, n, mask, sc, path); }
  private killSuid(n: MNode): void { killSuid(this.cred, n); }

  /** may_delete: write+search on the directory, the sticky rule, then the type. */
  private mayDelete(dir: MNode, n: MNode, isDir: boolean, sc: string, path: string): void {
    this.need(dir, 3, sc, path);
    if (stickyDenies(this.cred, dir, n)) throw err('EPERM', sc, path);
    if (isDir) {
      if (!C.isDir(n.mode)) throw err('ENOTDIR', sc, path);
      if (n === this.root) throw err('EBUSY', sc, path);
    } else if (C.isDir(n.mode)) throw err('EISDIR', sc, path);
  }

  // ---- path walk (fs/namei.c, posix-model-namei.ts) ----

  private lookup(path: string, sc: string, follow: boolean): MNode {
    const r = resolveFrom(this.walker, path, this.cwd, sc, path, { links: 0 }, follow);
    if (r.node === undefined) throw err('ENOENT', sc, path);
    return r.node;
  }

  private parent(path: string, sc: string): Parent {
    return parentOf(this.walker, path, sc, { links: 0 }, this.cwd);
  }

  /** filename_create (posix-model-namei.ts). */
  private createIn(path: string, sc: string, allowSlash: boolean): Parent {
    return createIn(this.walker, path, this.cwd, sc, allowSlash);
  }

  private addEntry(dir: MNode, name: string, n: MNode): void {
    dir.entries.set(name, n);
    if (C.isDir(n.mode)) { n.parent = dir; dir.nlink++; }
  }

  private unlinkName(dir: MNode, name: string): void {
    const n = dir.entries.get(name)!;
    dir.entries.delete(name);
    if (C.isDir(n.mode)) { dir.nlink--; n.nlink = 0; } else n.nlink--;
  }

  /** inode_init_owner: a setgid directory passes its group on, and its setgid bit to subdirectories. */
  private initOwner(n: MNode, dir: MNode): void {
    if (dir.mode & C.S_ISGID) {
      n.gid = dir.gid;
      if (C.isDir(n.mode)) n.mode |= C.S_ISGID;
      // mode_strip_sgid: a group-executable set-group-ID file for a group the creator is not in.
      else if ((n.mode & (C.S_ISGID | 0o010)) === (C.S_ISGID | 0o010) && !this.root0 && !this.inGroup(dir.gid)) n.mode &= ~C.S_ISGID;
    }
  }

  // ---- descriptors ----

  private file(fd: number, sc: string): OpenFile {
    const f = Number.isInteger(fd) && fd >= 0 ? this.fds[fd] : undefined;
    if (f === undefined) throw err('EBADF', sc);
    return f;
  }

  private install(f: OpenFile, from = 0): number {
    let fd = from;
    while (this.fds[fd] !== undefined) fd++;
    this.fds[fd] = f;
    return fd;
  }

  // ---- the calls ----

  chdir(path: string): void {
    const n = this.lookup(path, 'chdir', true);
    if (!C.isDir(n.mode)) throw err('ENOTDIR', 'chdir', path);
    this.cwd = n;
  }

  open(path: string, flags: number, mode = 0): number {
    const sc = 'open';
    const acc = flags & C.O_ACCMODE;
    // build_open_flags (Linux 6.4+): O_CREAT|O_DIRECTORY is EINVAL, before any lookup.
    if ((flags & (C.O_CREAT | C.O_DIRECTORY)) === (C.O_CREAT | C.O_DIRECTORY)) throw err('EINVAL', sc, path);
    const depth = { links: 0 };
    let p = parentOf(this.walker, path, sc, depth, this.cwd);
    let node: MNode | undefined;
    let slash = p.slash;
    for (;;) {
      // open_last_lookups, once per trailing-symlink step: O_CREAT on a name ending in '/' is EISDIR.
      if ((flags & C.O_CREAT) && p.slash && p.kind === 'norm') throw err('EISDIR', sc, path);
      if (p.kind === 'root') { node = this.root; break; }
      node = child(p.dir, p.last, sc, path);
      if (node === undefined) {
        if (!(flags & C.O_CREAT) || p.kind !== 'norm') throw err('ENOENT', sc, path);
        this.need(p.dir, 3, sc, path); // may_o_create
        const n = this.newNode(C.S_IFREG | (mode & C.ALLPERMS & ~this.umaskBits), null);
        this.initOwner(n, p.dir);
        this.addEntry(p.dir, p.last, n);
        return this.install({ node: n, flags, pos: 0 });
      }
      // O_EXCL implies O_NOFOLLOW (build_open_flags).
      if ((flags & (C.O_CREAT | C.O_EXCL)) === (C.O_CREAT | C.O_EXCL)) throw err('EEXIST', sc, path);
      if (!C.isLnk(node.mode) || ((flags & C.O_NOFOLLOW) && !slash)) break;
      if (++depth.links > C.MAXSYMLINKS) throw err('ELOOP', sc, path);
      // A trailing symlink: continue the lookup at its target (trailing_symlink in namei.c).
      p = parentOf(this.walker, node.target, sc, depth, p.dir);
      slash ||= p.slash;
    }
    // do_open ('.', '..' and '/' reach here without the in-loop O_EXCL check)
    if ((flags & (C.O_CREAT | C.O_EXCL)) === (C.O_CREAT | C.O_EXCL)) throw err('EEXIST', sc, path);
    if ((flags & C.O_CREAT) && C.isDir(node.mode)) throw err('EISDIR', sc, path);
    if (((flags & C.O_DIRECTORY) || slash) && !C.isDir(node.mode)) throw err('ENOTDIR', sc, path);
    // may_open: a symlink here means O_NOFOLLOW; a directory may not be opened for writing (O_TRUNC asks for MAY_WRITE too).
    if (C.isLnk(node.mode)) throw err('ELOOP', sc, path);
    const wantsWrite = acc === C.O_WRONLY || acc === C.O_RDWR || (flags & C.O_TRUNC) !== 0;
    if (C.isDir(node.mode) && wantsWrite) throw err('EISDIR', sc, path);
    this.need(node, (acc === C.O_RDONLY || acc === C.O_RDWR ? 4 : 0) | (wantsWrite ? 2 : 0), sc, path);
    if ((flags & C.O_TRUNC) && C.isReg(node.mode)) { this.setSize(node, 0); this.killSuid(node); }
    return this.install({ node, flags, pos: 0 });
  }

  close(fd: number): void {
    this.file(fd, 'close');
    this.fds[fd] = undefined;
  }

  read(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number {
    const f = this.file(fd, 'read');
    if ((f.flags & C.O_ACCMODE) === C.O_WRONLY) throw err('EBADF', 'read');
    if (C.isDir(f.node.mode)) throw err('EISDIR', 'read');
    if (pos !== null && pos < 0) throw err('EINVAL', 'read');
    const at = pos ?? f.pos;
    const n = Math.max(0, Math.min(len, f.node.size - at));
    if (n > 0) buf.set(f.node.data.subarray(at, at + n), off);
    if (pos === null) f.pos += n;
    return n;
  }

  write(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number {
    const f = this.file(fd, 'write');
    if ((f.flags & C.O_ACCMODE) === C.O_RDONLY) throw err('EBADF', 'write');
    if (pos !== null && pos < 0) throw err('EINVAL', 'write');
    const n = f.node;
    // Linux appends on O_APPEND even for pwrite (pwrite(2), BUGS); the offset then does not move.
    const at = f.flags & C.O_APPEND ? n.size : pos ?? f.pos;
    if (len > 0) {
      if (at + len > n.size) this.setSize(n, at + len);
      n.data.set(buf.subarray(off, off + len), at);
    }
    if (pos === null) f.pos = at + len;
    if (len > 0) this.killSuid(n); // file_remove_privs
    return len;
  }

  private setSize(n: MNode, size: number): void {
    if (size > n.data.length) {
      const d = new Uint8Array(Math.max(size, n.data.length * 2));
      d.set(n.data.subarray(0, n.size));
      n.data = d;
    } else if (size < n.size) n.data.fill(0, size, n.size);
    n.size = size;
  }

  lseek(fd: number, offset: number, whence: number): number {
    const f = this.file(fd, 'lseek');
    let base: number;
    if (whence === C.SEEK_SET) base = 0;
    else if (whence === C.SEEK_CUR) base = f.pos;
    else if (whence === C.SEEK_END && !C.isDir(f.node.mode)) base = f.node.size;
    else throw err('EINVAL', 'lseek');
    const to = base + offset;
    if (to < 0) throw err('EINVAL', 'lseek');
    f.pos = to;
    return to;
  }

  dup(fd: number): number {
    return this.install(this.file(fd, 'dup'));
  }

  dup2(fd: number, newfd: number): number {
    const f = this.file(fd, 'dup2');
    if (!Number.isInteger(newfd) || newfd < 0) throw err('EBADF', 'dup2');
    this.fds[newfd] = f;
    return newfd;
  }

  fstat(fd: number): Stat {
    return this.statOf(this.file(fd, 'fstat').node);
  }

  ftruncate(fd: number, len: number): void {
    if (len < 0) throw err('EINVAL', 'ftruncate');
    const f = this.file(fd, 'ftruncate');
    if (!C.isReg(f.node.mode) || (f.flags & C.O_ACCMODE) === C.O_RDONLY) throw err('EINVAL', 'ftruncate');
    this.setSize(f.node, len);
    this.killSuid(f.node);
  }

  fchmod(fd: number, mode: number): void {
    this.setMode(this.file(fd, 'fchmod').node, mode, 'fchmod');
  }

  fsync(fd: number): void {
    this.file(fd, 'fsync');
  }

  stat(path: string): Stat {
    return this.statOf(this.lookup(path, 'stat', true));
  }

  lstat(path: string): Stat {
    return this.statOf(this.lookup(path, 'lstat', false));
  }

  private statOf(n: MNode): Stat {
    const size = C.isLnk(n.mode) ? byteLength(n.target) : C.isReg(n.mode) ? n.size : 0;
    return {
      dev: 0, ino: n.ino, mode: n.mode, nlink: n.nlink, uid: n.uid, gid: n.gid, rdev: n.rdev, size,
      blksize: 4096, blocks: 0, atimeSec: 0, atimeNsec: 0, mtimeSec: 0, mtimeNsec: 0, ctimeSec: 0,
      ctimeNsec: 0, birthtimeSec: 0, birthtimeNsec: 0,
    };
  }

  access(path: string, mode: number): void {
    if (mode & ~7) throw err('EINVAL', 'access', path);
    const n = this.lookup(path, 'access', true);
    this.need(n, mode, 'access', path);
  }

  mkdir(path: string, mode: number): void {
    const p = this.createIn(path, 'mkdir', true);
    const n = this.newNode(C.S_IFDIR | (mode & (C.S_IRWXU | C.S_IRWXG | C.S_IRWXO | C.S_ISVTX) & ~this.umaskBits), p.dir);
    n.nlink = 2;
    this.initOwner(n, p.dir);
    this.addEntry(p.dir, p.last, n);
  }

  rmdir(path: string): void {
    const sc = 'rmdir';
    const p = this.parent(path, sc);
    if (p.kind === 'dot') throw err('EINVAL', sc, path);
    if (p.kind === 'dotdot') throw err('ENOTEMPTY', sc, path);
    if (p.kind === 'root') throw err('EBUSY', sc, path);
    const n = child(p.dir, p.last, sc, path);
    if (n === undefined) throw err('ENOENT', sc, path);
    this.mayDelete(p.dir, n, true, sc, path);
    if (n.entries.size > 0) throw err('ENOTEMPTY', sc, path);
    this.unlinkName(p.dir, p.last);
  }

  unlink(path: string): void {
    const sc = 'unlink';
    const p = this.parent(path, sc);
    if (p.kind !== 'norm') throw err('EISDIR', sc, path);
    const n = child(p.dir, p.last, sc, path);
    if (p.slash) throw err(n === undefined ? 'ENOENT' : C.isDir(n.mode) ? 'EISDIR' : 'ENOTDIR', sc, path);
    if (n === undefined) throw err('ENOENT', sc, path);
    this.mayDelete(p.dir, n, false, sc, path);
    this.unlinkName(p.dir, p.last);
  }

  rename(oldPath: string, newPath: string, flags = 0): void {
    const sc = 'rename';
    const known = C.RENAME_NOREPLACE | C.RENAME_EXCHANGE | C.RENAME_WHITEOUT;
    if (flags & ~known) throw err('EINVAL', sc, oldPath);
    if ((flags & C.RENAME_EXCHANGE) && (flags & (C.RENAME_NOREPLACE | C.RENAME_WHITEOUT))) throw err('EINVAL', sc, oldPath);
    if (flags & C.RENAME_WHITEOUT) throw err('EINVAL', sc, oldPath); // tmpfs needs a whiteout device; not modelled
    const op = this.parent(oldPath, sc);
    const np = this.parent(newPath, sc);
    if (op.kind !== 'norm') throw err('EBUSY', sc, oldPath);
    if (np.kind !== 'norm') throw err(flags & C.RENAME_NOREPLACE ? 'EEXIST' : 'EBUSY', sc, oldPath);
    const trap = renameTrap(this.root, np.dir, op.dir);
    const src = child(op.dir, op.last, sc, oldPath);
    if (src === undefined) throw err('ENOENT', sc, oldPath);
    const dst = child(np.dir, np.last, sc, newPath);
    if ((flags & C.RENAME_NOREPLACE) && dst !== undefined) throw err('EEXIST', sc, oldPath);
    if (flags & C.RENAME_EXCHANGE) {
      if (dst === undefined) throw err('ENOENT', sc, oldPath);
      if (!C.isDir(dst.mode) && np.slash) throw err('ENOTDIR', sc, oldPath);
    }
    if (!C.isDir(src.mode)) {
      if (op.slash) throw err('ENOTDIR', sc, oldPath);
      if (!(flags & C.RENAME_EXCHANGE) && np.slash) throw err('ENOTDIR', sc, oldPath);
    }
    if (trap !== undefined && src === trap) throw err('EINVAL', sc, oldPath);
    if (trap !== undefined && dst === trap) throw err(flags & C.RENAME_EXCHANGE ? 'EINVAL' : 'ENOTEMPTY', sc, oldPath);
    // vfs_rename
    if (src === dst) return;
    const isDir = C.isDir(src.mode);
    this.mayDelete(op.dir, src, isDir, sc, oldPath);
    if (dst === undefined) this.need(np.dir, 3, sc, oldPath); // may_create
    else this.mayDelete(np.dir, dst, flags & C.RENAME_EXCHANGE ? C.isDir(dst.mode) : isDir, sc, oldPath);
    // A directory that changes parent has its '..' rewritten: it needs write permission itself.
    if (np.dir !== op.dir) {
      if (isDir) this.need(src, 2, sc, oldPath);
      if ((flags & C.RENAME_EXCHANGE) && C.isDir(dst!.mode)) this.need(dst!, 2, sc, oldPath);
    }
    if (dst !== undefined && !(flags & C.RENAME_EXCHANGE) && C.isDir(dst.mode) && dst.entries.size > 0) throw err('ENOTEMPTY', sc, oldPath);
    if (flags & C.RENAME_EXCHANGE) {
      const d = dst!;
      op.dir.entries.set(op.last, d);
      np.dir.entries.set(np.last, src);
      if (C.isDir(src.mode)) { src.parent = np.dir; np.dir.nlink++; op.dir.nlink--; }
      if (C.isDir(d.mode)) { d.parent = op.dir; op.dir.nlink++; np.dir.nlink--; }
      return;
    }
    if (dst !== undefined) this.unlinkName(np.dir, np.last);
    op.dir.entries.delete(op.last);
    if (isDir) op.dir.nlink--;
    this.addEntry(np.dir, np.last, src);
  }

  link(oldPath: string, newPath: string): void {
    const sc = 'link';
    const n = this.lookup(oldPath, sc, false);
    const p = this.createIn(newPath, sc, false);
    if (C.isDir(n.mode)) throw err('EPERM', sc, oldPath);
    p.dir.entries.set(p.last, n);
    n.nlink++;
  }

  symlink(target: string, path: string): void {
    const sc = 'symlink';
    if (target === '') throw err('ENOENT', sc, path);
    if (byteLength(target) >= C.PATH_MAX) throw err('ENAMETOOLONG', sc, path);
    const p = this.createIn(path, sc, false);
    const n = this.newNode(C.S_IFLNK | 0o777, null);
    n.target = target;
    this.initOwner(n, p.dir);
    this.addEntry(p.dir, p.last, n);
  }

  readlink(path: string): string {
    const n = this.lookup(path, 'readlink', false);
    if (!C.isLnk(n.mode)) throw err('EINVAL', 'readlink', path);
    return n.target;
  }

  chmod(path: string, mode: number): void {
    this.setMode(this.lookup(path, 'chmod', true), mode, 'chmod', path);
  }

  /** setattr_prepare for ATTR_MODE: the owner or root; set-group-ID drops for a group the caller is not in. */
  private setMode(n: MNode, mode: number, sc: string, path?: string): void {
    if (!this.root0 && this.cred.uid !== n.uid) throw err('EPERM', sc, path);
    let m = mode & C.ALLPERMS;
    if (!this.root0 && !this.inGroup(n.gid)) m &= ~C.S_ISGID;
    n.mode = (n.mode & C.S_IFMT) | m;
  }

  chown(path: string, uid: number, gid: number): void {
    const sc = 'chown';
    const n = this.lookup(path, sc, true);
    // setattr_prepare: chown_ok (root, or the owner "changing" the uid to itself), chgrp_ok (root, or the
    // owner giving the file one of its own groups).
    if (uid !== -1 && !this.root0 && !(this.cred.uid === n.uid && uid === n.uid)) throw err('EPERM', sc, path);
    if (gid !== -1 && !this.root0 && !(this.cred.uid === n.uid && (gid === n.gid || this.inGroup(gid)))) throw err('EPERM', sc, path);
    // chown_common on a non-directory: set-user-ID goes; set-group-ID goes when group-executable, or when
    // the caller is not root and not in the file's group (setattr_should_drop_sgid). Clearing them is a
    // mode change, which only the owner or root may make.
    let mode = n.mode;
    if (!C.isDir(n.mode)) {
      mode &= ~C.S_ISUID;
      if ((mode & C.S_ISGID) && ((mode & 0o010) || (!this.root0 && !this.inGroup(n.gid)))) mode &= ~C.S_ISGID;
    }
    const newGid = gid === -1 ? n.gid : gid;
    if (mode !== n.mode) {
      if (!this.root0 && this.cred.uid !== n.uid) throw err('EPERM', sc, path);
      if (!this.root0 && !this.inGroup(newGid)) mode &= ~C.S_ISGID;
    }
    n.mode = mode;
    if (uid !== -1) n.uid = uid;
    if (gid !== -1) n.gid = gid;
  }

  truncate(path: string, len: number): void {
    if (len < 0) throw err('EINVAL', 'truncate', path);
    const n = this.lookup(path, 'truncate', true);
    if (C.isDir(n.mode)) throw err('EISDIR', 'truncate', path);
    if (!C.isReg(n.mode)) throw err('EINVAL', 'truncate', path);
    this.need(n, 2, 'truncate', path);
    this.setSize(n, len);
    this.killSuid(n);
  }

  readdir(path: string): Dirent[] {
    const n = this.lookup(path, 'scandir', true);
    if (!C.isDir(n.mode)) throw err('ENOTDIR', 'scandir', path);
    this.need(n, 4, 'scandir', path); // opendir: open(O_RDONLY|O_DIRECTORY)
    return [...n.entries].map(([name, c]) => ({ name, ino: c.ino, type: C.modeToDtype(c.mode) }));
  }
}
