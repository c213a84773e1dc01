// fsx (xfstests ltp/fsx.c's algorithm, shared/data/fsx/README.md): the seven xfstests op logs replay
// cleanly on every backend, random runs pass with and without memory pressure and in both dirty-state
// schemes, the two-address-space mode holds, and a corrupting backend is caught with a replayable log.

import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Fsx, FSX_BACKENDS, parseFsxOps, runTwoSpaces, type FsxBackendFactory } from '../../src/testing/fsx/index.js';
import { RamFs } from '../../fs-ram/index.js';
import type { Ino } from '../../vfs/backend.js';

const OPS_DIR = join(import.meta.dirname, '../../../shared/data/fsx/ops');

t.test('the seven xfstests .fsxops logs replay cleanly; ops a backend lacks are skipped by name', async (t) => {
  const files = readdirSync(OPS_DIR).filter((f) => f.endsWith('.fsxops')).sort();
  t.equal(files.length, 7, 'all seven logs are there');
  for (const fs of ['ramfs', 'store', 'zfs-lite', 'pcmfs']) {
    for (const f of files) {
      const replay = parseFsxOps(readFileSync(join(OPS_DIR, f), 'utf8'));
      const r = new Fsx({ backend: FSX_BACKENDS[fs]!, replay, ramMiB: 2 }).run();
      t.same(r.failures, [], `${f} on ${fs}`);
      for (const lacking of ['collapse_range', 'zero_range', 'insert_range']) {
        const n = replay.filter((o) => o.op === lacking).length;
        if (n > 0) t.equal(r.skipped[lacking], n, `${f}: ${lacking} reported skipped`);
      }
    }
  }
  // generic-469.1: fallocate keep_size, write 4 KiB, truncate to 16 bytes, mapread: EOF page must be zero.
  const r = new Fsx({ backend: FSX_BACKENDS.ramfs!, replay: parseFsxOps(readFileSync(join(OPS_DIR, 'generic-469.1.fsxops'), 'utf8')) });
  r.run();
  t.equal(r.size, 0x10, 'generic-469.1 ends at 16 bytes, as in the README');
});

t.test('regression (found by a 1,000,000-op run): the EOF-page check only reads a map that reaches the last page', async (t) => {
  // The second map ends exactly where the last page (holding EOF) starts: check_eofpage must not look there.
  const replay = parseFsxOps('mapwrite 0x3f11f 0x935 0x0\nmapwrite 0x3ec5f 0x3a1 0x3fa54\nmapread 0x3fa00 0x54 0x3fa54\n');
  const r = new Fsx({ backend: FSX_BACKENDS.ramfs!, replay }).run();
  t.same(r.failures, []);
  t.equal(r.counts.mapwrite, 2);
});

t.test('.fsxops parser follows read_op(): comments, skip, flags, errors', async (t) => {
  const ops = parseFsxOps('# c\n\nskip write 0x10 20 0x0\ntruncate 0x0 0x100 0x0 close_open\nfallocate 1 2 3 keep_size *\n');
  t.equal(ops.length, 3);
  t.same(ops[0], { op: 'write', off: 16, len: 20, dst: 0, keepSize: false, closeOpen: false, skip: true });
  t.ok(ops[1]!.closeOpen && ops[2]!.keepSize);
  t.throws(() => parseFsxOps('frobnicate 1 2 3'), { code: 'EINVAL' }, 'unknown op');
  t.throws(() => parseFsxOps('write 1 2'), { code: 'EINVAL' }, 'missing number');
  t.throws(() => parseFsxOps('write 1 2 3 bogus'), { code: 'EINVAL' }, 'unknown flag');
});

t.test('random fsx runs: ramfs, store with 1 MiB of RAM (reclaim), hardware DBM', async (t) => {
  for (const seed of [1, 2, 3]) {
    const a = new Fsx({ backend: FSX_BACKENDS.ramfs!, seed, ops: 600 }).run();
    t.same(a.failures, [], `ramfs seed ${seed}`);
    t.ok(a.checkedBytes > 0 && a.counts.mapread! > 0 && a.counts.mapwrite! > 0 && a.counts.punch_hole! > 0, 'the mix ran');
    const b = new Fsx({ backend: FSX_BACKENDS.store!, seed, ops: 600, ramMiB: 1 }).run();
    t.same(b.failures, [], `store/1 MiB seed ${seed}`);
    t.ok(b.evictions > 0 && b.writebacks > 0, `reclaim evicted ${b.evictions} pages, ${b.writebacks} writebacks`);
    const c = new Fsx({ backend: FSX_BACKENDS.store!, seed, ops: 400, ramMiB: 1, hardwareDirty: true }).run();
    t.same(c.failures, [], `store/1 MiB with DBM, seed ${seed}`);
  }
});

t.test('zfs-lite (page cache) and pcmfs (DAX mmap of its PCM blocks) under fsx, map ops included', async (t) => {
  const z = new Fsx({ backend: FSX_BACKENDS['zfs-lite']!, seed: 7, ops: 400, ramMiB: 4 }).run();
  t.same(z.failures, [], 'zfs-lite');
  t.ok(z.counts.mapwrite! > 0 && z.skipped.mapwrite === undefined, 'zfs-lite maps through its page cache');
  const px = new Fsx({ backend: FSX_BACKENDS.pcmfs!, seed: 7, ops: 400 });
  const p = px.run();
  t.same(p.failures, [], 'pcmfs');
  // issue 6: pcmfs maps with DAX (src/mm/dax.ts), so fsx's map ops run and are checked; only the ops fsx
  // skips on any backend (a mapread of an empty file) are reported skipped.
  t.ok(px.canMap, 'pcmfs files can be mapped');
  t.ok(p.counts.mapread! - (p.skipped.mapread ?? 0) > 20, 'pcmfs mapreads run (DAX)');
  t.ok(p.counts.mapwrite! - (p.skipped.mapwrite ?? 0) > 20, 'pcmfs mapwrites run (DAX, msync flushes)');
});

t.test('two address spaces, shared and private maps of one file', async (t) => {
  for (const hardwareDirty of [false, true]) {
    for (const fs of ['ramfs', 'store']) {
      const r = runTwoSpaces(FSX_BACKENDS[fs]!, { seed: 5, ops: 1500, hardwareDirty });
      t.same(r.failures, [], `${fs}${hardwareDirty ? ' DBM' : ''}`);
    }
  }
});

/** ramfs that flips one bit of every read from op `at` on: fsx must catch it. */
class FlakyRamFs extends RamFs {
  reads = 0;
  override read(ino: Ino, pos: number, buf: Uint8Array, off: number, len: number): number {
    const n = super.read(ino, pos, buf, off, len);
    if (++this.reads > 50 && n > 0) buf[off] = buf[off]! ^ 1;
    return n;
  }
}

t.test('a corrupting backend fails fsx with the op log and a replay that reproduces it', async (t) => {
  const flaky: FsxBackendFactory = (ram) => new FlakyRamFs({ ram });
  const r = new Fsx({ backend: flaky, seed: 1, ops: 2000 }).run();
  t.equal(r.failures.length, 1, 'caught');
  const f = r.failures[0]!;
  t.match(f.what, /mismatch/);
  t.ok(f.log.length > 0 && f.log.length <= 20, 'the log around the failure');
  const again = new Fsx({ backend: flaky, replay: parseFsxOps(f.replay) }).run();
  t.equal(again.failures.length, 1, 'the replay file reproduces the failure');
});
