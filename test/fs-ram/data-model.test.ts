// fsx-style property test of ramfs file data through the Backend methods (xfstests ltp/fsx.c: every
// written byte is the operation number, every read is checked against a model buffer), on two files
// sharing a small size limit so that ENOSPC and short writes happen. Also checks what stat(2) and
// statfs(2) report: st_size, st_blocks (allocated 512-byte units, holes excluded) and f_bfree.

import t from 'tap';
import fc from 'fast-check';
import { RamFs } from '../../fs-ram/index.js';
import { Ram } from '../../src/hw/ram.js';
import { S_IFREG } from '../../vfs/constants.js';
import { isFsError } from '../../vfs/errno.js';

const PS = 4096;
const MAXF = 10 * PS;

type Op =
  | { k: 'write'; f: number; pos: number; len: number }
  | { k: 'read'; f: number; pos: number; len: number }
  | { k: 'truncate'; f: number; size: number }
  | { k: 'punch'; f: number; pos: number; len: number };

const pos = (max: number): fc.Arbitrary<number> =>
  fc.oneof(fc.nat(max), fc.tuple(fc.nat(max / PS), fc.constantFrom(-1, 0, 1)).map(([p, d]) => Math.max(0, p * PS + d)));
const file = fc.nat(1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('write' as const), f: file, pos: pos(MAXF), len: pos(3 * PS) }),
  fc.record({ k: fc.constant('write' as const), f: file, pos: pos(MAXF), len: fc.nat(64) }),
  fc.record({ k: fc.constant('read' as const), f: file, pos: pos(MAXF + PS), len: pos(3 * PS) }),
  fc.record({ k: fc.constant('truncate' as const), f: file, size: pos(MAXF) }),
  fc.record({ k: fc.constant('punch' as const), f: file, pos: pos(MAXF), len: pos(3 * PS).map((l) => Math.max(1, l)) }),
);

function run(ops: Op[]): void {
  const ram = new Ram({ bytes: 64 * PS });
  const fs = new RamFs({ ram, sizeLimit: 12 * PS });
  const node = { mode: S_IFREG | 0o644, uid: 0, gid: 0, rdev: 0, timeSec: 0, timeNsec: 0 };
  const inos = [fs.create(fs.rootIno, 'a', node), fs.create(fs.rootIno, 'b', node)];
  const models = [new Uint8Array(0), new Uint8Array(0)];
  ops.forEach((op, n) => {
    const ino = inos[op.f]!;
    let model = models[op.f]!;
    const byte = (n + 1) & 255 || 1;
    switch (op.k) {
      case 'write': {
        const src = new Uint8Array(op.len).fill(byte);
        let w: number;
        try {
          w = fs.write(ino, op.pos, src, 0, op.len);
        } catch (e) {
          if (!isFsError(e, 'ENOSPC')) throw e;
          // ENOSPC is right only when no frame is left (write(2)); the model stays as it was.
          if (fs.statfs().bfree !== 0) throw new Error(`op ${n}: ENOSPC with space left`);
          w = 0;
        }
        if (w > op.len) throw new Error(`op ${n}: wrote ${w} of ${op.len}`);
        const end = op.pos + w;
        if (w > 0 && end > model.length) {
          const g = new Uint8Array(end);
          g.set(model);
          model = g;
        }
        model.fill(byte, op.pos, op.pos + w);
        if (w < op.len && fs.statfs().bfree !== 0) throw new Error(`op ${n}: short write with space left`);
        break;
      }
      case 'read': {
        const out = new Uint8Array(op.len);
        const r = fs.read(ino, op.pos, out, 0, op.len);
        const want = Math.max(0, Math.min(op.len, model.length - op.pos));
        if (r !== want) throw new Error(`op ${n}: read ${r}, expected ${want}`);
        if (!Buffer.from(out.buffer, 0, r).equals(model.subarray(op.pos, op.pos + r))) throw new Error(`op ${n}: data differs`);
        break;
      }
      case 'truncate': {
        fs.truncate(ino, op.size);
        const g = new Uint8Array(op.size);
        g.set(model.subarray(0, op.size));
        model = g;
        break;
      }
      case 'punch':
        fs.punchHole!(ino, op.pos, op.len);
        model.fill(0, op.pos, Math.min(model.length, op.pos + op.len));
        break;
    }
    models[op.f] = model;
    let frames = 0;
    for (let i = 0; i < 2; i++) {
      const a = fs.getattr(inos[i]!);
      const pages = fs.pager(inos[i]!)!.nrPages;
      frames += pages;
      if (a.size !== models[i]!.length) throw new Error(`op ${n}: file ${i} size ${a.size}, model ${models[i]!.length}`);
      if (a.blocks !== pages * (PS / 512)) throw new Error(`op ${n}: file ${i} blocks ${a.blocks} for ${pages} pages`);
      if (pages > Math.ceil(a.size / PS)) throw new Error(`op ${n}: file ${i} holds pages past its end`);
    }
    if (frames !== ram.usedFrames || frames !== fs.budget.used) throw new Error(`op ${n}: frame accounting`);
    if (fs.statfs().bfree !== 12 - frames) throw new Error(`op ${n}: bfree ${fs.statfs().bfree}`);
    const problems = fs.fsck();
    if (problems.length > 0) throw new Error(`op ${n}: fsck: ${problems.join('; ')}`);
  });
}

t.test('property: ramfs data ops on two files under a size limit agree with byte models (fsx), seeded', async (t) => {
  fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 80, size: 'large' }), run), { seed: 21, numRuns: 300 });
  t.pass('300 sequences agreed');
});
