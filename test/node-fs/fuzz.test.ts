// Bad input, fuzzed (issue 3, "Proof"): random calls with hostile arguments — NUL bytes, empty paths,
// non-string paths, 256-byte names, 4097-byte paths, negative/NaN/huge/fractional offsets and lengths,
// unknown flags and modes — run on node:fs in /dev/shm and on createFs(); each call must fail (or
// succeed) identically, and the final trees must be identical. Seeded: failures replay.

import t from 'tap';
import fc from 'fast-check';
import { runBoth } from './oracle.js';

type Arg = { k: string; v?: unknown };

// Arguments are described as data so the same call can be rebuilt for each filesystem (R differs per run).
const pathArb: fc.Arbitrary<Arg> = fc.oneof(
  fc.constantFrom('f', 'd', 'd/g', 'nope', 'd/nope/x', 'f/x', '', '.', 'd/..', 'l', 'dl').map((v) => ({ k: 'rel', v })),
  fc.constant({ k: 'nul' }), fc.constant({ k: 'long-name' }), fc.constant({ k: 'long-path' }), fc.constant({ k: 'empty' }),
  fc.constant({ k: 'buffer' }), fc.constant({ k: 'url' }), fc.constant({ k: 'bad-url' }),
  // No small integers: readFile/writeFile/truncate take a number as a descriptor, and the host's real
  // descriptors must never be touched; -1 and 2 ** 40 are numbers that are no descriptor anywhere.
  fc.constantFrom(-1, 2 ** 40, null, undefined, true, {}, [], 1.5).map((v) => ({ k: 'raw', v })),
);
const numArb = fc.oneof(
  fc.constantFrom(-1, -2, 0, 1, 3, 4096, NaN, Infinity, -Infinity, 1.5, 2 ** 31, 2 ** 53, -(2 ** 53), 2 ** 63),
  fc.constantFrom('1', 'x', null, undefined, {}, 2n, -2n, 2n ** 64n),
);
// Lengths for truncate: out-of-range and ill-typed values, but no multi-GiB sparse file (copyFile would
// then copy gigabytes of holes on both sides).
const lenArb = fc.oneof(
  fc.constantFrom(-1, 0, 3, 1 << 20, NaN, Infinity, 1.5, 2 ** 53, 2 ** 63),
  fc.constantFrom('1', null, undefined, {}, 2n),
);
const modeArb = fc.constantFrom(0o644, 0o7777, 0o17777, -1, 2 ** 32, '755', '8', 'rwx', 1.5, null, undefined);
const flagArb = fc.constantFrom('r', 'r+', 'w', 'wx', 'a', 'ax+', 'rs+', 'q', 'rw', '', 0, 2, 0o100 | 1, -1, 1.5, 2 ** 40, null, {});
const fdArb = fc.constantFrom('own', -1, 1.5, '3', 2 ** 31, NaN, null);

const opArb = fc.oneof(
  fc.tuple(fc.constant('stat'), pathArb),
  fc.tuple(fc.constant('lstat'), pathArb),
  fc.tuple(fc.constant('mkdir'), pathArb, modeArb),
  fc.tuple(fc.constant('mkdirp'), pathArb),
  fc.tuple(fc.constant('rmdir'), pathArb),
  fc.tuple(fc.constant('unlink'), pathArb),
  fc.tuple(fc.constant('rename'), pathArb, pathArb),
  fc.tuple(fc.constant('link'), pathArb, pathArb),
  fc.tuple(fc.constant('symlink'), pathArb, pathArb),
  fc.tuple(fc.constant('open'), pathArb, flagArb, modeArb),
  fc.tuple(fc.constant('writeFile'), pathArb, fc.constantFrom('data', '', 5, null)),
  fc.tuple(fc.constant('readFile'), pathArb),
  fc.tuple(fc.constant('truncate'), pathArb, lenArb),
  fc.tuple(fc.constant('chmod'), pathArb, modeArb),
  fc.tuple(fc.constant('readdir'), pathArb),
  fc.tuple(fc.constant('read'), fdArb, numArb, numArb, numArb),
  fc.tuple(fc.constant('write'), fdArb, numArb, numArb, numArb),
  fc.tuple(fc.constant('ftruncate'), fdArb, lenArb),
  fc.tuple(fc.constant('utimes'), pathArb, numArb),
  fc.tuple(fc.constant('rm'), pathArb),
  fc.tuple(fc.constant('copyFile'), pathArb, pathArb, fc.constantFrom(0, 1, 8, -1)),
);

function mkPath(a: Arg, R: string): unknown {
  switch (a.k) {
    case 'rel': return a.v === '' ? '' : `${R}/${a.v as string}`;
    case 'nul': return `${R}/a\u0000b`;
    case 'long-name': return `${R}/${'n'.repeat(256)}`;
    case 'long-path': return `${R}/${'p/'.repeat(2049)}`;
    case 'empty': return '';
    case 'buffer': return Buffer.from(`${R}/f`);
    case 'url': return new URL(`file://${R}/d`);
    case 'bad-url': return new URL('http://example.com/x');
    default: return a.v;
  }
}

t.test('hostile arguments: same errors as node:fs, same tree afterwards (seeded fast-check)', async (t) => {
  let runs = 0;
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 8 }), (ops) => {
      runs++;
      const [node, ours] = runBoth((fs, R, step) => {
        fs.mkdirSync(`${R}/d`);
        fs.writeFileSync(`${R}/f`, 'content');
        fs.writeFileSync(`${R}/d/g`, 'g');
        fs.symlinkSync('f', `${R}/l`);
        fs.symlinkSync('nowhere', `${R}/dl`);
        const own = fs.openSync(`${R}/f`, 'r+');
        const fdOf = (x: unknown) => (x === 'own' ? own : x);
        for (const op of ops) {
          const [name, ...a] = op as [string, ...unknown[]];
          const p = (i: number) => mkPath(a[i] as Arg, R);
          step(() => {
            switch (name) {
              case 'stat': return fs.statSync(p(0));
              case 'lstat': return fs.lstatSync(p(0));
              case 'mkdir': return fs.mkdirSync(p(0), a[1]);
              case 'mkdirp': return fs.mkdirSync(p(0), { recursive: true });
              case 'rmdir': return fs.rmdirSync(p(0));
              case 'unlink': return fs.unlinkSync(p(0));
              case 'rename': return fs.renameSync(p(0), p(1));
              case 'link': return fs.linkSync(p(0), p(1));
              case 'symlink': return fs.symlinkSync(p(0), p(1));
              case 'open': { const fd = fs.openSync(p(0), a[1], a[2]); fs.closeSync(fd); return 'opened'; }
              case 'writeFile': return fs.writeFileSync(p(0), a[1]);
              case 'readFile': return fs.readFileSync(p(0));
              case 'truncate': return fs.truncateSync(p(0), a[1]);
              case 'chmod': return fs.chmodSync(p(0), a[1]);
              case 'readdir': return fs.readdirSync(p(0));
              case 'read': return fs.readSync(fdOf(a[0]), Buffer.alloc(16), a[1], a[2], a[3]);
              case 'write': return fs.writeSync(fdOf(a[0]), Buffer.from('0123456789abcdef'), a[1], a[2], a[3]);
              case 'ftruncate': return fs.ftruncateSync(fdOf(a[0]), a[1]);
              case 'utimes': return fs.utimesSync(p(0), a[1], a[1]);
              case 'rm': return fs.rmSync(p(0), { recursive: true });
              case 'copyFile': return fs.copyFileSync(p(0), p(1), a[2]);
              default: throw new Error(`unknown op ${name}`);
            }
          });
        }
        fs.closeSync(own);
        // The final tree: every name with its type, mode and content.
        step(() => {
          const out: unknown[] = [];
          for (const rel of (fs.readdirSync(R, { recursive: true }) as string[]).sort()) {
            const full = `${R}/${rel}`;
            const st = fs.lstatSync(full);
            out.push([rel, st.mode, st.isFile() ? fs.readFileSync(full, 'latin1') : st.isSymbolicLink() ? fs.readlinkSync(full) : null]);
          }
          return out;
        });
      });
      if (JSON.stringify(ours) !== JSON.stringify(node)) {
        const i = node.findIndex((s, j) => JSON.stringify(s) !== JSON.stringify(ours[j]));
        throw new Error(`step ${i} (${JSON.stringify(ops[i] ?? 'final tree', (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}): node ${JSON.stringify(node[i])} vs vfsim ${JSON.stringify(ours[i])}`);
      }
    }),
    // Fixed seed in CI; VFSIM_SEED=<n> VFSIM_RUNS=<n> explores further (DESIGN.md, Tests).
    { seed: Number(process.env.VFSIM_SEED ?? 20261125), numRuns: Number(process.env.VFSIM_RUNS ?? 150) },
  );
  t.equal(runs >= Number(process.env.VFSIM_RUNS ?? 150), true, 'every generated sequence was compared');
});
