// ramfs against the Backend contract (vfs/backend.ts), called directly, without the VFS. Each test names
// the rule it checks: the contract's comments, a Linux man page, or tmpfs' behaviour (mm/shmem.c).

import t from 'tap';
import type { Test } from 'tap';
import { createRamFs, RamFs, RAMFS_MAGIC, BOGO_DIRENT_SIZE } from '../../fs-ram/index.js';
import { NO_INO } from '../../vfs/backend.js';
import type { NewNode } from '../../vfs/backend.js';
import {
  S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK, S_IFMT, DT_REG, DT_DIR, DT_LNK, DT_FIFO,
  DT_CHR, RENAME_NOREPLACE, RENAME_EXCHANGE,
} from '../../vfs/constants.js';
import { isFsError } from '../../vfs/errno.js';
import { Ram } from '../../src/hw/ram.js';
import { Clock, VIRTUAL_EPOCH_NS } from '../../src/sim/clock.js';

const node = (mode: number, rdev = 0): NewNode => ({ mode, uid: 1000, gid: 100, rdev, timeSec: 1_700_000_000, timeNsec: 123 });
const REG = node(S_IFREG | 0o644);
const DIR = node(S_IFDIR | 0o755);

function throwsCode(t: Test, fn: () => unknown, code: string, what: string): void {
  try {
    fn();
    t.fail(`${what}: expected ${code}, no error`);
  } catch (e) {
    t.ok(isFsError(e), `${what}: an FsError`);
    t.equal((e as { code: string }).code, code, what);
  }
}

/** A snapshot of the whole tree (names, inos, nlink, sizes) to check a failed call changed nothing. */
function snapshot(fs: RamFs, dir = fs.rootIno): unknown {
  const out: unknown[] = [];
  for (const e of fs.readdir(dir)) {
    const a = fs.getattr(e.ino);
    out.push([e.name, e.ino, a.mode, a.nlink, a.size, a.blocks, (a.mode & S_IFMT) === S_IFDIR ? snapshot(fs, e.ino) : null]);
  }
  const d = fs.getattr(dir);
  return [d.nlink, d.size, out];
}

t.test('root: a directory with nlink 2; lookup of an absent name is NO_INO (contract)', async (t) => {
  const fs = createRamFs();
  const r = fs.getattr(fs.rootIno);
  t.equal(r.mode & S_IFMT, S_IFDIR);
  t.equal(r.nlink, 2);
  t.equal(r.size, 2 * BOGO_DIRENT_SIZE, 'tmpfs: an empty directory has size 40');
  t.equal(fs.lookup(fs.rootIno, 'nope'), NO_INO);
  t.equal(fs.fsType, 'ramfs');
});

t.test('create, lookup, getattr store what the VFS gives (contract: VFS decides, backend stores)', async (t) => {
  const fs = createRamFs();
  const ino = fs.create(fs.rootIno, 'f', REG);
  t.equal(fs.lookup(fs.rootIno, 'f'), ino);
  const a = fs.getattr(ino);
  t.equal(a.ino, ino);
  t.equal(a.mode, S_IFREG | 0o644);
  t.equal(a.uid, 1000);
  t.equal(a.gid, 100);
  t.equal(a.nlink, 1);
  t.equal(a.size, 0);
  t.equal(a.blocks, 0);
  t.equal(a.blksize, 4096);
  t.same([a.atimeSec, a.mtimeSec, a.ctimeSec, a.birthtimeSec], [1_700_000_000, 1_700_000_000, 1_700_000_000, 1_700_000_000]);
  t.equal(a.mtimeNsec, 123);
  throwsCode(t, () => fs.create(fs.rootIno, 'f', REG), 'EEXIST', 'creating an existing name');
  throwsCode(t, () => fs.create(fs.rootIno, 'd', DIR), 'EINVAL', 'create of a directory type');
  throwsCode(t, () => fs.lookup(ino, 'x'), 'ENOTDIR', 'lookup in a regular file');
  throwsCode(t, () => fs.getattr(9999), 'ENOENT', 'getattr of an unknown inode');
  t.equal(fs.getattr(fs.rootIno).size, 3 * BOGO_DIRENT_SIZE, 'tmpfs: each entry adds 20 to the size');
});

t.test("names '__proto__', 'constructor', 'hasOwnProperty' are ordinary names (memfs/ZenFS regression)", async (t) => {
  const fs = createRamFs();
  t.equal(fs.lookup(fs.rootIno, '__proto__'), NO_INO);
  t.equal(fs.lookup(fs.rootIno, 'constructor'), NO_INO);
  const a = fs.create(fs.rootIno, '__proto__', REG);
  const b = fs.mkdir(fs.rootIno, 'constructor', DIR);
  const c = fs.create(fs.rootIno, 'hasOwnProperty', REG);
  t.equal(fs.lookup(fs.rootIno, '__proto__'), a);
  t.equal(fs.lookup(fs.rootIno, 'constructor'), b);
  t.equal(fs.lookup(fs.rootIno, 'hasOwnProperty'), c);
  t.same(fs.readdir(fs.rootIno).map((e) => e.name), ['__proto__', 'constructor', 'hasOwnProperty']);
  fs.unlink(fs.rootIno, '__proto__');
  t.equal(fs.lookup(fs.rootIno, '__proto__'), NO_INO);
});

t.test('directory nlink is 2 + subdirectories (Linux, stat(2) st_nlink on tmpfs)', async (t) => {
  const fs = createRamFs();
  const a = fs.mkdir(fs.rootIno, 'a', DIR);
  fs.mkdir(fs.rootIno, 'b', DIR);
  fs.create(fs.rootIno, 'f', REG);
  t.equal(fs.getattr(fs.rootIno).nlink, 4);
  const c = fs.mkdir(a, 'c', DIR);
  t.equal(fs.getattr(a).nlink, 3);
  t.equal(fs.getattr(c).nlink, 2);
  fs.create(c, 'x', REG);
  throwsCode(t, () => fs.rmdir(a, 'c'), 'ENOTEMPTY', 'rmdir of a non-empty directory');
  t.equal(fs.getattr(a).nlink, 3, 'unchanged after the failure');
  fs.unlink(c, 'x');
  fs.rmdir(a, 'c');
  t.equal(fs.getattr(a).nlink, 2);
  t.equal(fs.getattr(c).nlink, 0, 'a removed directory has no links');
  throwsCode(t, () => fs.rmdir(fs.rootIno, 'f'), 'ENOTDIR', 'rmdir of a file');
  throwsCode(t, () => fs.unlink(fs.rootIno, 'a'), 'EISDIR', 'unlink of a directory');
  throwsCode(t, () => fs.rmdir(fs.rootIno, 'zz'), 'ENOENT', 'rmdir of an absent name');
  throwsCode(t, () => fs.create(c, 'y', REG), 'ENOENT', 'creating in a removed directory');
  fs.inactive(c);
  throwsCode(t, () => fs.getattr(c), 'ENOENT', 'a freed inode is gone');
});

t.test('unlink never frees: data stays until inactive (contract; unlink(2) "open file" rule)', async (t) => {
  const ram = new Ram({ bytes: 1 << 20 });
  const fs = new RamFs({ ram });
  const ino = fs.create(fs.rootIno, 'f', REG);
  const data = new Uint8Array(10000).map((_, i) => i & 255);
  t.equal(fs.write(ino, 0, data, 0, data.length), 10000);
  const used = ram.usedFrames;
  t.equal(used, 3);
  fs.unlink(fs.rootIno, 'f');
  t.equal(fs.getattr(ino).nlink, 0);
  const back = new Uint8Array(10000);
  t.equal(fs.read(ino, 0, back, 0, 10000), 10000);
  t.same(back, data, 'readable after unlink');
  t.equal(ram.usedFrames, used, 'frames kept');
  fs.inactive(ino);
  t.equal(ram.usedFrames, 0, 'inactive gives every frame back');
  t.equal(fs.inodeCount, 1);
});

t.test('hard links count; directories cannot be linked (link(2) EPERM)', async (t) => {
  const fs = createRamFs();
  const ino = fs.create(fs.rootIno, 'f', REG);
  const d = fs.mkdir(fs.rootIno, 'd', DIR);
  fs.link(d, 'g', ino);
  t.equal(fs.getattr(ino).nlink, 2);
  t.equal(fs.lookup(d, 'g'), ino);
  throwsCode(t, () => fs.link(fs.rootIno, 'f', ino), 'EEXIST', 'link onto an existing name');
  throwsCode(t, () => fs.link(fs.rootIno, 'dd', d), 'EPERM', 'link of a directory');
  fs.unlink(fs.rootIno, 'f');
  t.equal(fs.getattr(ino).nlink, 1);
  fs.unlink(d, 'g');
  throwsCode(t, () => fs.link(fs.rootIno, 'again', ino), 'ENOENT', 'linking an inode with no names (linkat(2))');
});

t.test('symlinks store their target; size is its byte length; mode 0777 (symlink(7))', async (t) => {
  const fs = createRamFs();
  const s = fs.symlink(fs.rootIno, 'l', '../tärget', node(S_IFLNK | 0o644));
  const a = fs.getattr(s);
  t.equal(a.mode, S_IFLNK | 0o777);
  t.equal(a.size, Buffer.byteLength('../tärget'));
  t.equal(fs.readlink(s), '../tärget');
  const f = fs.create(fs.rootIno, 'f', REG);
  throwsCode(t, () => fs.readlink(f), 'EINVAL', 'readlink of a regular file (readlink(2))');
  t.equal(fs.readdir(fs.rootIno)[0]!.type, DT_LNK);
});

t.test('long symlink targets take a page, as tmpfs: 127 bytes 0 blocks, 128 bytes 8 blocks (mm/shmem.c)', async (t) => {
  const ram = new Ram({ bytes: 4 * 4096 });
  const fs = new RamFs({ ram, sizeLimit: 2 * 4096 });
  const short = fs.symlink(fs.rootIno, 's', 'a'.repeat(127), node(S_IFLNK));
  t.equal(fs.getattr(short).blocks, 0);
  t.equal(ram.usedFrames, 0);
  const long = fs.symlink(fs.rootIno, 'l', 'b'.repeat(128), node(S_IFLNK));
  t.equal(fs.getattr(long).blocks, 8, 'measured on Linux tmpfs: stat -c %b of a 128-byte symlink is 8');
  t.equal(fs.getattr(long).size, 128);
  t.equal(fs.readlink(long), 'b'.repeat(128));
  t.equal(ram.usedFrames, 1);
  t.equal(fs.pager(long), undefined, 'a symlink offers no mapping to mmap');
  throwsCode(t, () => fs.symlink(fs.rootIno, 'x', 'c'.repeat(4096), node(S_IFLNK)), 'ENAMETOOLONG', 'target plus NUL over a page');
  fs.symlink(fs.rootIno, 'l2', 'd'.repeat(200), node(S_IFLNK));
  const before = snapshot(fs);
  const inodes = fs.inodeCount;
  throwsCode(t, () => fs.symlink(fs.rootIno, 'l3', 'e'.repeat(300), node(S_IFLNK)), 'ENOSPC', 'no page left under sizeLimit');
  t.same(snapshot(fs), before, 'the failed symlink left nothing behind');
  t.equal(fs.inodeCount, inodes);
  t.equal(ram.usedFrames, 2);
  fs.unlink(fs.rootIno, 'l');
  fs.inactive(long);
  t.equal(ram.usedFrames, 1, 'inactive frees the target page');
});

t.test('fifos, sockets, devices are inodes of their type with rdev (mknod(2), pjdfstest)', async (t) => {
  const fs = createRamFs();
  const p = fs.create(fs.rootIno, 'p', node(S_IFIFO | 0o600));
  const s = fs.create(fs.rootIno, 's', node(S_IFSOCK | 0o600));
  const c = fs.create(fs.rootIno, 'c', node(S_IFCHR | 0o600, (1 << 8) | 3));
  const b = fs.create(fs.rootIno, 'b', node(S_IFBLK | 0o600, (8 << 8) | 1));
  t.equal(fs.getattr(p).mode & S_IFMT, S_IFIFO);
  t.equal(fs.getattr(s).mode & S_IFMT, S_IFSOCK);
  t.equal(fs.getattr(c).rdev, (1 << 8) | 3);
  t.equal(fs.getattr(b).rdev, (8 << 8) | 1);
  t.equal(fs.getattr(p).rdev, 0);
  t.same(fs.readdir(fs.rootIno).map((e) => e.type), [DT_FIFO, 12, DT_CHR, 6]);
  throwsCode(t, () => fs.read(p, 0, new Uint8Array(1), 0, 1), 'EINVAL', 'read of a fifo inode');
});

t.test('readdir: insertion order, d_type, stable, and updated after changes (contract)', async (t) => {
  const fs = createRamFs();
  fs.create(fs.rootIno, 'b', REG);
  fs.mkdir(fs.rootIno, 'a', DIR);
  fs.create(fs.rootIno, 'c', REG);
  const first = fs.readdir(fs.rootIno);
  t.same(first.map((e) => [e.name, e.type]), [['b', DT_REG], ['a', DT_DIR], ['c', DT_REG]]);
  t.same(fs.readdir(fs.rootIno), first, 'same tree, same order');
  fs.unlink(fs.rootIno, 'b');
  t.same(fs.readdir(fs.rootIno).map((e) => e.name), ['a', 'c']);
  fs.rename(fs.rootIno, 'a', fs.rootIno, 'z', 0);
  t.same(fs.readdir(fs.rootIno).map((e) => e.name), ['c', 'z']);
  throwsCode(t, () => fs.readdir(fs.lookup(fs.rootIno, 'c')), 'ENOTDIR', 'readdir of a file');
});

t.test('setattr changes only what is given and never the file type (chmod(2))', async (t) => {
  const fs = createRamFs();
  const f = fs.create(fs.rootIno, 'f', REG);
  fs.setattr(f, { mode: S_IFDIR | 0o4711, mtimeSec: 5, mtimeNsec: 6 });
  const a = fs.getattr(f);
  t.equal(a.mode, S_IFREG | 0o4711);
  t.equal(a.mtimeSec, 5);
  t.equal(a.mtimeNsec, 6);
  t.equal(a.atimeSec, 1_700_000_000);
  fs.setattr(f, { uid: 7, gid: 8, ctimeSec: 9, ctimeNsec: 10, atimeSec: 11, atimeNsec: 12 });
  t.same([a.uid, a.gid, a.ctimeSec, a.ctimeNsec, a.atimeSec, a.atimeNsec], [7, 8, 9, 10, 11, 12]);
});

t.test('rename, flags 0: replaces a file, drops its link, keeps the source inode (rename(2))', async (t) => {
  const fs = createRamFs();
  const a = fs.create(fs.rootIno, 'a', REG);
  const b = fs.create(fs.rootIno, 'b', REG);
  fs.rename(fs.rootIno, 'a', fs.rootIno, 'b', 0);
  t.equal(fs.lookup(fs.rootIno, 'b'), a);
  t.equal(fs.lookup(fs.rootIno, 'a'), NO_INO);
  t.equal(fs.getattr(b).nlink, 0, 'the replaced file lost its name but is not freed');
  t.equal(fs.getattr(fs.rootIno).size, 3 * BOGO_DIRENT_SIZE);
  fs.inactive(b);
});

t.test('rename onto a hard link of the same file does nothing (rename(2))', async (t) => {
  const fs = createRamFs();
  const a = fs.create(fs.rootIno, 'a', REG);
  fs.link(fs.rootIno, 'b', a);
  fs.rename(fs.rootIno, 'a', fs.rootIno, 'b', 0);
  t.equal(fs.lookup(fs.rootIno, 'a'), a, 'both names remain');
  t.equal(fs.lookup(fs.rootIno, 'b'), a);
  t.equal(fs.getattr(a).nlink, 2);
});

t.test("rename moves a directory between parents and fixes both parents' nlink ('..')", async (t) => {
  const fs = createRamFs();
  const p = fs.mkdir(fs.rootIno, 'p', DIR);
  const q = fs.mkdir(fs.rootIno, 'q', DIR);
  const d = fs.mkdir(p, 'd', DIR);
  fs.create(d, 'inside', REG);
  t.equal(fs.getattr(p).nlink, 3);
  fs.rename(p, 'd', q, 'd2', 0);
  t.equal(fs.getattr(p).nlink, 2);
  t.equal(fs.getattr(q).nlink, 3);
  t.equal(fs.lookup(q, 'd2'), d);
  t.not(fs.lookup(d, 'inside'), NO_INO, 'contents move with it');
  // Replacing an empty directory: the parent loses one subdirectory and gains one.
  const e = fs.mkdir(p, 'e', DIR);
  fs.rename(q, 'd2', p, 'e', 0);
  t.equal(fs.getattr(p).nlink, 3);
  t.equal(fs.getattr(q).nlink, 2);
  t.equal(fs.getattr(e).nlink, 0);
  t.equal(fs.getattr(fs.rootIno).nlink, 4);
});

t.test('rename over a non-empty directory is ENOTEMPTY and changes nothing (memfs regression)', async (t) => {
  const fs = createRamFs();
  fs.mkdir(fs.rootIno, 'a', DIR);
  const b = fs.mkdir(fs.rootIno, 'b', DIR);
  fs.create(b, 'x', REG);
  const before = snapshot(fs);
  throwsCode(t, () => fs.rename(fs.rootIno, 'a', fs.rootIno, 'b', 0), 'ENOTEMPTY', 'replacing a non-empty directory');
  t.same(snapshot(fs), before);
  fs.create(fs.rootIno, 'f', REG);
  const before2 = snapshot(fs);
  throwsCode(t, () => fs.rename(fs.rootIno, 'a', fs.rootIno, 'f', 0), 'ENOTDIR', 'directory over a file');
  throwsCode(t, () => fs.rename(fs.rootIno, 'f', fs.rootIno, 'a', 0), 'EISDIR', 'file over a directory');
  throwsCode(t, () => fs.rename(fs.rootIno, 'nope', fs.rootIno, 'a', 0), 'ENOENT', 'absent source');
  throwsCode(t, () => fs.rename(fs.rootIno, 'f', fs.rootIno, 'a', 8), 'EINVAL', 'unknown flag');
  t.same(snapshot(fs), before2);
});

t.test('rename of a directory into its own subtree is EINVAL (rename(2); memfs regression)', async (t) => {
  const fs = createRamFs();
  const a = fs.mkdir(fs.rootIno, 'a', DIR);
  const b = fs.mkdir(a, 'b', DIR);
  const before = snapshot(fs);
  throwsCode(t, () => fs.rename(fs.rootIno, 'a', b, 'a', 0), 'EINVAL', 'into its child');
  throwsCode(t, () => fs.rename(fs.rootIno, 'a', a, 'self', 0), 'EINVAL', 'into itself');
  throwsCode(t, () => fs.rename(fs.rootIno, 'a', a, 'b', RENAME_EXCHANGE), 'EINVAL', 'exchanged with its child');
  t.same(snapshot(fs), before);
});

t.test('rename of a symlink renames the link, not its target (rename(2))', async (t) => {
  const fs = createRamFs();
  const f = fs.create(fs.rootIno, 'f', REG);
  const l = fs.symlink(fs.rootIno, 'l', 'f', node(S_IFLNK));
  fs.rename(fs.rootIno, 'l', fs.rootIno, 'm', 0);
  t.equal(fs.lookup(fs.rootIno, 'm'), l);
  t.equal(fs.lookup(fs.rootIno, 'f'), f);
  t.equal(fs.readlink(l), 'f');
});

t.test('RENAME_NOREPLACE fails with EEXIST on an existing target (renameat2(2))', async (t) => {
  const fs = createRamFs();
  fs.create(fs.rootIno, 'a', REG);
  fs.create(fs.rootIno, 'b', REG);
  const before = snapshot(fs);
  throwsCode(t, () => fs.rename(fs.rootIno, 'a', fs.rootIno, 'b', RENAME_NOREPLACE), 'EEXIST', 'noreplace onto a name');
  t.same(snapshot(fs), before);
  fs.rename(fs.rootIno, 'a', fs.rootIno, 'c', RENAME_NOREPLACE);
  t.equal(fs.lookup(fs.rootIno, 'a'), NO_INO);
  throwsCode(t, () => fs.rename(fs.rootIno, 'b', fs.rootIno, 'c', RENAME_NOREPLACE | RENAME_EXCHANGE), 'EINVAL', 'both flags');
});

t.test('RENAME_EXCHANGE swaps a file and a directory across parents and fixes nlink (renameat2(2))', async (t) => {
  const fs = createRamFs();
  const p = fs.mkdir(fs.rootIno, 'p', DIR);
  const q = fs.mkdir(fs.rootIno, 'q', DIR);
  const f = fs.create(p, 'f', REG);
  const d = fs.mkdir(q, 'd', DIR);
  const sizes = [fs.getattr(p).size, fs.getattr(q).size];
  fs.rename(p, 'f', q, 'd', RENAME_EXCHANGE);
  t.equal(fs.lookup(p, 'f'), d);
  t.equal(fs.lookup(q, 'd'), f);
  t.equal(fs.getattr(p).nlink, 3, 'p gained a subdirectory');
  t.equal(fs.getattr(q).nlink, 2, 'q lost one');
  t.equal(fs.getattr(f).nlink, 1);
  t.equal(fs.getattr(d).nlink, 2);
  t.same([fs.getattr(p).size, fs.getattr(q).size], sizes, 'an exchange changes no directory size');
  // d now lives in p: moving p's child 'f' (the directory) into itself must fail.
  throwsCode(t, () => fs.rename(p, 'f', d, 'x', 0), 'EINVAL', 'the moved directory knows its new parent');
  throwsCode(t, () => fs.rename(p, 'f', q, 'absent', RENAME_EXCHANGE), 'ENOENT', 'exchange with an absent name');
});

t.test('file data: holes read as zeros and take no frames; blocks count frames (tmpfs)', async (t) => {
  const ram = new Ram({ bytes: 1 << 20 });
  const fs = new RamFs({ ram });
  const f = fs.create(fs.rootIno, 'f', REG);
  const buf = new Uint8Array([1, 2, 3]);
  t.equal(fs.write(f, 100_000, buf, 0, 3), 3);
  const a = fs.getattr(f);
  t.equal(a.size, 100_003);
  t.equal(a.blocks, 8, 'one 4 KiB frame is 8 sectors of 512 bytes');
  t.equal(ram.usedFrames, 1);
  const out = new Uint8Array(100_003).fill(9);
  t.equal(fs.read(f, 0, out, 0, out.length), 100_003);
  t.ok(out.subarray(0, 100_000).every((b) => b === 0), 'the hole reads as zeros');
  t.same([...out.subarray(100_000)], [1, 2, 3]);
  t.equal(ram.usedFrames, 1, 'reading a hole allocates nothing');
  t.equal(fs.read(f, 100_003, out, 0, 10), 0, 'read at EOF is 0');
  t.equal(fs.read(f, 100_001, out, 0, 10), 2, 'read stops at EOF');
});

t.test('truncate drops pages and zeroes the tail; growing back reads zeros (truncate(2))', async (t) => {
  const ram = new Ram({ bytes: 1 << 20 });
  const fs = new RamFs({ ram });
  const f = fs.create(fs.rootIno, 'f', REG);
  const data = new Uint8Array(3 * 4096).fill(0xaa);
  fs.write(f, 0, data, 0, data.length);
  fs.truncate(f, 5000);
  t.equal(fs.getattr(f).size, 5000);
  t.equal(fs.getattr(f).blocks, 16);
  t.equal(ram.usedFrames, 2);
  fs.truncate(f, 3 * 4096);
  const out = new Uint8Array(3 * 4096);
  fs.read(f, 0, out, 0, out.length);
  t.ok(out.subarray(0, 5000).every((b) => b === 0xaa));
  t.ok(out.subarray(5000).every((b) => b === 0), 'bytes past the old end read as zeros');
  fs.truncate(f, 0);
  t.equal(ram.usedFrames, 0);
  t.equal(fs.getattr(f).blocks, 0);
  throwsCode(t, () => fs.truncate(f, -1), 'EINVAL', 'negative size');
  throwsCode(t, () => fs.truncate(f, 2 ** 60), 'EFBIG', 'past maxFileSize');
  throwsCode(t, () => fs.truncate(fs.rootIno, 0), 'EISDIR', 'truncate of a directory');
  // A never-written file can grow by truncate alone and stays one hole.
  const g = fs.create(fs.rootIno, 'g', REG);
  fs.truncate(g, 10_000);
  const z = new Uint8Array(10).fill(1);
  t.equal(fs.read(g, 9995, z, 0, 10), 5);
  t.same([...z.subarray(0, 5)], [0, 0, 0, 0, 0]);
});

t.test('punchHole frees whole pages, zeroes partial ones, keeps the size (fallocate(2))', async (t) => {
  const ram = new Ram({ bytes: 1 << 20 });
  const fs = new RamFs({ ram });
  t.equal(fs.capabilities.punchHole, true);
  const f = fs.create(fs.rootIno, 'f', REG);
  const data = new Uint8Array(4 * 4096).fill(7);
  fs.write(f, 0, data, 0, data.length);
  fs.punchHole!(f, 1000, 2 * 4096 + 100);
  t.equal(fs.getattr(f).size, 4 * 4096);
  t.equal(ram.usedFrames, 3, 'page 1 (wholly inside) is freed');
  const out = new Uint8Array(4 * 4096);
  fs.read(f, 0, out, 0, out.length);
  for (let i = 0; i < out.length; i++) {
    const inHole = i >= 1000 && i < 1000 + 2 * 4096 + 100;
    if (out[i] !== (inHole ? 0 : 7)) {
      t.fail(`byte ${i} is ${out[i]}`);
      break;
    }
  }
  t.equal(fs.getattr(f).blocks, 24);
  throwsCode(t, () => fs.punchHole!(f, -1, 5), 'EINVAL', 'negative offset');
  throwsCode(t, () => fs.punchHole!(f, 0, 0), 'EINVAL', 'zero length (fallocate(2))');
});

t.test('full is ENOSPC: short write when some bytes fit, nothing changed when none (write(2))', async (t) => {
  const ram = new Ram({ bytes: 1 << 20 });
  const fs = new RamFs({ ram, sizeLimit: 3 * 4096 + 100 });
  t.equal(fs.budget.limit, 3, 'the limit is rounded down to pages');
  const f = fs.create(fs.rootIno, 'f', REG);
  const data = new Uint8Array(5 * 4096).fill(1);
  t.equal(fs.write(f, 1000, data, 0, data.length), 3 * 4096 - 1000, 'short count up to the last frame');
  t.equal(fs.getattr(f).size, 3 * 4096);
  const st = fs.statfs();
  t.equal(st.blocks, 3);
  t.equal(st.bfree, 0);
  t.equal(st.type, RAMFS_MAGIC);
  const before = snapshot(fs);
  throwsCode(t, () => fs.write(f, 3 * 4096, data, 0, 10), 'ENOSPC', 'no byte fits');
  t.same(snapshot(fs), before, 'a failed write leaves the file unchanged');
  t.equal(fs.write(f, 0, data, 0, 10), 10, 'overwriting allocated pages still works when full');
  fs.punchHole!(f, 0, 4096);
  t.equal(fs.statfs().bfree, 1, 'punching a hole gives space back');
});

t.test('ramfs is bounded by the machine RAM even without a size limit (DESIGN.md: never a heap overflow)', async (t) => {
  const ram = new Ram({ bytes: 16 * 4096 });
  const fs = new RamFs({ ram });
  const other = ram.allocFrame(); // someone else (a page table) holds a frame
  const f = fs.create(fs.rootIno, 'f', REG);
  const data = new Uint8Array(1 << 20);
  t.equal(fs.write(f, 0, data, 0, data.length), 15 * 4096);
  throwsCode(t, () => fs.write(f, 15 * 4096, data, 0, 1), 'ENOSPC', 'RAM exhausted');
  t.equal(fs.statfs().bfree, 0);
  ram.freeFrame(other);
  t.equal(fs.statfs().bfree, 1);
});

t.test('maxInodes: creating past it is ENOSPC (tmpfs nr_inodes)', async (t) => {
  const fs = createRamFs({ maxInodes: 3 });
  const a = fs.create(fs.rootIno, 'a', REG);
  fs.mkdir(fs.rootIno, 'b', DIR);
  t.equal(fs.statfs().ffree, 0);
  const before = snapshot(fs);
  throwsCode(t, () => fs.create(fs.rootIno, 'c', REG), 'ENOSPC', 'create');
  throwsCode(t, () => fs.mkdir(fs.rootIno, 'c', DIR), 'ENOSPC', 'mkdir');
  throwsCode(t, () => fs.symlink(fs.rootIno, 'c', 'x', node(S_IFLNK)), 'ENOSPC', 'symlink');
  t.same(snapshot(fs), before);
  fs.unlink(fs.rootIno, 'a');
  throwsCode(t, () => fs.create(fs.rootIno, 'c', REG), 'ENOSPC', 'an unlinked inode still counts until inactive');
  fs.inactive(a);
  t.not(fs.create(fs.rootIno, 'c', REG), NO_INO, 'inactive makes room');
});

t.test('bad I/O arguments get an errno, not a crash (contract: bad input is an FsError)', async (t) => {
  const fs = createRamFs();
  const f = fs.create(fs.rootIno, 'f', REG);
  const b = new Uint8Array(10);
  throwsCode(t, () => fs.write(f, -1, b, 0, 1), 'EINVAL', 'negative position');
  throwsCode(t, () => fs.write(f, NaN, b, 0, 1), 'EINVAL', 'NaN position');
  throwsCode(t, () => fs.write(f, 0, b, 5, 6), 'EFAULT', 'past the buffer');
  throwsCode(t, () => fs.read(f, 0, b, -1, 1), 'EFAULT', 'negative buffer offset');
  throwsCode(t, () => fs.read(fs.rootIno, 0, b, 0, 1), 'EISDIR', 'read of a directory');
  throwsCode(t, () => fs.write(f, 2 ** 53, b, 0, 1), 'EINVAL', 'unsafe integer position');
  throwsCode(t, () => fs.write(f, fs.capabilities.maxFileSize, b, 0, 1), 'EFBIG', 'at the size limit');
  b.set([1, 2, 3, 4]);
  t.equal(fs.write(f, fs.capabilities.maxFileSize - 4, b, 0, 10), 4, 'a write crossing the limit is cut short');
  t.equal(fs.getattr(f).size, fs.capabilities.maxFileSize);
  t.equal(fs.getattr(f).blocks, 8);
  const back = new Uint8Array(8);
  t.equal(fs.read(f, fs.capabilities.maxFileSize - 6, back, 0, 8), 6, 'read at the top of the range');
  t.same([...back.subarray(0, 6)], [0, 0, 1, 2, 3, 4]);
});

t.test('unmount gives every frame back to RAM (Linux kill_litter_super)', async (t) => {
  const ram = new Ram({ bytes: 1 << 20 });
  const fs = new RamFs({ ram });
  const f = fs.create(fs.rootIno, 'f', REG);
  fs.write(f, 0, new Uint8Array(20000), 0, 20000);
  t.equal(ram.usedFrames, 5);
  fs.unmount();
  t.equal(ram.usedFrames, 0);
  t.equal(fs.pageCache.mappingCount, 0);
});

t.test('pager hook: a regular file gives its page-cache mapping; others none (vfs/backend.ts PagerHook)', async (t) => {
  const fs = createRamFs();
  const f = fs.create(fs.rootIno, 'f', REG);
  const m = fs.pager(f);
  t.ok(m);
  t.equal(m!.evictable, false, 'ramfs pages are not evictable (tmpfs without swap)');
  fs.write(f, 0, new Uint8Array([5]), 0, 1);
  t.equal(fs.pager(f), m, 'the same mapping backs read/write');
  t.equal(fs.pageCache.findPage(m!, 0) >= 0, true);
  t.equal(fs.pager(fs.rootIno), undefined);
});

t.test('64 KiB granule: pages, blocks and blksize follow the frame size (Arm 64K translation granule)', async (t) => {
  const ram = new Ram({ bytes: 16 * 65536, frameSize: 65536 });
  const fs = new RamFs({ ram });
  const f = fs.create(fs.rootIno, 'f', REG);
  t.equal(fs.getattr(f).blksize, 65536);
  const data = new Uint8Array(70_000).map((_, i) => (i * 13) & 255);
  t.equal(fs.write(f, 65_000, data, 0, data.length), data.length);
  t.equal(ram.usedFrames, 3, 'bytes 65,000..135,000 touch pages 0, 1 and 2');
  t.equal(fs.getattr(f).blocks, 3 * 128);
  const out = new Uint8Array(data.length);
  fs.read(f, 65_000, out, 0, out.length);
  t.same(out, data);
  fs.truncate(f, 65_536);
  t.equal(ram.usedFrames, 1);
  t.equal(fs.statfs().bsize, 65536);
  t.equal(fs.statfs().blocks, 16);
});

t.test("root's times come from the virtual clock, exact to the nanosecond (DESIGN.md: virtual time)", async (t) => {
  const clock = new Clock(5e9 + 123);
  const fs = createRamFs({ clock });
  const a = fs.getattr(fs.rootIno);
  t.equal(a.mtimeSec, VIRTUAL_EPOCH_NS / 1e9 + 5);
  t.equal(a.mtimeNsec, 123);
  t.equal(a.birthtimeNsec, 123);
});

t.test('bad constructor options are a RangeError/TypeError, as Node reports bad arguments', async (t) => {
  t.throws(() => new RamFs({}), TypeError);
  t.throws(() => createRamFs({ sizeLimit: -1 }), RangeError);
  t.throws(() => createRamFs({ sizeLimit: NaN }), RangeError);
  t.throws(() => createRamFs({ maxInodes: 0 }), RangeError);
  t.equal(createRamFs({ sizeLimit: 0 }).statfs().blocks, 0, 'a zero limit is a full filesystem');
});

t.test('fsck finds what a broken tree would show (checks the checker the property tests rely on)', async (t) => {
  const fs = createRamFs();
  const d = fs.mkdir(fs.rootIno, 'd', DIR);
  const f = fs.create(d, 'f', REG);
  fs.write(f, 0, new Uint8Array(5000), 0, 5000);
  fs.link(fs.rootIno, 'g', f);
  t.same(fs.fsck(), [], 'a consistent tree');
  const attrs = fs.getattr(f) as { nlink: number; blocks: number };
  attrs.nlink = 1;
  attrs.blocks = 0;
  (fs.getattr(d) as { nlink: number }).nlink = 5;
  const problems = fs.fsck();
  t.match(problems.join('\n'), /nlink 1, 2 names/);
  t.match(problems.join('\n'), /blocks 0, 2 pages/);
  t.match(problems.join('\n'), /directory nlink 5, 0 subdirectories/);
});

t.test('SEEK_DATA / SEEK_HOLE answer as Linux tmpfs does (lseek(2); measured on /dev/shm)', async (t) => {
  const fs = createRamFs();
  const f = fs.create(fs.rootIno, 'f', REG);
  const ten = new Uint8Array(10).fill(1);
  fs.write(f, 0, ten, 0, 10);
  fs.write(f, 8192, ten, 0, 10);
  fs.truncate(f, 8192 + 2048);
  const SEEK_DATA = 3;
  const SEEK_HOLE = 4;
  // The expectations are what Python's os.lseek printed on Linux tmpfs for the same file.
  const data: [number, number | string][] = [[0, 0], [100, 100], [4096, 8192], [5000, 8192], [8192, 8192], [9000, 9000], [10239, 10239], [10240, 'ENXIO']];
  const hole: [number, number | string][] = [[0, 4096], [100, 4096], [4096, 4096], [5000, 5000], [8192, 10240], [9000, 10240], [10239, 10240], [10240, 'ENXIO']];
  for (const [whence, table] of [[SEEK_DATA, data], [SEEK_HOLE, hole]] as const) {
    for (const [off, want] of table) {
      if (typeof want === 'number') t.equal(fs.seekHoleData(f, off, whence), want, `whence ${whence} at ${off}`);
      else throwsCode(t, () => fs.seekHoleData(f, off, whence), want, `whence ${whence} at ${off}`);
    }
  }
  // A file that is one hole: SEEK_HOLE finds 0, SEEK_DATA finds nothing.
  const g = fs.create(fs.rootIno, 'g', REG);
  fs.truncate(g, 5000);
  t.equal(fs.seekHoleData(g, 0, SEEK_HOLE), 0);
  throwsCode(t, () => fs.seekHoleData(g, 0, SEEK_DATA), 'ENXIO', 'no data in a hole-only file');
  const h = fs.create(fs.rootIno, 'h', REG);
  throwsCode(t, () => fs.seekHoleData(h, 0, SEEK_HOLE), 'ENXIO', 'an empty file has no offset 0');
  throwsCode(t, () => fs.seekHoleData(f, 0, 2), 'EINVAL', 'other whence values');
});
