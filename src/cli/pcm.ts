// `vfsim pcm wear [--json]`: PCM wear after a file-churn workload on pcmfs, with its wear levelling
// (rotating block and inode-slot allocation) and without it (lowest free first), side by side: max and
// mean writes per 64-byte line and per 256-byte XPLine (Izraelevitz et al. 2019 §3), the fraction of the
// cell endurance the hottest line used (Lee et al., ISCA 2009: ~10^8 writes), and a log2 histogram chart.

import type { Command } from 'commander';
import { PcmDevice } from '../hw/pcm/pcm.js';
import type { WearReport } from '../hw/pcm/wear.js';
import { Prng } from '../sim/prng.js';
import { Vfs } from '../../vfs/vfs.js';
import { O_CREAT, O_RDWR } from '../../vfs/constants.js';
import { FsError, fsErr } from '../../vfs/errno.js';
import { PcmFs, fsckPcm, type RecoveryReport } from '../../fs-nvm/index.js';
import { PcmCrashReplayer } from '../hw/pcm/crash.js';
import { PcmEvent } from '../hw/pcm/trace.js';
import { WorkloadExecutor, formatCall } from '../testing/crash/workload.js';
import { aceRandomWorkloads } from '../testing/crash/ace.js';
import { snapshotBackend } from '../testing/crash/snapshot.js';

export interface WearRun {
  rotate: boolean;
  report: WearReport;
  hottest: { line: number; writes: number }[];
  /** Virtual time the workload took on the modelled machine (ns). */
  virtualNs: number;
  ops: number;
}

/**
 * The churn: `ops` seeded operations over 48 files on an 8 MiB pcmfs — overwrites and appends of 1–16
 * KiB, truncates, unlink + re-create, renames — what a small file server does to its disk.
 */
export function wearWorkload(rotate: boolean, ops: number, seed: number): WearRun {
  const dev = new PcmDevice({ bytes: 8 << 20 });
  PcmFs.mkfs(dev);
  const fs = PcmFs.mount(dev, { rotate });
  dev.wear.reset();
  const t0 = dev.clock.now;
  const p = new Vfs({ root: fs, clock: dev.clock }).root;
  const prng = new Prng(seed);
  const buf = new Uint8Array(16 << 10);
  for (let i = 0; i < buf.length; i++) buf[i] = i & 255;
  p.mkdir('/d', 0o755);
  for (let i = 0; i < ops; i++) {
    const f = `/d/f${prng.below(48)}`;
    try {
      switch (prng.below(6)) {
        case 0: case 1: case 2: {
          const fd = p.open(f, O_CREAT | O_RDWR, 0o644);
          const len = 1024 * (1 + prng.below(16));
          p.write(fd, buf, 0, len, prng.chance(0.5) ? 0 : p.fstat(fd).size);
          p.close(fd);
          break;
        }
        case 3: p.truncate(f, prng.below(8) * 1024); break;
        case 4: p.unlink(f); break;
        case 5: p.rename(f, `/d/f${prng.below(48)}`); break;
      }
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      if (e.code === 'ENOSPC') p.unlink(f);
    }
  }
  return { rotate, report: dev.wear.report(), hottest: dev.wear.hottestLines(5), virtualNs: dev.clock.now - t0, ops };
}

/** An ASCII histogram of the log2 buckets of line writes, both runs side by side. */
export function wearChart(a: WearRun, b: WearRun, width = 40): string {
  const ha = a.report.lines.histogram, hb = b.report.lines.histogram;
  const n = Math.max(ha.length, hb.length);
  let max = 1;
  for (let i = 1; i < n; i++) max = Math.max(max, ha[i] ?? 0, hb[i] ?? 0);
  const bar = (v: number, ch: string): string => ch.repeat(v === 0 ? 0 : Math.max(1, Math.round((Math.log2(1 + v) / Math.log2(1 + max)) * width)));
  const out: string[] = [`lines by writes (log scale bars; # = ${a.rotate ? 'levelled' : 'plain'}, = = ${b.rotate ? 'levelled' : 'plain'})`];
  for (let i = 1; i < n; i++) {
    const lo = 2 ** (i - 1), hi = 2 ** i - 1;
    const label = (lo === hi ? `${lo}` : `${lo}-${hi}`).padStart(13);
    out.push(`${label} | ${bar(ha[i] ?? 0, '#').padEnd(width)} ${String(ha[i] ?? 0).padStart(7)}`);
    out.push(`${''.padStart(13)} | ${bar(hb[i] ?? 0, '=').padEnd(width)} ${String(hb[i] ?? 0).padStart(7)}`);
  }
  out.push(`${'never'.padStart(13)} | ${String(ha[0] ?? 0).padStart(width + 8)}`);
  out.push(`${''.padStart(13)} | ${String(hb[0] ?? 0).padStart(width + 8)}`);
  return out.join('\n');
}

export interface RecoverDemo {
  calls: string[];
  /** The call the power failed in (or after), and whether it had returned. */
  call: number;
  returned: boolean;
  pending: number;
  kept: number;
  recovery: RecoveryReport;
  fsck: string[];
  tree: string[];
}

/**
 * A power failure at a seeded point of a seeded ACE-style workload on pcmfs (just before a fence, a
 * seeded half of the pending 8-byte pieces kept), then a mount: what recovery found and did.
 */
export function recoverDemo(seed: number): RecoverDemo {
  const dev = new PcmDevice({ bytes: 512 << 10 });
  PcmFs.mkfs(dev);
  const fs = PcmFs.mount(dev);
  const ex = new WorkloadExecutor(new Vfs({ root: fs, clock: dev.clock }).root);
  const wl = aceRandomWorkloads(seed, 1, 6)[0]!;
  const trace = dev.startTrace();
  wl.calls.forEach((c, i) => {
    dev.mark(2 * i);
    ex.run(c);
    dev.mark(2 * i + 1);
  });
  dev.stopTrace();
  const prng = new Prng(seed);
  const fences = trace.indicesOf(PcmEvent.Fence);
  const cut = fences[prng.below(fences.length)]!;
  let lastMark = -1;
  for (let i = 0; i < cut; i++) if (trace.kind[i] === PcmEvent.Mark) lastMark = trace.a[i]!;
  const states = new PcmCrashReplayer(trace).at(cut);
  const sel = new Uint8Array(states.count);
  let kept = 0;
  for (let i = 0; i < sel.length; i++) kept += sel[i] = prng.chance(0.5) ? 1 : 0;
  const m = new PcmDevice({ bytes: dev.size, image: states.materialize(sel) });
  const r = PcmFs.mount(m);
  return {
    calls: wl.calls.map(formatCall), call: lastMark >> 1, returned: (lastMark & 1) === 1, pending: states.count, kept,
    recovery: r.recovery, fsck: fsckPcm(r).problems, tree: snapshotBackend(r).split('\n'),
  };
}

export function register(program: Command): void {
  const pcm = program.command('pcm').description('phase-change memory: wear reports, recovery after a power failure');
  pcm
    .command('recover')
    .description('cut the power inside a seeded workload on pcmfs, mount, and show what recovery did')
    .option('--seed <s>', 'workload and crash-point seed', '1')
    .option('--json', 'print JSON for machines', false)
    .action((o: { seed: string; json: boolean }) => {
      const seed = Number(o.seed);
      if (!Number.isSafeInteger(seed)) throw fsErr('EINVAL', '--seed', o.seed);
      const d = recoverDemo(seed);
      if (o.json) {
        process.stdout.write(JSON.stringify(d) + '\n');
        return;
      }
      const out = ['workload:', ...d.calls.map((c, i) => `  ${String(i).padStart(2)} ${c}${i === d.call ? (d.returned ? '   <- power failed after this returned' : '   <- power failed inside this call') : ''}`),
        `pending 8-byte pieces at the failure: ${d.pending}, of which reached the media: ${d.kept}`, '', 'recovery (mount):'];
      const r = d.recovery;
      for (const [k, v] of [['journal words rolled back', r.journalRolledBack], ['uncommitted log tails', r.uncommittedTails], ['live inodes', r.inodes], ['orphan inodes freed', r.orphanInodes],
        ['leaked blocks freed', r.leakedBlocks], ['log pages', r.logPages], ['data blocks', r.dataBlocks], ['free blocks', r.freeBlocks],
        ['virtual time', `${(r.ns / 1000).toFixed(1)} us`]] as const) out.push(`  ${String(k).padEnd(26)} ${v}`);
      out.push(`fsck: ${d.fsck.length === 0 ? 'clean' : d.fsck.join('; ')}`, '', 'recovered tree:', ...d.tree.map((l) => `  ${l}`));
      process.stdout.write(out.join('\n') + '\n');
    });
  pcm
    .command('wear')
    .description('wear of the PCM after a file-churn workload on pcmfs, with and without wear levelling')
    .option('--ops <n>', 'operations in the workload', '4000')
    .option('--seed <s>', 'workload seed', '1')
    .option('--json', 'print JSON for machines', false)
    .action((o: { ops: string; seed: string; json: boolean }) => {
      const ops = Number(o.ops), seed = Number(o.seed);
      if (!Number.isSafeInteger(ops) || ops < 1) throw fsErr('EINVAL', '--ops', o.ops);
      if (!Number.isSafeInteger(seed)) throw fsErr('EINVAL', '--seed', o.seed);
      const on = wearWorkload(true, ops, seed), off = wearWorkload(false, ops, seed);
      if (o.json) {
        const j = (r: WearRun): object => ({
          lines: r.report.lines, xplines: r.report.units, lifeUsed: r.report.lifeUsed, hottest: r.hottest, virtualNs: r.virtualNs,
        });
        process.stdout.write(JSON.stringify({ ops, seed, enduranceWrites: on.report.enduranceWrites, levelled: j(on), plain: j(off) }) + '\n');
        return;
      }
      const row = (k: string, f: (r: WearRun) => string): string => `${k.padEnd(30)} ${f(on).padStart(14)} ${f(off).padStart(14)}`;
      const lines = [
        `pcmfs on 8 MiB PCM, ${ops} file operations (seed ${seed})`,
        `${''.padEnd(30)} ${'levelled'.padStart(14)} ${'plain'.padStart(14)}`,
        row('line writes: max', (r) => String(r.report.lines.max)),
        row('line writes: mean', (r) => r.report.lines.mean.toFixed(2)),
        row('line writes: max / mean', (r) => (r.report.lines.max / Math.max(r.report.lines.mean, 1e-9)).toFixed(1)),
        row('XPLine writes: max', (r) => String(r.report.units.max)),
        row('XPLine writes: mean', (r) => r.report.units.mean.toFixed(2)),
        row('lines never written', (r) => String(r.report.lines.histogram[0] ?? 0)),
        row('hottest line', (r) => (r.hottest[0] ? `#${r.hottest[0].line}` : '-')),
        row('life used by hottest line', (r) => r.report.lifeUsed.toExponential(2)),
        row('virtual time (modelled)', (r) => `${(r.virtualNs / 1e6).toFixed(2)} ms`),
        '',
        wearChart(on, off),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
