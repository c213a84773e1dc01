// pcmfs mount-time recovery: a foreign or damaged image is refused with EINVAL or EIO and never crashes
// or hangs (fuzzed with random corruptions of a real image); an armed journal is rolled back (NOVA
// FAST 2016 §4.1 lightweight journal, §4.3 recovery); uncommitted log tails are ignored.

import t from 'tap';
import { Vfs } from '../../vfs/vfs.js';
import { PcmFs, fsckPcm } from '../../fs-nvm/index.js';
import { PcmDevice } from '../../src/hw/pcm/pcm.js';
import { PcmCrashReplayer } from '../../src/hw/pcm/crash.js';
import { PcmEvent } from '../../src/hw/pcm/trace.js';
import { Prng } from '../../src/sim/prng.js';
import { FsError } from '../../vfs/errno.js';
import { tree, put } from '../vfs/helpers.js';

function mountCode(dev: PcmDevice): string {
  try {
    PcmFs.mount(dev);
    return 'ok';
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
}

function realImage(): { dev: PcmDevice; image: Uint8Array } {
  const fs = PcmFs.create(256 << 10);
  const p = new Vfs({ root: fs }).root;
  p.mkdir('/d', 0o755);
  for (let i = 0; i < 6; i++) put(p, `/d/f${i}`, `file ${i} `.repeat(300 * i + 1));
  p.link('/d/f1', '/l');
  p.rename('/d/f2', '/r');
  p.symlink('/d/f3', '/s');
  const dev = fs.dev as PcmDevice;
  return { dev, image: dev.durableImage() };
}

t.test('a blank or foreign image is EINVAL; a damaged superblock EIO; a wrong version EINVAL', async (t) => {
  const dev = new PcmDevice({ bytes: 256 << 10 });
  t.equal(mountCode(dev), 'EINVAL', 'all zeros: no pcmfs magic');
  const { image } = realImage();
  const d2 = new PcmDevice({ bytes: 256 << 10, image });
  d2.store8(20, 0x55); // inside the superblock's geometry words
  t.equal(mountCode(d2), 'EIO', 'checksum mismatch');
  const d3 = new PcmDevice({ bytes: 256 << 10, image });
  d3.store8(8, 9); // version
  t.equal(mountCode(d3), 'EINVAL');
  const d4 = new PcmDevice({ bytes: 512 << 10 });
  d4.write(0, image.subarray(0, 4096));
  t.equal(mountCode(d4), 'EINVAL', 'an image of another size');
  t.equal(mountCode(new PcmDevice({ bytes: 256 << 10, image })), 'ok');
});

t.test('fuzz: random corruptions of a real image mount consistently or are refused with EINVAL/EIO', async (t) => {
  const { image } = realImage();
  const prng = new Prng(20261125);
  const dev = new PcmDevice({ bytes: image.length, image });
  const outcomes = new Map<string, number>();
  const metaEnd = 64 * 4096; // whole device: metadata and data blocks alike
  for (let run = 0; run < 400; run++) {
    dev.loadImage(image);
    const flips = 1 + prng.below(8);
    for (let k = 0; k < flips; k++) {
      // Bias half the corruptions to the first blocks, where the superblock, journal, table and logs live.
      const off = prng.chance(0.5) ? prng.below(16 * 4096) : prng.below(metaEnd);
      dev.store8(off, prng.below(256));
    }
    dev.persistAll();
    let code: string;
    try {
      const fs = PcmFs.mount(dev);
      tree(new Vfs({ root: fs }).root);
      code = fsckPcm(fs).problems.length === 0 ? 'ok' : 'ok-fsck';
    } catch (e) {
      if (!(e instanceof FsError)) throw new Error(`run ${run}: ${String(e)}`);
      code = e.code;
    }
    outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
  }
  t.comment(JSON.stringify(Object.fromEntries(outcomes)));
  for (const k of outcomes.keys()) t.ok(['ok', 'ok-fsck', 'EIO', 'EINVAL'].includes(k), `outcome ${k}`);
  t.ok((outcomes.get('EIO') ?? 0) > 0, 'some corruptions are detected (checksums, pointers)');
  t.ok((outcomes.get('ok') ?? 0) > 0, 'corruptions of unused space are harmless');
});

t.test('a rename cut after the journal was armed is rolled back at mount (state before the rename)', async (t) => {
  const fs = PcmFs.create(256 << 10);
  const dev = fs.dev as PcmDevice;
  const p = new Vfs({ root: fs }).root;
  p.mkdir('/a', 0o755);
  p.mkdir('/b', 0o755);
  put(p, '/a/x', 'x');
  const before = tree(p);
  const trace = dev.startTrace();
  fs.rename(fs.lookup(1, 'a'), 'x', fs.lookup(1, 'b'), 'y', 0);
  dev.stopTrace();
  const after = tree(p);
  // Fences of a journaled commit: entries, journal pairs, journal count, new values, count cleared.
  const fences = trace.indicesOf(PcmEvent.Fence);
  t.equal(fences.length, 5, 'five fences');
  const rep = new PcmCrashReplayer(trace);
  const m = new PcmDevice({ bytes: dev.size });
  const states = (cut: number): string[] => {
    const s = rep.at(cut);
    m.loadImage(s.image);
    const all = new Uint8Array(s.count).fill(1);
    s.applyTo(m, all); // every pending piece made it: the latest image at this cut
    const f = PcmFs.mount(m);
    return [String(f.recovery.journalRolledBack), ...tree(new Vfs({ root: f }).root)];
  };
  const armed = states(fences[3]! + 0); // new values written, count still armed
  t.equal(armed[0], '2', 'two commit words restored');
  t.same(armed.slice(1), before);
  const done = states(fences[4]! + 1);
  t.equal(done[0], '0');
  t.same(done.slice(1), after);
});

t.test('an uncommitted log tail is ignored: entries written but their commit not durable', async (t) => {
  const fs = PcmFs.create(256 << 10);
  const dev = fs.dev as PcmDevice;
  const p = new Vfs({ root: fs }).root;
  put(p, '/f', 'old');
  const before = tree(p);
  const trace = dev.startTrace();
  fs.mkdir(1, 'newdir', { mode: 0o40755, uid: 0, gid: 0, rdev: 0, timeSec: 1, timeNsec: 0 });
  dev.stopTrace();
  const fences = trace.indicesOf(PcmEvent.Fence);
  const s = new PcmCrashReplayer(trace).at(fences[1]!); // entries durable, commit word pending
  const m = new PcmDevice({ bytes: dev.size });
  m.loadImage(s.image);
  const f = PcmFs.mount(m);
  t.same(tree(new Vfs({ root: f }).root), before);
  t.equal(f.recovery.orphanInodes, 1, 'the new inode, never named, is freed');
  t.equal(f.recovery.uncommittedTails, 1, "the parent's uncommitted entry is seen and ignored");
  t.same(fsckPcm(f).problems, []);
});

t.test('vfsim pcm recover: power failures inside seeded workloads; mount reports what it did, fsck clean', async (t) => {
  const { recoverDemo } = await import('../../src/cli/pcm.js');
  let journal = 0, orphans = 0;
  for (let seed = 1; seed <= 25; seed++) {
    const d = recoverDemo(seed);
    t.same(d.fsck, [], `seed ${seed}: fsck clean after recovery`);
    journal += d.recovery.journalRolledBack;
    orphans += d.recovery.orphanInodes;
  }
  t.ok(journal > 0, 'some failures hit an armed journal (rolled back)');
  t.ok(orphans > 0, 'some left an unnamed inode (freed)');
});
