// The pool: Fletcher-4 as ZFS defines it, labels and the uberblock ring, copy-on-write with checksums,
// ditto metadata that heals, EIO (never wrong data) for a block with no good copy, the space map, and
// the import of hostile images (ZFS On-Disk Specification §1-2; OpenZFS zio.c, vdev_label.c, spa.c).
import t from 'tap';
import { fletcher4, fletcher4Reference } from '../../fs-zfs-lite/fletcher4.js';
import { BLOCK, BP_DVA0, BP_DVA1, labelBlocks, rd32, wr32, wr64, BP_TYPE, T_INDIRECT } from '../../fs-zfs-lite/layout.js';
import { Prng } from '../../src/sim/prng.js';
import { FsError } from '../../vfs/errno.js';
import { BlockDevice } from '../../src/hw/block/block-device.js';
import { createZfsLite, importZfsLite, scrub } from '../../fs-zfs-lite/index.js';
import { MiB, dec, enc, mountNew, readFile, reimport, resealBp, resealEck, ubBlocks, writeFile } from './zfs-helpers.js';

function flipByte(img: Uint8Array, blk: number, at = 100): void {
  img[blk * BLOCK + at]! ^= 0x5a;
}

t.test('fletcher4 equals the 64-bit definition, including where the accumulators wrap (zfs_fletcher.c)', async (t) => {
  const prng = new Prng(7);
  for (const len of [0, 4, 64, 4096]) {
    const b = new Uint8Array(len);
    for (let i = 0; i < len; i++) b[i] = prng.below(256);
    const out = new Uint32Array(8);
    fletcher4(b, 0, len, out);
    const ref = fletcher4Reference(b);
    for (let k = 0; k < 4; k++) t.equal(BigInt(out[2 * k]!) + (BigInt(out[2 * k + 1]!) << 32n), ref[k], `len ${len} word ${k}`);
  }
  // 1 MiB of 0xff: d grows as n^4 and wraps 2^64 many times.
  const big = new Uint8Array(1 << 20).fill(0xff);
  const out = new Uint32Array(8);
  fletcher4(big, 0, big.length, out);
  const ref = fletcher4Reference(big);
  t.same([0, 1, 2, 3].map((k) => BigInt(out[2 * k]!) + (BigInt(out[2 * k + 1]!) << 32n)), ref, 'wrapping accumulators');
});

t.test('create, sync, import: the same tree; labels at both ends; the newest uberblock wins', async (t) => {
  const m = mountNew();
  m.p.mkdir('/etc', 0o755);
  writeFile(m.p, '/etc/hosts', '127.0.0.1 localhost\n');
  m.p.symlink('hosts', '/etc/h');
  m.p.sync();
  const txg = m.fs.pool.txg;
  const img = m.dev.durableImage();
  const r = reimport(img);
  t.equal(r.fs.pool.txg, txg, 'import takes the last committed txg');
  t.equal(dec(readFile(r.p, '/etc/hosts')), '127.0.0.1 localhost\n');
  t.equal(r.p.readlink('/etc/h'), 'hosts');
  t.equal(r.p.stat('/etc').nlink, 2);
  t.equal(r.fs.statfs().type, 0x2fc12fc1, 'ZFS_SUPER_MAGIC');
  const [l0, l1, l2, l3] = labelBlocks(img.length / BLOCK);
  t.same([l0, l1], [0, 16], 'two labels at the front');
  t.same([l2, l3], [img.length / BLOCK - 32, img.length / BLOCK - 16], 'two at the back');
  // Damage three of four label configs and the newest uberblock in three labels: still imports txg.
  const img2 = img.slice();
  for (const l of [l0, l1, l2]) flipByte(img2, l, 8);
  for (const b of ubBlocks(img2, txg).slice(0, 3)) flipByte(img2, b, 70);
  t.equal(reimport(img2).fs.pool.txg, txg, 'one good label and one good copy of the uberblock are enough');
  // All four label configs bad: refused.
  const img3 = img.slice();
  for (const l of [l0, l1, l2, l3]) flipByte(img3, l, 8);
  t.throws(() => reimport(img3), { code: 'EIO' }, 'no valid label: EIO');
});

t.test('copy-on-write: a txg never overwrites the previous tree; a bad newest uberblock falls back to it', async (t) => {
  const m = mountNew();
  writeFile(m.p, '/f', 'version one');
  m.p.sync();
  const txg1 = m.fs.pool.txg;
  writeFile(m.p, '/f', 'version two!');
  m.p.mkdir('/new', 0o700);
  m.p.sync();
  const txg2 = m.fs.pool.txg;
  t.ok(txg2 > txg1);
  const img = m.dev.durableImage();
  t.equal(dec(readFile(reimport(img).p, '/f')), 'version two!');
  for (const b of ubBlocks(img, txg2)) flipByte(img, b, 70);
  const old = reimport(img);
  t.equal(old.fs.pool.txg, txg1, 'the newest uberblock whose checksum verifies is the previous one');
  t.equal(dec(readFile(old.p, '/f')), 'version one', 'its tree is intact: nothing live was overwritten');
  t.throws(() => old.p.stat('/new'), { code: 'ENOENT' });
});

t.test('ditto metadata heals from its second copy; file data with no good copy reads EIO, never wrong data', async (t) => {
  const m = mountNew();
  writeFile(m.p, '/data', 'precious bytes');
  m.p.sync();
  const img = m.dev.durableImage();
  const pool = m.fs.pool;
  const os0 = rd32(pool.rootbp, BP_DVA0), os1 = rd32(pool.rootbp, BP_DVA1);
  t.ok(os0 !== 0 && os1 !== 0 && os0 !== os1, 'the objset has two copies');
  const ino = m.p.stat('/data').ino;
  const dataBlk = rd32(pool.getObject(ino).dn.root, BP_DVA0);
  t.equal(rd32(pool.getObject(ino).dn.root, BP_DVA1), 0, 'file data has one copy (copies=1)');

  const bad = img.slice();
  flipByte(bad, os0);
  const r = reimport(bad);
  t.equal(dec(readFile(r.p, '/data')), 'precious bytes');
  t.ok(r.fs.pool.vdev.stats.checksumErrors >= 1, 'the bad copy was detected');
  t.ok(r.fs.pool.vdev.stats.healed >= 1, 'and healed');
  const healed = new Uint8Array(BLOCK), good = new Uint8Array(BLOCK);
  r.fs.pool.vdev.readRaw(os0, healed);
  r.fs.pool.vdev.readRaw(os1, good);
  t.equal(Buffer.compare(healed, good), 0, 'the bad copy was rewritten from the good one');

  const bad2 = img.slice();
  flipByte(bad2, dataBlk, 3);
  const r2 = reimport(bad2);
  t.throws(() => readFile(r2.p, '/data'), { code: 'EIO' }, 'a bad data block is EIO');
  const rep = scrub(r2.fs.pool);
  t.equal(rep.unrecoverable, 1, 'scrub finds the one block with no good copy');
  t.equal(rep.repaired, 0);
});

t.test('scrub walks every block, finds a bad metadata copy and repairs it from its ditto', async (t) => {
  const m = mountNew();
  m.p.mkdir('/d', 0o755);
  for (let i = 0; i < 40; i++) writeFile(m.p, `/d/file${i}`, `contents ${i}`);
  m.p.sync();
  const clean = scrub(m.fs.pool);
  t.equal(clean.errors, 0, 'a clean pool scrubs clean');
  t.ok(clean.blocks > 40 && clean.objects > 40, `walked ${clean.blocks} blocks of ${clean.objects} objects`);
  const img = m.dev.durableImage();
  const dir = m.fs.pool.getObject(m.p.stat('/d').ino);
  const leaf1 = rd32(dir.dn.root, BP_DVA1);
  flipByte(img, leaf1, 40);
  const r = reimport(img);
  const rep = scrub(r.fs.pool);
  t.equal(rep.errors, 1, 'one bad copy');
  t.equal(rep.repaired, 1, 'repaired');
  t.equal(rep.unrecoverable, 0);
  t.equal(scrub(r.fs.pool).errors, 0, 'a second scrub finds nothing');
  t.ok(rep.ns > 0, 'scrub costs virtual time');
});

t.test('the space map: import rebuilds the allocator; every live block is allocated exactly once', async (t) => {
  const m = mountNew();
  const prng = new Prng(3);
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 30; i++) writeFile(m.p, `/f${prng.below(50)}`, new Uint8Array(prng.below(20000)).fill(round + 1));
    for (let i = 0; i < 10; i++) {
      try { m.p.unlink(`/f${prng.below(50)}`); } catch { /* absent */ }
    }
    m.p.sync();
  }
  const live = m.fs.pool.alloc;
  t.ok(m.fs.pool.stats.condenses >= 1, `the space map was condensed ${m.fs.pool.stats.condenses} time(s) on the way`);
  const r = reimport(m.dev.durableImage());
  t.equal(r.fs.pool.alloc.free, live.free + live.deferredCount, 'free space = live free + frees still deferred');
  // Walk every pointer of the imported tree: each DVA allocated in the space map, none twice.
  const seen = new Set<number>();
  const pool = r.fs.pool;
  let dup = 0, unalloc = 0;
  const note = (b: Uint8Array, o: number): void => {
    for (const off of [BP_DVA0, BP_DVA1]) {
      const d = rd32(b, o + off);
      if (d === 0) continue;
      if (seen.has(d)) dup++;
      seen.add(d);
      if (pool.alloc.used[d] !== 1) unalloc++;
    }
  };
  note(pool.rootbp, 0);
  const inos = [pool.meta.dn.ino];
  for (let i = 1; i < pool.nextObj; i++) {
    try { pool.getObject(i); inos.push(i); } catch (e) { if (!(e instanceof FsError)) throw e; }
  }
  for (const ino of inos) {
    const obj = ino === 0 ? pool.meta : pool.getObject(ino);
    pool.dmu.walk(obj, (b, o, level) => {
      note(b, o);
      if (level === 0) return null;
      const c = new Uint8Array(BLOCK);
      pool.vdev.readBlock(b, o, c, 0);
      return c;
    });
  }
  t.equal(dup, 0, 'no block is referenced twice');
  t.equal(unalloc, 0, 'every referenced block is allocated');
  t.ok(seen.size > 50);
});

t.test('transaction groups commit in the background every zfs_txg_timeout of virtual time', async (t) => {
  const m = mountNew({ txgTimeoutNs: 5e9 });
  const txg0 = m.fs.pool.txg;
  writeFile(m.p, '/a', 'not yet durable');
  t.equal(m.fs.pool.txg, txg0, 'no commit within the interval');
  t.throws(() => reimport(m.dev.durableImage()).p.stat('/a'), { code: 'ENOENT' }, 'a power cut now loses it');
  m.clock.now += 6e9;
  const before = m.clock.now;
  m.p.mkdir('/b', 0o755); // the next operation finds the txg due
  t.equal(m.fs.pool.txg, txg0 + 1, 'the txg committed');
  t.ok(m.fs.pool.stats.backgroundTxgs >= 1);
  t.ok(m.clock.now - before < 1e6, 'the sync thread ran beside the caller: its I/O time is not the caller\'s');
  t.ok(m.fs.pool.stats.backgroundSyncNs > 0);
  t.equal(dec(readFile(reimport(m.dev.durableImage()).p, '/a')), 'not yet durable', 'durable after the txg');
});

t.test('fsync writes intent-log records and flushes; import replays them (zil_commit, zil_replay)', async (t) => {
  const m = mountNew();
  const txg = m.fs.pool.txg;
  const fd = m.p.open('/log', 0o102, 0o600);
  m.p.write(fd, enc('durable before the txg'), 0, 22, null);
  m.p.fchmod(fd, 0o640);
  m.p.mkdir('/dir', 0o711);
  m.p.rename('/log', '/dir/log2');
  const flushes = m.dev.counters.values.flushes;
  m.p.fsync(fd);
  t.equal(m.dev.counters.values.flushes, flushes + 1, 'one FLUSH for the log commit');
  t.equal(m.fs.pool.txg, txg, 'no txg committed');
  t.ok(m.fs.pool.stats.zilBlocks >= 1);
  const r = reimport(m.dev.durableImage());
  t.ok(r.fs.replayed >= 5, `${r.fs.replayed} records replayed (five operations and the VFS's timestamp setattrs)`);
  t.equal(dec(readFile(r.p, '/dir/log2')), 'durable before the txg');
  t.equal(r.p.stat('/dir/log2').mode & 0o777, 0o640);
  t.equal(r.p.stat('/dir').mode & 0o777, 0o711);
  t.equal(r.p.stat('/dir/log2').ino, m.p.stat('/dir/log2').ino, 'the same inode numbers');
  t.ok(r.fs.pool.txg > txg, 'replay is committed as a txg');
  // A second import finds the replayed state in the tree and an empty log.
  const r2 = reimport(r.dev.durableImage());
  t.equal(r2.fs.replayed, 0);
  t.equal(dec(readFile(r2.p, '/dir/log2')), 'durable before the txg');
  // A write after the fsync, without one, is lost by a power cut (and nothing else is).
  m.p.write(fd, enc(' and more'), 0, 9, null);
  t.equal(dec(readFile(reimport(m.dev.durableImage()).p, '/dir/log2')), 'durable before the txg');
});

t.test('ENOSPC when the pool is full, and space comes back after deletes commit', async (t) => {
  const m = mountNew({ bytes: 2 * MiB });
  const chunk = new Uint8Array(64 * 1024).fill(7);
  let written = 0;
  const fd = m.p.open('/fill', 0o102, 0o644);
  try {
    for (;;) { m.p.write(fd, chunk, 0, chunk.length, null); written += chunk.length; }
  } catch (e) {
    t.equal((e as FsError).code, 'ENOSPC', 'a full pool is ENOSPC');
  }
  m.p.close(fd);
  t.ok(written > MiB, `wrote ${written} bytes before ENOSPC`);
  m.p.unlink('/fill');
  m.p.sync();
  writeFile(m.p, '/again', new Uint8Array(512 * 1024).fill(1));
  m.p.sync();
  t.equal(readFile(reimport(m.dev.durableImage()).p, '/again').length, 512 * 1024, 'space freed by the delete is reused');
});

t.test('hostile images are refused with EIO/EINVAL: absurd levels and sizes, pointer loops, wrong devices', async (t) => {
  const m = mountNew();
  writeFile(m.p, '/x', 'x');
  m.p.sync();
  const img = m.dev.durableImage();
  const txg = m.fs.pool.txg;
  const ub = ubBlocks(img, txg);
  const os0 = rd32(m.fs.pool.rootbp, BP_DVA0), os1 = rd32(m.fs.pool.rootbp, BP_DVA1);
  // Forge the objset (both copies) and re-seal the pointer in every uberblock: checksums all verify.
  const forge = (edit: (os: Uint8Array) => void): Uint8Array => {
    const f = img.slice();
    const os = f.slice(os0 * BLOCK, os0 * BLOCK + BLOCK);
    edit(os);
    f.set(os, os0 * BLOCK);
    f.set(os, os1 * BLOCK);
    for (const b of ub) {
      const u = f.subarray(b * BLOCK, b * BLOCK + BLOCK);
      resealBp(u, 64, os);
      resealEck(f, b);
    }
    return f;
  };
  t.throws(() => reimport(forge((os) => { os[64 + 1] = 200; })), { code: 'EIO' }, 'meta-dnode with 200 levels');
  t.throws(() => reimport(forge((os) => wr64(os, 16, 2 ** 40))), { code: 'EIO' }, 'absurd object count');
  t.throws(() => reimport(forge((os) => wr64(os, 8, txg + 7))), { code: 'EIO' }, 'objset of another txg');
  // A loop: the meta-dnode's root points back at the objset block itself, as an indirect block.
  const loop = forge((os) => {
    os[64 + 1] = 3;
    wr32(os, 64 + 128 + BP_DVA0, os0);
    wr32(os, 64 + 128 + BP_DVA1, os1);
    wr32(os, 64 + 128 + BP_TYPE, T_INDIRECT | (2 << 8));
    resealBp(os, 64 + 128, img, os0 * BLOCK); // a checksum of the (old) objset: the loop verifies once
  });
  try {
    reimport(loop);
    t.fail('a pointer loop imported');
  } catch (e) {
    t.ok(e instanceof FsError && (e.code === 'EIO' || e.code === 'EINVAL'), `a pointer loop ends in an errno (${String(e)})`);
  }
  // A version we do not speak: EINVAL.
  const v = img.slice();
  for (const l of labelBlocks(img.length / BLOCK)) { wr32(v, l * BLOCK + 4, 99); resealEck(v, l); }
  t.throws(() => reimport(v), { code: 'EINVAL' }, 'unknown label version');
  t.throws(() => reimport(new Uint8Array(img.length)), { code: 'EIO' }, 'a blank device');
  t.throws(() => createZfsLite({ dev: new BlockDevice({ bytes: 64 * 1024 }) }), { code: 'EINVAL' }, 'a device too small for a pool');
  t.throws(() => importZfsLite(new BlockDevice({ bytes: 8 * MiB, image: (() => { const b = new Uint8Array(8 * MiB); b.set(img); return b; })() })),
    { code: 'EIO' }, 'the image on a device of another size: its back labels are not where they should be');
});

t.test('import reads what a real import reads and charges it (labels, rings, objset, MOS, space map)', async (t) => {
  const m = mountNew();
  for (let i = 0; i < 100; i++) writeFile(m.p, `/f${i}`, `${i}`);
  m.p.sync();
  const r = reimport(m.dev.durableImage());
  const c = r.dev.counters.values;
  t.ok(c.reads >= 4 + 4 * 15 + 1, `${c.reads} device reads: 4 labels, 60 uberblock slots, the objset, ...`);
  t.ok(r.clock.now > 64 * 50_000, `import took ${(r.clock.now / 1e6).toFixed(2)} ms of virtual time`);
  t.equal(r.fs.pool.vdev.stats.checksumErrors, 0);
});
