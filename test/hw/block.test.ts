import t, { type Test } from 'tap';
import { BlockDevice, REQ_FUA } from '../../src/hw/block/block-device.js';
import { Clock } from '../../src/sim/clock.js';
import { OSV_AARCH64_KVM } from '../../src/sim/profile.js';
import { FsError } from '../../vfs/errno.js';

const B = OSV_AARCH64_KVM.block;

function throwsCode(t: Test, fn: () => unknown, code: string, msg = ''): void {
  try {
    fn();
    t.fail(`expected ${code} ${msg}`);
  } catch (e) {
    t.ok(e instanceof FsError && e.code === code, `${code} ${msg} (got ${String(e)})`);
  }
}

function near(t: Test, got: number, want: number, msg: string): void {
  t.ok(Math.abs(got - want) < 1e-6, `${msg}: ${got} ≈ ${want}`);
}

const filled = (bytes: number, v: number): Uint8Array => new Uint8Array(bytes).fill(v);

t.test('sectors round-trip into and from caller buffers, at offsets; counters count', async (t) => {
  const d = new BlockDevice({ sectors: 64, clock: new Clock() });
  t.equal(d.sectorSize, 512);
  t.equal(d.size, 32768);
  const src = new Uint8Array(2048);
  for (let i = 0; i < src.length; i++) src[i] = i & 255;
  d.write(10, 2, src, 512);
  const dst = new Uint8Array(1536);
  d.read(10, 2, dst, 512);
  t.same(dst.subarray(512), src.subarray(512, 1536));
  t.same(dst.subarray(0, 512), new Uint8Array(512), 'bytes before dstOff untouched');
  d.flush();
  const v = d.counters.values;
  t.same([v.reads, v.writes, v.bytesRead, v.bytesWritten, v.flushes], [1, 1, 1024, 1024, 1]);
  const big = new BlockDevice({ bytes: 1 << 20, sectorSize: 4096 });
  t.equal(big.sectors, 256);
  big.write(255, 1, filled(4096, 7));
  const one = new Uint8Array(4096);
  big.read(255, 1, one);
  t.equal(one[4095], 7);
});

t.test('bad input is an errno and changes nothing: EIO past the end (Linux bio_check_eod), EINVAL for malformed requests', async (t) => {
  const d = new BlockDevice({ sectors: 16, clock: new Clock() });
  d.write(0, 1, filled(512, 1));
  const before = d.crash().materialize(Uint8Array.of(1));
  const buf = new Uint8Array(4096);
  throwsCode(t, () => d.read(15, 2, buf), 'EIO', 'read past the end');
  throwsCode(t, () => d.write(16, 1, buf), 'EIO', 'write past the end');
  throwsCode(t, () => d.read(-1, 1, buf), 'EINVAL');
  throwsCode(t, () => d.read(0.5, 1, buf), 'EINVAL');
  throwsCode(t, () => d.write(0, -2, buf), 'EINVAL');
  throwsCode(t, () => d.read(0, 9, buf), 'EINVAL', 'buffer too small');
  throwsCode(t, () => d.write(0, 1, buf, 3900), 'EINVAL', 'source too small at offset');
  throwsCode(t, () => d.write(0, 1, buf, 0, 4), 'EINVAL', 'unknown flag');
  throwsCode(t, () => d.write(0, 1, 'x' as unknown as Uint8Array), 'EINVAL', 'not a buffer');
  throwsCode(t, () => new BlockDevice({ sectors: 0 }), 'EINVAL');
  throwsCode(t, () => new BlockDevice({ sectors: 4, sectorSize: 1000 }), 'EINVAL');
  throwsCode(t, () => d.injectReadError(15, 2), 'EIO');
  throwsCode(t, () => d.injectCorruption(99), 'EINVAL');
  throwsCode(t, () => d.setMediaSectors(0, new Uint8Array(100)), 'EINVAL');
  t.equal(d.pendingWrites, 1);
  t.same(d.crash().materialize(Uint8Array.of(1)), before);
  t.equal(d.counters.values.writes, 1);
  d.write(3, 0, buf); // a zero-length request is valid and does nothing
  t.equal(d.pendingWrites, 1);
});

t.test('costs from the virtio-blk profile: latency + bytes / bandwidth; FLUSH; FUA emulated as write + FLUSH', async (t) => {
  const d = new BlockDevice({ sectors: 1024, clock: new Clock() });
  const c = d.clock;
  let t0 = c.now;
  d.read(0, 8, new Uint8Array(4096));
  near(t, c.now - t0, B.readLatencyNs + 4096 / B.readBytesPerNs, '4 KiB read');
  t.ok(c.now - t0 > 90_000 && c.now - t0 < 100_000, 'about the 95 us measured at QD1');
  t0 = c.now;
  d.write(0, 8, new Uint8Array(4096));
  near(t, c.now - t0, B.writeLatencyNs + 4096 / B.writeBytesPerNs, '4 KiB write');
  t0 = c.now;
  d.flush();
  near(t, c.now - t0, B.flushNs, 'flush');
  t0 = c.now;
  d.write(8, 1, new Uint8Array(512), 0, REQ_FUA);
  near(t, c.now - t0, B.writeLatencyNs + 512 / B.writeBytesPerNs + B.flushNs, 'FUA write');
  t.equal(d.counters.values.fuaWrites, 1);
  t.equal(d.counters.values.flushes, 2);
});

t.test('fault injection: silent corruption flips exactly the asked bits, seeded; read errors are EIO until rewritten; write errors', async (t) => {
  const d = new BlockDevice({ sectors: 8, clock: new Clock() });
  d.write(2, 1, filled(512, 0xff));
  d.flush();
  d.injectCorruption(2, { bits: 3, seed: 4 });
  const got = new Uint8Array(512);
  d.read(2, 1, got);
  let flipped = 0;
  for (const b of got) for (let k = 0; k < 8; k++) if (((b >> k) & 1) === 0) flipped++;
  t.equal(flipped, 3, 'the read succeeds with 3 bits wrong');
  t.not(Buffer.compare(d.durableImage().subarray(1024, 1536), filled(512, 0xff)), 0, 'the media holds the corruption');
  const e = new BlockDevice({ sectors: 8, clock: new Clock() });
  e.write(2, 1, filled(512, 0xff));
  e.flush();
  e.injectCorruption(2, { bits: 3, seed: 4 });
  const got2 = new Uint8Array(512);
  e.read(2, 1, got2);
  t.same(got2, got, 'same seed, same bits');

  // A newer write still in the cache is what reads return, and the flush writes it over the bad bits.
  const c = new BlockDevice({ sectors: 8, clock: new Clock() });
  c.write(1, 1, filled(512, 0x0f));
  c.injectCorruption(1, { bits: 8, seed: 2 });
  const cached = new Uint8Array(512);
  c.read(1, 1, cached);
  t.ok(cached.every((b) => b === 0x0f), 'served from the cache');
  t.notOk(c.durableImage().subarray(512, 1024).every((b) => b === 0), 'the media copy is corrupt');
  c.flush();
  t.ok(c.durableImage().subarray(512, 1024).every((b) => b === 0x0f), 'the flush overwrote it');

  d.injectReadError(5, 2);
  throwsCode(t, () => d.read(4, 2, new Uint8Array(1024)), 'EIO', 'read overlapping a bad sector');
  d.read(0, 4, new Uint8Array(2048));
  t.equal(d.counters.values.readErrors, 1);
  d.write(5, 1, filled(512, 1));
  d.read(5, 1, new Uint8Array(512));
  throwsCode(t, () => d.read(6, 1, new Uint8Array(512)), 'EIO', 'sector 6 still bad');
  d.injectWriteError(7);
  const pendingBefore = d.pendingWrites;
  throwsCode(t, () => d.write(6, 2, new Uint8Array(1024)), 'EIO', 'write to a failing sector');
  t.equal(d.pendingWrites, pendingBefore, 'a failed write changes nothing');
  t.equal(d.counters.values.writeErrors, 1);
  d.clearFaults();
  d.read(6, 2, new Uint8Array(1024));
});

t.test('checkpoint/rollback restores contents; needs an empty write cache', async (t) => {
  const d = new BlockDevice({ sectors: 32, clock: new Clock() });
  const img = new Uint8Array(32 * 512);
  for (let i = 0; i < img.length; i++) img[i] = (i * 13) & 255;
  d.loadImage(img);
  d.checkpoint();
  d.write(3, 4, filled(2048, 1));
  d.flush();
  d.write(0, 1, filled(512, 2), 0, REQ_FUA);
  d.setMediaSectors(20, filled(1024, 3));
  d.injectCorruption(30);
  d.write(31, 1, filled(512, 4)); // still cached at rollback
  d.rollback();
  t.equal(Buffer.compare(d.durableImage(), img), 0);
  const all = new Uint8Array(img.length);
  d.read(0, 32, all);
  t.equal(Buffer.compare(all, img), 0);
  t.equal(d.pendingWrites, 0);
  d.write(0, 1, filled(512, 1));
  throwsCode(t, () => d.checkpoint(), 'EBUSY');
  throwsCode(t, () => d.rollback(), 'EINVAL');
});
