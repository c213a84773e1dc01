// msync(MS_SYNC) is a range fsync of the mapped file: Linux's mm/msync.c writes back the VMA's part of
// the range and calls vfs_fsync_range(file, start, end, 1), which reaches the filesystem's ->fsync with
// that byte range and datasync set. So the backend's fsync runs (zfs-lite commits its intent log: see
// test/fs-zfs-lite/zfs-mmap-durability.test.ts), and a page of the same file dirtied by write() outside
// the range stays dirty (file_write_and_wait_range covers [start, end) only).
import t from 'tap';
import { mmapFd } from '../../vfs/mmap-fd.js';
import { msync } from '../../src/mm/mmap.js';
import { MAP_SHARED, MS_ASYNC, MS_SYNC, PROT_READ, PROT_WRITE } from '../../src/mm/mman.js';
import type { StoreFs } from '../../src/testing/store-fs.js';
import { setup, patternFile } from './mm-helpers.js';
import { fsErr, type FsError } from '../../src/sim/errno.js';

t.test('msync(MS_SYNC) calls the backend fsync with the mapped byte range and datasync', async (t) => {
  const s = setup({ fs: 'store' });
  const fs = s.fs as StoreFs;
  const { fd } = patternFile(s.p, '/f', 8 * 4096);
  s.p.fsync(fd);
  const calls: [boolean, number | undefined, number | undefined][] = [];
  const fsync = fs.fsync.bind(fs);
  fs.fsync = (ino, dataOnly, start, end) => { calls.push([dataOnly, start, end]); fsync(ino, dataOnly, start, end); };
  // Map file pages 2..5; sync pages 3..4 of the file through it.
  const va = mmapFd(s.p, s.as, 0, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 2 * 4096);
  s.cpu.store8(va + 4096 + 5, 0xee);
  s.p.write(fd, new Uint8Array([9]), 0, 1, 7 * 4096); // page 7: dirty by write(), outside the range
  msync(s.as, va + 4096, 2 * 4096, MS_ASYNC);
  t.same(calls, [], 'MS_ASYNC calls no fsync');
  msync(s.as, va + 4096, 2 * 4096, MS_SYNC);
  t.same(calls, [[true, 3 * 4096, 5 * 4096]], 'one datasync fsync of file bytes [3 pages, 5 pages)');
  const mapping = fs.pager(s.p.fstat(fd).ino)!;
  t.equal(fs.pageCache.isDirty(mapping, 3), false, 'the stored page is clean');
  t.equal(fs.pageCache.isDirty(mapping, 7), true, 'a page outside the range stays dirty (range fsync)');
});

// msync(2) ERRORS: EIO from the file's fsync is msync's error, and it says so (syscall 'msync').
t.test('an EIO from the backend fsync is msync\'s error, named msync', async (t) => {
  const s = setup({ fs: 'store' });
  const fs = s.fs as StoreFs;
  const { fd } = patternFile(s.p, '/f', 4096);
  const va = mmapFd(s.p, s.as, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  fs.fsync = () => { throw fsErr('EIO'); };
  s.cpu.store8(va, 1);
  const e = (() => { try { msync(s.as, va, 4096, MS_SYNC); } catch (err) { return err as FsError; } return null; })();
  t.equal(e?.code, 'EIO');
  t.equal(e?.syscall, 'msync');
});
