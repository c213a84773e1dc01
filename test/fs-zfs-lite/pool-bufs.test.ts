// The DMU's buffer cache and the allocator's deferral at import: dirty blocks come from a kmem-style
// cache of 4 KiB buffers and go back when their txg is written (OpenZFS zio_buf_alloc/zio_buf_free;
// Bonwick, "The Slab Allocator", USENIX 1994), a reused buffer never shows its old contents, and frees
// are not held back across an import (OpenZFS metaslab.c: metaslab_init creates ms_defer[] empty and
// metaslab_load_impl removes only those in-memory trees from ms_allocatable).
import t from 'tap';
import { ZioBufCache } from '../../fs-zfs-lite/zio-buf.js';
import { BLOCK, BP_DVA0, rd32 } from '../../fs-zfs-lite/layout.js';
import { TXG_DEFER_SIZE } from '../../fs-zfs-lite/spacemap.js';
import { dec, enc, mountNew, readFile, reimport, writeFile, type Mounted } from './zfs-helpers.js';

t.test('zio buffer cache: buffers are reused LIFO, counted, and zeroed on request', async (t) => {
  const c = new ZioBufCache();
  const a = c.alloc();
  t.equal(a.length, BLOCK);
  t.equal(c.outstanding, 1);
  t.equal(c.slabs, 1, 'the first alloc carves a slab');
  a.fill(0xee);
  c.release(a);
  t.equal(c.outstanding, 0);
  const b = c.allocZeroed();
  t.equal(b, a, 'the buffer just released is handed out again (hot in the CPU cache)');
  t.ok(b.every((x) => x === 0), 'allocZeroed clears what the last user left');
  const many = Array.from({ length: 40 }, () => c.alloc());
  t.equal(c.outstanding, 41);
  t.equal(c.slabs, 3, '41 buffers need three 16-buffer slabs');
  t.equal(new Set(many.map((m) => m.byteOffset + ':' + m.buffer.byteLength)).size >= 16, true);
  for (const m of many) c.release(m);
  c.release(b);
  t.equal(c.outstanding, 0);
  t.equal(c.available, 48, 'every buffer of the three slabs is free again');
  t.throws(() => c.release(new Uint8Array(BLOCK)), /invariant/i, 'releasing more than was handed out is caught');
});

t.test('a txg returns every dirty buffer; a steady write load allocates no new slabs (zio_buf_free at sync)', async (t) => {
  const m = mountNew();
  const dmu = m.fs.pool.dmu;
  const data = new Uint8Array(64 * 1024);
  const fd = m.p.open('/f', 0o102, 0o644);
  const round = (r: number): void => {
    data.fill(r + 1);
    m.p.write(fd, data, 0, data.length, 0);
    m.p.fsync(fd);
    m.p.sync();
  };
  round(0);
  t.equal(dmu.bufs.outstanding, 0, 'nothing dirty after the sync: every buffer back in the cache');
  round(1);
  const slabs = dmu.bufs.slabs;
  for (let r = 2; r < 12; r++) round(r);
  t.equal(dmu.bufs.slabs, slabs, `ten more txgs of 16 dirty data blocks reuse the same ${slabs} slabs`);
  t.equal(dmu.bufs.outstanding, 0);
  m.p.close(fd);
  const got = readFile(reimport(m.dev.durableImage()).p, '/f');
  t.ok(got.every((x) => x === 12), 'the last round is what the pool holds');
});

t.test('reused buffers never leak old bytes: short blocks and partial hole punches read zeros (ftruncate(2), fallocate(2))', async (t) => {
  const m = mountNew();
  // Fill the cache with buffers full of 0xab.
  writeFile(m.p, '/junk', new Uint8Array(16 * BLOCK).fill(0xab));
  m.p.sync();
  t.ok(m.fs.pool.dmu.bufs.available >= 16, 'the junk buffers are free for reuse');
  // A symlink target is one short block: the rest of its buffer must be zeros on disk.
  m.p.symlink('target-of-eleven', '/ln');
  // A file whose last block is short, and a punch in the middle of a block that is only on disk.
  writeFile(m.p, '/short', 'abc');
  writeFile(m.p, '/punch', new Uint8Array(2 * BLOCK).fill(0x11));
  m.p.sync();
  m.fs.dropPageCache();
  const fd = m.p.open('/punch', 2, 0);
  m.p.fallocate(fd, 3, 100, 200); // FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
  m.p.close(fd);
  m.p.sync();
  const r = reimport(m.dev.durableImage());
  t.equal(r.p.readlink('/ln'), 'target-of-eleven');
  t.equal(dec(readFile(r.p, '/short')), 'abc');
  const p = readFile(r.p, '/punch');
  t.ok(p.subarray(0, 100).every((x) => x === 0x11) && p.subarray(100, 300).every((x) => x === 0) &&
    p.subarray(300).every((x) => x === 0x11), 'the punched range reads zeros, the rest its data');
  // The symlink's block on disk, past the target, is zeros (not the junk a reused buffer held).
  const obj = r.fs.pool.getObject(r.p.lstat('/ln').ino);
  const blk = new Uint8Array(BLOCK);
  t.equal(r.fs.pool.dmu.readBlock(obj, 0, blk, 0), true);
  t.ok(blk.subarray(16).every((x) => x === 0), 'the short block is zero-filled past its bytes');
});

t.test('a punch inside a hole keeps it a hole (Dmu.zeroRange reads, finds nothing, dirties nothing)', async (t) => {
  const m = mountNew();
  const fd = m.p.open('/sparse', 0o102, 0o644);
  m.p.ftruncate(fd, 8 * BLOCK);
  m.p.sync();
  const obj = m.fs.pool.getObject(m.p.fstat(fd).ino);
  m.fs.dropPageCache();
  m.p.fallocate(fd, 3, BLOCK + 10, 100);
  t.equal(obj.dirtyData.size, 0, 'no block was made for a range that is a hole');
  m.p.sync();
  t.equal(obj.dn.nblocks, 0, 'still no data blocks');
  m.p.close(fd);
});

/** The data blocks' first DVAs of the file at `path` (a walk of its tree). */
function dataDvas(m: Mounted, path: string): number[] {
  const pool = m.fs.pool;
  const dvas: number[] = [];
  pool.dmu.walk(pool.getObject(m.p.stat(path).ino), (b, o, level) => {
    if (level === 0) {
      dvas.push(rd32(b, o + BP_DVA0));
      return null;
    }
    const c = new Uint8Array(BLOCK);
    pool.vdev.readBlock(b, o, c, 0);
    return c;
  });
  return dvas;
}

t.test('frees are not held back across an import (metaslab_init: ms_defer[] starts empty)', async (t) => {
  const m = mountNew();
  writeFile(m.p, '/gone', new Uint8Array(8 * BLOCK).fill(5));
  m.p.sync();
  const dvas = dataDvas(m, '/gone');
  t.equal(dvas.length, 8);
  m.p.unlink('/gone');
  m.p.sync();
  const a = m.fs.pool.alloc;
  t.ok(dvas.every((d) => a.used[d] === 1), `in the running pool the frees are deferred ${TXG_DEFER_SIZE} txgs`);
  t.ok(a.deferredCount >= 8);
  const r = reimport(m.dev.durableImage());
  const ra = r.fs.pool.alloc;
  t.ok(dvas.every((d) => ra.used[d] === 0), 'after import the space map\'s FREE entries make them allocatable at once');
  t.equal(ra.deferredCount, 0, 'nothing is deferred after an import');
  t.equal(ra.free, a.free + a.deferredCount, 'free space = the old pool\'s free + its deferred frees');
  writeFile(r.p, '/new', enc('reuse'));
  r.p.sync();
  t.equal(dec(readFile(reimport(r.dev.durableImage()).p, '/new')), 'reuse');
});

t.test('a pool down to its slop space does not defer frees (metaslab_sync_done: defer_allowed is false)', async (t) => {
  const m = mountNew();
  const pool = m.fs.pool, a = pool.alloc;
  writeFile(m.p, '/big', new Uint8Array(64 * BLOCK).fill(9));
  m.p.sync();
  const dvas = dataDvas(m, '/big');
  t.equal(dvas.length, 64);
  // Take the free space down to what an unlink may still reserve (its 8 blocks above the slop), as a
  // delete may dip into the slop in OpenZFS: the txg that commits it leaves free space <= slop.
  const held: number[] = [];
  while (a.free > pool.slop + 8) held.push(a.claimLog());
  const deferredBefore = a.deferredCount; // the last txg's frees, still in their deferral
  m.p.unlink('/big');
  m.p.sync();
  t.ok(dvas.every((d) => a.used[d] === 0), 'the txg that freed them made them allocatable at once');
  t.ok(a.deferredCount <= deferredBefore, 'that txg deferred nothing (the one before it still waits its turn)');
  for (const b of held) a.releaseLog(b);
  // With room again, a txg's frees are deferred as usual (TXG_DEFER_SIZE txgs).
  writeFile(m.p, '/small', new Uint8Array(4 * BLOCK).fill(1));
  m.p.sync();
  const small = dataDvas(m, '/small');
  m.p.unlink('/small');
  m.p.sync();
  t.ok(small.every((d) => a.used[d] === 1), 'frees deferred again once the pool has room');
  const r = reimport(m.dev.durableImage());
  t.throws(() => r.p.stat('/big'), { code: 'ENOENT' }, 'the pool imports without the deleted files');
  writeFile(r.p, '/after', new Uint8Array(64 * BLOCK).fill(3));
  r.p.sync();
  t.ok(readFile(reimport(r.dev.durableImage()).p, '/after').every((x) => x === 3), 'and the freed space holds new data');
});
