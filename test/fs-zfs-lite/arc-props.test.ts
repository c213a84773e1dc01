// ARC invariants as fast-check properties (DESIGN.md "Tests": ARC invariants). Page mode: the paper's
// Sec. III-A bounds |T1|+|T2| ≤ c, |T1|+|B1| ≤ c, |L1|+|L2| ≤ 2c, 0 ≤ p ≤ c, a page on at most one
// list. Byte mode (ZFS): the same bounds in bytes under variable sizes, shrink/grow, removes and
// shared buffers, plus buffer ownership: every buffer is released exactly once, after it left the
// cache, and a shared one is unmapped (onEvict) before it is released (OSv unmap_arc_buf).
import t from 'tap';
import fc from 'fast-check';
import { Arc, T1, T2, B1, B2 } from '../../fs-zfs-lite/arc.js';

const SEED = process.env['VFSIM_SEED'] !== undefined ? Number(process.env['VFSIM_SEED']) : 20032;

t.test('page mode: the paper\'s invariants hold after every request (paper Sec. III-A)', async (t) => {
  let n = 0;
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 800, size: 'max' }), (c, keys) => {
      const a = new Arc<number>({ c, initialSlots: 1 });
      for (const k of keys) {
        if (a.get(k) === undefined) a.put(k, k, 1);
        a.checkInvariants();
        n++;
      }
      const s = a.stats();
      return s.requests === keys.length && s.size <= c;
    }),
    { seed: SEED, numRuns: 200 },
  );
  t.ok(n > 20000, `${n} requests checked`);
});

type Op =
  | { op: 'access'; key: number; size: number }
  | { op: 'remove'; key: number }
  | { op: 'shrink'; amount: number }
  | { op: 'grow' }
  | { op: 'share'; key: number }
  | { op: 'unshare'; key: number };

const key = fc.integer({ min: 0, max: 40 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ op: fc.constant('access' as const), key, size: fc.integer({ min: 1, max: 48 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('shrink' as const), amount: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'grow' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('share' as const), key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unshare' as const), key }) },
);

t.test('byte mode: bounds in bytes, buffer ownership and unmap-before-free under shrink, grow, remove, share', async (t) => {
  let ops = 0;
  let sharedEvictions = 0;
  fc.assert(
    fc.property(fc.integer({ min: 48, max: 256 }), fc.array(opArb, { minLength: 1, maxLength: 400, size: 'max' }), (c, script) => {
      /** Buffers not yet released; a buffer is an object so identity tells them apart. */
      const live = new Set<object>();
      const shared = new Set<object>();
      const errors: string[] = [];
      const a = new Arc<object>({
        c,
        cMin: 16,
        initialSlots: 1,
        onEvict: (_k, v) => {
          if (!shared.has(v)) errors.push('onEvict for a buffer that is not shared');
          if (!live.has(v)) errors.push('onEvict after release');
          shared.delete(v);
        },
        release: (_k, v) => {
          if (!live.has(v)) errors.push('released twice or never put');
          if (shared.has(v)) errors.push('shared buffer released before onEvict');
          live.delete(v);
        },
      });
      for (const o of script) {
        switch (o.op) {
          case 'access':
            if (a.get(o.key) === undefined) {
              const v = { key: o.key };
              live.add(v);
              if (!a.put(o.key, v, o.size)) live.delete(v); // too big: never cached, never released
            }
            break;
          case 'remove':
            a.remove(o.key);
            break;
          case 'shrink': {
            const before = a.used;
            const freed = a.shrink(o.amount);
            if (Math.abs(before - a.used - freed) > 1e-9) errors.push('shrink reports what it freed');
            break;
          }
          case 'grow':
            a.resumeGrowth();
            break;
          case 'share': {
            const v = a.peek(o.key);
            if (a.share(o.key) !== (v !== undefined)) errors.push('share succeeds exactly on resident keys');
            if (v !== undefined) shared.add(v);
            break;
          }
          case 'unshare': {
            const v = a.peek(o.key);
            a.unshare(o.key);
            if (v !== undefined) shared.delete(v);
            break;
          }
        }
        a.checkInvariants();
        ops++;
        // Ownership: the resident buffers are exactly the live ones.
        let resident = 0;
        for (let k = 0; k <= 40; k++) {
          const v = a.peek(k);
          if (v !== undefined) {
            resident++;
            if (!live.has(v)) errors.push('a resident buffer was released');
            if (a.isShared(k) !== shared.has(v)) errors.push('shared flag');
          }
        }
        if (resident !== live.size) errors.push(`live buffers ${live.size} ≠ resident ${resident}`);
        if (errors.length > 0) throw new Error(errors.join('; '));
      }
      sharedEvictions += a.stats().sharedEvictions;
      return true;
    }),
    { seed: SEED, numRuns: 300 },
  );
  t.ok(ops > 30000, `${ops} operations checked`);
  t.ok(sharedEvictions > 0, `${sharedEvictions} shared buffers were evicted through onEvict`);
});

t.test('shrink: c falls to the resident size minus the request, never below c_min; growth waits for resumeGrowth (ZFS arc_reduce_target_size, arc_no_grow)', async (t) => {
  const released: number[] = [];
  const a = new Arc<number>({ c: 100, cMin: 30, release: (k) => released.push(k) });
  for (let k = 0; k < 10; k++) a.put(k, k, 10); // full: 100 of 100
  t.equal(a.used, 100);
  t.equal(a.shrink(25), 30, 'c 100 → 75: three 10-byte buffers go');
  t.equal(a.size, 75);
  t.same(released, [0, 1, 2], 'T1 (all of it here) loses its LRU end first, as REPLACE would');
  t.equal(a.shrink(1000), 40, 'cannot go below c_min = 30');
  t.equal(a.size, 30);
  t.equal(a.used, 30);
  a.put(50, 50, 10);
  t.equal(a.size, 30, 'no growth while memory is short');
  a.resumeGrowth();
  for (let k = 60; k < 70; k++) a.put(k, k, 10);
  t.equal(a.size, 100, 'misses on a full cache grow c back up to c_max');
  t.equal(a.used, 100);
  t.equal(a.shrink(0), 0, 'a zero request does nothing');
  const half = new Arc<number>({ c: 100, cMin: 10 });
  half.put(1, 1, 20);
  t.equal(half.shrink(5), 20, 'a cache that is not full still gives back memory: c first drops to the resident size');
  t.equal(half.size, 15, 'c = resident 20 − 5 (whole buffers go, so 20 were freed)');
  a.checkInvariants();
  half.checkInvariants();
});

t.test('shared buffers: onEvict runs before release, for shared ones only (OSv arc_share_buf / unmap_arc_buf, notes/OSV.md §2)', async (t) => {
  const events: string[] = [];
  const a = new Arc<string>({ c: 2, onEvict: (k, v) => events.push(`unmap ${k}=${v}`), release: (k, v) => events.push(`free ${k}=${v}`) });
  a.put(1, 'a');
  a.put(2, 'b');
  t.equal(a.share(1), true);
  t.equal(a.share(99), false, 'cannot share what is not cached');
  t.equal(a.isShared(1), true);
  a.put(3, 'c'); // evicts 1 (T1 LRU)
  t.same(events, ['unmap 1=a', 'free 1=a']);
  t.equal(a.isShared(1), false, 'a ghost is not shared');
  events.length = 0;
  a.put(2, 'B'); // rewrite of a resident block
  t.same(events, ['free 2=b'], 'replacing an unshared buffer frees the old one');
  a.share(2);
  events.length = 0;
  a.put(2, 'BB');
  t.same(events, ['unmap 2=B', 'free 2=B'], 'replacing a shared buffer unmaps it first');
  t.equal(a.isShared(2), false, 'the new buffer starts unshared');
  a.share(2);
  t.equal(a.unshare(2), true);
  events.length = 0;
  t.equal(a.remove(2), true);
  t.same(events, ['free 2=BB'], 'unshared: no unmap');
  t.equal(a.stats().sharedEvictions, 2);
});

t.test('byte mode generalises the paper: every buffer of size s and c = s·n pages decides exactly as Fig. 4 with c = n', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 16 }), fc.constantFrom(8, 512, 4096, 131072), fc.array(fc.nat({ max: 63 }), { minLength: 1, maxLength: 500, size: 'max' }), (n, s, keys) => {
      const pages = new Arc<number>({ c: n });
      const bytes = new Arc<number>({ c: n * s });
      for (const k of keys) {
        const hp = pages.get(k) !== undefined;
        if (!hp) pages.put(k, k, 1);
        const hb = bytes.get(k) !== undefined;
        if (!hb) bytes.put(k, k, s);
        if (hp !== hb || bytes.target !== pages.target * s) return false;
        for (const l of [T1, T2, B1, B2] as const) if (bytes.keysOf(l).join() !== pages.keysOf(l).join()) return false;
      }
      return true;
    }),
    { seed: SEED, numRuns: 200 },
  );
  t.pass('identical hits, lists and p (scaled by s) on 200 random sequences');
});
