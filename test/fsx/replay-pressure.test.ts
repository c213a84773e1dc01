// Memory pressure is a real op of fsx's replay files (vfsim's `#vfsim pressure` extension of xfstests'
// .fsxops format, src/testing/fsx/oplog.ts): a replay reclaims exactly what the run reclaimed, so a
// failure that needs an eviction to show is reproduced by its replay file, and vanishes without the
// pressure lines. The broken backend is a store that acknowledges page writes and keeps nothing: its
// data is lost exactly when a dirty page leaves the page cache (Linux: a writepage that drops data).

import t from 'tap';
import { Fsx, FSX_BACKENDS, parseFsxOps, zfsLiteBackend, type FsxBackendFactory } from '../../src/testing/fsx/index.js';
import type { ZfsLite } from '../../fs-zfs-lite/index.js';
import { MapStorePager, StoreFs } from '../../src/testing/store-fs.js';
import type { PageIndex } from '../../src/mm/page-tree.js';

class DroppingStore extends MapStorePager {
  override writePage(_index: PageIndex, _bytes: Uint8Array, _offset: number, _len: number): void {
    this.writes++; // acknowledged, not kept
  }
}
const broken: FsxBackendFactory = (ram) => new StoreFs({ ram, store: (ps) => new DroppingStore(ps) });

t.test('.fsxops: #vfsim lines are vfsim ops, other # lines comments (xfstests read_op() skips both)', async (t) => {
  const ops = parseFsxOps('# pressure (an old comment)\n#vfsim pressure 0x0 0x100 0x2000\nwrite 0x0 0x10 0x2000\n');
  t.equal(ops.length, 2, 'the old comment form stays a comment');
  t.same(ops[0], { op: 'pressure', off: 0, len: 0x100, dst: 0, keepSize: false, closeOpen: false, skip: false });
  t.throws(() => parseFsxOps('#vfsim frobnicate 0 1 2'), { code: 'EINVAL' }, 'an unknown vfsim op');
  t.throws(() => parseFsxOps('#vfsim read 0 1 2'), { code: 'EINVAL' }, 'fsx ops are not written behind the mark');
  t.throws(() => parseFsxOps('pressure 0 1 2'), { code: 'EINVAL' }, 'nor vfsim ops without it (xfstests would reject the line)');
});

t.test('a failure that needs memory pressure: the run fails, its replay fails the same way at the same op, without pressure it passes', async (t) => {
  // The broken store loses data only when reclaim evicts a dirty page (64 MiB of RAM: only the pressure ops do).
  const seed = 1, r = new Fsx({ backend: broken, seed, ops: 3000 }).run();
  t.equal(r.failures.length, 1, `the random run (seed ${seed}) fails`);
  const f = r.failures[0]!;
  t.match(f.what, /mismatch|past EOF/, f.what);
  const ops = parseFsxOps(f.replay);
  t.equal(ops.length, f.op, 'the replay file holds every op up to the failing one');
  const pressure = ops.filter((o) => o.op === 'pressure').length;
  t.ok(pressure > 0 && f.replay.includes('#vfsim pressure 0x0 0x4000 '), `${pressure} pressure events written as #vfsim ops`);

  const again = new Fsx({ backend: broken, seed, replay: ops }).run();
  t.equal(again.failures.length, 1, 'the replay fails');
  t.equal(again.failures[0]!.op, f.op, 'at the same op');
  t.equal(again.failures[0]!.what, f.what, 'in the same way');
  t.equal(again.pressureFreed, r.pressureFreed, 'having freed as many frames under pressure');

  const stripped = f.replay.split('\n').filter((l) => !l.startsWith('#vfsim')).join('\n');
  const without = new Fsx({ backend: broken, seed, replay: parseFsxOps(stripped) }).run();
  t.same(without.failures, [], 'the same ops without the pressure events pass: the eviction was the cause');
  t.equal(without.evictions, 0, 'nothing was evicted');

  const good = new Fsx({ backend: FSX_BACKENDS.store!, seed, replay: ops }).run();
  t.same(good.failures, [], 'the same replay on the correct store passes');
});

/** Which frames of RAM are allocated, as a string of 0/1 (for comparing two machines' states). */
function frameMap(x: Fsx): string {
  let s = '';
  for (let f = 0; f < x.ram.frameCount; f++) s += x.ram.isAllocated(f) ? '1' : '0';
  return s;
}

t.test('replay reclaims exactly: the same frames free after every pressure event, the same evictions and writebacks', async (t) => {
  for (const hardwareDirty of [false, true]) {
    const trace = (x: () => Fsx, out: string[]) => (op: number, freed: number) => out.push(`${op}:${freed}:${frameMap(x())}`);
    const a: string[] = [];
    let ra: Fsx | null = null;
    ra = new Fsx({ backend: FSX_BACKENDS.store!, seed: 11, ops: 1500, ramMiB: 1, hardwareDirty, onPressure: trace(() => ra!, a) });
    const rr = ra.run();
    t.same(rr.failures, []);
    const b: string[] = [];
    let rb: Fsx | null = null;
    rb = new Fsx({ backend: FSX_BACKENDS.store!, seed: 11, ramMiB: 1, hardwareDirty, replay: parseFsxOps(ra.log.text()), onPressure: trace(() => rb!, b) });
    const rp = rb.run();
    t.same(rp.failures, []);
    t.ok(a.length > 10, `${a.length} pressure events (${hardwareDirty ? 'DBM' : 'software dirty'})`);
    t.same(b, a, 'after each pressure event the replay has the same frames allocated');
    t.same([rp.evictions, rp.writebacks, rp.faults, rp.checkedBytes], [rr.evictions, rr.writebacks, rr.faults, rr.checkedBytes], 'evictions, writebacks, faults and bytes checked are equal');
  }
});

// ---- memory pressure on zfs-lite: the pressure op reclaims through the machine's RAM (Ram.reclaim, what
// a failed allocation runs), so the registered shrinkers run in order until the target is met — the ARC's
// first (arc_shrinker_scan: c lowered, buffers evicted), then page-cache reclaim — and in shared mmap mode an ARC eviction revokes the
// page that borrowed its buffer (OSv unmap_arc_buf).

t.test('a pressure op shrinks the ARC too (the Ram shrinkers run in order), and replays free the same frames', async (t) => {
  for (const mode of ['double', 'shared'] as const) {
    const trace = (x: () => Fsx, out: string[]) => (op: number, freed: number) => out.push(`${op}:${freed}:${frameMap(x())}`);
    const arcOf = (x: Fsx) => (x.fs as unknown as ZfsLite).pool.arc!;
    const a: string[] = [];
    let arcShrunkAtPressure = 0;
    let ra: Fsx | null = null;
    ra = new Fsx({
      // 8 MiB: allocations never fail, so only the pressure ops can make the ARC shrink.
      backend: zfsLiteBackend(mode), seed: 3, ops: 1500, ramMiB: 8,
      onPressure: (op, freed) => { trace(() => ra!, a)(op, freed); arcShrunkAtPressure = arcOf(ra!).stats().shrunk; },
    });
    const rr = ra.run();
    t.same(rr.failures, [], `${mode}: the run passes`);
    t.ok(arcShrunkAtPressure > 0, `${mode}: the ARC gave back ${arcShrunkAtPressure} bytes to pressure ops (the old op ran page-cache reclaim only: 0)`);
    if (mode === 'shared') t.ok(rr.sharing!.revocations > 0, `shared: ${rr.sharing!.revocations} borrowed pages revoked by ARC evictions`);
    const b: string[] = [];
    let rb: Fsx | null = null;
    rb = new Fsx({ backend: zfsLiteBackend(mode), seed: 3, ramMiB: 8, replay: parseFsxOps(ra.log.text()), onPressure: trace(() => rb!, b) });
    const rp = rb.run();
    t.same(rp.failures, [], `${mode}: the replay passes`);
    t.ok(a.length > 10, `${mode}: ${a.length} pressure events`);
    t.same(b, a, `${mode}: after each pressure event the replay has the same frames allocated`);
    t.same(rp.sharing, rr.sharing, `${mode}: the same borrows, breaks and revocations`);
    t.equal(rp.pressureFreed, rr.pressureFreed, `${mode}: the same frames freed under pressure`);
  }
});
