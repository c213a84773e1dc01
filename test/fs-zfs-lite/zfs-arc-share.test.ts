// Shared-buffer mmap on ZFS-lite (createZfsLite({ mmapCache: 'shared' }), OSv's arc_share_buf,
// notes/OSV.md §2): a clean mapped page IS the ARC buffer's frame (no copy), mapped read-only without
// DBM; a store or write() copies it first and every mapping and read() see the store (the coherence
// mmap(2) promises for MAP_SHARED, which OSv's write_cache breaks); ARC eviction unmaps (OSv
// unmap_arc_buf), page-cache reclaim gives the page back and leaves the ARC buffer resident; and after
// each step every RAM frame is counted exactly once (auditFrames).
import t, { type Test } from 'tap';
import type { Ram } from '../../src/hw/ram.js';
import { Mm } from '../../src/mm/mm.js';
import { AddressSpace } from '../../src/mm/address-space.js';
import { mmapFd } from '../../vfs/mmap-fd.js';
import { MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/mm/mman.js';
import { FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, O_CREAT, O_RDWR } from '../../vfs/constants.js';
import { PG_BORROWED } from '../../src/mm/page-cache.js';
import { BP_DVA0, BP_SIZE, rd32 } from '../../fs-zfs-lite/layout.js';
import { createZfsLite, type MmapCache } from '../../fs-zfs-lite/index.js';
import { MiB, mountNew, readFile, reimport, type Mounted } from './zfs-helpers.js';

const PS = 4096;
const PAGES = 8;

interface Rig extends Mounted { ram: Ram; mm: Mm; as: AddressSpace; fd: number; va: number; ino: number; data: Uint8Array }

/** A file of PAGES pages committed to disk, the page cache dropped, mapped shared read-write. */
function rig(mmapCache: MmapCache, hardwareDirty = false, ramBytes = 4 * MiB, arcMax?: number): Rig {
  const m = mountNew({ mmapCache, ramBytes, txgTimeoutNs: 1e15, ...(arcMax !== undefined ? { arcMax } : {}) });
  const mm = new Mm({ ram: m.fs.pageCache.ram, pageCache: m.fs.pageCache, hardwareDirty });
  const as = mm.createAddressSpace();
  const fd = m.p.open('/f', O_RDWR | O_CREAT, 0o644);
  const data = new Uint8Array(PAGES * PS).map((_, i) => (i * 7 + 3) & 255);
  m.p.write(fd, data, 0, data.length, 0);
  m.p.sync();
  m.fs.dropPageCache();
  const va = mmapFd(m.p, as, 0, data.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  return { ...m, ram: m.fs.pageCache.ram, mm, as, fd, va, ino: m.p.fstat(fd).ino, data };
}

/** The ARC key (first DVA) of the file's data block `blk`. */
function dva(r: Rig, blk: number): number {
  const bp = new Uint8Array(BP_SIZE);
  t.equal(r.fs.pool.dmu.leafBp(r.fs.pool.getObject(r.ino), blk, bp, 0), 1, `block ${blk} is on disk`);
  return rd32(bp, BP_DVA0);
}

function framesElsewhere(r: Rig): number {
  let n = 0;
  for (const as of r.mm.spaces) if (as !== undefined) n += as.tables.tables + as.priv.size;
  return n;
}

function audit(t: Test, r: Rig, what: string): void {
  t.same(r.fs.auditFrames(framesElsewhere(r)), [], `frames: free + page cache + ARC + tables = RAM (${what})`);
  t.same(r.mm.fsck(), [], `descriptors, rmap and page cache agree (${what})`);
}

const vpn = (r: Rig, page: number): number => r.va / PS + page;

for (const hardwareDirty of [false, true]) {
  const mode = hardwareDirty ? 'hardware DBM' : 'software dirty';

  t.test(`[${mode}] a mapped clean page is the ARC buffer's frame, read-only, no DBM (OSv arc_share_buf: no copy)`, async (t) => {
    const r = rig('shared', hardwareDirty);
    t.equal(r.mm.cpu.load8(r.va + 2 * PS + 5), r.data[2 * PS + 5], 'the mapped byte');
    const key = dva(r, 2);
    const buf = r.fs.pool.arc!.peek(key)!;
    t.ok(buf !== undefined, 'the block is in the ARC');
    t.equal(r.as.pteFrame.get(vpn(r, 2)), buf.frames[0], 'the descriptor points at the ARC buffer\'s frame itself');
    t.ok(r.fs.pool.arc!.isShared(key), 'the ARC buffer is marked shared');
    t.ok((r.fs.pageCache.flags[buf.frames[0]!]! & PG_BORROWED) !== 0, 'the page cache holds it as borrowed');
    const w = new Uint32Array(2);
    t.ok(r.as.readPte(vpn(r, 2), w));
    t.notOk(AddressSpace.isWritable(w[0]!), 'AP[2] = 1: read-only');
    t.notOk(AddressSpace.hasDbm(w[1]!), 'DBM = 0, so the walker can never make the ARC\'s data writable');
    const used = r.ram.usedFrames;
    const b = new Uint8Array(PS);
    t.equal(r.fs.pool.arc!.arc.where(key), 'T1', 'read from disk once: on T1');
    const hits = r.fs.pool.arc!.stats().hits;
    r.p.read(r.fd, b, 0, PS, 2 * PS);
    t.equal(r.fs.pool.arc!.stats().hits, hits + 1, 'read() of a borrowed page is an ARC access, as every read() is in OSv (zfs_read → arc)');
    t.equal(r.fs.pool.arc!.arc.where(key), 'T2', 'so the buffer moves to T2 (Megiddo & Modha Fig. 4 case I)');
    t.equal(Buffer.compare(b, r.data.subarray(2 * PS, 3 * PS)), 0, 'read() of the same page');
    t.equal(r.ram.usedFrames, used, 'read() of the mapped page takes no frame (one page, one frame)');
    audit(t, r, 'after a mapped read');
  });

  t.test(`[${mode}] a store through the mapping breaks the share: a copy, the ARC buffer untouched, read() sees the store`, async (t) => {
    const r = rig('shared', hardwareDirty);
    r.mm.cpu.load8(r.va + PS);
    const key = dva(r, 1);
    const arcFrame = r.fs.pool.arc!.peek(key)!.frames[0]!;
    const before = r.fs.pageCache.stats.shareBreaks;
    r.mm.cpu.store8(r.va + PS + 9, 0xee);
    t.equal(r.fs.pageCache.stats.shareBreaks, before + 1, 'one share broken');
    const now = r.as.pteFrame.get(vpn(r, 1))!;
    t.not(now, arcFrame, 'the descriptor now points at a frame the page cache owns');
    t.equal(r.fs.pageCache.flags[now]! & PG_BORROWED, 0, 'not borrowed');
    t.notOk(r.fs.pool.arc!.isShared(key), 'the ARC buffer is no longer shared (arc_unshare_buf)');
    t.equal(r.ram.bytes[arcFrame * PS + 9], r.data[PS + 9], 'the ARC\'s checksummed buffer still holds the block as stored');
    const b = new Uint8Array(1);
    r.p.read(r.fd, b, 0, 1, PS + 9);
    t.equal(b[0], 0xee, 'read() sees the store at once (unified page cache; OSv\'s write_cache would not)');
    r.p.fsync(r.fd);
    const again = reimport(r.dev.durableImage());
    t.equal(readFile(again.p, '/f')[PS + 9], 0xee, 'fsync made it durable');
    audit(t, r, 'after the share broke');
  });

  t.test(`[${mode}] write() to a borrowed page copies it; a second mapping refaults into the copy`, async (t) => {
    const r = rig('shared', hardwareDirty);
    const as2 = r.mm.createAddressSpace();
    r.mm.switchTo(as2);
    const va2 = mmapFd(r.p, as2, 0, PAGES * PS, PROT_READ, MAP_SHARED, r.fd, 0);
    t.equal(r.mm.cpu.load8(va2 + 3 * PS), r.data[3 * PS], 'space 2 maps the borrowed page');
    r.mm.switchTo(r.as);
    t.equal(r.mm.cpu.load8(r.va + 3 * PS), r.data[3 * PS], 'space 1 too');
    const arcFrame = r.as.pteFrame.get(vpn(r, 3))!;
    t.equal(r.mm.rmap.count(arcFrame), 2, 'two translations of the ARC frame');
    r.p.write(r.fd, new Uint8Array([1, 2, 3, 4]), 0, 4, 3 * PS + 100);
    t.equal(r.mm.rmap.count(arcFrame), 0, 'both translations removed (rmap + TLBI) before the copy took its place');
    r.mm.switchTo(as2);
    t.equal(r.mm.cpu.load8(va2 + 3 * PS + 101), 2, 'space 2 refaults and sees write()');
    t.equal(r.mm.cpu.load8(va2 + 3 * PS + 99), r.data[3 * PS + 99], 'and the rest of the page as it was');
    r.mm.switchTo(r.as);
    audit(t, r, 'after write() on a borrowed page');
  });

  t.test(`[${mode}] ARC eviction unmaps the page (OSv unmap_arc_buf); the next access refaults and reads the same data`, async (t) => {
    const r = rig('shared', hardwareDirty);
    for (let i = 0; i < PAGES; i++) r.mm.cpu.load8(r.va + i * PS);
    const key = dva(r, 4);
    t.ok(r.fs.pool.arc!.isShared(key));
    const revokes = r.fs.pageCache.stats.revokes;
    t.ok(r.fs.pool.arc!.remove(key), 'the ARC destroys the buffer (as when its block is freed)');
    t.equal(r.fs.pageCache.stats.revokes, revokes + 1, 'the page cache was told first');
    t.equal(r.as.pteFrame.get(vpn(r, 4)), undefined, 'no translation left');
    t.equal(r.fs.pageCache.findPage(r.fs.pager(r.ino)!, 4), -1, 'and no page');
    audit(t, r, 'after the ARC took its buffer back');
    const faults = r.mm.stats.faults;
    t.equal(r.mm.cpu.load8(r.va + 4 * PS + 77), r.data[4 * PS + 77], 'the data, read again from disk');
    t.ok(r.mm.stats.faults > faults, 'through a fault');
  });

  t.test(`[${mode}] an ARC smaller than the mapped file evicts shared buffers as it replaces (Fig. 4 REPLACE → unmap_arc_buf)`, async (t) => {
    const r = rig('shared', hardwareDirty, 4 * MiB, 4 * PS);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < PAGES; i++) {
        if (r.mm.cpu.load8(r.va + i * PS + round) !== r.data[i * PS + round]) t.fail(`round ${round} page ${i}`);
      }
    }
    const s = r.fs.pool.arc!.stats();
    t.ok(s.sharedEvictions > PAGES, `${s.sharedEvictions} shared buffers evicted, each unmapped first`);
    t.ok(r.fs.pageCache.borrowedPages <= 4, `${r.fs.pageCache.borrowedPages} pages borrowed: no more than the ARC holds`);
    audit(t, r, 'after the ARC cycled');
  });

  t.test(`[${mode}] page-cache reclaim gives a borrowed page back; the ARC buffer stays resident`, async (t) => {
    const r = rig('shared', hardwareDirty);
    r.mm.cpu.load8(r.va + 5 * PS);
    const key = dva(r, 5);
    const arcFrame = r.fs.pool.arc!.peek(key)!.frames[0]!;
    const free = r.ram.freeFrames;
    r.mm.reclaim.shrink(1 << 20);
    r.mm.reclaim.shrink(1 << 20);
    t.equal(r.as.pteFrame.get(vpn(r, 5)), undefined, 'unmapped');
    t.equal(r.fs.pageCache.borrowedPages, 0, 'no page borrowed');
    t.equal(r.fs.pool.arc!.peek(key)?.frames[0], arcFrame, 'the ARC still holds the buffer, in the same frame');
    t.notOk(r.fs.pool.arc!.isShared(key), 'unshared');
    t.equal(r.ram.freeFrames, free, 'and reclaim freed no frame for it (the frame is the ARC\'s)');
    audit(t, r, 'after reclaim');
  });

  t.test(`[${mode}] truncate, punch hole, MAP_PRIVATE, unlink and export with borrowed pages`, async (t) => {
    const r = rig('shared', hardwareDirty);
    for (let i = 0; i < PAGES; i++) r.mm.cpu.load8(r.va + i * PS);
    r.p.ftruncate(r.fd, 6 * PS + 100);
    t.equal(r.mm.cpu.load8(r.va + 6 * PS + 99), r.data[6 * PS + 99], 'the last byte kept');
    t.equal(r.mm.cpu.load8(r.va + 6 * PS + 100), 0, 'the tail of the last page reads zero (mmap(2))');
    r.p.fallocate(r.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PS + 10, 2 * PS);
    t.equal(r.mm.cpu.load8(r.va + PS + 9), r.data[PS + 9], 'before the hole');
    t.equal(r.mm.cpu.load8(r.va + PS + 10), 0, 'the hole');
    t.equal(r.mm.cpu.load8(r.va + 3 * PS + 9), 0, 'the hole\'s end');
    t.equal(r.mm.cpu.load8(r.va + 3 * PS + 10), r.data[3 * PS + 10], 'after the hole');
    audit(t, r, 'after truncate and punch');
    // MAP_PRIVATE: the first store copies (COW) from the borrowed page; the file and the ARC keep theirs.
    const pva = mmapFd(r.p, r.as, 0, 4 * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, r.fd, 0);
    r.mm.cpu.store8(pva + 5, 0x11);
    t.equal(r.mm.cpu.load8(pva + 5), 0x11, 'the private copy');
    t.equal(r.mm.cpu.load8(r.va + 5), r.data[5], 'the shared view does not see it');
    audit(t, r, 'after a private COW');
    r.p.close(r.fd);
    r.p.unlink('/f');
    t.ok(r.fs.pageCache.borrowedPages > 0, 'still mapped after unlink (the VMA holds the file)');
    t.equal(r.mm.cpu.load8(r.va + 7 * PS - 1), 0, 'past the new end... within the last page: zero');
    r.mm.destroyAddressSpace(r.as);
    t.equal(r.fs.pageCache.borrowedPages, 0, 'the last reference gone, the file is freed and its pages given back');
    t.same(r.fs.auditFrames(0), [], 'frames add up with no address space left');
    r.fs.unmount();
    t.equal(r.fs.pool.arc!.stats().size, 0, 'export dropped the ARC');
  });
}

t.test('double caching: the mapped page is a copy (one frame more), the ARC buffer is never shared', async (t) => {
  const r = rig('double');
  r.mm.cpu.load8(r.va);
  const key = dva(r, 0);
  t.not(r.as.pteFrame.get(vpn(r, 0)), r.fs.pool.arc!.peek(key)!.frames[0], 'a frame of the page cache\'s own');
  t.notOk(r.fs.pool.arc!.isShared(key));
  t.equal(r.fs.pageCache.stats.borrows, 0);
  audit(t, r, 'double');
});

t.test('export and re-import in shared mode keep the data; a bad mode is EINVAL', async (t) => {
  const r = rig('shared');
  for (let i = 0; i < PAGES; i++) r.mm.cpu.load8(r.va + i * PS);
  r.mm.cpu.store8(r.va + 6 * PS, 0x42);
  r.mm.destroyAddressSpace(r.as);
  r.p.close(r.fd);
  r.fs.unmount();
  const again = reimport(r.dev.durableImage(), { mmapCache: 'shared' });
  const got = readFile(again.p, '/f');
  t.equal(got[6 * PS], 0x42, 'the store made before export');
  t.equal(Buffer.compare(got.subarray(0, 6 * PS), r.data.subarray(0, 6 * PS)), 0, 'the rest');
  t.throws(() => createZfsLite({ mmapCache: 'mixed' as MmapCache }), { code: 'EINVAL' }, 'an unknown mode');
});

t.test('mmap-reading a file: extra frames, double ≈ the file, shared ≈ only the tables (OSv: ~501 MB vs ~5 MB for 512 MiB)', async (t) => {
  const extra: Record<string, number> = {};
  for (const mode of ['double', 'shared'] as const) {
    const m = mountNew({ mmapCache: mode, ramBytes: 16 * MiB, bytes: 16 * MiB });
    const mm = new Mm({ ram: m.fs.pageCache.ram, pageCache: m.fs.pageCache });
    const as = mm.createAddressSpace();
    const fd = m.p.open('/big', O_RDWR | O_CREAT, 0o644);
    const n = 512; // 2 MiB
    m.p.write(fd, new Uint8Array(n * PS).fill(9), 0, n * PS, 0);
    m.p.sync();
    m.fs.dropPageCache();
    const b = new Uint8Array(n * PS);
    m.p.read(fd, b, 0, b.length, 0); // the ARC warm, as a file read once is
    m.fs.dropPageCache();
    const va = mmapFd(m.p, as, 0, n * PS, PROT_READ, MAP_SHARED, fd, 0);
    const used = m.fs.pageCache.ram.usedFrames;
    for (let i = 0; i < n; i++) mm.cpu.load8(va + i * PS);
    extra[mode] = m.fs.pageCache.ram.usedFrames - used;
  }
  t.ok(extra.double! >= 512, `double caching: ${extra.double} extra frames for 512 pages`);
  t.ok(extra.shared! < 8, `shared buffers: ${extra.shared} extra frames (translation tables only)`);
});
