// The crash explorer itself: a fixed-seed ACE-style random run on pcmfs finds nothing; pcmfs with the
// fence between log entries and their commit left out (a test-only flag) is caught, and the violation
// replays; the oracle rejects lost completed calls and torn in-flight ones (a fake target whose images
// are chosen here), so a pass means something. Rules: Chipmunk's oracle (EuroSys '23), ACE's workload
// shape (OSDI '18), the PCM persistence model (src/hw/pcm: unfenced 8-byte pieces may be lost).

import t from 'tap';
import { aceRandomWorkloads, pcmfsTarget, replayViolation, runWorkload, snapshotBackend, type Workload } from '../../src/testing/crash/index.js';
import { createRamFs } from '../../fs-ram/index.js';
import { FsError } from '../../vfs/errno.js';
import { Vfs } from '../../vfs/vfs.js';
import { exploreClean, fakeTarget, stateAfter } from './helpers.js';
import { runCrash, replayFile } from '../../src/cli/crash.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

t.test('a fixed-seed random run (20 ACE-style workloads) on pcmfs: no violation', async (t) => {
  exploreClean(t, pcmfsTarget({ budget: { seed: 3 } }), aceRandomWorkloads(2026, 20, 5), 2000);
});

t.test('with spontaneous and capacity evictions (lines reaching the media early), still no violation', async (t) => {
  // Evictions make stores durable before their flush, in any order (Arm ARM: a line may be written back
  // at any time); NOVA-style ordering must not depend on them not happening.
  const target = pcmfsTarget({ cache: { sets: 16, ways: 2, evictProbability: 0.2, seed: 4 }, budget: { seed: 4 } });
  exploreClean(t, target, aceRandomWorkloads(77, 8, 5), 500);
});

t.test('pcmfs with a fence left out (test-only flag) is caught, and each violation replays', async (t) => {
  const broken = pcmfsTarget({ omitFence: true });
  const r = runWorkload(broken, { name: 'w', calls: [{ op: 'mkdir', path: 'A', mode: 0o755 }, { op: 'creat', path: 'A/foo' }, { op: 'rename', from: 'A/foo', to: 'bar' }] });
  t.ok(r.violations.length > 0, `${r.violations.length} violations`);
  const v = r.violations[0]!;
  t.ok(['mount', 'state', 'fsck'].includes(v.kind));
  t.type(v.replay.where.cut, 'number', 'the image is named by its trace cut and kept pieces');
  const again = replayViolation(broken, JSON.parse(JSON.stringify(v)));
  t.ok(again.rejected, `replayed from JSON: ${again.error ?? 'state rejected'}`);
  const fine = runWorkload(pcmfsTarget(), { name: 'w', calls: v.replay.workload.calls });
  t.equal(fine.violations.length, 0, 'the same workload passes with the fence in place');
});

t.test('pcmfs committing a cross-directory rename without its journal (test-only flag) is caught', async (t) => {
  // rename(2): "If newpath already exists, it will be atomically replaced"; a crash between the two
  // directories' commits leaves the file under both names or neither (NOVA's journal exists for this).
  const wl: Workload = { name: 'xdir', calls: [{ op: 'mkdir', path: 'A', mode: 0o755 }, { op: 'mkdir', path: 'B', mode: 0o755 }, { op: 'creat', path: 'A/foo' }, { op: 'rename', from: 'A/foo', to: 'B/bar' }] };
  const r = runWorkload(pcmfsTarget({ omitJournal: true }), wl);
  t.ok(r.violations.some((v) => v.callText === 'rename("A/foo", "B/bar")' && !v.returned), 'the rename is not atomic');
  t.equal(runWorkload(pcmfsTarget(), wl).violations.length, 0, 'with the journal it is');
});

t.test('the random generator mixes ACE operations over shared names, reproducibly', async (t) => {
  const a = aceRandomWorkloads(9, 30, 5), b = aceRandomWorkloads(9, 30, 5);
  t.same(a, b, 'same seed, same workloads');
  const ops = new Set(a.flatMap((w) => w.calls.map((c) => c.op)));
  for (const op of ['creat', 'mkdir', 'link', 'unlink', 'rename', 'write', 'truncate', 'fsync']) t.ok(ops.has(op as never), op);
});

t.test('the oracle rejects a lost completed call and accepts before/after for the call in flight (self-test)', async (t) => {
  const wl: Workload = { name: 'w', calls: [{ op: 'creat', path: 'a' }, { op: 'rename', from: 'a', to: 'b' }, { op: 'mkdir', path: 'd' }] };
  // Honest: inside call i the state before it; after it returned, the state after it.
  const honest = fakeTarget('fake', (call, returned) => stateAfter(wl, returned ? call + 1 : call));
  t.equal(runWorkload(honest, wl).violations.length, 0);
  // Lossy: after the rename returned, the image still shows the state before it.
  const lossy = fakeTarget('fake', (call, returned) => stateAfter(wl, call === 1 ? 1 : returned ? call + 1 : call));
  const v = runWorkload(lossy, wl).violations;
  t.equal(v.length, 1);
  t.equal(v[0]!.kind, 'state');
  t.equal(v[0]!.callText, 'rename("a", "b")');
  t.ok(v[0]!.returned);
  // Torn: inside the rename, both names gone (Vinter's test_rename finding on NOVA).
  const torn = fakeTarget('fake', (call, returned) => {
    const fs = stateAfter(wl, returned ? call + 1 : call);
    if (call === 1 && !returned) new Vfs({ root: fs }).root.unlink('/a');
    return fs;
  });
  const tv = runWorkload(torn, wl).violations;
  t.equal(tv.length, 1, 'an intermediate state inside the call is a violation');
  t.match(tv[0]!.detail, /missing/);
  t.not(snapshotBackend(stateAfter(wl, 1)), snapshotBackend(stateAfter(wl, 2)), 'the states differ, so the check can tell');
});

t.test('vfsim crash (runCrash): --random, a JSON workload file, --broken-fence, an unknown --fs', async (t) => {
  const r = runCrash({ fs: 'pcmfs', random: 3, seed: 5 });
  t.equal(r.workloads, 3);
  t.ok(r.crashStates > 0);
  t.equal(r.violations.length, 0);
  const dir = mkdtempSync(join(tmpdir(), 'vfsim-crash-'));
  const file = join(dir, 'w.json');
  writeFileSync(file, JSON.stringify([{ op: 'mkdir', path: 'A', mode: 0o755 }, { op: 'creat', path: 'A/f' }, { op: 'write', path: 'A/f', off: 0, len: 5000 }, { op: 'link', from: 'A/f', to: 'g' }]));
  const j = runCrash({ fs: 'pcmfs', workload: file, seed: 1 });
  t.equal(j.workloads, 1);
  t.equal(j.violations.length, 0);
  t.ok(runCrash({ fs: 'pcmfs', workload: file, seed: 1, brokenFence: true }).violations.length > 0, 'the broken variant is reported');
  t.throws(() => runCrash({ fs: 'ext4', random: 1, seed: 1 }), { code: 'EINVAL' });
  // --replay: the --json output saved, its violations rebuilt and rejected again.
  const broken = runCrash({ fs: 'pcmfs', workload: file, seed: 1, brokenFence: true });
  const saved = join(dir, 'out.json');
  writeFileSync(saved, JSON.stringify({ workloads: broken.workloads, crashStates: broken.crashStates, violations: broken.violations }));
  const again = replayFile(saved, true);
  t.equal(again.length, broken.violations.length);
  t.ok(again.every((r) => r.rejected), 'every saved violation reproduces');
  t.throws(() => replayFile(file, false), { code: 'EINVAL' }, 'a workload file is not a violation file');
});

t.test('the usability check (Chipmunk: delete everything deletable) reports a file that cannot be removed', async (t) => {
  const { usable } = await import('../../src/testing/crash/index.js');
  const { RamFs } = await import('../../fs-ram/index.js');
  const { Ram } = await import('../../src/hw/ram.js');
  class Stuck extends RamFs {
    override unlink(dir: number, name: string): void {
      if (name === 'stuck') throw new FsError('EIO');
      super.unlink(dir, name);
    }
  }
  const fs = new Stuck({ ram: new Ram({ bytes: 1 << 20 }) });
  const p = new Vfs({ root: fs }).root;
  p.mkdir('/d', 0o755);
  p.close(p.open('/d/stuck', 0o101, 0o644));
  t.equal(usable(fs), 'unlink /d/stuck: EIO');
  t.equal(usable(createRamFs({ ramBytes: 1 << 20 })), null, 'a healthy image is usable');
});
