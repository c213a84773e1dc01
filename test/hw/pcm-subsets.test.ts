import t, { type Test } from 'tap';
import { SubsetCursor, type SubsetMode } from '../../src/hw/pcm/subsets.js';
import { PcmDevice } from '../../src/hw/pcm/pcm.js';
import { Clock } from '../../src/sim/clock.js';
import { FsError } from '../../vfs/errno.js';

// Crash-state enumeration (CrashMonkey/Chipmunk: exhaustive subsets of in-flight writes when few,
// bounded otherwise; seeded sampling reproduces from its seed).

function collect(t: Test, n: number, mode: SubsetMode): string[] {
  const c = new SubsetCursor(n, mode);
  const out: string[] = [];
  while (c.next()) out.push(c.sel.join(''));
  t.equal(out.length, c.total, `${mode.kind}: total matches the visits`);
  return out;
}

t.test('all: each of the 2^n subsets exactly once', async (t) => {
  const s = collect(t, 5, { kind: 'all' });
  t.equal(s.length, 32);
  t.equal(new Set(s).size, 32);
  t.same(collect(t, 0, { kind: 'all' }), ['']);
});

t.test('prefix: in-order persistence, n + 1 states', async (t) => {
  t.same(collect(t, 3, { kind: 'prefix' }), ['000', '100', '110', '111']);
});

t.test('bounded k: every subset keeping or dropping at most k pieces, each once', async (t) => {
  const b1 = collect(t, 5, { kind: 'bounded', k: 1 });
  t.equal(b1.length, 12, '2n + 2');
  t.equal(new Set(b1).size, 12);
  for (const s of b1) {
    const ones = [...s].filter((c) => c === '1').length;
    t.ok(ones <= 1 || ones >= 4);
  }
  const b2 = collect(t, 6, { kind: 'bounded', k: 2 });
  t.equal(b2.length, 1 + 6 + 15 + 15 + 6 + 1);
  t.equal(new Set(b2).size, b2.length);
  // Ranges that meet cover everything once.
  const b3 = collect(t, 4, { kind: 'bounded', k: 3 });
  t.equal(b3.length, 16);
  t.equal(new Set(b3).size, 16);
});

t.test('auto: all subsets up to the cap, each piece present or absent alone past it', async (t) => {
  t.equal(collect(t, 4, { kind: 'auto', max: 4 }).length, 16);
  const past = collect(t, 6, { kind: 'auto', max: 4 });
  t.equal(past.length, 14, '2n + 2');
  t.equal(collect(t, 30, { kind: 'auto' }).length, 62);
  t.equal(collect(t, 6, { kind: 'auto', max: 4, k: 2 }).length, 44);
});

t.test('sample: seeded and reproducible', async (t) => {
  const a = collect(t, 20, { kind: 'sample', count: 50, seed: 7 });
  t.same(a, collect(t, 20, { kind: 'sample', count: 50, seed: 7 }));
  t.not(a.join(), collect(t, 20, { kind: 'sample', count: 50, seed: 8 }).join());
  const none = collect(t, 10, { kind: 'sample', count: 3, seed: 1, p: 0 });
  t.same(none, ['0000000000', '0000000000', '0000000000']);
});

t.test('bad modes are errnos', async (t) => {
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (e) {
      return e instanceof FsError ? e.code : 'not an FsError';
    }
  };
  t.equal(code(() => new SubsetCursor(21, { kind: 'all' })), 'E2BIG', 'all past the cap');
  t.equal(code(() => new SubsetCursor(25, { kind: 'all', max: 24 })), 'E2BIG');
  t.equal(code(() => new SubsetCursor(3, { kind: 'all', max: 40 })), 'EINVAL');
  t.equal(code(() => new SubsetCursor(-1, { kind: 'prefix' })), 'EINVAL');
  t.equal(code(() => new SubsetCursor(3, { kind: 'bounded', k: -1 })), 'EINVAL');
  t.equal(code(() => new SubsetCursor(3, { kind: 'sample', count: 1, seed: 1, p: 2 })), 'EINVAL');
  t.equal(code(() => new SubsetCursor(3, { kind: 'nope' } as unknown as SubsetMode)), 'EINVAL');
});

t.test('crash images of 20 pending pieces, apply + undo over a shared base (the rate is printed; vfsim bench pcm checks the 2,000/s target)', async (t) => {
  const d = new PcmDevice({ bytes: 1 << 20, clock: new Clock() });
  for (let i = 0; i < 20; i++) d.store64(i * 4096, i + 1); // 20 pieces on 20 lines
  const s = d.crash();
  t.equal(s.count, 20);
  const c = s.cursor({ kind: 'all' });
  const start = performance.now();
  let n = 0, check = 0;
  while (c.next() && n < 200_000) {
    s.apply(c.sel);
    check += s.image[4096]!;
    s.undo();
    n++;
  }
  const secs = (performance.now() - start) / 1000;
  const rate = n / secs;
  t.comment(`20 pending pieces: ${Math.round(rate).toLocaleString('en')} images/s (${n} images in ${(secs * 1000).toFixed(1)} ms)`);
  t.ok(check > 0);
  t.ok(s.image.every((b) => b === 0), 'undo restored the base');
});
