// ZfsLite.dropPageCache() as Linux's drop_caches (fs/drop_caches.c → invalidate_mapping_pages,
// mm/truncate.c): only clean, unmapped, unlocked pages leave the page cache, a borrowed (ARC) page is
// given back through the evict path, and each file keeps its mapping object, so a VMA mapping the file
// during the drop still stores into the cache read() and fsync use (mmap(2): MAP_SHARED stores are
// visible to read() and carried through to the file). Both mmap modes, every step frame-audited.
import t, { type Test } from 'tap';
import { Mm } from '../../src/mm/mm.js';
import { AddressSpace } from '../../src/mm/address-space.js';
import { mmapFd } from '../../vfs/mmap-fd.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/mm/mman.js';
import { O_CREAT, O_RDWR } from '../../vfs/constants.js';
import { PG_BORROWED } from '../../src/mm/page-cache.js';
import type { MmapCache } from '../../fs-zfs-lite/index.js';
import { MiB, mountNew, readFile, reimport, type Mounted } from './zfs-helpers.js';

const PS = 4096;
const PAGES = 4;

interface Rig extends Mounted { mm: Mm; as: AddressSpace; fd: number }

/** A file of PAGES pages (all 1s) committed to disk, open read-write, and an Mm on the same RAM. */
function rig(mode: MmapCache): Rig {
  const m = mountNew({ mmapCache: mode, ramBytes: 4 * MiB, txgTimeoutNs: 1e15 });
  const mm = new Mm({ ram: m.fs.pageCache.ram, pageCache: m.fs.pageCache });
  const as = mm.createAddressSpace();
  const fd = m.p.open('/f', O_RDWR | O_CREAT, 0o644);
  m.p.write(fd, new Uint8Array(PAGES * PS).fill(1), 0, PAGES * PS, 0);
  m.p.sync();
  return { ...m, mm, as, fd };
}

function audit(t: Test, r: Rig, what: string): void {
  t.same(r.fs.auditFrames(r.as.tables.tables + r.as.priv.size), [], `frames add up (${what})`);
  t.same(r.mm.fsck(), [], `descriptors, rmap and page cache agree (${what})`);
}

/** The byte at `pos` by read(), or -1 for a short read (so the calling subtest's check fails, not the root's). */
function readByte(r: Rig, pos: number): number {
  const b = new Uint8Array(1);
  return r.p.read(r.fd, b, 0, 1, pos) === 1 ? b[0]! : -1;
}

for (const mode of ['double', 'shared'] as const) {
  t.test(`${mode}: a store through a mapping after drop_caches reaches read() and the disk (mmap(2) MAP_SHARED)`, async (t) => {
    const r = rig(mode);
    const va = mmapFd(r.p, r.as, 0, PAGES * PS, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0);
    t.equal(r.mm.cpu.load8(va), 1, 'page 0 faulted in');
    r.fs.dropPageCache(); // echo 1 > drop_caches while the file is mapped
    r.mm.cpu.store8(va + PS, 9);
    t.equal(r.mm.cpu.signal, null, 'the store faulted in without a signal');
    t.equal(readByte(r, PS), 9, 'read() sees the store made after the drop');
    audit(t, r, 'after the store');
    r.p.fsync(r.fd);
    t.equal(readFile(reimport(r.dev.durableImage()).p, '/f')[PS], 9, 'fsync carried the store to the disk');
  });

  t.test(`${mode}: drop_caches keeps mapped pages and drops the clean unmapped ones (invalidate_mapping_pages)`, async (t) => {
    const r = rig(mode);
    const m = r.fs.pager(r.p.fstat(r.fd).ino)!;
    t.equal(r.fs.dropPageCache(), PAGES, 'the written pages dropped (the file is not mapped yet)');
    t.equal(m.nrPages, 0, 'cold');
    const all = new Uint8Array(PAGES * PS);
    r.p.read(r.fd, all, 0, all.length, 0); // every page cached (borrowed in shared mode)
    t.equal(m.nrPages, PAGES, 'read() cached every page');
    const va = mmapFd(r.p, r.as, 0, PAGES * PS, PROT_READ, MAP_SHARED, r.fd, 0);
    t.equal(r.mm.cpu.load8(va + 2 * PS), 1, 'page 2 mapped');
    const f2 = m.pages.get(2);
    const dropped = r.fs.dropPageCache();
    t.equal(dropped, PAGES - 1, 'every page but the mapped one dropped');
    t.equal(m.nrPages, 1, 'one page left');
    t.equal(m.pages.get(2), f2, 'the mapped page kept its frame');
    t.equal(r.fs.pager(r.p.fstat(r.fd).ino)!, m, 'the file keeps its mapping object');
    if (mode === 'shared') t.equal(r.fs.pageCache.borrowedPages, 1, 'dropped borrowed pages were given back to the ARC');
    audit(t, r, 'after the drop');
    t.equal(readByte(r, PS), 1, 'read() after the drop');
    t.equal(r.mm.cpu.load8(va + PS), 1, 'a load after the drop');
    audit(t, r, 'after reading again');
  });

  t.test(`${mode}: a load and read() after drop_caches with the file mapped (one ARC frame lent to one page)`, async (t) => {
    const r = rig(mode);
    const va = mmapFd(r.p, r.as, 0, PAGES * PS, PROT_READ, MAP_SHARED, r.fd, 0);
    r.fs.dropPageCache();
    t.equal(r.mm.cpu.load8(va + PS), 1, 'load through the VMA');
    t.equal(readByte(r, PS), 1, 'read() of the same page does not borrow it a second time');
    const m = r.fs.pager(r.p.fstat(r.fd).ino)!;
    if (mode === 'shared') t.not(r.fs.pageCache.flags[m.pages.get(1)]! & PG_BORROWED, 0, 'the page is the ARC buffer');
    audit(t, r, 'load then read');
  });

  t.test(`${mode}: an unmapped file's pages all go, dirty ones written first (sync; drop_caches)`, async (t) => {
    const r = rig(mode);
    r.p.write(r.fd, new Uint8Array(PS).fill(5), 0, PS, 0);
    const m = r.fs.pager(r.p.fstat(r.fd).ino)!;
    t.equal(m.nrDirty, 1, 'one dirty page');
    t.equal(r.fs.pageCache.invalidate(m), PAGES - 1, 'invalidate alone drops the clean pages and skips the dirty one (invalidate_mapping_pages)');
    t.equal(m.nrPages, 1, 'the dirty page is still cached');
    r.fs.dropPageCache();
    t.equal(m.nrPages, 0, 'cold cache after drop_caches');
    t.equal(m.nrDirty, 0, 'nothing dirty left');
    t.equal(readByte(r, 0), 5, 'the written data reads back from the ARC or disk');
    audit(t, r, 'cold');
  });
}
