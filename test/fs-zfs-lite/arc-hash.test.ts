// The ARC directory's typed-array hash behaves as a Map<number, slot> under any mix of set, delete
// and get (backward-shift deletion, Knuth TAOCP vol. 3 §6.4 Algorithm R, must never lose a key that
// sits further along its cluster), including 53-bit and negative keys and growth past its first size.
import t from 'tap';
import fc from 'fast-check';
import { KeyIndex } from '../../fs-zfs-lite/arc-hash.js';

const SEED = process.env['VFSIM_SEED'] !== undefined ? Number(process.env['VFSIM_SEED']) : 20033;

const keyArb = fc.oneof(
  fc.integer({ min: 0, max: 63 }), // dense: long clusters in a small table
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 32, 2 ** 32 + 1, -1, 0),
);

t.test('KeyIndex agrees with Map on random set/delete/get sequences', async (t) => {
  let ops = 0;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom('set', 'del', 'get'), keyArb, fc.nat({ max: 1 << 30 })), { minLength: 1, maxLength: 500, size: 'max' }), (script) => {
      const h = new KeyIndex(1);
      const m = new Map<number, number>();
      for (const [op, k, v] of script) {
        ops++;
        if (op === 'set') {
          h.set(k, v);
          m.set(k, v);
        } else if (op === 'del') {
          if (h.delete(k) !== m.delete(k)) return false;
        }
        if (h.get(k) !== (m.get(k) ?? -1)) return false;
        if (h.size !== m.size) return false;
      }
      for (const [k, v] of m) if (h.get(k) !== v) return false;
      return true;
    }),
    { seed: SEED, numRuns: 300 },
  );
  t.ok(ops > 50000, `${ops} operations compared`);
});

t.test('KeyIndex keeps every key of a long cluster after deletions in its middle', async (t) => {
  const h = new KeyIndex(8);
  for (let k = 0; k < 1000; k++) h.set(k * 4096, k);
  let deleted = 0;
  for (let k = 0; k < 1000; k += 3) if (h.delete(k * 4096)) deleted++;
  t.equal(deleted, 334);
  let ok = 0;
  for (let k = 0; k < 1000; k++) if (h.get(k * 4096) === (k % 3 === 0 ? -1 : k)) ok++;
  t.equal(ok, 1000);
  t.equal(h.size, 1000 - 334);
});
