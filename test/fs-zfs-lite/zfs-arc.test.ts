// ZFS-lite's reads through the ARC (OpenZFS arc_read: every verified block read from disk enters the
// ARC; a hit costs a copy, not an I/O) and the ARC's competition with the page cache for the machine's
// RAM frames (the ARC is a Ram shrinker: arc_shrinker_scan lowers c when the page cache needs frames).
import t from 'tap';
import { BlockDevice } from '../../src/hw/block/block-device.js';
import { Ram } from '../../src/hw/ram.js';
import { PageCache } from '../../src/mm/page-cache.js';
import { Clock } from '../../src/sim/clock.js';
import { Vfs } from '../../vfs/vfs.js';
import { createZfsLite } from '../../fs-zfs-lite/index.js';
import { MiB, mountNew, readFile, writeFile } from './zfs-helpers.js';

t.test('a block read twice is one device read and one ARC hit; the counters say so', async (t) => {
  const m = mountNew();
  const data = new Uint8Array(64 * 4096).map((_, i) => i % 251);
  writeFile(m.p, '/f', data);
  m.p.sync();
  m.fs.dropPageCache();
  const v = m.fs.pool.vdev.stats;
  const reads0 = m.dev.counters.values.reads, miss0 = v.arcMisses;
  t.equal(Buffer.compare(readFile(m.p, '/f'), data), 0, 'the data');
  const diskReads = m.dev.counters.values.reads - reads0;
  t.ok(v.arcMisses - miss0 >= 64, `first read: ${v.arcMisses - miss0} ARC misses, ${diskReads} device reads`);
  m.fs.dropPageCache();
  const reads1 = m.dev.counters.values.reads, hits1 = v.arcHits, t1 = m.clock.now;
  t.equal(Buffer.compare(readFile(m.p, '/f'), data), 0, 'the data again');
  t.equal(m.dev.counters.values.reads, reads1, 'second read after dropping the page cache: no device read');
  t.ok(v.arcHits - hits1 >= 64, `${v.arcHits - hits1} ARC hits`);
  const arcNs = m.clock.now - t1;
  // A third read finds the pages in the page cache: neither the ARC nor the device.
  const hits2 = v.arcHits, t2 = m.clock.now;
  readFile(m.p, '/f');
  t.equal(v.arcHits, hits2, 'page-cache hits do not reach the ARC');
  t.ok(m.clock.now - t2 < arcNs, 'and cost less virtual time than filling pages from the ARC');
  const s = m.fs.pool.arc!.stats();
  t.equal(s.hits + s.misses, s.requests, 'the ARC\'s own counters are consistent');
});

t.test('the ARC and the page cache compete for RAM: page-cache growth makes the ARC shrink (never below c_min)', async (t) => {
  const ram = new Ram({ bytes: 4 * MiB }); // 1024 frames
  const clock = new Clock();
  const pageCache = new PageCache(ram, { clock });
  const dev = new BlockDevice({ bytes: 8 * MiB, clock });
  const fs = createZfsLite({ dev, clock, pageCache, arcMax: 3 * MiB });
  const p = new Vfs({ root: fs, clock }).process({ umask: 0o022 });
  writeFile(p, '/a', new Uint8Array(2 * MiB).fill(1));
  writeFile(p, '/b', new Uint8Array(2 * MiB).fill(2));
  p.sync();
  fs.dropPageCache();
  const arc = fs.pool.arc!;
  readFile(p, '/a'); // fills the ARC with a's blocks (and the page cache with a's pages)
  fs.dropPageCache();
  const before = arc.stats().size;
  t.ok(before >= 1.5 * MiB, `ARC holds ${(before / MiB).toFixed(2)} MiB after reading /a`);
  // Reading /b needs 512 page frames and 512 ARC frames: RAM runs short, the ARC gives frames back.
  const got = readFile(p, '/b');
  t.ok(got.every((x) => x === 2), '/b reads correctly under memory pressure');
  const s = arc.stats();
  t.ok(s.shrinks > 0, `the ARC was asked to shrink ${s.shrinks} times`);
  t.ok(s.c < 3 * MiB, `its target c fell to ${(s.c / MiB).toFixed(2)} MiB`);
  t.ok(s.c >= s.cMin, 'never below c_min');
  t.ok(ram.freeFrames >= 0 && pageCache.stats.allocs > 0);
});

t.test('with page reclaim on (src/mm Reclaim, a Ram shrinker too), files larger than RAM write and read back intact', async (t) => {
  const { Mm } = await import('../../src/mm/mm.js');
  const ram = new Ram({ bytes: 4 * MiB });
  const clock = new Clock();
  const mm = new Mm({ ram, clock });
  const dev = new BlockDevice({ bytes: 32 * MiB, clock });
  const fs = createZfsLite({ dev, clock, pageCache: mm.pageCache, arcMax: 2 * MiB });
  const p = new Vfs({ root: fs, clock }).process({ umask: 0o022 });
  const big = new Uint8Array(6 * MiB).map((_, i) => (i * 2654435761) >>> 24);
  const fd = p.open('/big', 0o102, 0o644);
  for (let o = 0; o < big.length; o += 256 * 1024) p.write(fd, big, o, 256 * 1024, o); // dirty pages get evicted (written to the DMU)
  p.sync();
  const back = new Uint8Array(big.length);
  for (let o = 0; o < big.length; o += 256 * 1024) p.read(fd, back, o, 256 * 1024, o);
  t.equal(Buffer.compare(back, big), 0, 'a 6 MiB file through a 4 MiB machine reads back intact');
  t.ok(mm.reclaim.stats.evicted > 0, `reclaim evicted ${mm.reclaim.stats.evicted} pages (${mm.reclaim.stats.writebacks} written back)`);
  const s = fs.pool.arc!.stats();
  // Ram asks its shrinkers in registration order: the page cache's reclaim (registered by Mm first)
  // gives frames back before the ARC is asked; the ARC stays within c by evicting on its own.
  t.ok(s.size <= s.c && s.evictions > 0, `the ARC stayed within c (${(s.size / MiB).toFixed(2)} MiB), evicting ${s.evictions} buffers`);
  p.close(fd);
  p.sync();
  const again = new Uint8Array(big.length);
  const { importZfsLite } = await import('../../fs-zfs-lite/index.js');
  const dev2 = new BlockDevice({ bytes: dev.size, image: dev.durableImage() });
  const p2 = new Vfs({ root: importZfsLite(dev2, { ramBytes: 16 * MiB }) }).process({ umask: 0o022 });
  const fd2 = p2.open('/big', 0, 0);
  for (let o = 0; o < big.length; o += 256 * 1024) p2.read(fd2, again, o, 256 * 1024, o);
  t.equal(Buffer.compare(again, big), 0, 'and from the media after import');
});
