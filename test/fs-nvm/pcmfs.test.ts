// pcmfs through the VFS: the POSIX calls, what survives a remount and a power failure, DAX (no page
// cache), copy-on-write data, cheap fsync, ENOSPC leaving things unchanged, log compaction, the DAX hook.
// Rules: NOVA (FAST 2016) for the design claims, write(2)/truncate(2)/rename(2)/link(2)/fallocate(2) for
// the results.

import t from 'tap';
import { Vfs } from '../../vfs/vfs.js';
import { PcmFs, fsckPcm, PCMFS_STATFS_MAGIC } from '../../fs-nvm/index.js';
import { PcmDevice } from '../../src/hw/pcm/pcm.js';
import { O_CREAT, O_RDWR, O_TRUNC, O_WRONLY, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, RENAME_EXCHANGE } from '../../vfs/constants.js';
import { FsError } from '../../vfs/errno.js';
import { tree, put, get, enc } from '../vfs/helpers.js';

const mk = (bytes = 4 << 20, opts = {}): { fs: PcmFs; vfs: Vfs } => {
  const fs = PcmFs.create(bytes, opts);
  return { fs, vfs: new Vfs({ root: fs }) };
};

function populate(vfs: Vfs): void {
  const p = vfs.root;
  p.mkdir('/a', 0o755);
  p.mkdir('/a/b', 0o700);
  put(p, '/a/f', 'hello pcm');
  put(p, '/big', 'x'.repeat(50000));
  p.link('/a/f', '/a/b/g');
  p.symlink('../big', '/a/s');
  p.rename('/a/b/g', '/h');
  p.chmod('/a/f', 0o600);
  p.truncate('/big', 12345);
  p.mknod('/fifo', 0o010644, 0);
}

t.test('the POSIX surface on pcmfs, and the same tree after remount (mount runs recovery)', async (t) => {
  const { fs, vfs } = mk();
  populate(vfs);
  const before = tree(vfs.root);
  t.equal(vfs.root.stat('/a/f').nlink, 2, 'link(2) counts names');
  t.equal(vfs.root.stat('/a').nlink, 3, 'directory nlink = 2 + subdirectories');
  t.equal(get(vfs.root, '/big').length, 12345, 'truncate(2) shrinks');
  t.equal(vfs.root.statfs('/').type, PCMFS_STATFS_MAGIC);
  t.same(fsckPcm(fs).problems, []);
  const fs2 = PcmFs.mount(fs.dev);
  t.same(tree(new Vfs({ root: fs2 }).root), before, 'every completed call is on the media');
  t.equal(fs2.recovery.journalRolledBack, 0);
  t.equal(fs2.recovery.orphanInodes, 0);
  t.equal(fs2.recovery.uncommittedTails, 0, 'a clean image has no uncommitted entries');
  t.same(fsckPcm(fs2).problems, []);
});

t.test('a power failure at any instant after a call returned loses nothing (synchronous persistence)', async (t) => {
  const { fs, vfs } = mk();
  populate(vfs);
  const before = tree(vfs.root);
  const dev = fs.dev as PcmDevice;
  dev.powerFail({ seed: 7 });
  t.same(tree(new Vfs({ root: PcmFs.mount(dev) }).root), before, 'nothing was pending: every call fenced its commit');
});

t.test('DAX: reads copy from PCM into the buffer (no page cache), fsync is one fence', async (t) => {
  const { fs, vfs } = mk();
  const dev = fs.dev as PcmDevice;
  put(vfs.root, '/f', 'y'.repeat(100000));
  const r0 = dev.counters.values.bytesRead;
  const fd = vfs.root.open('/f', O_RDWR);
  const buf = new Uint8Array(100000);
  t.equal(vfs.root.read(fd, buf, 0, buf.length, 0), 100000);
  t.ok(dev.counters.values.bytesRead - r0 >= 100000, 'the bytes came from the device');
  const f0 = dev.counters.values.fences, fl0 = dev.counters.values.flushes;
  vfs.root.fsync(fd);
  t.equal(dev.counters.values.fences - f0, 1, 'fsync: one fence');
  t.equal(dev.counters.values.flushes - fl0, 0, 'nothing to write back');
  vfs.root.close(fd);
});

t.test('writes are copy-on-write: a page moves to a new block, the old one is freed after the commit', async (t) => {
  const { fs, vfs } = mk();
  put(vfs.root, '/f', 'a'.repeat(8192));
  const ino = vfs.root.stat('/f').ino;
  const pa0 = fs.daxPhysAddr(ino, 0), pa1 = fs.daxPhysAddr(ino, 1);
  t.ok(pa0 >= (fs.dev as PcmDevice).base, 'the DAX hook gives a physical address on the PCM');
  const free0 = fs.alloc.free;
  const fd = vfs.root.open('/f', O_RDWR);
  vfs.root.write(fd, enc('BB'), 0, 2, 10);
  vfs.root.close(fd);
  t.not(fs.daxPhysAddr(ino, 0), pa0, 'the written page has a new block');
  t.equal(fs.daxPhysAddr(ino, 1), pa1, 'the other page did not move');
  t.equal(fs.alloc.free, free0, 'one block in, one block out');
  t.equal(get(vfs.root, '/f').slice(8, 14), 'aaBBaa');
  t.equal(fs.daxPhysAddr(ino, 5), -1, 'a hole has no frame');
});

t.test('ENOSPC leaves the filesystem unchanged (backend contract: a failed call changes nothing)', async (t) => {
  const { fs, vfs } = mk(256 << 10);
  put(vfs.root, '/keep', 'k');
  const before = tree(vfs.root);
  const fd = vfs.root.open('/f', O_CREAT | O_WRONLY, 0o644);
  let err = '';
  try {
    vfs.root.write(fd, new Uint8Array(400 << 10), 0, 400 << 10, 0);
  } catch (e) {
    err = (e as FsError).code;
  }
  t.equal(err, 'ENOSPC');
  t.equal(vfs.root.fstat(fd).size, 0);
  vfs.root.close(fd);
  vfs.root.unlink('/f');
  t.same(tree(vfs.root), before);
  t.same(fsckPcm(fs).problems, [], 'no block leaked by the failed write');
  t.same(fsckPcm(PcmFs.mount(fs.dev)).problems, []);
});

t.test('truncate zeroes the tail of the last page; punch hole frees whole pages (fallocate(2))', async (t) => {
  const { fs, vfs } = mk();
  const p = vfs.root;
  put(p, '/f', 'z'.repeat(3 * 4096));
  p.truncate('/f', 100);
  p.truncate('/f', 5000);
  const s = get(p, '/f');
  t.equal(s.slice(0, 100), 'z'.repeat(100));
  t.equal(s.slice(100), '\0'.repeat(4900), 'growing exposes zeros, not old data (truncate(2))');
  put(p, '/g', 'q'.repeat(4 * 4096));
  const fd = p.open('/g', O_RDWR);
  p.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1000, 3 * 4096);
  p.close(fd);
  const g = get(p, '/g');
  t.equal(g.length, 4 * 4096, 'KEEP_SIZE');
  t.equal(g.slice(0, 1000), 'q'.repeat(1000));
  t.equal(g.slice(1000, 1000 + 3 * 4096), '\0'.repeat(3 * 4096));
  t.equal(g.slice(1000 + 3 * 4096), 'q'.repeat(4096 - 1000));
  t.equal(p.stat('/g').blocks, 2 * 8, 'pages 1 and 2 deallocated, the partial ones copied');
  t.same(fsckPcm(fs).problems, []);
  t.same(tree(new Vfs({ root: PcmFs.mount(fs.dev) }).root), tree(p));
});

t.test('rename: across directories, over a file, over an empty directory, RENAME_EXCHANGE (rename(2))', async (t) => {
  const { fs, vfs } = mk();
  const p = vfs.root;
  p.mkdir('/d1', 0o755);
  p.mkdir('/d2', 0o755);
  p.mkdir('/d1/sub', 0o755);
  put(p, '/d1/x', 'x');
  put(p, '/d2/y', 'y');
  p.rename('/d1/sub', '/d2/sub');
  t.equal(p.stat('/d1').nlink, 2);
  t.equal(p.stat('/d2').nlink, 3);
  p.rename('/d1/x', '/d2/y');
  t.equal(get(p, '/d2/y'), 'x');
  p.mkdir('/d1/e', 0o755);
  p.rename('/d2/sub', '/d1/e');
  t.equal(p.stat('/d2').nlink, 2);
  put(p, '/d1/z', 'z');
  p.rename('/d1/z', '/d2/y', RENAME_EXCHANGE);
  t.equal(get(p, '/d1/z'), 'x');
  t.equal(get(p, '/d2/y'), 'z');
  p.rename('/d1/e', '/d2/y', RENAME_EXCHANGE);
  t.equal(p.stat('/d1').nlink, 2, 'exchange of a directory and a file moves a ".." link');
  t.equal(p.stat('/d2').nlink, 3);
  t.ok(fs.tx.journaled > 0, 'cross-directory renames went through the journal');
  t.same(fsckPcm(fs).problems, []);
  t.same(tree(new Vfs({ root: PcmFs.mount(fs.dev) }).root), tree(p));
});

t.test('log compaction rewrites a log and keeps the state (NOVA §4.5 log cleaning)', async (t) => {
  const { fs, vfs } = mk(4 << 20, { compactAfter: 16 });
  const p = vfs.root;
  for (let i = 0; i < 200; i++) put(p, `/f${i % 7}`, `v${i}`.repeat(i));
  for (let i = 0; i < 5; i++) p.unlink(`/f${i}`);
  t.ok(fs.compactions > 0, `${fs.compactions} compactions`);
  const before = tree(p);
  t.same(fsckPcm(fs).problems, []);
  t.same(tree(new Vfs({ root: PcmFs.mount(fs.dev) }).root), before);
});

t.test('an unlinked open file keeps its data until close; a crash before that frees it at mount (orphan)', async (t) => {
  const { fs, vfs } = mk();
  const p = vfs.root;
  put(p, '/f', 'o'.repeat(9000));
  const fd = p.open('/f', O_RDWR);
  p.unlink('/f');
  const b = new Uint8Array(9000);
  t.equal(p.read(fd, b, 0, 9000, 0), 9000, 'data stays while open (unlink(2))');
  const fs2 = PcmFs.mount(fs.dev); // the power went before close: the inode has no name
  t.equal(fs2.recovery.orphanInodes, 1);
  t.equal(fs2.recovery.leakedBlocks, 4, 'its log page and three data blocks return to the free pool');
  t.same(fsckPcm(fs2).problems, []);
  p.close(fd);
});

t.test('O_TRUNC, append, sparse files and large writes read back exactly', async (t) => {
  const { fs, vfs } = mk(8 << 20);
  const p = vfs.root;
  const fd = p.open('/s', O_CREAT | O_RDWR | O_TRUNC, 0o644);
  const big = new Uint8Array(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
  p.write(fd, big, 0, big.length, 3 << 20);
  const out = new Uint8Array(big.length + 10);
  t.equal(p.read(fd, out, 0, out.length, (3 << 20) - 10), big.length + 10);
  t.same(out.subarray(0, 10), new Uint8Array(10), 'the hole reads as zeros');
  t.ok(Buffer.from(out.subarray(10)).equals(Buffer.from(big)), 'the data');
  t.equal(p.fstat(fd).blocks, (1 << 20) / 512, 'holes take no blocks');
  p.close(fd);
  t.same(fsckPcm(fs).problems, []);
});

t.test('public API: vfsim exports pcmfs, vfsim/testing the crash explorer', async (t) => {
  const api = await import('../../src/index.js');
  const testing = await import('../../src/testing/index.js');
  t.equal(api.PcmFs, PcmFs);
  t.equal(typeof testing.crash.runWorkload, 'function');
  t.equal(typeof testing.crash.pcmfsTarget, 'function');
});
