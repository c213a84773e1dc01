// `vfsim crash --fs pcmfs|zfs-lite [--workload FILE | --random N] [--seed S] [--json]`: the crash-consistency
// explorer (src/testing/crash). Runs workloads (a JSON list of calls, ACE/Chipmunk j-lang files or
// archives, or ACE-style random ones), crashes at every fence (pcmfs) or flush/FUA (zfs-lite) and after
// every call, recovers each image and checks it against the states the calls allow (zfs-lite: a prefix of
// the calls holding every fsync'ed one); prints a table, or JSON with every violation.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { fsErr } from '../../vfs/errno.js';
import {
  aceRandomWorkloads, parseJlang, parseWorkloadJson, pcmfsTarget, zfsLiteTarget, replayViolation, runWorkload, splitRecords, untar, readZst,
  type CrashTarget, type JlangSkips, type Violation, type Workload,
} from '../testing/crash/index.js';

export interface CrashCliOptions {
  fs: string;
  workload?: string;
  random?: number;
  seed: number;
  /** Archives with both: which j-lang sequence set (1 or 2); all when absent. */
  seq?: number;
  /** Every k-th workload only. */
  every?: number;
  limit?: number;
  /** Test-only: pcmfs without the fence between log entries and their commit (the explorer must catch it). */
  brokenFence?: boolean;
  /** Test-only: zfs-lite writing its uberblock before the tree is flushed (the explorer must catch it). */
  brokenUberblock?: boolean;
  /** zfs-lite: virtual ns between background txg commits (zfs_txg_timeout; default 5 s, i.e. none in a workload). */
  txgTimeoutNs?: number;
  /** Calls per random workload (core operations, ACE's sequence length). */
  length?: number;
  progress?: (done: number, total: number) => void;
}

export interface CrashResult {
  workloads: number;
  crashStates: number;
  violations: Violation[];
  skipped: JlangSkips;
  seconds: number;
}

/** Workloads named by --workload: .json, a j-lang file, a .jlang.zst of records, or a .tar.zst archive. */
export function loadWorkloads(file: string, seq: number | undefined, skips: JlangSkips, every = 1, limit = Infinity): Workload[] {
  const keep = (i: number): boolean => i % every === 0 && i / every < limit;
  const raw = file.endsWith('.zst') ? readZst(file) : new Uint8Array(readFileSync(file));
  const name = basename(file);
  const dec = new TextDecoder();
  if (name.includes('.tar')) {
    const files = untar(raw)
      .filter((e) => /\/j-lang\d+$/.test(e.name) && (seq === undefined || e.name.includes(`/seq${seq}/`)))
      .map((e) => ({ key: e.name.replace(/\d+$/, ''), n: Number(/(\d+)$/.exec(e.name)![1]), e }))
      .sort((a, b) => (a.key === b.key ? a.n - b.n : a.key < b.key ? -1 : 1));
    return files.filter((_, i) => keep(i)).map(({ e }) => parseJlang(dec.decode(e.data), e.name, skips));
  }
  const text = dec.decode(raw);
  if (name.endsWith('.json')) return parseWorkloadJson(text, name).filter((_, i) => keep(i));
  if (text.includes('### ')) {
    // Generated files hold up to 466,382 records: parse only those kept.
    const out: Workload[] = [];
    splitRecords(text).forEach((r, i) => {
      if (keep(i)) out.push(parseJlang(r.text, `${name}/${r.name}`, skips));
    });
    return out;
  }
  return [parseJlang(text, name, skips)];
}

function target(o: CrashCliOptions): CrashTarget {
  if (o.fs === 'zfs-lite') {
    if (o.brokenFence === true) throw fsErr('EINVAL', '--broken-fence', 'pcmfs only');
    return zfsLiteTarget({
      unsafeUberblockBeforeFlush: o.brokenUberblock === true, ...(o.txgTimeoutNs !== undefined ? { txgTimeoutNs: o.txgTimeoutNs } : {}),
    });
  }
  if (o.fs !== 'pcmfs') throw fsErr('EINVAL', '--fs', `${o.fs} (crash states come from a device: pcmfs or zfs-lite)`);
  if (o.brokenUberblock === true) throw fsErr('EINVAL', '--broken-uberblock', 'zfs-lite only');
  return pcmfsTarget({ omitFence: o.brokenFence === true, budget: { seed: o.seed } });
}

/** Run the explorer as the command does (tests call this). */
export function runCrash(o: CrashCliOptions): CrashResult {
  const t0 = performance.now();
  const skipped: JlangSkips = {};
  let wls: Workload[];
  const every = Math.max(1, o.every ?? 1), limit = o.limit ?? Infinity;
  if (o.workload !== undefined) wls = loadWorkloads(o.workload, o.seq, skipped, every, limit);
  else wls = aceRandomWorkloads(o.seed, o.random ?? 10, o.length ?? 4).filter((_, i) => i % every === 0).slice(0, limit);
  const tg = target(o);
  let crashStates = 0;
  const violations: Violation[] = [];
  wls.forEach((wl, i) => {
    const r = runWorkload(tg, wl);
    crashStates += r.crashStates;
    violations.push(...r.violations);
    o.progress?.(i + 1, wls.length);
  });
  return { workloads: wls.length, crashStates, violations, skipped, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Replay violations from a file holding `vfsim crash --json` output (or one violation object): rebuild
 * each crash image and check it again. The target must match (`--fs`, and `--broken-fence` /
 * `--broken-uberblock` for the test-only ones).
 */
export function replayFile(file: string, brokenFence: boolean, fs = 'pcmfs', brokenUberblock = false): { workload: string; call: string; error: string | null; state: string | null; rejected: boolean }[] {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw fsErr('EINVAL', '--replay', file);
  }
  const list = (typeof v === 'object' && v !== null && 'violations' in v ? (v as { violations: unknown }).violations : [v]) as Violation[];
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'object' || x === null || typeof x.replay?.workload !== 'object')) {
    throw fsErr('EINVAL', '--replay', file);
  }
  const tg = target({ fs, seed: 1, brokenFence, brokenUberblock });
  return list.map((x) => ({ workload: x.workload, call: x.callText, ...replayViolation(tg, x) }));
}

const int = (s: string, what: string): number => {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 0) throw fsErr('EINVAL', what, s);
  return n;
};

export function register(program: Command): void {
  program
    .command('crash')
    .description('crash-consistency explorer: crash at every fence (pcmfs) or flush (zfs-lite) and inside every call, recover, check the state')
    .option('--fs <type>', 'filesystem to test: pcmfs (synchronous) or zfs-lite (durable at fsync/sync)', 'pcmfs')
    .option('--workload <file>', 'workloads: .json list of calls, a j-lang file, a .jlang.zst of records, or a .tar.zst of j-lang files')
    .option('--random <n>', 'run n ACE-style random workloads (default when no --workload: 10)')
    .option('--length <n>', 'core operations per random workload', '4')
    .option('--seed <s>', 'seed (random workloads, sampled crash subsets)', '1')
    .option('--seq <1|2>', 'from an archive holding both, only j-lang seq-1 or seq-2 workloads')
    .option('--every <k>', 'only every k-th workload (a fixed sample)')
    .option('--limit <n>', 'at most n workloads')
    .option('--broken-fence', 'TEST ONLY: pcmfs with the fence before each commit left out (the explorer must report it)', false)
    .option('--broken-uberblock', 'TEST ONLY: zfs-lite writing its uberblock before the tree is flushed (the explorer must report it)', false)
    .option('--txg-timeout <ns>', 'zfs-lite: virtual ns between background txg commits (default 5 s; e.g. 1000 to crash inside txg syncs)')
    .option('--json', 'print {"workloads","crashStates","violations"} as JSON', false)
    .option('--replay <file>', 'rebuild and recheck the crash images of violations saved from --json output')
    .addHelpText('after', `
Workload JSON: [{"op":"mkdir","path":"A","mode":511},{"op":"open","path":"A/foo","flags":["O_RDWR","O_CREAT"],"mode":420},
  {"op":"write","path":"A/foo","off":0,"len":4096},{"op":"rename","from":"A/foo","to":"bar"},{"op":"close","path":"A/foo"}]
  (or a list of {"name","calls","from","to"}); ops: open opendir close creat mkdir rmdir unlink remove link symlink
  rename write truncate falloc fsync fdatasync sync. Paths are relative to the filesystem root.
ACE seq-1 on ZFS-lite: vfsim crash --fs zfs-lite --workload ../shared/data/crash/crashmonkey-ace-seq1-generated.jlang.zst
Chipmunk's whole seq-2 set: vfsim crash --fs pcmfs --workload ../shared/data/crash/chipmunk-ace-pm-seq1-seq2.tar.zst --seq 2`)
    .action((o: Record<string, string | boolean | undefined>) => {
      if (typeof o['replay'] === 'string') {
        const res = replayFile(o['replay'], o['brokenFence'] === true, String(o['fs']), o['brokenUberblock'] === true);
        if (o['json'] === true) process.stdout.write(JSON.stringify(res) + '\n');
        else {
          for (const r of res) {
            process.stdout.write(`${r.rejected ? 'STILL A VIOLATION' : 'now accepted'}  ${r.workload} ${r.call}: ${r.error !== null ? `mount ${r.error}` : 'recovered state:'}\n`);
            if (r.state !== null) process.stdout.write(r.state.split('\n').map((l) => `    ${l}`).join('\n') + '\n');
          }
        }
        if (res.some((r) => r.rejected)) process.exitCode = 1;
        return;
      }
      const opts: CrashCliOptions = {
        fs: String(o['fs']), seed: int(String(o['seed']), '--seed'), brokenFence: o['brokenFence'] === true, brokenUberblock: o['brokenUberblock'] === true,
      };
      if (typeof o['workload'] === 'string') opts.workload = o['workload'];
      if (typeof o['random'] === 'string') opts.random = int(o['random'], '--random');
      if (typeof o['length'] === 'string') opts.length = Math.max(1, int(o['length'], '--length'));
      if (typeof o['seq'] === 'string') opts.seq = int(o['seq'], '--seq');
      if (typeof o['every'] === 'string') opts.every = int(o['every'], '--every');
      if (typeof o['limit'] === 'string') opts.limit = int(o['limit'], '--limit');
      if (typeof o['txgTimeout'] === 'string') opts.txgTimeoutNs = Math.max(1, int(o['txgTimeout'], '--txg-timeout'));
      if (opts.workload !== undefined && opts.random !== undefined) throw fsErr('EINVAL', 'crash', '--workload and --random together');
      const bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: 'crash [{bar}] {value}/{total} workloads | {eta_formatted} left', hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      let started = false;
      opts.progress = (done, total) => {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      };
      let r: CrashResult;
      try {
        r = runCrash(opts);
      } finally {
        if (started) bar.stop();
      }
      if (o['json'] === true) {
        process.stdout.write(JSON.stringify({ workloads: r.workloads, crashStates: r.crashStates, violations: r.violations }) + '\n');
      } else {
        const rows: [string, string][] = [
          ['filesystem', opts.fs + (opts.brokenFence === true ? ' (fence omitted: test-only)' : '')
            + (opts.brokenUberblock === true ? ' (uberblock before flush: test-only)' : '')],
          ['workloads', String(r.workloads)],
          ['crash states checked', String(r.crashStates)],
          ['violations', String(r.violations.length)],
          ['wall time', `${r.seconds.toFixed(2)} s (${Math.round(r.crashStates / Math.max(r.seconds, 1e-9))} states/s)`],
        ];
        const skipped = Object.entries(r.skipped);
        if (skipped.length > 0) rows.push(['skipped (no VFS support)', skipped.map(([k, n]) => `${k} ×${n}`).join(', ')]);
        for (const [k, v] of rows) process.stdout.write(`${k.padEnd(26)} ${v}\n`);
        for (const v of r.violations.slice(0, 20)) {
          process.stdout.write(`\n${v.kind.toUpperCase()} ${v.workload} call ${v.call} ${v.callText} (${v.returned ? 'after it returned' : 'inside it'})\n  ${v.detail}\n  image: ${JSON.stringify(v.replay.where)}\n`);
        }
        if (r.violations.length > 20) process.stdout.write(`\n... ${r.violations.length - 20} more (--json for all)\n`);
      }
      if (r.violations.length > 0) process.exitCode = 1;
    });
}
