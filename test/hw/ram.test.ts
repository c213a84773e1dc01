// Physical RAM's frame allocator (src/hw/ram.ts): lowest free frame first, reused frames zeroed,
// exhaustion is NO_FRAME after the shrinkers had their chance, double frees are caught.
import t from 'tap';
import { Ram, NO_FRAME } from '../../src/hw/ram.js';
import { InvariantError } from '../../src/sim/assert.js';
import { Prng } from '../../src/sim/prng.js';

t.test('allocation takes the lowest free frame, so freed space is reused in ascending order', async (t) => {
  const ram = new Ram({ bytes: 100 * 4096 });
  const got = Array.from({ length: 70 }, () => ram.allocFrame());
  t.same(got, Array.from({ length: 70 }, (_, i) => i));
  for (const f of [64, 3, 40, 41, 42]) ram.freeFrame(f); // freed in any order
  t.same([ram.allocFrame(), ram.allocFrame(), ram.allocFrame(), ram.allocFrame(), ram.allocFrame()], [3, 40, 41, 42, 64]);
  t.equal(ram.allocFrame(), 70);
  t.equal(ram.usedFrames, 71);
  t.equal(ram.freeFrames, 29);
});

t.test('a reused frame reads as zeros; a never-used one was zero already', async (t) => {
  const ram = new Ram({ bytes: 8 * 4096 });
  const f = ram.allocFrame();
  ram.frame(f).fill(0xab);
  ram.freeFrame(f);
  const g = ram.allocFrame();
  t.equal(g, f);
  t.ok(ram.frame(g).every((b) => b === 0), 'reused frame zero-filled');
  ram.frame(g).fill(0xcd);
  ram.freeFrame(g);
  const h = ram.allocFrame(false);
  t.equal(ram.frame(h)[0], 0xcd, 'allocFrame(false) skips the fill (caller overwrites the whole frame)');
});

t.test('out of frames: shrinkers run, then NO_FRAME; a shrinker that frees lets allocation succeed', async (t) => {
  const ram = new Ram({ bytes: 4 * 4096 });
  const held = [ram.allocFrame(), ram.allocFrame(), ram.allocFrame(), ram.allocFrame()];
  t.equal(ram.allocFrame(), NO_FRAME);
  let asked = 0;
  ram.registerShrinker({ name: 'test', shrink: (want) => { asked += want; ram.freeFrame(held.pop()!); return 1; } });
  t.equal(ram.allocFrame(), 3);
  t.equal(asked, 1);
});

t.test('double free and foreign frames break an invariant (a kernel bug, not bad input)', async (t) => {
  const ram = new Ram({ bytes: 40 * 4096 });
  const f = ram.allocFrame();
  ram.freeFrame(f);
  t.throws(() => ram.freeFrame(f), InvariantError);
  t.throws(() => ram.freeFrame(39), InvariantError);
  t.throws(() => ram.freeFrame(40), InvariantError);
  t.throws(() => ram.freeFrame(-1), InvariantError);
});

t.test('random alloc/free agrees with a set model (frame counts, lowest-first, isAllocated)', async (t) => {
  const n = 300;
  const ram = new Ram({ bytes: n * 4096 });
  const used = new Set<number>();
  const rng = new Prng(11);
  for (let i = 0; i < 20000; i++) {
    if (used.size < n && (used.size === 0 || rng.chance(0.55))) {
      let lowest = 0;
      while (used.has(lowest)) lowest++;
      const f = ram.allocFrame(false);
      if (f !== lowest) { t.fail(`step ${i}: got ${f}, lowest free ${lowest}`); return; }
      used.add(f);
    } else {
      const all = [...used];
      const f = all[rng.below(all.length)]!;
      ram.freeFrame(f);
      used.delete(f);
    }
    if (ram.usedFrames !== used.size) { t.fail(`step ${i}: usedFrames ${ram.usedFrames} != ${used.size}`); return; }
  }
  for (let f = 0; f < n; f++) if (ram.isAllocated(f) !== used.has(f)) { t.fail(`frame ${f}`); return; }
  t.pass('20,000 steps agree');
});
