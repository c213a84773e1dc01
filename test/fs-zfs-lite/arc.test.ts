// The ARC against the paper: hand-traced steps of Fig. 4 (Megiddo & Modha, FAST '03), and a literal
// transcription of Fig. 4 (arrays, O(n), no cleverness) that the typed-array implementation must
// follow list for list and p for p on random request sequences.
import t from 'tap';
import fc from 'fast-check';
import { Arc, T1, T2, B1, B2 } from '../../fs-zfs-lite/arc.js';
import { Lru } from '../../fs-zfs-lite/arc-lru.js';

const SEED = process.env['VFSIM_SEED'] !== undefined ? Number(process.env['VFSIM_SEED']) : 20031;

/** Fig. 4, line by line. Lists hold pages MRU first. */
class Fig4 {
  t1: number[] = [];
  t2: number[] = [];
  b1: number[] = [];
  b2: number[] = [];
  p = 0;
  /** REPLACE calls where the tie rule (x ∈ B2 and |T1| = p) decided for T1. */
  ties = 0;
  constructor(readonly c: number) {}

  request(x: number): boolean {
    const { c } = this;
    if (this.t1.includes(x) || this.t2.includes(x)) {
      // Case I
      this.t1 = this.t1.filter((y) => y !== x);
      this.t2 = [x, ...this.t2.filter((y) => y !== x)];
      return true;
    }
    if (this.b1.includes(x)) {
      // Case II
      const d1 = this.b1.length >= this.b2.length ? 1 : this.b2.length / this.b1.length;
      this.p = Math.min(this.p + d1, c);
      this.replace(x);
      this.b1 = this.b1.filter((y) => y !== x);
      this.t2.unshift(x);
      return false;
    }
    if (this.b2.includes(x)) {
      // Case III
      const d2 = this.b2.length >= this.b1.length ? 1 : this.b1.length / this.b2.length;
      this.p = Math.max(this.p - d2, 0);
      this.replace(x);
      this.b2 = this.b2.filter((y) => y !== x);
      this.t2.unshift(x);
      return false;
    }
    // Case IV
    if (this.t1.length + this.b1.length === c) {
      // Case A
      if (this.t1.length < c) {
        this.b1.pop();
        this.replace(x);
      } else {
        this.t1.pop();
      }
    } else {
      // Case B
      const total = this.t1.length + this.t2.length + this.b1.length + this.b2.length;
      if (total >= c) {
        if (total === 2 * c) this.b2.pop();
        this.replace(x);
      }
    }
    this.t1.unshift(x);
    return false;
  }

  replace(x: number): void {
    const inB2 = this.b2.includes(x);
    if (this.t1.length > 0 && (this.t1.length > this.p || (inB2 && this.t1.length === this.p))) {
      if (!(this.t1.length > this.p)) this.ties++;
      this.b1.unshift(this.t1.pop()!);
    } else {
      this.b2.unshift(this.t2.pop()!);
    }
  }
}

function lists(a: Arc<number>): { t1: number[]; t2: number[]; b1: number[]; b2: number[]; p: number } {
  return { t1: a.keysOf(T1), t2: a.keysOf(T2), b1: a.keysOf(B1), b2: a.keysOf(B2), p: a.target };
}

/** One request the way a replay makes it: get, and put on a miss. */
function request(a: Arc<number>, x: number): boolean {
  if (a.get(x) !== undefined) return true;
  a.put(x, x, 1);
  return false;
}

t.test('Fig. 4 by hand, c = 2: cold misses fill T1, a hit promotes to T2, ghosts adapt p both ways', async (t) => {
  const a = new Arc<number>({ c: 2 });
  t.equal(request(a, 1), false);
  t.equal(request(a, 2), false);
  t.same(lists(a), { t1: [2, 1], t2: [], b1: [], b2: [], p: 0 }, 'cold start: misses go to T1 (case IV)');
  t.equal(request(a, 1), true, 'case I: hit');
  t.same(lists(a), { t1: [2], t2: [1], b1: [], b2: [], p: 0 }, 'hit moves x to MRU of T2');
  request(a, 3);
  t.same(lists(a), { t1: [3], t2: [1], b1: [2], b2: [], p: 0 }, 'case IV.B: REPLACE with |T1| = 1 > p = 0 demotes T1 LRU to B1');
  t.equal(request(a, 2), false, 'a ghost hit is still a miss');
  t.same(lists(a), { t1: [3], t2: [2], b1: [], b2: [1], p: 1 }, 'case II: p += 1; REPLACE with |T1| = p takes T2 LRU to B2');
  request(a, 1);
  t.same(lists(a), { t1: [], t2: [1, 2], b1: [3], b2: [], p: 0 }, 'case III: p -= 1; REPLACE demotes T1 LRU to B1');
  const s = a.stats();
  t.match(s, { requests: 6, hits: 1, misses: 5, b1Hits: 1, b2Hits: 1, t1Hits: 1, t2Hits: 0 });
  a.checkInvariants();
});

t.test('Fig. 4 case IV.A with B1 empty: T1 full of c pages drops its LRU page without a ghost', async (t) => {
  const a = new Arc<number>({ c: 3 });
  for (const x of [1, 2, 3, 4]) request(a, x);
  t.same(lists(a), { t1: [4, 3, 2], t2: [], b1: [], b2: [], p: 0 });
  t.equal(a.where(1), undefined, 'page 1 is forgotten, not a ghost');
});

t.test('the adaptation step is the real ratio |B2|/|B1| (Fig. 4 case II), not a truncated one', async (t) => {
  // Search random sequences for a B1 ghost hit with |B2|/|B1| not an integer (|B2| = 3, |B1| = 2: +1.5).
  let found = false;
  const prng = fc.sample(fc.array(fc.integer({ min: 0, max: 23 }), { minLength: 400, maxLength: 400 }), { numRuns: 50, seed: SEED });
  for (const seq of prng) {
    const r = new Fig4(8);
    const b = new Arc<number>({ c: 8 });
    for (const x of seq) {
      const before = r.p;
      const ghostB1 = r.b1.includes(x) && r.b2.length > r.b1.length && r.b2.length % r.b1.length !== 0;
      r.request(x);
      request(b, x);
      if (ghostB1 && r.p < 8) {
        t.not(r.p - before, Math.floor(r.p - before), 'a fractional step was taken');
        t.equal(b.target, r.p, 'and the implementation took the same one');
        found = true;
        break;
      }
    }
    if (found) break;
  }
  t.ok(found, 'some random sequence exercised a fractional δ1');
});

t.test('property: the implementation follows the literal Fig. 4 list for list, p for p (paper Fig. 4)', async (t) => {
  let ties = 0;
  let checked = 0;
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.nat(), { minLength: 20, maxLength: 600, size: 'max' }), fc.integer({ min: 1, max: 4 }), (c, raw, spread) => {
      const universe = c * spread + 1;
      const ref = new Fig4(c);
      const a = new Arc<number>({ c, initialSlots: 1 });
      for (const r of raw) {
        const x = r % universe;
        const hitRef = ref.request(x);
        const hit = request(a, x);
        if (hit !== hitRef) return false;
        const l = lists(a);
        if (l.p !== ref.p) return false;
        if (l.t1.join() !== ref.t1.join() || l.t2.join() !== ref.t2.join()) return false;
        if (l.b1.join() !== ref.b1.join() || l.b2.join() !== ref.b2.join()) return false;
        a.checkInvariants();
        checked++;
      }
      ties += ref.ties;
      return true;
    }),
    { seed: SEED, numRuns: 300 },
  );
  t.ok(checked > 10000, `${checked} requests compared`);
  t.ok(ties > 0, `the tie rule (x ∈ B2 and |T1| = p) decided ${ties} REPLACEs`);
});

t.test('bad input is EINVAL, never a crash or a state change', async (t) => {
  t.throws(() => new Arc({ c: 0 }), { code: 'EINVAL' });
  t.throws(() => new Arc({ c: Number.NaN }), { code: 'EINVAL' });
  t.throws(() => new Arc({ c: 10, cMin: 11 }), { code: 'EINVAL' });
  t.throws(() => new Lru({ c: -1 }), { code: 'EINVAL' });
  const a = new Arc<number>({ c: 10 });
  request(a, 1);
  for (const [k, s] of [[Number.NaN, 1], [1.5, 1], [2, 0], [2, -3], [2, Infinity], [2 ** 60, 1]] as const) {
    t.throws(() => a.put(k, 0, s), { code: 'EINVAL' }, `put(${k}, size ${s})`);
  }
  t.same(lists(a), { t1: [1], t2: [], b1: [], b2: [], p: 0 });
  t.equal(a.put(5, 5, 11), false, 'a buffer larger than c is not cached');
  t.equal(a.stats().tooBig, 1);
  a.checkInvariants();
});

t.test('LRU baseline: evicts the least recently used page (paper Sec. I-B, "LRU")', async (t) => {
  const l = new Lru<number>({ c: 3 });
  for (const x of [1, 2, 3]) l.put(x, x);
  t.equal(l.get(1), 1);
  l.put(4, 4);
  t.same(l.keys(), [4, 1, 3], 'page 2 (LRU) went');
  t.equal(l.get(2), undefined);
  t.match(l.stats(), { hits: 1, misses: 1, evictions: 1, size: 3 });
  l.put(5, 5, 2);
  t.same(l.keys(), [5, 4], 'a 2-unit entry evicts until it fits');
  t.equal(l.remove(4), true);
  l.checkInvariants();
});
