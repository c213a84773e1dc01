import t from 'tap';
import fc from 'fast-check';
import { BlockDevice, REQ_FUA } from '../../src/hw/block/block-device.js';
import { BlockCrashReplayer } from '../../src/hw/block/crash.js';
import { BlockEvent } from '../../src/hw/block/trace.js';
import { Clock } from '../../src/sim/clock.js';

// Crash rules of a disk with a volatile write cache (NVMe "Volatile Write Cache" and Flush; CrashMonkey,
// OSDI 2018): after a power failure the media holds everything written before the last completed FLUSH,
// every FUA write, and any subset of the other writes since the flush, applied in issue order.

const SECTORS = 16;
const SS = 512;

type Op = { k: 'write'; s: number; n: number; v: number; fua: boolean } | { k: 'flush' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('write' as const), s: fc.nat(SECTORS - 4), n: fc.integer({ min: 1, max: 4 }), v: fc.integer({ min: 1, max: 255 }), fua: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ k: 'flush' as const }) },
);

/** Reference: the durable image and the writes since the last flush (data, forced?), independent of the device. */
class Ref {
  durable = new Uint8Array(SECTORS * SS);
  pending: { s: number; data: Uint8Array; forced: boolean }[] = [];
  constructor(readonly nativeFua: boolean) {}
  write(s: number, data: Uint8Array, fua: boolean): void {
    if (fua && this.nativeFua) {
      this.pending.push({ s, data, forced: true });
      return;
    }
    this.pending.push({ s, data, forced: false });
    if (fua) this.flush();
  }
  flush(): void {
    for (const w of this.pending) this.durable.set(w.data, w.s * SS);
    this.pending = [];
  }
  optional(): number {
    return this.pending.filter((w) => !w.forced).length;
  }
  /** The image keeping optional write i iff bit i of mask is set. */
  image(mask: number): Uint8Array {
    const img = this.durable.slice();
    let o = 0;
    for (const w of this.pending) {
      const keep = w.forced || ((mask >>> o) & 1) === 1;
      if (!w.forced) o++;
      if (keep) img.set(w.data, w.s * SS);
    }
    return img;
  }
}

function run(d: BlockDevice, ref: Ref, op: Op): void {
  if (op.k === 'flush') {
    d.flush();
    ref.flush();
    return;
  }
  const data = new Uint8Array(op.n * SS);
  for (let i = 0; i < data.length; i++) data[i] = (op.v + (i >> 9)) & 255;
  d.write(op.s, op.n, data, 0, op.fua ? REQ_FUA : 0);
  ref.write(op.s, data, op.fua);
}

for (const nativeFua of [false, true]) {
  t.test(`crash images are exactly durable + each subset of the cached writes, FUA always in (nativeFua=${nativeFua})`, async (t) => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 14 }), (ops) => {
        const d = new BlockDevice({ sectors: SECTORS, clock: new Clock(), nativeFua });
        const ref = new Ref(nativeFua);
        for (const op of ops) run(d, ref, op);
        const s = d.crash();
        if (s.count !== ref.optional()) return false;
        if (s.count > 10) return true;
        let mask = 0, ok = true;
        s.forEach({ kind: 'all' }, (img, sel) => {
          mask = 0;
          for (let i = 0; i < s.count; i++) mask |= sel[i]! << i;
          if (Buffer.compare(img, ref.image(mask)) !== 0) ok = false;
        });
        return ok;
      }),
      { seed: 71, numRuns: 200 },
    );
  });
}

t.test('flush ordering: writes before a completed flush are in every image; writes after it may be lost', async (t) => {
  const d = new BlockDevice({ sectors: 8, clock: new Clock() });
  d.write(0, 1, new Uint8Array(SS).fill(1));
  d.flush();
  d.write(1, 1, new Uint8Array(SS).fill(2));
  d.write(2, 1, new Uint8Array(SS).fill(3));
  const s = d.crash();
  t.equal(s.count, 2);
  const seen = new Set<string>();
  t.equal(s.forEach({ kind: 'all' }, (img) => {
    t.equal(img[0], 1, 'flushed write present');
    seen.add(`${img[SS]}${img[2 * SS]}`);
  }), 4);
  t.same([...seen].sort(), ['00', '03', '20', '23'], 'all four combinations');
  // In-order persistence (prefix mode): never the second write without the first.
  const prefixes: string[] = [];
  s.forEach({ kind: 'prefix' }, (img) => void prefixes.push(`${img[SS]}${img[2 * SS]}`));
  t.same(prefixes, ['00', '20', '23']);
  d.flush();
  t.equal(d.crash().count, 0);
});

t.test('FUA: native keeps the FUA write in every image and leaves older cached writes optional; virtio-blk\'s emulation flushes them', async (t) => {
  const n = new BlockDevice({ sectors: 8, clock: new Clock(), nativeFua: true });
  n.write(0, 1, new Uint8Array(SS).fill(1));
  n.write(0, 1, new Uint8Array(SS).fill(9), 0, REQ_FUA); // same sector: the FUA data must win in every image
  n.write(1, 1, new Uint8Array(SS).fill(2), 0, REQ_FUA);
  const s = n.crash();
  t.equal(s.count, 1);
  t.equal(s.forcedCount, 2);
  s.forEach({ kind: 'all' }, (img) => {
    t.equal(img[0], 9, 'an older cached write never overwrites a FUA write');
    t.equal(img[SS], 2);
  });
  const e = new BlockDevice({ sectors: 8, clock: new Clock() });
  e.write(0, 1, new Uint8Array(SS).fill(1));
  e.write(1, 1, new Uint8Array(SS).fill(2), 0, REQ_FUA);
  t.equal(e.crash().count, 0, 'write + post-flush: nothing left in the cache');
  t.equal(e.durableImage()[0], 1, 'the post-flush persisted the older write too');
  const w = new BlockDevice({ sectors: 8, clock: new Clock(), writeCache: false });
  w.write(0, 1, new Uint8Array(SS).fill(5));
  t.equal(w.crash().count, 0, 'no write cache: durable at completion');
  t.equal(w.durableImage()[0], 5);
});

t.test('sector atomicity: a multi-sector write may tear at sector boundaries, never inside one', async (t) => {
  const d = new BlockDevice({ sectors: 8, clock: new Clock() });
  d.write(0, 4, new Uint8Array(4 * SS).fill(7));
  t.equal(d.crash().count, 1, 'whole writes by default');
  const s = d.crash('sector');
  t.equal(s.count, 4);
  const kinds = new Set<string>();
  s.forEach({ kind: 'all' }, (img) => {
    let key = '';
    for (let k = 0; k < 4; k++) {
      const sec = img.subarray(k * SS, (k + 1) * SS);
      t.ok(sec.every((b) => b === sec[0]), 'a sector is all old or all new');
      key += sec[0] === 7 ? '1' : '0';
    }
    kinds.add(key);
  });
  t.equal(kinds.size, 16);
});

t.test('the replayer reproduces the device\'s crash states at every cut; cuts at flushes', async (t) => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 20 }), fc.boolean(), (ops, nativeFua) => {
      const d = new BlockDevice({ sectors: SECTORS, clock: new Clock(), nativeFua });
      d.write(0, 2, new Uint8Array(2 * SS).fill(0xee)); // cached when the trace starts
      const tr = d.startTrace();
      const ref = new Ref(nativeFua);
      const snaps: { cut: number; images: Uint8Array[] }[] = [];
      for (const op of ops) {
        run(d, ref, op);
        d.mark(7);
        const s = d.crash();
        const images: Uint8Array[] = [];
        s.forEach({ kind: 'sample', count: 8, seed: 3 }, (img) => void images.push(img.slice()));
        snaps.push({ cut: tr.length, images });
      }
      const r = new BlockCrashReplayer(tr);
      for (const snap of snaps) {
        const got: Uint8Array[] = [];
        r.at(snap.cut).forEach({ kind: 'sample', count: 8, seed: 3 }, (img) => void got.push(img.slice()));
        if (got.length !== snap.images.length) return false;
        for (let i = 0; i < got.length; i++) if (Buffer.compare(got[i]!, snap.images[i]!) !== 0) return false;
      }
      return tr.indicesOf(BlockEvent.Mark).length === ops.length;
    }),
    { seed: 72, numRuns: 100 },
  );
});

t.test('powerFail: seeded subset, reproducible; explicit keep; the device restarts with an empty cache', async (t) => {
  const go = (seed: number): Uint8Array => {
    const d = new BlockDevice({ sectors: 32, clock: new Clock() });
    for (let i = 0; i < 32; i++) d.write(i, 1, new Uint8Array(SS).fill(i + 1));
    d.powerFail({ seed });
    t.equal(d.pendingWrites, 0);
    return d.durableImage();
  };
  t.same(go(1), go(1));
  t.not(Buffer.compare(go(1), go(2)), 0);
  const d = new BlockDevice({ sectors: 4, clock: new Clock() });
  d.write(0, 1, new Uint8Array(SS).fill(1));
  d.write(1, 1, new Uint8Array(SS).fill(2));
  d.powerFail({ keep: Uint8Array.of(0, 1) });
  const b = new Uint8Array(2 * SS);
  d.read(0, 2, b);
  t.equal(b[0], 0);
  t.equal(b[SS], 2);
});

t.test('mounting images on one device with checkpoint / applyTo / rollback; the image-building rate is printed (vfsim bench pcm has the target)', async (t) => {
  const d = new BlockDevice({ sectors: 4096, clock: new Clock() });
  for (let i = 0; i < 20; i++) d.write(i * 64, 8, new Uint8Array(8 * SS).fill(i + 1)); // 20 cached 4 KiB writes
  const s = d.crash();
  t.equal(s.count, 20);
  const m = new BlockDevice({ sectors: 4096, clock: new Clock() });
  m.loadImage(s.image);
  let checked = 0;
  s.forEach({ kind: 'sample', count: 50, seed: 1 }, (img, sel) => {
    m.checkpoint();
    s.applyTo(m, sel);
    if (Buffer.compare(m.durableImage(), img) === 0) checked++;
    m.write(4000, 1, new Uint8Array(SS).fill(1));
    m.flush();
    m.rollback();
  });
  t.equal(checked, 50);
  t.equal(Buffer.compare(m.durableImage(), s.image), 0, 'back to the base image');
  const c = s.cursor({ kind: 'all' });
  const start = performance.now();
  let n = 0;
  while (c.next() && n < 100_000) {
    s.apply(c.sel);
    s.undo();
    n++;
  }
  const rate = n / ((performance.now() - start) / 1000);
  t.comment(`20 pending 4 KiB writes: ${Math.round(rate).toLocaleString('en')} images/s`);
});
