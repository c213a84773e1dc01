// Both of ZFS-lite's mmap modes (double caching, shared ARC buffers) under memory pressure where the ARC
// and the page cache fight for the same frames (issue 7: "both pass the mmap/page-cache coherence fsx
// and property suites ... under memory pressure"). The rules checked: mmap(2) MAP_SHARED — stores are
// visible to read() and other mappings at once, bytes past EOF in the last page read zero; truncate(2)
// and fallocate(2) PUNCH_HOLE read back as zeros; fsync(2) / sync(2) keep all of it. After every
// command: descriptors, rmap and page cache agree (Mm.fsck) and every frame is counted once
// (auditFrames: free + page cache + ARC + tables = RAM; no borrowed page outlives its ARC buffer).
// Fixed seeds; FSX_SEED / FSX_RUNS go longer on demand.
import t from 'tap';
import fc from 'fast-check';
import { Ram } from '../../src/hw/ram.js';
import { Mm } from '../../src/mm/mm.js';
import { Vfs } from '../../vfs/vfs.js';
import { mmapFd } from '../../vfs/mmap-fd.js';
import { msync, munmap } from '../../src/mm/mmap.js';
import { MAP_SHARED, MS_SYNC, PROT_READ, PROT_WRITE } from '../../src/mm/mman.js';
import { FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, O_CREAT, O_RDWR } from '../../vfs/constants.js';
import { Fsx } from '../../src/testing/fsx/index.js';
import { createZfsLite, type MmapCache, type ZfsLite } from '../../fs-zfs-lite/index.js';

const PS = 4096;
const MAX = 96 * PS;
const MODES: MmapCache[] = ['double', 'shared'];

function otherFrames(mm: Mm): number {
  let n = 0;
  for (const as of mm.spaces) if (as !== undefined) n += as.tables.tables + as.priv.size;
  return n;
}

// ---- fsx (xfstests' mix, src/testing/fsx) on zfs-lite in each mode ----

for (const mmapCache of MODES) {
  for (const hardwareDirty of [false, true]) {
    t.test(`fsx on zfs-lite, ${mmapCache} mmap cache${hardwareDirty ? ', hardware DBM' : ''}: 512 KiB of RAM, a file up to 1 MiB, txg every 0.1 ms`, async (t) => {
      const fsx = new Fsx({
        // A short txg interval commits blocks often, so pages are read back from disk through the ARC
        // (and, shared, borrowed) rather than from the DMU's dirty copies.
        backend: (ram) => createZfsLite({ ram, mmapCache, txgTimeoutNs: 1e5 }),
        ops: 800, seed: 7, ramMiB: 0.5, fileSize: 1 << 20, hardwareDirty,
      });
      const r = fsx.run();
      t.equal(r.failures.length, 0, r.failures[0]?.what ?? 'no failures');
      t.ok(r.evictions > 0, `${r.evictions} page evictions`);
      const fs = fsx.fs as ZfsLite;
      const arc = fs.pool.arc!.stats();
      t.ok(arc.shrinks > 0, `the ARC shrank ${arc.shrinks} times for the page cache`);
      if (mmapCache === 'shared') t.ok(fs.pageCache.stats.borrows > 20, `${fs.pageCache.stats.borrows} pages borrowed from the ARC`);
      else t.equal(fs.pageCache.stats.borrows, 0, 'double caching borrows nothing');
      t.same(fs.auditFrames(otherFrames(fsx.mm)), [], 'every frame counted once');
    });
  }
}

// ---- the fc.commands model suite (test/fsx/model.test.ts's mix) plus txg syncs and ARC pressure ----

interface Model { data: Uint8Array; size: number }
interface Real { fs: ZfsLite; mm: Mm; p: ReturnType<Vfs['process']>; fd: number; va: number }

function real(mmapCache: MmapCache, hardwareDirty: boolean): Real {
  // 160 frames, an ARC of at most 40 (c_min 20): neither can hold the 96-page file, so the ARC replaces
  // (and, shared, revokes mapped pages) while the page cache reclaims and shrinks the ARC.
  const ram = new Ram({ bytes: 160 * PS });
  const fs = createZfsLite({ ram, mmapCache, deviceBytes: 8 << 20, txgTimeoutNs: 1e15, arcMax: 40 * PS });
  const vfs = new Vfs({ root: fs });
  const p = vfs.process({ umask: 0 });
  const mm = new Mm({ ram, pageCache: fs.pageCache, hardwareDirty });
  const as = mm.createAddressSpace();
  const fd = p.open('/m', O_RDWR | O_CREAT, 0o644);
  // The file starts whole and committed, its pages dropped: the first accesses read it through the ARC.
  p.write(fd, initial(), 0, INITIAL, 0);
  p.sync();
  fs.dropPageCache();
  const va = mmapFd(p, as, 0, MAX, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  return { fs, mm, p, fd, va };
}

const INITIAL = 80 * PS;
function initial(): Uint8Array {
  return new Uint8Array(INITIAL).map((_, i) => (i * 13 + (i >> 12)) & 255);
}
function model(): Model {
  const data = new Uint8Array(MAX);
  data.set(initial());
  return { data, size: INITIAL };
}

function audit(r: Real): void {
  const a = r.mm.fsck();
  if (a.length > 0) throw new Error(`mm fsck: ${a.slice(0, 3).join('; ')}`);
  const b = r.fs.auditFrames(otherFrames(r.mm));
  if (b.length > 0) throw new Error(`frame audit: ${b.slice(0, 3).join('; ')}`);
}

const ran = { mapread: 0 };

class Write implements fc.Command<Model, Real> {
  constructor(readonly off: number, readonly len: number, readonly v: number, readonly mapped: boolean) {}
  check(m: Readonly<Model>) { return !this.mapped || this.off + this.len <= m.size; }
  run(m: Model, r: Real) {
    const b = new Uint8Array(this.len).fill(this.v);
    if (this.mapped) {
      if (r.mm.cpu.write(r.va + this.off, b) !== this.len) throw new Error(`${this}: ${JSON.stringify(r.mm.cpu.takeSignal())}`);
    } else r.p.write(r.fd, b, 0, this.len, this.off);
    if (this.off > m.size) m.data.fill(0, m.size, this.off);
    m.data.set(b, this.off);
    m.size = Math.max(m.size, this.off + this.len);
    audit(r);
  }
  toString() { return `${this.mapped ? 'mapwrite' : 'write'}(${this.off}, ${this.len}, ${this.v})`; }
}

class Read implements fc.Command<Model, Real> {
  constructor(readonly off: number, readonly len: number, readonly mapped: boolean) {}
  check(m: Readonly<Model>) { return this.off < m.size; }
  run(m: Model, r: Real) {
    const len = Math.min(this.len, m.size - this.off);
    const b = new Uint8Array(len);
    if (this.mapped) {
      ran.mapread++;
      if (r.mm.cpu.readInto(r.va + this.off, b, 0, len) !== len) throw new Error(`${this}: ${JSON.stringify(r.mm.cpu.takeSignal())}`);
    } else r.p.read(r.fd, b, 0, len, this.off);
    if (Buffer.compare(b, m.data.subarray(this.off, this.off + len)) !== 0) throw new Error(`${this} differs from the model`);
    if (this.mapped && m.size % PS !== 0) {
      const end = m.size - (m.size % PS) + PS;
      for (let x = m.size; x < end; x += 97) if (r.mm.cpu.load8(r.va + x) !== 0) throw new Error(`byte ${x} past EOF is not 0`);
    }
    audit(r);
  }
  toString() { return `${this.mapped ? 'mapread' : 'read'}(${this.off}, ${this.len})`; }
}

class Truncate implements fc.Command<Model, Real> {
  constructor(readonly size: number) {}
  check() { return true; }
  run(m: Model, r: Real) {
    r.p.ftruncate(r.fd, this.size);
    if (this.size > m.size) m.data.fill(0, m.size, this.size);
    m.size = this.size;
    audit(r);
  }
  toString() { return `truncate(${this.size})`; }
}

class Punch implements fc.Command<Model, Real> {
  constructor(readonly off: number, readonly len: number) {}
  check(m: Readonly<Model>) { return this.off < m.size; }
  run(m: Model, r: Real) {
    r.p.fallocate(r.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, this.off, this.len);
    m.data.fill(0, this.off, Math.min(m.size, this.off + this.len));
    audit(r);
  }
  toString() { return `punch(${this.off}, ${this.len})`; }
}

type OtherOp = 'msync' | 'fsync' | 'sync' | 'pressure' | 'arc-pressure' | 'remap';
class Other implements fc.Command<Model, Real> {
  constructor(readonly what: OtherOp) {}
  check() { return true; }
  run(_m: Model, r: Real) {
    if (this.what === 'msync') msync(r.mm.current!, r.va, MAX, MS_SYNC);
    else if (this.what === 'fsync') r.p.fsync(r.fd);
    else if (this.what === 'sync') r.p.sync(); // a txg: blocks on disk, so read back through the ARC
    else if (this.what === 'pressure') r.mm.reclaim.shrink(1 << 20);
    else if (this.what === 'arc-pressure') r.fs.pool.arc!.shrink(1 << 20); // the ARC's Ram shrinker
    else {
      munmap(r.mm.current!, r.va, MAX);
      r.va = mmapFd(r.p, r.mm.current!, 0, MAX, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0);
    }
    audit(r);
  }
  toString() { return this.what; }
}

const off = fc.integer({ min: 0, max: MAX - 1 });
const len = fc.integer({ min: 1, max: 6 * PS });
const cmds = [
  fc.tuple(off, len, fc.integer({ min: 1, max: 255 }), fc.boolean()).map(([o, l, v, mp]) => new Write(o, Math.min(l, MAX - o), v, mp)),
  fc.tuple(off, len, fc.boolean()).map(([o, l, mp]) => new Read(o, l, mp)),
  fc.tuple(off, len, fc.constant(true)).map(([o, l, mp]) => new Read(o, l * 4, mp)),
  fc.integer({ min: 0, max: MAX }).map((s) => new Truncate(s)),
  fc.tuple(off, len).map(([o, l]) => new Punch(o, l)),
  fc.constantFrom<OtherOp>('msync', 'fsync', 'sync', 'sync', 'pressure', 'arc-pressure', 'remap').map((w) => new Other(w)),
];

for (const mmapCache of MODES) {
  for (const hardwareDirty of [false, true]) {
    t.test(`fc.commands coherence model on zfs-lite, ${mmapCache} mmap cache${hardwareDirty ? ', hardware DBM' : ''}, 160 frames shared by ARC and page cache`, async (t) => {
      const seed = Number(process.env.FSX_SEED ?? 11);
      const numRuns = Number(process.env.FSX_RUNS ?? 15);
      const mapread0 = ran.mapread;
      const reals: Real[] = [];
      fc.assert(
        fc.property(fc.commands(cmds, { maxCommands: 60, size: 'large' }), (c) => {
          fc.modelRun(() => {
            const r = real(mmapCache, hardwareDirty);
            reals.push(r);
            return { model: model(), real: r };
          }, c);
        }),
        { seed, numRuns },
      );
      const sum = (k: 'borrows' | 'shareBreaks' | 'revokes'): number => reals.reduce((n, r) => n + r.fs.pageCache.stats[k], 0);
      t.ok(ran.mapread > mapread0, `${numRuns} runs from seed ${seed}: ${ran.mapread - mapread0} mapped reads checked`);
      if (mmapCache === 'shared') {
        t.ok(sum('borrows') > 0, `${sum('borrows')} pages borrowed from the ARC`);
        t.ok(sum('shareBreaks') > 0, `${sum('shareBreaks')} shares broken by stores`);
        t.ok(sum('revokes') > 0, `${sum('revokes')} borrowed pages revoked by ARC eviction`);
      } else t.equal(sum('borrows'), 0, 'double caching borrows nothing');
    });
  }
}
