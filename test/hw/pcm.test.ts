import t, { type Test } from 'tap';
import { PcmDevice, PCM_DEFAULT_BASE } from '../../src/hw/pcm/pcm.js';
import { CpuCache } from '../../src/hw/pcm/cache.js';
import { Clock } from '../../src/sim/clock.js';
import { OSV_AARCH64_KVM } from '../../src/sim/profile.js';
import { FsError } from '../../vfs/errno.js';

const P = OSV_AARCH64_KVM;

/** Asserts that fn throws an FsError with this code. */
function throwsCode(t: Test, fn: () => unknown, code: string, msg?: string): void {
  try {
    fn();
    t.fail(`expected ${code}` + (msg ? `: ${msg}` : ''));
  } catch (e) {
    t.ok(e instanceof FsError && e.code === code, `${code}${msg ? `: ${msg}` : ''} (got ${String(e)})`);
  }
}

/** Virtual-time deltas are sums of float figures: compare to a nanosecond's millionth. */
function near(t: Test, got: number, want: number, msg: string): void {
  t.ok(Math.abs(got - want) < 1e-6, `${msg}: ${got} ≈ ${want}`);
}

function dev(bytes = 4096, extra: Partial<ConstructorParameters<typeof PcmDevice>[0]> = {}): PcmDevice {
  return new PcmDevice({ bytes, clock: new Clock(), ...extra });
}

t.test('loads see the newest store at every width, little-endian (Arm ARM: data accesses are LE by default)', async (t) => {
  const d = dev();
  d.store64Big(8, 0x1122334455667788n);
  t.equal(d.load8(8), 0x88);
  t.equal(d.load16(8), 0x7788);
  t.equal(d.load32(8), 0x55667788);
  t.equal(d.load64Big(8), 0x1122334455667788n);
  d.store8(9, 0xaa);
  t.equal(d.load64Big(8), 0x112233445566aa88n);
  d.store16(14, 0xbeef);
  d.store32(16, 0xdeadbeef);
  t.equal(d.load16(14), 0xbeef);
  t.equal(d.load32(16), 0xdeadbeef);
  const buf = new Uint8Array(8);
  d.read(16, buf, 0, 4);
  t.same([...buf.subarray(0, 4)], [0xef, 0xbe, 0xad, 0xde]);
  // Unaligned accesses spanning two words and two lines work (Normal memory allows them).
  d.store64Big(60, 0x0102030405060708n);
  t.equal(d.load64Big(60), 0x0102030405060708n);
});

t.test('the device sits at its own physical range, distinct from RAM at 0x4000_0000', async (t) => {
  const d = dev();
  t.equal(d.base, PCM_DEFAULT_BASE);
  t.ok(d.base >= 0x4000_0000 + 0xc000_0000, 'above a 3 GiB RAM window');
  t.ok(d.contains(d.base + 4095));
  t.notOk(d.contains(d.base + 4095, 2));
  t.equal(d.offsetOf(d.base + 100), 100);
  throwsCode(t, () => d.offsetOf(0x4000_0000), 'EFAULT');
});

t.test('bad input is an FsError and changes nothing (DESIGN.md: errors are values)', async (t) => {
  const d = dev();
  d.store64Big(0, 7n);
  const before = d.durableImage();
  throwsCode(t, () => d.load8(4096), 'EFAULT');
  throwsCode(t, () => d.load64Big(4090), 'EFAULT');
  throwsCode(t, () => d.store32(-1, 0), 'EFAULT');
  throwsCode(t, () => d.store8(1.5, 0), 'EFAULT');
  throwsCode(t, () => d.write(4000, new Uint8Array(200)), 'EFAULT');
  throwsCode(t, () => d.write(0, new Uint8Array(4), 2, 4), 'EINVAL');
  throwsCode(t, () => d.read(0, new Uint8Array(4), 0, 8), 'EINVAL');
  throwsCode(t, () => d.flush(5000), 'EFAULT');
  throwsCode(t, () => d.setMediaWord(512, 0, 0), 'EFAULT');
  throwsCode(t, () => new PcmDevice({ bytes: 1000 }), 'EINVAL');
  throwsCode(t, () => new PcmDevice({ bytes: 4096, base: 123 }), 'EINVAL');
  throwsCode(t, () => d.loadImage(new Uint8Array(10)), 'EINVAL');
  t.equal(Buffer.compare(d.durableImage(), before), 0);
  t.equal(d.load64Big(0), 7n);
  t.equal(d.pendingPieces, 1);
});

t.test('costs: miss random/sequential, hit, dirty flush, clean flush, fence, streaming store (Izraelevitz et al. 2019)', async (t) => {
  const d = dev(1 << 16);
  const c = d.clock;
  let t0 = c.now;
  d.load64Big(4096);
  near(t, c.now - t0, P.pcm.readRandomNs, 'a cold line costs the random read latency');
  t0 = c.now;
  d.load64Big(4096 + 64);
  near(t, c.now - t0, P.pcm.readSequentialNs, 'the next line costs the sequential latency');
  t0 = c.now;
  d.load64Big(4096);
  near(t, c.now - t0, P.cpu.l1HitNs, 'a cached line costs a cache hit');
  t0 = c.now;
  d.store64Big(4096, 1n);
  near(t, c.now - t0, P.cpu.l1HitNs, 'a store to a cached line is a hit');
  t0 = c.now;
  d.flush(4096);
  near(t, c.now - t0, P.pcm.flushLineNs, 'DC CVAP of a dirty line');
  t0 = c.now;
  d.flush(4096);
  near(t, c.now - t0, P.pcm.flushCleanLineNs, 'DC CVAP of a clean line');
  t0 = c.now;
  d.fence();
  near(t, c.now - t0, P.pcm.fenceNs + P.pcm.writeNs, 'DSB waiting for the write-back (store + clwb + sfence ≈ 90 ns + 28 ns)');
  t0 = c.now;
  d.fence();
  near(t, c.now - t0, P.pcm.fenceNs, 'DSB with nothing outstanding');
  t0 = c.now;
  d.ntWrite(8192, new Uint8Array(256));
  near(t, c.now - t0, 256 / P.pcm.writeBytesPerNs, 'streaming store: bandwidth');
  t0 = c.now;
  d.fence();
  near(t, c.now - t0, P.pcm.fenceNs + P.pcm.writeNs, 'its fence waits the write latency');
  t0 = c.now;
  d.read(16384, new Uint8Array(8192));
  near(t, c.now - t0, P.pcm.readRandomNs + 8192 / P.pcm.readBytesPerNs, 'a streaming read: latency + bandwidth');
  t0 = c.now;
  d.read(32768, new Uint8Array(2048));
  near(t, c.now - t0, P.pcm.readRandomNs + 2048 / P.pcm.readBytesPerNs + 2048 * P.cpu.memcpyNsPerByte,
    'a cached bulk read of cold lines: one latency, bandwidth, the copy');
  t0 = c.now;
  d.read(32768, new Uint8Array(2048));
  near(t, c.now - t0, 2048 * P.cpu.memcpyNsPerByte, 'the same lines again: cache hits, the copy only');
  t.ok(P.pcm.writeBytesPerNs < P.pcm.readBytesPerNs, 'PCM writes are slower than reads');
  const v = d.counters.values;
  t.equal(v.flushes, 2);
  t.equal(v.flushesDirty, 1);
  t.equal(v.fences, 3);
  t.equal(v.ntStores, 1);
});

t.test('a full-line store needs no read for ownership; a partial one does', async (t) => {
  const d = dev(1 << 16);
  let t0 = d.clock.now;
  d.write(0, new Uint8Array(64));
  near(t, d.clock.now - t0, 64 * P.cpu.memcpyNsPerByte, 'full line: copy only');
  t0 = d.clock.now;
  d.write(1024, new Uint8Array(16));
  near(t, d.clock.now - t0, P.pcm.readRandomNs + 16 * P.cpu.memcpyNsPerByte, 'partial line: read for ownership');
});

t.test('checkpoint/rollback restores contents after stores, fences and media words', async (t) => {
  const d = dev(8192);
  const img = new Uint8Array(8192);
  for (let i = 0; i < img.length; i++) img[i] = (i * 7) & 255;
  d.loadImage(img);
  d.checkpoint();
  d.write(100, new Uint8Array(300).fill(9));
  d.flushRange(100, 300);
  d.fence();
  d.store64Big(4000, 5n);
  d.setMediaWord(10, 1, 2);
  d.ntStore64(512, 3);
  d.fence();
  t.not(d.durableImage()[100], img[100]);
  d.rollback();
  t.equal(Buffer.compare(d.durableImage(), img), 0);
  const all = new Uint8Array(8192);
  d.read(0, all);
  t.equal(Buffer.compare(all, img), 0, 'loads see the checkpointed contents too');
  t.equal(d.pendingPieces, 0);
  throwsCode(t, () => d.rollback(), 'EINVAL');
  d.store8(0, 1);
  throwsCode(t, () => d.checkpoint(), 'EBUSY', 'nothing may be in flight');
});

t.test('CpuCache: a power cycle forgets every line; dirty lines listed once even after refills', async (t) => {
  const c = new CpuCache({ sets: 2, ways: 2, seed: 1 });
  t.equal(c.capacityLines, 4);
  for (const line of [0, 1, 2]) c.markDirty(c.insert(line));
  c.invalidate(2);
  c.markDirty(c.insert(2)); // refilled slot: listed twice internally
  c.markDirty(c.insert(4)); // set 0 is full (lines 0 and 2): a dirty victim must be reported
  t.not(c.victim, -1, 'a dirty victim is reported');
  const dl = c.dirtyLines();
  t.same(dl, [...new Set(dl)].sort((a, b) => a - b), 'ascending, no duplicates');
  t.ok(dl.includes(4) && dl.includes(1));
  for (let i = 0; i < 10; i++) {
    c.invalidate(1);
    c.insert(1); // past the slot count: falls back to scanning
  }
  c.invalidateAll();
  t.same(c.dirtyLines(), []);
  for (const line of [0, 1, 2, 4]) t.equal(c.lookup(line), -1, `line ${line} gone`);
});

t.test('64-bit words as numbers (no BigInt on the hot path): signed reading like Cpu.load64, exact below 2^53', async (t) => {
  const d = dev();
  for (const v of [0, 1, 0xffffffff, 2 ** 32, 2 ** 53 - 1, -1, -(2 ** 53 - 1), -4294967296]) {
    d.store64(16, v);
    t.equal(d.load64(16), v, `round trip ${v}`);
    t.equal(d.load64Big(16), BigInt.asUintN(64, BigInt(v)), `same bits as BigInt ${v}`);
  }
  d.ntStore64(24, 2 ** 40 + 5);
  t.equal(d.load64(24), 2 ** 40 + 5);
  d.store64Big(32, 0xffff_ffff_ffff_fffen);
  t.equal(d.load64(32), -2);
  const before = d.load64Big(16);
  throwsCode(t, () => d.store64(16, 2 ** 53), 'EINVAL', 'not a safe integer');
  throwsCode(t, () => d.store64(16, 1.5), 'EINVAL', 'not an integer');
  throwsCode(t, () => d.ntStore64(16, NaN), 'EINVAL');
  t.equal(d.load64Big(16), before, 'unchanged');
});
