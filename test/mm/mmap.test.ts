// Unit tests of the mmap family against Linux's rules (man 2 mmap/munmap/mprotect/msync/madvise/mincore)
// and of the fault handler's signals, through the VFS and the simulated MMU.

import t, { type Test } from 'tap';
import { setup, patternFile, errCode } from './mm-helpers.js';
import { mmap, munmap, mprotect, msync, madvise, mincore } from '../../src/mm/mmap.js';
import { mmapFd } from '../../vfs/mmap-fd.js';
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, MADV_DONTNEED, MS_ASYNC, MS_INVALIDATE, MS_SYNC,
  PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE,
} from '../../src/mm/mman.js';
import { O_RDONLY, O_WRONLY, O_RDWR, O_APPEND } from '../../vfs/constants.js';
import type { StoreFs } from '../../src/testing/store-fs.js';

const RW = PROT_READ | PROT_WRITE;

t.test('mmap(2) errors: EACCES, ENODEV, EINVAL, EBADF, EEXIST', async (t) => {
  const { p, as } = setup();
  patternFile(p, '/f', 8192);
  const ro = p.open('/f', O_RDONLY, 0);
  const wo = p.open('/f', O_WRONLY, 0);
  const ap = p.open('/f', O_RDWR | O_APPEND, 0);
  p.mkdir('/d', 0o755);
  const dir = p.open('/d', O_RDONLY, 0);
  t.equal(errCode(() => mmapFd(p, as, 0, 4096, RW, MAP_SHARED, ro, 0)), 'EACCES', 'shared writable map of a read-only fd');
  t.equal(errCode(() => mmapFd(p, as, 0, 4096, PROT_READ, MAP_PRIVATE, wo, 0)), 'EACCES', 'fd not open for reading');
  t.equal(errCode(() => mmapFd(p, as, 0, 4096, RW, MAP_SHARED, ap, 0)), 'EACCES', 'shared writable map of an O_APPEND fd');
  t.equal(errCode(() => mmapFd(p, as, 0, 4096, RW, MAP_PRIVATE, ro, 0)), 'ok', 'private writable map of a read-only fd is allowed');
  t.equal(errCode(() => mmapFd(p, as, 0, 4096, PROT_READ, MAP_SHARED, dir, 0)), 'ENODEV', 'a directory');
  t.equal(errCode(() => mmapFd(p, as, 0, 4096, PROT_READ, MAP_SHARED, ro, 100)), 'EINVAL', 'offset not page aligned');
  t.equal(errCode(() => mmapFd(p, as, 0, 0, PROT_READ, MAP_SHARED, ro, 0)), 'EINVAL', 'zero length');
  t.equal(errCode(() => mmapFd(p, as, 0, 4096, PROT_READ, 0, ro, 0)), 'EINVAL', 'neither MAP_SHARED nor MAP_PRIVATE');
  t.equal(errCode(() => mmapFd(p, as, 0, 4096, PROT_READ, MAP_SHARED, 99, 0)), 'EBADF', 'bad fd');
  t.equal(errCode(() => mmap(as, 0x1001, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0)), 'EINVAL', 'MAP_FIXED at a misaligned address');
  const a = mmap(as, 0, 8192, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
  t.equal(errCode(() => mmap(as, a + 4096, 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, null, 0)), 'EEXIST', 'MAP_FIXED_NOREPLACE over a mapping');
});

t.test('MAP_FIXED replaces what was there; mapping, reading, SIGSEGV outside', async (t) => {
  const { as, cpu } = setup();
  const a = mmap(as, 0, 3 * 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
  cpu.store8(a + 4096, 7);
  t.equal(cpu.load8(a + 4096), 7);
  const b = mmap(as, a + 4096, 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
  t.equal(b, a + 4096, 'MAP_FIXED maps at the address');
  t.equal(cpu.load8(a + 4096), 0, 'the old page is gone: fresh anonymous memory reads zero');
  t.equal(as.vmas.length, 3, 'the old VMA was split around the new one');
  t.equal(cpu.takeSignal(), null);
  cpu.load8(a + 10 * 4096);
  t.same(cpu.takeSignal(), { signal: 'SIGSEGV', addr: a + 10 * 4096 }, 'an access outside every VMA is SIGSEGV with the address');
});

t.test('partial munmap splits the VMA; the hole faults; misaligned munmap is EINVAL', async (t) => {
  const { as, cpu } = setup();
  const a = mmap(as, 0, 4 * 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
  for (let i = 0; i < 4; i++) cpu.store8(a + i * 4096, i + 1);
  munmap(as, a + 4096, 4096);
  t.equal(as.vmas.length, 2, 'one VMA became two');
  t.equal(cpu.load8(a), 1);
  t.equal(cpu.load8(a + 2 * 4096), 3, 'pages after the hole keep their data');
  cpu.load8(a + 4096);
  t.same(cpu.takeSignal(), { signal: 'SIGSEGV', addr: a + 4096 }, 'the unmapped page faults');
  t.equal(errCode(() => munmap(as, a + 1, 4096)), 'EINVAL', 'misaligned address');
  t.equal(errCode(() => munmap(as, a, 0)), 'EINVAL', 'zero length');
  t.equal(errCode(() => munmap(as, 2 ** 48 - 4096, 8192)), 'EINVAL', 'a range past the address space');
  t.equal(errCode(() => munmap(as, a + 100 * 4096, 4096)), 'ok', 'unmapping nothing is not an error');
});

t.test('mprotect of part of a VMA splits it; writes to PROT_READ and any access to PROT_NONE are SIGSEGV', async (t) => {
  const { as, cpu } = setup();
  const a = mmap(as, 0, 3 * 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
  cpu.store8(a + 4096, 9);
  mprotect(as, a + 4096, 4096, PROT_READ);
  t.equal(as.vmas.length, 3, 'split into three');
  t.equal(cpu.load8(a + 4096), 9, 'still readable, data kept');
  cpu.store8(a + 4096, 1);
  t.same(cpu.takeSignal(), { signal: 'SIGSEGV', addr: a + 4096 }, 'store to a read-only page');
  t.equal(cpu.load8(a + 4096), 9, 'the store did not happen');
  cpu.store8(a, 5);
  t.equal(cpu.takeSignal(), null, 'the rest stays writable');
  mprotect(as, a, 4096, PROT_NONE);
  cpu.load8(a);
  t.same(cpu.takeSignal(), { signal: 'SIGSEGV', addr: a }, 'PROT_NONE: even a load faults');
  mprotect(as, a, 4096, RW);
  t.equal(cpu.load8(a), 5, 'access comes back with the data');
  t.equal(errCode(() => mprotect(as, a + 50 * 4096, 4096, PROT_READ)), 'ENOMEM', 'range not mapped');
  t.equal(errCode(() => mprotect(as, a + 3, 4096, PROT_READ)), 'EINVAL', 'misaligned');
  cpu.fetch32(a + 4096 * 2);
  t.same(cpu.takeSignal(), { signal: 'SIGSEGV', addr: a + 2 * 4096 }, 'executing a page without PROT_EXEC');
  mprotect(as, a + 2 * 4096, 4096, PROT_READ | PROT_EXEC);
  cpu.fetch32(a + 4096 * 2);
  t.equal(cpu.takeSignal(), null, 'PROT_EXEC allows the fetch');
});

t.test('mprotect PROT_WRITE on a shared map of a read-only fd is EACCES', async (t) => {
  const { p, as } = setup();
  patternFile(p, '/f', 4096);
  const ro = p.open('/f', O_RDONLY, 0);
  const a = mmapFd(p, as, 0, 4096, PROT_READ, MAP_SHARED, ro, 0);
  t.equal(errCode(() => mprotect(as, a, 4096, RW)), 'EACCES');
});

t.test('shared file map: loads see the file, stores reach read() at once; private stores do not', async (t) => {
  const { p, as, cpu } = setup();
  const { fd, data } = patternFile(p, '/f', 3 * 4096);
  const s = mmapFd(p, as, 0, 3 * 4096, RW, MAP_SHARED, fd, 0);
  const q = mmapFd(p, as, 0, 3 * 4096, RW, MAP_PRIVATE, fd, 0);
  t.equal(cpu.load8(s + 5000), data[5000]);
  cpu.store8(s + 5000, 0xab);
  const one = new Uint8Array(1);
  p.read(fd, one, 0, 1, 5000);
  t.equal(one[0], 0xab, 'read() sees the shared store without msync (one page cache)');
  t.equal(cpu.load8(q + 5000), 0xab, 'an unwritten private page shows the file');
  cpu.store8(q + 5001, 0x11);
  p.read(fd, one, 0, 1, 5001);
  t.equal(one[0], data[5001], 'a private store is not the file');
  p.write(fd, Uint8Array.of(0x22), 0, 1, 5002);
  t.equal(cpu.load8(q + 5002), data[5002], 'after the copy the private page no longer follows the file');
  t.equal(cpu.load8(s + 5002), 0x22, 'the shared page does');
  t.equal(errCode(() => msync(as, s, 4096, MS_SYNC | MS_ASYNC)), 'EINVAL', 'MS_SYNC|MS_ASYNC');
  t.equal(errCode(() => msync(as, s + 100 * 4096, 4096, MS_SYNC)), 'ENOMEM', 'msync of an unmapped range');
});

t.test('access past EOF is SIGBUS; truncate unmaps, zeroes the tail, and growing reads zeros', async (t) => {
  const { p, as, cpu } = setup();
  const { fd, data } = patternFile(p, '/f', 2 * 4096 + 100);
  const s = mmapFd(p, as, 0, 4 * 4096, RW, MAP_SHARED, fd, 0);
  t.equal(cpu.load8(s + 2 * 4096 + 99), data[2 * 4096 + 99]);
  t.equal(cpu.load8(s + 2 * 4096 + 100), 0, 'bytes past EOF in the last page read zero');
  cpu.load8(s + 3 * 4096);
  t.same(cpu.takeSignal(), { signal: 'SIGBUS', addr: s + 3 * 4096 }, 'a page wholly past EOF is SIGBUS');
  t.equal(cpu.load8(s + 4096), data[4096]);
  p.ftruncate(fd, 10);
  cpu.load8(s + 4096);
  t.same(cpu.takeSignal(), { signal: 'SIGBUS', addr: s + 4096 }, 'after truncate down the page is gone');
  t.equal(cpu.load8(s + 10), 0, 'the tail of the last page was zeroed');
  p.ftruncate(fd, 2 * 4096);
  t.equal(cpu.load8(s + 4096 + 7), 0, 'growing back reads zeros');
  t.equal(cpu.takeSignal(), null);
});

t.test('madvise(MADV_DONTNEED) and mincore', async (t) => {
  const { p, as, cpu } = setup();
  const a = mmap(as, 0, 2 * 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
  cpu.store8(a, 1);
  t.same([...mincore(as, a, 2 * 4096)], [1, 0], 'only the touched page is resident');
  madvise(as, a, 2 * 4096, MADV_DONTNEED);
  t.equal(cpu.load8(a), 0, 'private anonymous memory reads zeros after DONTNEED');
  const { fd, data } = patternFile(p, '/f', 4096);
  const q = mmapFd(p, as, 0, 4096, RW, MAP_PRIVATE, fd, 0);
  cpu.store8(q, 0xee);
  madvise(as, q, 4096, MADV_DONTNEED);
  t.equal(cpu.load8(q), data[0], 'a private file page shows the file again');
  t.equal(errCode(() => madvise(as, q, 4096, 999)), 'EINVAL', 'unknown advice');
  t.equal(errCode(() => mincore(as, q + 40 * 4096, 4096)), 'ENOMEM', 'mincore of an unmapped range');
});

t.test('shared anonymous memory is shared between address spaces only through the same mapping object', async (t) => {
  const { mm, as, cpu } = setup();
  const a = mmap(as, 0, 4096, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
  cpu.store32(a, 0xdeadbeef);
  t.equal(cpu.load32(a), 0xdeadbeef);
  munmap(as, a, 4096);
  t.equal(mm.pageCache.mappingCount, 0, 'the shmem object goes with its last mapping');
});

t.test('hardware DBM: stores leave no fault, writeback still finds them', async (t) => {
  const { p, as, cpu, mm, fs } = setup({ fs: 'store', hardwareDirty: true });
  const { fd } = patternFile(p, '/f', 4096);
  p.fsync(fd);
  const s = mmapFd(p, as, 0, 4096, RW, MAP_SHARED, fd, 0);
  cpu.load8(s);
  const faults = mm.stats.faults;
  cpu.store8(s, 0x5a);
  t.equal(mm.stats.faults, faults, 'the store took no fault (the walker set the dirty state)');
  const m = (fs as import('../../src/testing/store-fs.js').StoreFs).file(p.fstat(fd).ino);
  t.equal(m.m.nrDirty, 0, 'the page cache has not been told yet');
  t.equal(msync(as, s, 4096, MS_SYNC), 1, 'msync finds the dirty descriptor and writes the page');
  t.equal(m.store.page(0)![0], 0x5a, 'the store has the byte');
  cpu.store8(s, 0x5b);
  t.equal(msync(as, s, 4096, MS_SYNC), 1, 'a store after writeback dirties the page again');
});

t.test('a mapping keeps its file alive after close() and unlink() (the VMA holds the file)', async (t) => {
  const { p, as, cpu, mm } = setup();
  const { fd, data } = patternFile(p, '/f', 8192);
  const a = mmapFd(p, as, 0, 8192, RW, MAP_SHARED, fd, 0);
  munmap(as, a + 4096, 4096); // a split VMA piece releases its own reference only
  p.close(fd);
  p.unlink('/f');
  t.equal(cpu.load8(a + 100), data[100], 'the pages are still the file\'s');
  t.equal(cpu.takeSignal(), null);
  const before = mm.pageCache.mappingCount;
  munmap(as, a, 4096);
  t.equal(mm.pageCache.mappingCount, before - 1, 'the last unmap lets the unlinked file go');
});

t.test('truncate reaches private copies too: a COW page past the new EOF is gone (SIGBUS), as Linux unmap_mapping_range(even_cows)', async (t) => {
  const { p, as, cpu, mm } = setup();
  const { fd } = patternFile(p, '/f', 3 * 4096);
  const q = mmapFd(p, as, 0, 3 * 4096, RW, MAP_PRIVATE, fd, 0);
  cpu.store8(q + 2 * 4096, 0x66);
  t.equal(cpu.load8(q + 2 * 4096), 0x66, 'the private copy holds the store');
  const used = mm.ram.usedFrames;
  p.ftruncate(fd, 4096);
  t.ok(mm.ram.usedFrames < used, 'the copy and the file pages were freed');
  cpu.load8(q + 2 * 4096);
  t.same(cpu.takeSignal(), { signal: 'SIGBUS', addr: q + 2 * 4096 }, 'the page is past EOF now');
  t.same(mm.fsck(), []);
});

t.test('MAP_POPULATE prefaults the pages up to EOF (no fault on first touch)', async (t) => {
  const { p, as, cpu, mm } = setup({ fs: 'store' });
  const { fd, data } = patternFile(p, '/f', 2 * 4096 + 10);
  const a = mmapFd(p, as, 0, 4 * 4096, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  t.equal(as.pteFrame.size, 3, 'the three pages holding file data are mapped');
  const f0 = mm.stats.faults;
  t.equal(cpu.load8(a + 2 * 4096 + 9), data[2 * 4096 + 9]);
  t.equal(mm.stats.faults, f0, 'no fault');
  cpu.load8(a + 3 * 4096);
  t.same(cpu.takeSignal(), { signal: 'SIGBUS', addr: a + 3 * 4096 }, 'past EOF still SIGBUS');
});

// ---- msync(2) as Linux's mm/msync.c (since 2.6.19): argument checks, then MS_SYNC = vfs_fsync_range of
// each shared file VMA's part of the range, MS_ASYNC = nothing (dirty pages are tracked and written by
// the flusher, fsync, sync, reclaim), holes = ENOMEM at the end (MS_ASYNC alone: at the first hole).

t.test('msync(2) EINVAL rules, checked before anything else (mm/msync.c: flags, offset_in_page, SYNC+ASYNC)', async (t) => {
  const { p, as } = setup();
  const { fd } = patternFile(p, '/f', 2 * 4096);
  const s = mmapFd(p, as, 0, 2 * 4096, RW, MAP_SHARED, fd, 0);
  t.equal(errCode(() => msync(as, s, 4096, 8)), 'EINVAL', 'a flag outside MS_ASYNC|MS_INVALIDATE|MS_SYNC');
  t.equal(errCode(() => msync(as, s, 4096, 0x10000 | MS_SYNC)), 'EINVAL', 'an unknown high flag with MS_SYNC');
  t.equal(errCode(() => msync(as, s + 1, 4096, MS_SYNC)), 'EINVAL', 'an address not page aligned');
  t.equal(errCode(() => msync(as, s + 100, 4096, MS_ASYNC)), 'EINVAL', 'an unaligned address with MS_ASYNC too');
  t.equal(errCode(() => msync(as, s, 4096, MS_SYNC | MS_ASYNC)), 'EINVAL', 'MS_SYNC with MS_ASYNC');
  t.equal(errCode(() => msync(as, s, 4096, MS_SYNC | MS_ASYNC | MS_INVALIDATE)), 'EINVAL', 'MS_SYNC with MS_ASYNC and MS_INVALIDATE');
  t.equal(errCode(() => msync(as, s + 100 * 4096 + 1, 4096, MS_SYNC)), 'EINVAL', 'EINVAL comes before ENOMEM (unaligned and unmapped)');
  t.equal(errCode(() => msync(as, s + 100 * 4096, 0, 8)), 'EINVAL', 'bad flags are EINVAL even for a zero length');
  t.equal(errCode(() => msync(as, s, 4096, 0)), 'ok', 'no flag at all is accepted (Linux checks only the bad combinations)');
});

t.test('msync(2) ENOMEM and zero length (mm/msync.c: end < start, find_vma, unmapped_error)', async (t) => {
  const { p, as } = setup();
  const { fd } = patternFile(p, '/f', 2 * 4096);
  const s = mmapFd(p, as, 0, 2 * 4096, RW, MAP_SHARED, fd, 0);
  t.equal(msync(as, s + 100 * 4096, 0, MS_SYNC), 0, 'a zero length succeeds, mapped or not');
  for (const [name, fl] of [['MS_SYNC', MS_SYNC], ['MS_ASYNC', MS_ASYNC], ['MS_INVALIDATE', MS_INVALIDATE], ['MS_ASYNC|MS_INVALIDATE', MS_ASYNC | MS_INVALIDATE]] as const) {
    t.equal(errCode(() => msync(as, s + 100 * 4096, 4096, fl)), 'ENOMEM', `${name} on an unmapped range`);
    t.equal(errCode(() => msync(as, s, 3 * 4096, fl)), 'ENOMEM', `${name} on a range that runs past the mapping`);
    t.equal(errCode(() => msync(as, s - 4096, 2 * 4096, fl)), 'ENOMEM', `${name} on a range that starts before it`);
  }
  t.equal(errCode(() => msync(as, s, -4096, MS_SYNC)), 'ENOMEM', 'a length that wraps past the top (size_t) is ENOMEM');
  t.equal(errCode(() => msync(as, -0x1000_0000, 4096, MS_SYNC)), 'ENOMEM', 'a kernel-half (TTBR1) address has no user VMA');
});

t.test('msync(2) MS_INVALIDATE with MS_SYNC or MS_ASYNC is allowed (EBUSY only with mlocked pages; none here)', async (t) => {
  const { p, as, cpu } = setup({ fs: 'store' });
  const { fd } = patternFile(p, '/f', 4096);
  const s = mmapFd(p, as, 0, 4096, RW, MAP_SHARED, fd, 0);
  cpu.store8(s, 0x42);
  t.equal(msync(as, s, 4096, MS_ASYNC | MS_INVALIDATE), 0, 'MS_ASYNC|MS_INVALIDATE: succeeds, writes nothing');
  t.equal(msync(as, s, 4096, MS_SYNC | MS_INVALIDATE), 1, 'MS_SYNC|MS_INVALIDATE: writes the dirty page');
  t.equal(cpu.load8(s), 0x42, 'the mapping still sees the data (one page cache: nothing stale to invalidate)');
});

t.test('msync(2) MS_SYNC over a hole: the mapped parts are synced, then ENOMEM (mm/msync.c returns unmapped_error last)', async (t) => {
  const { p, as, cpu, fs } = setup({ fs: 'store' });
  const { fd, data } = patternFile(p, '/f', 3 * 4096);
  p.fsync(fd);
  const s = mmapFd(p, as, 0, 3 * 4096, RW, MAP_SHARED, fd, 0);
  munmap(as, s + 4096, 4096);
  cpu.store8(s + 2 * 4096 + 5, 0x5c);
  const file = (fs as StoreFs).file(p.fstat(fd).ino);
  t.equal(errCode(() => msync(as, s, 3 * 4096, MS_SYNC)), 'ENOMEM', 'the hole is ENOMEM');
  t.equal(file.store.page(2)![5], 0x5c, 'the page after the hole was written back all the same');
  t.notOk(mmPage(fs as StoreFs, p.fstat(fd).ino, 2), 'and is clean');
  cpu.store8(s + 2 * 4096 + 6, 0x5d);
  t.equal(errCode(() => msync(as, s, 3 * 4096, MS_ASYNC)), 'ENOMEM', 'MS_ASYNC over the hole: ENOMEM');
  t.equal(file.store.page(2)![6], data[2 * 4096 + 6], 'and nothing written');
});

/** Whether page `idx` of the store file is dirty in the page cache. */
function mmPage(fs: StoreFs, ino: number, idx: number): boolean {
  return fs.pageCache.isDirty(fs.file(ino).m, idx);
}

for (const hardwareDirty of [false, true]) {
  const mode = hardwareDirty ? 'hardware DBM' : 'software dirty faults';
  const mk = (t: Test) => {
    const s = setup({ fs: 'store', hardwareDirty });
    const { fd, data } = patternFile(s.p, '/f', 4 * 4096);
    s.p.fsync(fd);
    const file = (s.fs as StoreFs).file(s.p.fstat(fd).ino);
    const va = mmapFd(s.p, s.as, 0, 4 * 4096, RW, MAP_SHARED, fd, 0);
    s.cpu.store8(va + 4096 + 9, 0xa5);
    const writes = file.store.writes;
    t.equal(msync(s.as, va, 4 * 4096, MS_ASYNC), 0, `[${mode}] MS_ASYNC returns at once, nothing written`);
    t.equal(file.store.writes, writes, `[${mode}] MS_ASYNC started no writeback (mm/msync.c: "it doesn't do anything")`);
    t.equal(file.store.page(1)![9], data[4096 + 9], `[${mode}] the store still has the old byte after MS_ASYNC`);
    return { ...s, fd, file, va, data };
  };

  t.test(`[${mode}] the page MS_ASYNC left dirty is written by fsync(2)`, async (t) => {
    const { p, fd, file } = mk(t);
    p.fsync(fd);
    t.equal(file.store.page(1)![9], 0xa5, 'fsync wrote the mapped store');
  });

  t.test(`[${mode}] ... by sync(2)`, async (t) => {
    const { p, file } = mk(t);
    p.sync();
    t.equal(file.store.page(1)![9], 0xa5, 'sync wrote the mapped store');
  });

  t.test(`[${mode}] ... by reclaim (the page is evicted, written back first, and reads back the store)`, async (t) => {
    const { mm, cpu, va, file } = mk(t);
    mm.reclaim.shrink(mm.ram.frameCount);
    t.equal(mm.pageCache.findPage(file.m, 1), -1, 'the page left the cache');
    t.equal(file.store.page(1)![9], 0xa5, 'eviction wrote the mapped store first');
    t.equal(cpu.load8(va + 4096 + 9), 0xa5, 'the mapping faults it back in with the store');
  });

  t.test(`[${mode}] ... by fsync(2) after munmap(2) (the dirty state leaves with the descriptor, not lost)`, async (t) => {
    const { p, as, fd, va, file } = mk(t);
    munmap(as, va, 4 * 4096);
    p.fsync(fd);
    t.equal(file.store.page(1)![9], 0xa5, 'munmap then fsync wrote the mapped store');
  });

  t.test(`[${mode}] ... and by a later msync(MS_SYNC)`, async (t) => {
    const { as, va, file } = mk(t);
    t.equal(msync(as, va, 4 * 4096, MS_SYNC), 1, 'MS_SYNC writes the one dirty page');
    t.equal(file.store.page(1)![9], 0xa5);
  });
}

// ---- size_t lengths and unsigned addresses: a negative number is the 64-bit value 2^64 + n (a length
// past 2^63, or a kernel-half address), and each call rounds and wraps as its Linux source does.

t.test('msync(2) rounds len up to a page before the checks, and end == start returns 0 before find_vma (mm/msync.c)', async (t) => {
  const { p, as } = setup();
  const { fd } = patternFile(p, '/f', 2 * 4096);
  const s = mmapFd(p, as, 0, 2 * 4096, RW, MAP_SHARED, fd, 0);
  t.equal(msync(as, -(2 ** 48), 0, MS_SYNC), 0, 'an aligned kernel-half address with length 0: end == start, 0');
  t.equal(msync(as, 0x1000, -1, MS_ASYNC), 0, 'len (size_t)-1 rounds (wraps) to 0: returns 0');
  t.equal(msync(as, s, -4095, MS_SYNC), 0, 'len (size_t)-4095 rounds to 0 too');
  t.equal(errCode(() => msync(as, s, -4096, MS_SYNC)), 'ENOMEM', '(size_t)-4096 does not round to 0: start + len wraps, ENOMEM');
  t.equal(errCode(() => msync(as, 0, -4096, MS_ASYNC)), 'ENOMEM', 'from 0 it does not wrap, but reaches past every VMA: ENOMEM');
  t.equal(errCode(() => msync(as, -(2 ** 48), 4096, MS_SYNC)), 'ENOMEM', 'a kernel-half address with a length: no user VMA');
  t.equal(errCode(() => msync(as, -(2 ** 48) + 1, 0, MS_SYNC)), 'EINVAL', 'a misaligned kernel-half address is EINVAL before the length is looked at');
  t.equal(msync(as, s, 1, MS_SYNC), 0, 'a 1-byte length covers the page (nothing dirty: 0 pages written)');
});

t.test('munmap(2) tests len > TASK_SIZE - start before PAGE_ALIGN, then end == start (mm/vma.c do_vmi_munmap)', async (t) => {
  const { as } = setup();
  const a = mmap(as, 0, 2 * 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
  t.equal(errCode(() => munmap(as, a, -1)), 'EINVAL', '(size_t)-1 is past TASK_SIZE: EINVAL (not rounded to 0 first)');
  t.equal(errCode(() => munmap(as, a, -4095)), 'EINVAL', '(size_t)-4095 too');
  t.equal(errCode(() => munmap(as, -(2 ** 48), 4096)), 'EINVAL', 'a kernel-half start is past TASK_SIZE');
  t.equal(errCode(() => munmap(as, 2 ** 48 - 4096, 4097)), 'EINVAL', 'len > TASK_SIZE - start, by one byte');
  t.equal(errCode(() => munmap(as, 2 ** 48 - 4096, 4096)), 'ok', 'the last page of the address space may be unmapped');
  t.equal(as.vmas.length, 1, 'and the mapping is untouched by the failed calls');
});

t.test('mprotect(2): len 0 returns 0 before the prot check; PAGE_ALIGN to 0 or a wrap is ENOMEM (mm/mprotect.c do_mprotect_pkey)', async (t) => {
  const { as } = setup();
  const a = mmap(as, 0, 3 * 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
  t.equal(errCode(() => mprotect(as, a, 0, 0x100)), 'ok', 'a zero length succeeds even with bad protection bits');
  t.equal(errCode(() => mprotect(as, a + 1, 0, PROT_READ)), 'EINVAL', 'a misaligned start is EINVAL even for a zero length');
  t.equal(errCode(() => mprotect(as, a, -1, PROT_READ)), 'ENOMEM', '(size_t)-1 rounds to 0: end <= start, ENOMEM');
  t.equal(errCode(() => mprotect(as, a, -4095, 0x100)), 'ENOMEM', '(size_t)-4095: ENOMEM comes before the prot check');
  t.equal(errCode(() => mprotect(as, a, -4096, PROT_READ)), 'ENOMEM', 'a length that wraps is ENOMEM');
  t.equal(errCode(() => mprotect(as, 0, -4096, 0x100)), 'EINVAL', 'a huge length that does not wrap reaches the prot check: EINVAL');
  t.equal(errCode(() => mprotect(as, -(2 ** 48), 4096, PROT_READ)), 'ENOMEM', 'a kernel-half start: no user VMA');
  munmap(as, a + 2 * 4096, 4096);
  t.equal(errCode(() => mprotect(as, a, 3 * 4096, PROT_READ)), 'ENOMEM', 'a range with a hole is ENOMEM');
  t.equal(as.find(a)!.prot, PROT_READ, 'and the VMAs before the hole were changed, as Linux\'s loop leaves them');
});

t.test('madvise(2): a non-zero len rounded to 0 is EINVAL, a wrap is EINVAL, a hole is ENOMEM after the advice (mm/madvise.c)', async (t) => {
  const { as, cpu } = setup();
  const a = mmap(as, 0, 3 * 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
  t.equal(errCode(() => madvise(as, a, -1, MADV_DONTNEED)), 'EINVAL', '(size_t)-1: "len was rounded up from small -ve to zero"');
  t.equal(errCode(() => madvise(as, a, -4095, MADV_DONTNEED)), 'EINVAL', '(size_t)-4095 too');
  t.equal(errCode(() => madvise(as, a, -4096, MADV_DONTNEED)), 'EINVAL', 'start + len wraps: EINVAL');
  t.equal(errCode(() => madvise(as, a, 0, MADV_DONTNEED)), 'ok', 'a zero length succeeds');
  t.equal(errCode(() => madvise(as, -(2 ** 48), 4096, MADV_DONTNEED)), 'ENOMEM', 'a kernel-half start: no user VMA');
  cpu.store8(a, 9);
  munmap(as, a + 4096, 4096);
  t.equal(errCode(() => madvise(as, a, 3 * 4096, MADV_DONTNEED)), 'ENOMEM', 'a hole in the range is ENOMEM');
  t.equal(cpu.load8(a), 0, 'but the mapped part was advised all the same: the private page reads zero again');
});

t.test('mincore(2): access_ok failures are ENOMEM, not EINVAL (mm/mincore.c)', async (t) => {
  const { as } = setup();
  const a = mmap(as, 0, 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
  t.equal(errCode(() => mincore(as, a, -1)), 'ENOMEM', 'a length past 2^63 fails access_ok');
  t.equal(errCode(() => mincore(as, -(2 ** 48), 4096)), 'ENOMEM', 'a kernel-half start fails access_ok');
  t.equal(errCode(() => mincore(as, a + 1, 4096)), 'EINVAL', 'a misaligned start is EINVAL');
  t.equal(mincore(as, a, 0).length, 0, 'a zero length returns no bytes');
});
