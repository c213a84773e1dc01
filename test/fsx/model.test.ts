// Model-based coherence suite (fast-check fc.commands, shrinking a failure to the shortest sequence):
// the fsx mix — write(), read(), store and load through a shared mapping, msync, truncate up and down,
// punch hole, reopen, memory pressure — against a plain byte-array model of the file. The real side is
// the store backend in 256 KiB of RAM (64 frames: reclaim runs constantly) behind the VFS and the MMU.
// Fixed seeds in npm test; FSX_SEED / FSX_RUNS go longer on demand.

import t from 'tap';
import fc from 'fast-check';
import { setup } from '../mm/mm-helpers.js';
import { mmapFd } from '../../vfs/mmap-fd.js';
import { msync, munmap } from '../../src/mm/mmap.js';
import { MAP_SHARED, MS_SYNC, PROT_READ, PROT_WRITE } from '../../src/mm/mman.js';
import { FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, O_CREAT, O_RDWR } from '../../vfs/constants.js';

const MAX = 64 * 1024;
const PS = 4096;

interface Model { data: Uint8Array; size: number }
type Real = ReturnType<typeof setup> & { fd: number; va: number };

/** The whole file's window, mapped once, MAX bytes (pages past EOF SIGBUS, as mmap(2) says). */
function real(hardwareDirty: boolean): Real {
  const s = setup({ fs: 'store', ramMiB: 0.25, hardwareDirty });
  const fd = s.p.open('/m', O_RDWR | O_CREAT, 0o644);
  const va = mmapFd(s.p, s.as, 0, MAX, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  return { ...s, fd, va };
}

const ran = { mapwrite: 0, mapread: 0 };
/** After every command: the descriptors, the rmap and the page cache agree (Mm.fsck). */
function audit(r: Real): void {
  const p = r.mm.fsck();
  if (p.length > 0) throw new Error(`mm fsck: ${p.slice(0, 3).join('; ')}`);
}
const fill = (n: number, v: number) => new Uint8Array(n).fill(v);

class Write implements fc.Command<Model, Real> {
  constructor(readonly off: number, readonly len: number, readonly v: number, readonly mapped: boolean) {}
  check(m: Readonly<Model>) { return !this.mapped || this.off + this.len <= m.size; }
  run(m: Model, r: Real) {
    const b = fill(this.len, this.v);
    if (this.mapped) {
      ran.mapwrite++;
      if (r.cpu.write(r.va + this.off, b) !== this.len) throw new Error(`${this}: ${JSON.stringify(r.cpu.takeSignal())}`);
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
      if (r.cpu.readInto(r.va + this.off, b, 0, len) !== len) throw new Error(`${this}: ${JSON.stringify(r.cpu.takeSignal())}`);
    }
    else r.p.read(r.fd, b, 0, len, this.off);
    if (Buffer.compare(b, m.data.subarray(this.off, this.off + len)) !== 0) throw new Error(`${this} differs from the model`);
    if (this.mapped && m.size % PS !== 0) {
      // mmap(2): the rest of the last page reads as zeros.
      const end = m.size - (m.size % PS) + PS;
      for (let x = m.size; x < end; x += 97) if (r.cpu.load8(r.va + x) !== 0) throw new Error(`byte ${x} past EOF is not 0`);
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
    if (r.p.fstat(r.fd).size !== m.size) throw new Error('size differs');
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

class Other implements fc.Command<Model, Real> {
  constructor(readonly what: 'msync' | 'fsync' | 'pressure' | 'reopen' | 'remap') {}
  check() { return true; }
  run(_m: Model, r: Real) {
    if (this.what === 'msync') msync(r.as, r.va, MAX, MS_SYNC);
    else if (this.what === 'fsync') r.p.fsync(r.fd);
    else if (this.what === 'pressure') r.mm.reclaim.shrink(1 << 20);
    else if (this.what === 'reopen') { r.p.close(r.fd); r.fd = r.p.open('/m', O_RDWR, 0); }
    else { munmap(r.as, r.va, MAX); r.va = mmapFd(r.p, r.as, 0, MAX, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0); }
    audit(r);
  }
  toString() { return this.what; }
}

const off = fc.integer({ min: 0, max: MAX - 1 });
const len = fc.integer({ min: 1, max: 3 * PS });
const cmds = [
  fc.tuple(off, len, fc.integer({ min: 1, max: 255 }), fc.boolean()).map(([o, l, v, mp]) => new Write(o, Math.min(l, MAX - o), v, mp)),
  fc.tuple(off, len, fc.boolean()).map(([o, l, mp]) => new Read(o, l, mp)),
  fc.integer({ min: 0, max: MAX }).map((s) => new Truncate(s)),
  fc.tuple(off, len).map(([o, l]) => new Punch(o, l)),
  fc.constantFrom('msync', 'fsync', 'pressure', 'reopen', 'remap').map((w) => new Other(w as Other['what'])),
];

for (const hardwareDirty of [false, true]) {
  t.test(`fsx mix against a byte-array model, store backend in 64 frames${hardwareDirty ? ', hardware DBM' : ''}`, async (t) => {
    const seed = Number(process.env.FSX_SEED ?? 42);
    const numRuns = Number(process.env.FSX_RUNS ?? 80);
    fc.assert(
      fc.property(fc.commands(cmds, { maxCommands: 60 }), (c) => {
        fc.modelRun(() => ({ model: { data: new Uint8Array(MAX), size: 0 }, real: real(hardwareDirty) }), c);
      }),
      { seed, numRuns },
    );
    t.ok(ran.mapwrite > 0 && ran.mapread > 0, `${numRuns} runs from seed ${seed}: ${ran.mapwrite} mapped writes, ${ran.mapread} mapped reads checked`);
  });
}
