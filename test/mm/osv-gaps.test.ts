// OSv's known page-cache coherency gaps (shared/notes/OSV.md §2, "Coherency problems"), each as a named
// test that vfsim passes, in both dirty-state schemes (software permission faults; hardware DBM). The
// store backend is used so that writeback, fsync and eviction really move bytes to a backing store.

import t from 'tap';
import { setup, patternFile } from './mm-helpers.js';
import { mmapFd } from '../../vfs/mmap-fd.js';
import { msync } from '../../src/mm/mmap.js';
import { MAP_SHARED, MS_SYNC, PROT_READ, PROT_WRITE } from '../../src/mm/mman.js';
import type { StoreFs } from '../../src/testing/store-fs.js';

const RW = PROT_READ | PROT_WRITE;

for (const hardwareDirty of [false, true]) {
  const mode = hardwareDirty ? 'hardware DBM' : 'software dirty faults';
  const mk = (ramMiB = 8) => {
    const s = setup({ fs: 'store', hardwareDirty, ramMiB });
    const { fd } = patternFile(s.p, '/f', 4 * 4096);
    s.p.fsync(fd);
    const file = (s.fs as StoreFs).file(s.p.fstat(fd).ino);
    const va = mmapFd(s.p, s.as, 0, 4 * 4096, RW, MAP_SHARED, fd, 0);
    return { ...s, fd, file, va };
  };

  t.test(`[${mode}] OSv §2.1a: a write() is not lost under a later writeback of a dirty shared page`, async (t) => {
    const { p, cpu, as, fd, file, va } = mk();
    cpu.store8(va + 10, 0xaa); // the page is now dirty through the mapping
    p.write(fd, Uint8Array.of(0xbb), 0, 1, 20); // write() to the same page
    msync(as, va, 4096, MS_SYNC); // the page's writeback
    t.equal(file.store.page(0)![10], 0xaa, 'the mapped store reached the store');
    t.equal(file.store.page(0)![20], 0xbb, 'the write() was not overwritten by the page writeback');
  });

  t.test(`[${mode}] OSv §2.1b: stores through a shared mapping are visible to read() before any writeback`, async (t) => {
    const { p, cpu, fd, file, va } = mk();
    const writes = file.store.writes;
    cpu.store32(va + 4096 + 8, 0x01020304);
    const b = new Uint8Array(4);
    p.read(fd, b, 0, 4, 4096 + 8);
    t.same([...b], [4, 3, 2, 1], 'read() sees the store');
    t.equal(file.store.writes, writes, 'and no writeback happened for it');
  });

  t.test(`[${mode}] OSv §2.4 (PR #1398): fsync() writes mmap stores back`, async (t) => {
    const { p, cpu, fd, file, va } = mk();
    cpu.store8(va + 2 * 4096 + 1, 0x77);
    p.fsync(fd);
    t.equal(file.store.page(2)![1], 0x77, 'fsync, not only msync, flushed the mapped store');
  });

  t.test(`[${mode}] OSv §2.5: dirty state is tracked again after it was cleared once`, async (t) => {
    const { p, cpu, fd, file, va } = mk();
    cpu.store8(va + 5, 1);
    p.fsync(fd);
    t.equal(file.store.page(0)![5], 1);
    cpu.store8(va + 5, 2); // must dirty the page again: the descriptor was made clean at writeback
    p.fsync(fd);
    t.equal(file.store.page(0)![5], 2, 'the second store reached the store');
    t.equal(file.m.nrDirty, 0, 'and the page is clean again');
  });

  t.test(`[${mode}] reclaim writes a dirty mapped page back, unmaps it in every space, and it faults back in`, async (t) => {
    const s = mk();
    const { p, cpu, mm, fd, file, va } = s;
    const other = mm.createAddressSpace();
    const vb = mmapFd(p, other, 0, 4 * 4096, RW, MAP_SHARED, fd, 0);
    mm.switchTo(other);
    t.equal(cpu.load8(vb + 3), (3 * 7 + 1) & 255, 'second space maps the page');
    mm.switchTo(s.as);
    cpu.store8(va + 3, 0x99);
    t.equal(mm.rmap.count(file.m.pages.get(0)), 2, 'the rmap knows both translations');
    // Two sweeps: the first clears the access flags, the second evicts.
    const freed = mm.reclaim.shrink(1 << 20);
    t.ok(freed >= 1, `reclaim freed ${freed} pages`);
    t.equal(file.m.nrPages, 0, 'every page of the file was evicted');
    t.equal(file.store.page(0)![3], 0x99, 'the dirty page was written back first');
    t.equal(s.as.pteFrame.size + other.pteFrame.size, 0, 'no translation is left in either space');
    mm.switchTo(other);
    t.equal(cpu.load8(vb + 3), 0x99, 'the other space faults it back in from the store');
    t.equal(cpu.takeSignal(), null);
  });
}

