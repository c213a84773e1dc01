import t, { type Test } from 'tap';
import fc from 'fast-check';
import { PcmDevice } from '../../src/hw/pcm/pcm.js';
import { PcmCrashReplayer, type PcmCrashStates } from '../../src/hw/pcm/crash.js';
import { PcmEvent } from '../../src/hw/pcm/trace.js';
import { Clock } from '../../src/sim/clock.js';
import { FsError } from '../../vfs/errno.js';

// The persistence rules checked here (Arm ARM, DC CVAP (FEAT_DPB): clean to the point of persistence,
// completed by a DSB; Intel SDM / SNIA NVM Programming Model: aligned 8-byte stores are failure-atomic;
// Yat, ATC 2014: unflushed lines may persist in any order through evictions):
//  R1 a word whose last store was flushed and then fenced holds that value in every crash image;
//  R2 any other word holds its durable value or one of the values stored to it since (never a mix);
//  R3 with no evictions, every such value does appear in some image (nothing is lost that may survive).

const BYTES = 1024;
const WORDS = BYTES / 8;

type Op =
  | { k: 'store'; off: number; size: 1 | 2 | 4 | 8; v: number }
  | { k: 'write'; off: number; len: number; v: number }
  | { k: 'nt'; off: number; len: number; v: number }
  | { k: 'flush'; off: number }
  | { k: 'flushRange'; off: number; len: number }
  | { k: 'fence' };

const opArb = (nt: boolean): fc.Arbitrary<Op> => {
  const arbs: fc.Arbitrary<Op>[] = [
    fc.record({ k: fc.constant('store' as const), off: fc.nat(BYTES - 8), size: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const), v: fc.nat() }),
    fc.record({ k: fc.constant('write' as const), off: fc.nat(BYTES - 100), len: fc.integer({ min: 1, max: 100 }), v: fc.nat(255) }),
    fc.record({ k: fc.constant('flush' as const), off: fc.nat(BYTES - 1) }),
    fc.record({ k: fc.constant('flushRange' as const), off: fc.nat(BYTES - 200), len: fc.integer({ min: 1, max: 200 }) }),
    fc.constant({ k: 'fence' as const }),
  ];
  if (nt) arbs.push(fc.record({ k: fc.constant('nt' as const), off: fc.nat(BYTES - 64), len: fc.integer({ min: 1, max: 64 }), v: fc.nat(255) }));
  return fc.oneof(...arbs);
};

/** Reference model of R1–R2, independent of the device: per word, its value history and what is guaranteed. */
class Ref {
  shadow = new Uint8Array(BYTES);
  view = new DataView(this.shadow.buffer);
  hist: bigint[][] = Array.from({ length: WORDS }, () => [0n]);
  guar = new Int32Array(WORDS); // index in hist of the value guaranteed durable
  flushed = new Int32Array(WORDS).fill(-1); // newest index covered by a flush since the last fence
  ntIdx = new Int32Array(WORDS).fill(-1);

  stored(off: number, len: number, nt: boolean): void {
    for (let w = off >>> 3; w <= (off + len - 1) >>> 3; w++) {
      this.hist[w]!.push(this.view.getBigUint64(w * 8, true));
      if (nt) this.ntIdx[w] = this.hist[w]!.length - 1;
    }
  }
  flushLine(line: number): void {
    for (let w = line * 8; w < line * 8 + 8; w++) this.flushed[w] = this.hist[w]!.length - 1;
  }
  fence(): void {
    for (let w = 0; w < WORDS; w++) {
      const g = Math.max(this.flushed[w]!, this.ntIdx[w]!);
      if (g > this.guar[w]!) this.guar[w] = g;
    }
    this.flushed.fill(-1);
    this.ntIdx.fill(-1);
  }
  allowed(w: number): bigint[] {
    return this.hist[w]!.slice(this.guar[w]!);
  }
}

function run(d: PcmDevice, ref: Ref, op: Op): void {
  switch (op.k) {
    case 'store':
      if (op.size === 1) { d.store8(op.off, op.v & 255); ref.view.setUint8(op.off, op.v & 255); }
      else if (op.size === 2) { d.store16(op.off, op.v & 0xffff); ref.view.setUint16(op.off, op.v & 0xffff, true); }
      else if (op.size === 4) { d.store32(op.off, op.v >>> 0); ref.view.setUint32(op.off, op.v >>> 0, true); }
      else { d.store64Big(op.off, BigInt(op.v) * 0x10001n); ref.view.setBigUint64(op.off, BigInt(op.v) * 0x10001n, true); }
      ref.stored(op.off, op.size, false);
      break;
    case 'write':
    case 'nt': {
      const src = new Uint8Array(op.len).fill(op.v);
      for (let i = 0; i < op.len; i++) src[i] = (op.v + i) & 255;
      if (op.k === 'nt') d.ntWrite(op.off, src); else d.write(op.off, src);
      ref.shadow.set(src, op.off);
      ref.stored(op.off, op.len, op.k === 'nt');
      break;
    }
    case 'flush':
      d.flush(op.off);
      ref.flushLine(op.off >>> 6);
      break;
    case 'flushRange':
      d.flushRange(op.off, op.len);
      for (let l = op.off >>> 6; l <= (op.off + op.len - 1) >>> 6; l++) ref.flushLine(l);
      break;
    case 'fence':
      d.fence();
      ref.fence();
      break;
  }
}

/** Every image of `states` (all subsets when few, else a seeded sample). */
function images(states: PcmCrashStates, fn: (img: Uint8Array) => void): void {
  const mode = states.count <= 10 ? { kind: 'all' as const } : { kind: 'sample' as const, count: 64, seed: 5 };
  states.forEach(mode, (img) => fn(img));
}

function checkR1R2(t: Test, states: PcmCrashStates, ref: Ref): boolean {
  let ok = true;
  images(states, (img) => {
    const v = new DataView(img.buffer, img.byteOffset, img.byteLength);
    for (let w = 0; w < WORDS && ok; w++) {
      const got = v.getBigUint64(w * 8, true);
      if (!ref.allowed(w).includes(got)) {
        ok = false;
        t.fail(`word ${w} holds ${got}, allowed ${ref.allowed(w).join(',')}`);
      }
    }
  });
  return ok;
}

t.test('R1+R2: every crash image holds, per word, the guaranteed value or a later stored one (small cache, capacity and spontaneous evictions)', async (t) => {
  fc.assert(
    fc.property(fc.array(opArb(true), { maxLength: 40 }), fc.integer({ min: 1, max: 1000 }), (ops, seed) => {
      const d = new PcmDevice({ bytes: BYTES, clock: new Clock(), cache: { sets: 2, ways: 2, seed, evictProbability: seed % 2 === 0 ? 0.2 : 0 } });
      const ref = new Ref();
      for (const op of ops) {
        run(d, ref, op);
        if (!checkR1R2(t, d.crash(), ref)) return false;
      }
      return true;
    }),
    { seed: 61, numRuns: 150 },
  );
});

t.test('R3: with no evictions, each allowed value of each word appears in some image (all 2^n subsets)', async (t) => {
  fc.assert(
    fc.property(fc.array(opArb(false), { maxLength: 12 }), (ops) => {
      const d = new PcmDevice({ bytes: BYTES, clock: new Clock() });
      const ref = new Ref();
      for (const op of ops) run(d, ref, op);
      const states = d.crash();
      if (states.count > 14) return true;
      const seen: Set<bigint>[] = Array.from({ length: WORDS }, () => new Set());
      states.forEach({ kind: 'all', max: 14 }, (img) => {
        const v = new DataView(img.buffer, img.byteOffset, img.byteLength);
        for (let w = 0; w < WORDS; w++) seen[w]!.add(v.getBigUint64(w * 8, true));
      });
      for (let w = 0; w < WORDS; w++) {
        const want = new Set(ref.allowed(w));
        if (want.size !== seen[w]!.size || [...want].some((x) => !seen[w]!.has(x))) {
          t.fail(`word ${w}: images show ${[...seen[w]!].join(',')}, rules allow ${[...want].join(',')}`);
          return false;
        }
      }
      return true;
    }),
    { seed: 62, numRuns: 150 },
  );
});

t.test('flushed and fenced is in every image; flushed-not-fenced and unflushed may go either way', async (t) => {
  const d = new PcmDevice({ bytes: 4096, clock: new Clock() });
  d.store64(0, 0xaaaa);
  d.flush(0);
  d.fence();
  d.store64(64, 0xbbbb); // flushed, not fenced
  d.flush(64);
  d.store64(128, 0xcccc); // unflushed
  const s = d.crash();
  t.equal(s.count, 2);
  t.same([...s.flushed], [1, 0]);
  t.equal(s.unflushed, 1);
  const seen = new Set<string>();
  const n = s.forEach({ kind: 'all' }, (img) => {
    const v = new DataView(img.buffer);
    t.equal(v.getBigUint64(0, true), 0xaaaan);
    seen.add(`${v.getBigUint64(64, true)}/${v.getBigUint64(128, true)}`);
  });
  t.equal(n, 4);
  t.same([...seen].sort(), ['0/0', '0/52428', '48059/0', '48059/52428']);
  // A store after the flush is not covered by it: the fence makes the flushed value durable only.
  d.store64(64, 0xdddd);
  d.fence();
  const s2 = d.crash();
  t.equal(s2.count, 2, 'the post-flush store and the unflushed one stay pending');
  t.equal(new DataView(s2.image.buffer).getBigUint64(64, true), 0xbbbbn, 'the base holds the flushed value');
});

t.test('8-byte failure atomicity: a 64-byte store tears only at aligned 8-byte boundaries', async (t) => {
  const d = new PcmDevice({ bytes: 4096, clock: new Clock() });
  d.write(0, new Uint8Array(64).fill(0x11));
  d.flushRange(0, 64);
  d.fence();
  d.write(0, new Uint8Array(64).fill(0x22));
  const s = d.crash();
  t.equal(s.count, 8);
  let torn = 0, mixes = 0;
  s.forEach({ kind: 'all' }, (img) => {
    let olds = 0;
    for (let w = 0; w < 8; w++) {
      const piece = img.subarray(w * 8, w * 8 + 8);
      if (piece.every((b) => b === 0x11)) olds++;
      else if (!piece.every((b) => b === 0x22)) torn++;
    }
    if (olds > 0 && olds < 8) mixes++;
  });
  t.equal(torn, 0, 'never a torn 8-byte piece');
  t.equal(mixes, 254, 'all 254 mixes of old and new pieces occur');
});

t.test('non-temporal stores are durable at the next fence without a flush', async (t) => {
  const d = new PcmDevice({ bytes: 4096, clock: new Clock() });
  d.store64Big(0, 1n); // dirty in the cache: the streaming store to the line writes it back first
  d.ntStore64(8, 2);
  t.equal(d.crash().count, 1, 'the streaming piece is pending; the cached one was written back');
  d.fence();
  t.equal(d.crash().count, 0);
  const img = new DataView(d.durableImage().buffer);
  t.equal(img.getBigUint64(0, true), 1n);
  t.equal(img.getBigUint64(8, true), 2n);
});

t.test('an eviction makes a line durable at once (1-line cache)', async (t) => {
  const d = new PcmDevice({ bytes: 4096, clock: new Clock(), cache: { sets: 1, ways: 1 } });
  d.store64Big(0, 5n);
  d.store64Big(64, 6n); // evicts line 0
  t.equal(d.counters.values.evictions, 1);
  const s = d.crash();
  t.equal(s.count, 1);
  t.equal(s.pieceOffset(0), 64);
  t.equal(new DataView(s.image.buffer).getBigUint64(0, true), 5n);
  t.equal(d.wear.lineWrites[0], 1, 'the write-back wore line 0');
});

t.test('spontaneous evictions are seeded: same seed, same trace; another seed, another', async (t) => {
  const go = (seed: number): string => {
    const d = new PcmDevice({ bytes: 4096, clock: new Clock(), cache: { seed, evictProbability: 0.3 } });
    const tr = d.startTrace();
    for (let i = 0; i < 200; i++) d.store32((i * 52) % 4000, i);
    return [...tr.kind.subarray(0, tr.length)].join('');
  };
  t.equal(go(3), go(3));
  t.not(go(3), go(4));
  t.ok(go(3).includes(String(PcmEvent.Evict)));
});

t.test('the trace records stores per 8-byte piece, effective and redundant flushes, fences and markers', async (t) => {
  const d = new PcmDevice({ bytes: 4096, clock: new Clock() });
  const tr = d.startTrace();
  d.mark(42);
  d.write(0, new Uint8Array(20)); // words 0, 1, 2
  d.flush(0);
  d.flush(0); // nothing left to write back
  d.fence();
  d.ntStore64(64, 1);
  d.fence();
  t.same(tr.summary(), { stores: 3, ntStores: 1, flushes: 1, cleanFlushes: 1, evictions: 0, fences: 2, marks: 1 });
  t.same([...tr.kind.subarray(0, tr.length)], [6, 1, 1, 1, 3, 7, 5, 2, 5]);
  t.equal(tr.a[0], 42);
  t.same(tr.indicesOf(PcmEvent.Fence), [6, 8]);
  t.equal(d.stopTrace(), tr);
  d.store8(0, 1);
  t.equal(tr.length, 9, 'nothing recorded after stopTrace');
});

t.test('the replayer reproduces the device\'s crash states at every cut of the trace', async (t) => {
  fc.assert(
    fc.property(fc.array(opArb(true), { minLength: 1, maxLength: 40 }), (ops) => {
      const d = new PcmDevice({ bytes: BYTES, clock: new Clock(), cache: { sets: 2, ways: 2 } });
      d.write(0, new Uint8Array(100).fill(3)); // in flight when the trace starts
      const tr = d.startTrace();
      const snaps: { cut: number; image: Uint8Array; word: number[]; flushed: number[] }[] = [];
      const ref = new Ref();
      for (const op of ops) {
        run(d, ref, op);
        d.mark(1);
        const s = d.crash();
        snaps.push({ cut: tr.length, image: s.image, word: [...s.word], flushed: [...s.flushed] });
      }
      const r = new PcmCrashReplayer(tr);
      for (const snap of snaps) {
        const s = r.at(snap.cut);
        if (Buffer.compare(s.image, snap.image) !== 0) return false;
        if (JSON.stringify([...s.word]) !== JSON.stringify(snap.word)) return false;
        if (JSON.stringify([...s.flushed]) !== JSON.stringify(snap.flushed)) return false;
      }
      return true;
    }),
    { seed: 63, numRuns: 100 },
  );
});

t.test('powerFail keeps a seeded subset and comes back with an empty cache; seed reproduces', async (t) => {
  const go = (seed: number): Uint8Array => {
    const d = new PcmDevice({ bytes: 4096, clock: new Clock() });
    for (let i = 0; i < 32; i++) d.store64(i * 8, i + 1);
    d.powerFail({ seed });
    t.equal(d.pendingPieces, 0);
    return d.durableImage();
  };
  t.same(go(9), go(9));
  t.not(Buffer.compare(go(9), go(10)), 0);
  const d = new PcmDevice({ bytes: 4096, clock: new Clock() });
  d.store64Big(0, 1n);
  d.store64Big(8, 2n);
  d.powerFail({ keep: Uint8Array.of(0, 1) });
  t.equal(d.load64Big(0), 0n);
  t.equal(d.load64Big(8), 2n);
  try {
    d.store64Big(0, 1n);
    d.powerFail({ keep: new Uint8Array(0) });
    t.fail('short selection accepted');
  } catch (e) {
    t.ok(e instanceof FsError && e.code === 'EINVAL');
  }
});

t.test('mounting crash images on one device: loadImage once, then checkpoint / applyTo / rollback', async (t) => {
  const d = new PcmDevice({ bytes: 4096, clock: new Clock() });
  for (let i = 0; i < 6; i++) d.store64(i * 64, 100 + i);
  const s = d.crash();
  const m = new PcmDevice({ bytes: 4096, clock: new Clock() });
  m.loadImage(s.image);
  let n = 0;
  s.forEach({ kind: 'all' }, (img, sel) => {
    m.checkpoint();
    s.applyTo(m, sel);
    t.equal(Buffer.compare(m.durableImage(), img), 0);
    m.store64Big(2048, 1n); // what recovery might write
    m.persistAll();
    m.rollback();
    n++;
  });
  t.equal(n, 64);
  t.equal(Buffer.compare(m.durableImage(), s.image), 0, 'back to the base image');
});

t.test('explorer-shaped run (rate printed, not asserted: vfsim bench pcm has the target): cut a 20-call trace at every fence and marker, mount each image with checkpoint/rollback', async (t) => {
  // Each "call" writes 256 bytes of data, flushes and fences it, then commits an 8-byte tail pointer
  // and flushes and fences that (NOVA's ordering), with markers at call boundaries.
  const d = new PcmDevice({ bytes: 1 << 20, clock: new Clock() });
  const tr = d.startTrace();
  const data = new Uint8Array(256);
  for (let call = 0; call < 20; call++) {
    d.mark(call);
    data.fill(call + 1);
    d.write(4096 + call * 256, data);
    d.store64(64 + call * 8, call); // an unflushed side store: more crash states
    d.flushRange(4096 + call * 256, 256);
    d.fence();
    d.store64(0, call + 1);
    d.flush(0);
    d.fence();
  }
  const cuts = [...tr.indicesOf(PcmEvent.Fence), ...tr.indicesOf(PcmEvent.Mark)].map((i) => i + 1).sort((a, b) => a - b);
  const r = new PcmCrashReplayer(tr);
  const m = new PcmDevice({ bytes: 1 << 20, clock: new Clock() });
  const buf = new Uint8Array(256);
  let states = 0, bad = 0;
  const start = performance.now();
  for (const cut of cuts) {
    const s = r.at(cut);
    m.loadImage(s.image);
    s.forEach({ kind: 'auto', max: 10 }, (_img, sel) => {
      m.checkpoint();
      s.applyTo(m, sel);
      // "Recovery": read the tail, check the committed data is whole, write a recovery mark.
      const tail = m.load64(0);
      if (tail > 0) {
        m.read(4096 + (tail - 1) * 256, buf);
        if (!buf.every((b) => b === tail)) bad++;
      }
      m.store64Big(8, 1n);
      m.persistAll();
      m.rollback();
      states++;
    });
  }
  const secs = (performance.now() - start) / 1000;
  t.equal(bad, 0, 'data flushed and fenced before its commit is whole in every image');
  t.comment(`${cuts.length} cuts, ${states} crash states mounted and checked in ${(secs * 1000).toFixed(0)} ms: ${Math.round(states / secs).toLocaleString('en')} states/s`);
  t.ok(states > cuts.length, 'more than one state per cut');
});
