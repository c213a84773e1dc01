// DAX mmap on pcmfs (issue 6): mmap maps the file's PCM blocks through the MMU with no page cache
// (Linux Documentation/filesystems/dax.rst); stores through a shared mapping reach the file at once and
// are durable after msync(2) or fsync(2) (DC CVAP + DSB, dax_writeback_mapping_range), checked against
// the PCM device's crash states; a page wholly past EOF after truncate is SIGBUS (mmap(2)).

import t from 'tap';
import { Ram } from '../../src/hw/ram.js';
import { Mm } from '../../src/mm/mm.js';
import { msync, munmap } from '../../src/mm/mmap.js';
import { MAP_PRIVATE, MAP_SHARED, MS_SYNC, PROT_READ, PROT_WRITE } from '../../src/mm/mman.js';
import { mmapFd } from '../../vfs/mmap-fd.js';
import { PcmFs } from '../../fs-nvm/index.js';
import { PcmDevice } from '../../src/hw/pcm/pcm.js';
import { runTwoSpaces } from '../../src/testing/fsx/two-spaces.js';
import { FSX_BACKENDS } from '../../src/testing/fsx/backends.js';
import { Vfs } from '../../vfs/vfs.js';
import { O_CREAT, O_RDWR } from '../../vfs/constants.js';

const RW = PROT_READ | PROT_WRITE;

function setup(len = 3 * 4096 + 100) {
  const ram = new Ram({ bytes: 8 << 20 });
  const fs = PcmFs.create(1 << 20);
  const dev = fs.dev as PcmDevice;
  const p = new Vfs({ root: fs }).root;
  const mm = new Mm({ ram });
  mm.cpu.attachPcm(dev);
  const as = mm.createAddressSpace();
  const data = new Uint8Array(len);
  for (let i = 0; i < len; i++) data[i] = (i * 7 + 3) & 255;
  const fd = p.open('/f', O_RDWR | O_CREAT, 0o644);
  p.write(fd, data, 0, len, 0);
  return { fs, dev, p, mm, as, cpu: mm.cpu, fd, data };
}

/** The byte at file offset `pos` of /f in a device image (found through the file's current block). */
function durableByte(fs: PcmFs, ino: number, image: Uint8Array, pos: number): number {
  const pa = fs.daxPhysAddr(ino, Math.floor(pos / 4096));
  return image[pa - (fs.dev as PcmDevice).base + (pos % 4096)]!;
}

t.test('mapped reads see the file; a page beyond RAM is reached on the PCM device, no page cache', async (t) => {
  const { p, as, cpu, fd, data, mm } = setup();
  const a = mmapFd(p, as, 0, data.length, PROT_READ, MAP_SHARED, fd, 0);
  t.same(cpu.read(a, data.length), data, 'bulk read through the map equals the file (dax.rst: loads go to the media)');
  t.equal(cpu.load8(a + 5000), data[5000]!, 'load8');
  t.equal(cpu.load32(a + 4094), new DataView(data.buffer).getUint32(4094, true), 'a load crossing two PCM pages');
  t.equal(mm.pageCache.stats.allocs, 0, 'no page cache frame was allocated');
  t.equal(cpu.takeSignal(), null);
  t.equal(cpu.load8(a + 4 * 4096 - 1), 0, 'the tail of the last page past EOF reads zero (mmap(2))');
});

t.test('stores through a shared map are visible to read(); durable only after msync', async (t) => {
  const { fs, dev, p, as, cpu, fd, data } = setup();
  const ino = p.fstat(fd).ino;
  const a = mmapFd(p, as, 0, data.length, RW, MAP_SHARED, fd, 0);
  cpu.store8(a + 10, 0xab);
  cpu.store32(a + 4096 + 8, 0xdeadbeef);
  cpu.write(a + 2 * 4096, new Uint8Array([1, 2, 3, 4]));
  const back = new Uint8Array(8);
  p.read(fd, back, 0, 8, 4096 + 8);
  t.same([...back.subarray(0, 4)], [0xef, 0xbe, 0xad, 0xde], 'read(2) sees the stores at once (one copy: the block)');
  // Before msync the stores sit in the CPU cache: the durable image (the crash that keeps no pending
  // piece) still has the old byte.
  const before = dev.crash();
  t.equal(durableByte(fs, ino, before.image, 10), data[10]!, 'before msync a crash can lose the store');
  t.ok(before.unflushed > 0, 'the store is pending, not flushed');
  const n = msync(as, a, 3 * 4096, MS_SYNC);
  t.equal(n, 3, 'msync flushed the three mapped pages');
  const after = dev.crash();
  t.equal(durableByte(fs, ino, after.image, 10), 0xab, 'after msync the store is in the durable image');
  t.equal(durableByte(fs, ino, after.image, 2 * 4096 + 3), 4, 'and the bulk write too');
  let touching = 0;
  const pa = fs.daxPhysAddr(ino, 0) - dev.base;
  for (let i = 0; i < after.count; i++) if (after.pieceOffset(i) >= pa && after.pieceOffset(i) < pa + 4096) touching++;
  t.equal(touching, 0, 'no pending piece is left on the page: every crash image has the store');
});

t.test('fsync of a DAX-mapped file makes the mapped stores durable (dax_writeback_mapping_range)', async (t) => {
  const { fs, dev, p, as, cpu, fd, data } = setup();
  const ino = p.fstat(fd).ino;
  const a = mmapFd(p, as, 0, data.length, RW, MAP_SHARED, fd, 0);
  cpu.store8(a + 4096 + 1, 0x5a);
  t.equal(durableByte(fs, ino, dev.crash().image, 4096 + 1), data[4097]!, 'not durable before fsync');
  p.fsync(fd);
  t.equal(durableByte(fs, ino, dev.crash().image, 4096 + 1), 0x5a, 'durable after fsync');
});

t.test('write(2) to a mapped page moves it (copy-on-write) and the map follows; stores are kept', async (t) => {
  const { fs, p, as, cpu, fd, data, mm } = setup();
  const ino = p.fstat(fd).ino;
  const a = mmapFd(p, as, 0, data.length, RW, MAP_SHARED, fd, 0);
  cpu.store8(a + 100, 0x11);
  const old = fs.daxPhysAddr(ino, 0);
  p.write(fd, new Uint8Array([0x22]), 0, 1, 200);
  t.not(fs.daxPhysAddr(ino, 0), old, 'the page moved to a new block');
  t.equal(cpu.load8(a + 200), 0x22, 'the map sees the write: it was zapped and refaulted');
  t.equal(cpu.load8(a + 100), 0x11, 'the unflushed store through the map survived the copy');
  cpu.store8(a + 300, 0x33);
  const b = new Uint8Array(1);
  p.read(fd, b, 0, 1, 300);
  t.equal(b[0], 0x33, 'stores after the move land in the new block');
  t.same(mm.fsck(), [], 'every DAX descriptor points at the file\'s current block (none at the freed one)');
});

t.test('truncate of a mapped DAX file: SIGBUS past EOF (mmap(2)); private maps copy on write', async (t) => {
  const { p, as, cpu, fd, data } = setup();
  const a = mmapFd(p, as, 0, data.length, RW, MAP_SHARED, fd, 0);
  t.equal(cpu.load8(a + 2 * 4096), data[2 * 4096]!);
  p.ftruncate(fd, 4096);
  t.equal(cpu.takeSignal(), null);
  cpu.load8(a + 2 * 4096);
  t.same(cpu.takeSignal(), { signal: 'SIGBUS', addr: a + 2 * 4096 }, 'a page wholly past the new EOF is SIGBUS');
  t.equal(cpu.load8(a + 100), data[100]!, 'the page before EOF still maps');
  munmap(as, a, data.length);
  const q = mmapFd(p, as, 0, 4096, RW, MAP_PRIVATE, fd, 0);
  cpu.store8(q + 1, 0x77);
  const b = new Uint8Array(1);
  p.read(fd, b, 0, 1, 1);
  t.equal(b[0], data[1]!, 'a private map\'s store does not reach the file (MAP_PRIVATE)');
  t.equal(cpu.load8(q + 1), 0x77, 'the private copy holds it');
});

t.test('a hole in a mapped file is filled with a zeroed block on fault', async (t) => {
  const { fs, p, as, cpu, fd } = setup(4096);
  const ino = p.fstat(fd).ino;
  p.ftruncate(fd, 3 * 4096);
  t.equal(fs.daxPhysAddr(ino, 2), -1, 'page 2 is a hole');
  const a = mmapFd(p, as, 0, 3 * 4096, RW, MAP_SHARED, fd, 0);
  t.equal(cpu.load8(a + 2 * 4096 + 5), 0, 'the hole reads zero');
  cpu.store8(a + 2 * 4096 + 5, 9);
  const b = new Uint8Array(1);
  p.read(fd, b, 0, 1, 2 * 4096 + 5);
  t.equal(b[0], 9, 'the store reaches the file');
  t.equal(p.fstat(fd).size, 3 * 4096, 'the size did not change');
});

t.test('fsx two-spaces on pcmfs: a shared and a private DAX map of one file agree with read()/write()', async (t) => {
  // mmap(2): a MAP_SHARED view sees every write(); a MAP_PRIVATE view sees the file until its own first
  // store copies the page. pcmfs's copy-on-write moves pages under both maps (zapped and refaulted).
  for (const hardwareDirty of [false, true]) {
    const r = runTwoSpaces(FSX_BACKENDS.pcmfs!, { seed: 4, ops: 1500, hardwareDirty });
    t.same(r.failures, [], `pcmfs${hardwareDirty ? ' DBM' : ''}`);
  }
});

t.test('every CPU access width reaches PCM through a DAX map, including accesses crossing two pages', async (t) => {
  // The CPU's physical path: a PA on the PCM device goes through its load*/store*/read/write (cpu.ts).
  const { p, as, cpu, fd, data } = setup();
  const a = mmapFd(p, as, 0, data.length, RW, MAP_SHARED, fd, 0);
  cpu.store64(a + 4092, 0x1234_5678_9abc);
  t.equal(cpu.load64(a + 4092), 0x1234_5678_9abc, 'store64/load64 across the page boundary');
  cpu.store16(a + 8, 0xbeef);
  t.equal(cpu.load16(a + 8), 0xbeef, 'store16/load16');
  cpu.store64Big(a + 16, 0xfedc_ba98_7654_3210n);
  t.equal(cpu.load64Big(a + 16), 0xfedc_ba98_7654_3210n, '64-bit exact');
  const got = new Uint8Array(8);
  p.read(fd, got, 0, 8, 4092);
  t.same([...got.subarray(0, 6)], [0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12], 'the file holds the crossing store, little-endian');
  t.equal(cpu.takeSignal(), null, 'no signal');
});
