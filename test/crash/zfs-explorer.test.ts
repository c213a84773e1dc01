// The crash explorer on ZFS-lite (issue 7): the block device's crash states (any subset of the writes
// cached since the last FLUSH, CrashMonkey OSDI '18) at every flush and FUA write and after every call;
// each imported (intent-log replay) and held to ZFS's rule: the last committed txg plus every fsync'ed
// operation replayed — the state after some prefix of the calls holding at least every call up to the
// last completed fsync/fdatasync/sync(2) ("fsync() transfers all modified in-core data ... to the disk
// device", fsync(2); zil_commit writes the whole log, so durable states are prefixes). A pool that writes
// its uberblock before its tree is flushed (test-only flag) must be caught.

import t from 'tap';
import {
  aceGeneratedWorkloads, aceRandomWorkloads, replayViolation, runWorkload, zfsLiteTarget, type CrashTarget, type Workload,
} from '../../src/testing/crash/index.js';
import { exploreClean, fakeTarget, stateAfter } from './helpers.js';
import { runCrash, replayFile } from '../../src/cli/crash.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const D = '/work/shared/data/crash/';

t.test('a fixed-seed random run (20 ACE-style workloads) on zfs-lite: no violation', async (t) => {
  exploreClean(t, zfsLiteTarget(), aceRandomWorkloads(2026, 20, 5), 200);
});

t.test('background txg commits between calls (zfs_txg_timeout 1 µs of virtual time): still no violation', async (t) => {
  // A crash may now land in a txg sync with no fsync in sight: the uberblock written after its tree is
  // flushed (spa_sync's order) must still give a prefix; the unsafe order is caught on the same workloads.
  let states = 0, caught = 0;
  const bad: string[] = [];
  for (const wl of aceRandomWorkloads(2026, 20, 5)) {
    const r = runWorkload(zfsLiteTarget({ txgTimeoutNs: 1000 }), wl);
    states += r.crashStates;
    for (const v of r.violations) bad.push(`${v.workload} ${v.kind} ${v.callText}: ${v.detail}`);
    if (runWorkload(zfsLiteTarget({ txgTimeoutNs: 1000, unsafeUberblockBeforeFlush: true }), wl, { maxViolations: 1 }).violations.length > 0) caught++;
  }
  t.ok(states > 800, `${states} crash states`);
  t.same(bad, []);
  t.ok(caught >= 5, `the unsafe pool caught in ${caught} of 20 workloads`);
  // The CLI path on two workloads shows --txg-timeout is wired through (each costs seconds); more is
  // `vfsim crash --fs zfs-lite --random 20 --length 5 --seed 2026 --txg-timeout 1000`.
  const cli = runCrash({ fs: 'zfs-lite', random: 2, length: 5, seed: 2026, txgTimeoutNs: 1000 });
  const lazy = runCrash({ fs: 'zfs-lite', random: 2, length: 5, seed: 2026 });
  t.equal(cli.violations.length, 0);
  t.ok(cli.crashStates > lazy.crashStates, `--txg-timeout 1000: ${cli.crashStates} states, ${lazy.crashStates} at the 5 s default`);
});

t.test('ACE seq-1 generated workloads (every 5th of 435, and one of each kind the stride misses) on zfs-lite: no violation', async (t) => {
  // All 435 take about 40 s here; `vfsim crash --fs zfs-lite --workload ../shared/data/crash/crashmonkey-ace-seq1-generated.jlang.zst`
  // runs them all. The fixed sample keeps every kind ACE generates: a kind is the workload's calls after its
  // set-up (open, close, mkdir), e.g. "opendir,rename,fsync"; the stride alone would miss 5 of the 36.
  const all = aceGeneratedWorkloads(D + 'crashmonkey-ace-seq1-generated.jlang.zst', 'ace-seq1');
  const kind = (wl: Workload): string => wl.calls.filter((c) => c.op !== 'open' && c.op !== 'close' && c.op !== 'mkdir').map((c) => c.op).join(',');
  const strided = new Set(all.filter((_, i) => i % 5 === 0).map(kind));
  const added = new Set<string>();
  const wls = all.filter((wl, i) => {
    if (i % 5 === 0) return true;
    const k = kind(wl);
    if (strided.has(k) || added.has(k)) return false;
    added.add(k);
    return true;
  });
  t.equal(all.length, 435, 'the archive holds 435 workloads');
  t.equal(new Set(wls.map(kind)).size, new Set(all.map(kind)).size, 'the sample has every kind of the full set');
  t.equal(wls.length, 92, '87 by stride and 5 for the kinds it misses');
  const persisting = wls.filter((wl) => wl.calls.some((c) => c.op === 'fsync' || c.op === 'fdatasync' || c.op === 'sync')).length;
  t.equal(persisting, wls.length, 'each persists with fsync/fdatasync/sync');
  exploreClean(t, zfsLiteTarget(), wls, 2500, { maxViolations: 1 });
});

t.test('zfs-lite writing its uberblock before the tree is flushed (test-only flag) is caught, and replays', async (t) => {
  const wl: Workload = {
    name: 'ub', calls: [
      { op: 'mkdir', path: 'A', mode: 0o755 }, { op: 'creat', path: 'A/foo' }, { op: 'write', path: 'A/foo', off: 0, len: 8192 },
      { op: 'sync' }, { op: 'rename', from: 'A/foo', to: 'bar' }, { op: 'sync' },
    ],
  };
  const broken = zfsLiteTarget({ unsafeUberblockBeforeFlush: true });
  const r = runWorkload(broken, wl);
  t.ok(r.violations.length > 0, `${r.violations.length} violations`);
  const v = r.violations[0]!;
  t.ok(['mount', 'state', 'fsck'].includes(v.kind), `${v.kind}: ${v.detail.slice(0, 80)}`);
  t.type(v.replay.where.cut, 'number', 'the image is named by its trace cut and kept writes');
  t.ok(replayViolation(broken, JSON.parse(JSON.stringify(v))).rejected, 'replayed from JSON, still rejected');
  const fine = runWorkload(zfsLiteTarget(), wl);
  t.equal(fine.violations.length, 0, 'the same workload passes on the safe pool');
  t.ok(fine.crashStates > 10, `${fine.crashStates} crash states`);
  // Through the CLI entry point too: a JSON workload file, --broken-uberblock, and --replay with --fs.
  const dir = mkdtempSync(join(tmpdir(), 'vfsim-zcrash-'));
  const file = join(dir, 'w.json');
  writeFileSync(file, JSON.stringify(wl.calls));
  const cli = runCrash({ fs: 'zfs-lite', workload: file, seed: 1, brokenUberblock: true });
  t.ok(cli.violations.length > 0, `CLI: ${cli.violations.length} violations in ${cli.crashStates} states`);
  const saved = join(dir, 'out.json');
  writeFileSync(saved, JSON.stringify({ violations: cli.violations }));
  t.ok(replayFile(saved, false, 'zfs-lite', true).every((x) => x.rejected), '--replay --fs zfs-lite --broken-uberblock reproduces each');
  const ok = runCrash({ fs: 'zfs-lite', random: 6, seed: 11 });
  t.equal(ok.violations.length, 0, `${ok.crashStates} states, none violating`);
  t.ok(ok.crashStates > 0);
  t.throws(() => runCrash({ fs: 'zfs-lite', random: 1, seed: 1, brokenFence: true }), { code: 'EINVAL' }, '--broken-fence is pcmfs only');
});

/** A target in 'fsync' mode whose images are ramfs trees after `image(call, returned)` calls. */
function fakeFsyncTarget(image: (call: number, returned: boolean) => number, wl: Workload): CrashTarget {
  return fakeTarget('fake-fsync', (call, returned) => stateAfter(wl, image(call, returned)), 'fsync');
}

t.test('the prefix oracle (self-test): unsynced calls may be lost, fsync\'ed ones may not, no state from the future', async (t) => {
  const wl: Workload = {
    name: 'p', calls: [
      { op: 'creat', path: 'a' }, { op: 'mkdir', path: 'd', mode: 0o755 }, { op: 'sync' }, { op: 'rename', from: 'a', to: 'd/b' }, { op: 'creat', path: 'c' },
    ],
  };
  // Nothing durable until the sync returns (calls 0-2), then nothing after it: allowed (ZFS without a txg commit).
  const lazy = fakeFsyncTarget((call, returned) => (call < 2 || (call === 2 && !returned) ? 0 : 3), wl);
  t.equal(runWorkload(lazy, wl).violations.length, 0, 'a crash may lose every call after the last sync');
  // Loses the synced mkdir after the sync returned.
  const lossy = fakeFsyncTarget((call, returned) => (call >= 3 ? 1 : returned ? call + 1 : call), wl);
  const v = runWorkload(lossy, wl).violations;
  t.ok(v.length > 0 && v.every((x) => x.kind === 'state'), 'losing a synced call is a violation');
  t.equal(v[0]!.call, 3);
  // Shows a call that had not started (the state after call 4 while call 3 runs).
  const future = fakeFsyncTarget((call) => (call === 3 ? 5 : 3), wl);
  const fv = runWorkload(future, wl).violations;
  t.ok(fv.some((x) => x.call === 3 && x.kind === 'state'), 'a state after a call not yet made is a violation');
  t.equal(zfsLiteTarget().durability, 'fsync', 'zfs-lite declares the fsync rule');
});
