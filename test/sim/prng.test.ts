import t from 'tap';
import { Prng } from '../../src/sim/prng.js';

t.test('same seed, same stream; different seed, different stream (determinism rule, DESIGN.md)', async (t) => {
  const a = new Prng(42), b = new Prng(42), c = new Prng(43);
  const sa = Array.from({ length: 100 }, () => a.u32());
  const sb = Array.from({ length: 100 }, () => b.u32());
  const sc = Array.from({ length: 100 }, () => c.u32());
  t.same(sa, sb);
  t.not(JSON.stringify(sa), JSON.stringify(sc));
  for (const v of sa) t.ok(v >= 0 && v < 2 ** 32 && Number.isInteger(v));
});

t.test('below(n) is in range and roughly uniform', async (t) => {
  const p = new Prng(7);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 100000; i++) counts[p.below(10)]++;
  for (const c of counts) t.ok(c > 9000 && c < 11000, `bucket count ${c}`);
});
