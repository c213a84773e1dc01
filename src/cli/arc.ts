// `vfsim arc replay TRACE --cache-pages N [--policy arc|lru]` replays a block trace in the ARC paper's
// format through ZFS-lite's ARC (or a plain LRU) and prints the hit ratio; `vfsim arc paper` replays
// the paper's traces at its cache sizes and prints the measured ratios beside the published ones
// (Megiddo & Modha, FAST '03, Tables IV, V, VIII).

import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { Arc } from '../../fs-zfs-lite/arc.js';
import { Lru } from '../../fs-zfs-lite/arc-lru.js';
import { replayTrace, type ReplayCache } from '../../fs-zfs-lite/arc-trace.js';
import { ARC_PAPER_CITATION, ARC_PAPER_TRACES, replayPaper } from '../../fs-zfs-lite/arc-paper.js';
import { fsErr } from '../../vfs/errno.js';

type Policy = 'arc' | 'lru';

function makeCache(policy: Policy, pages: number, pEvery: number): ReplayCache & { stats(): object } {
  return policy === 'arc' ? new Arc<number>({ c: pages, pSampleEvery: pEvery }) : new Lru<number>({ c: pages });
}

/** A progress bar on stderr (cli-progress prints nothing when stderr is not a terminal). */
function progressBar(label: string): { update: (done: number, total: number) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label} [{bar}] {percentage}% | {eta_formatted} left`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/**
 * Where the paper's traces are: --data, then $VFSIM_ARC_TRACES, then ../shared/data/arc beside the
 * repository (from the cwd, else from this file's place in dist/src/cli or src/cli).
 */
function traceDir(opt: string | undefined): string {
  const explicit = opt ?? process.env['VFSIM_ARC_TRACES'];
  if (explicit !== undefined) return resolve(explicit);
  const fromCwd = join(process.cwd(), '..', 'shared', 'data', 'arc');
  if (existsSync(fromCwd)) return fromCwd;
  for (const up of ['../../../../shared/data/arc', '../../../shared/data/arc']) {
    const p = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(p)) return p;
  }
  return fromCwd;
}

function parsePages(s: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 1) throw fsErr('EINVAL', '--cache-pages', s);
  return n;
}

function replayCmd(trace: string, o: { cachePages: string; policy: string; json: boolean; pEvery?: string }): void {
  const pages = parsePages(o.cachePages);
  if (o.policy !== 'arc' && o.policy !== 'lru') throw fsErr('EINVAL', '--policy', o.policy);
  const policy = o.policy as Policy;
  const pEvery = o.pEvery === undefined ? 0 : Number(o.pEvery);
  if (!Number.isSafeInteger(pEvery) || pEvery < 0) throw fsErr('EINVAL', '--p-every', o.pEvery);
  const cache = makeCache(policy, pages, pEvery);
  const pHistory = cache instanceof Arc && pEvery > 0 ? cache.pHistory() : undefined;
  const bar = progressBar(`${basename(trace)} ${policy} c=${pages}`);
  let r;
  try {
    r = replayTrace(trace, cache, bar.update);
  } finally {
    bar.stop();
  }
  if (o.json) {
    process.stdout.write(JSON.stringify({ requests: r.requests, hitRatio: r.hitRatio, hits: r.hits, policy, cachePages: pages, stats: cache.stats(), ...(pHistory ? { pEvery, pHistory } : {}) }) + '\n');
  } else {
    process.stdout.write(`${basename(trace)}: ${policy.toUpperCase()}, c = ${pages} pages: ${r.requests} requests, ${r.hits} hits, hit ratio ${r.hitRatio.toFixed(2)}%\n`);
    if (pHistory && pHistory.length > 0) {
      const fmt = (x: number): string => x.toFixed(1);
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (const x of pHistory) {
        min = Math.min(min, x);
        max = Math.max(max, x);
        sum += x;
      }
      process.stdout.write(`p (target |T1|, pages) every ${pEvery} requests: min ${fmt(min)}, max ${fmt(max)}, ` +
        `mean ${fmt(sum / pHistory.length)}, last ${fmt(pHistory[pHistory.length - 1]!)} (${pHistory.length} samples; --json lists them)\n`);
    }
  }
}

function paperCmd(o: { json: boolean; data?: string; trace?: string[] }): void {
  const dir = traceDir(o.data);
  const all: readonly string[] = ARC_PAPER_TRACES;
  const traces = o.trace && o.trace.length > 0 ? o.trace : all;
  for (const t of traces) if (!all.includes(t)) throw fsErr('EINVAL', '--trace', t);
  const results = replayPaper(dir, traces, progressBar);
  if (o.json) {
    process.stdout.write(JSON.stringify({ source: ARC_PAPER_CITATION, rows: results }) + '\n');
    return;
  }
  const head = ['trace', 'c', 'table', 'LRU paper', 'LRU ours', 'Δ', 'ARC paper', 'ARC ours', 'Δ'];
  const lines = results.map((r) => [
    r.trace, String(r.c), r.table,
    r.lru.toFixed(2), r.lruMeasured.toFixed(2), signed(r.lruMeasured - r.lru),
    r.arc.toFixed(2), r.arcMeasured.toFixed(2), signed(r.arcMeasured - r.arc),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  process.stdout.write(fmt(head) + '\n' + lines.map(fmt).join('\n') + '\n');
  const worst = Math.max(...results.map((r) => Math.max(Math.abs(r.lruMeasured - r.lru), Math.abs(r.arcMeasured - r.arc))));
  process.stdout.write(`largest |Δ| = ${worst.toFixed(3)} points. Hit ratios in %, c in 512-byte pages. Source: ${ARC_PAPER_CITATION}.\n`);
}

function signed(x: number): string {
  return (x >= 0 ? '+' : '') + x.toFixed(3);
}

export function register(program: Command): void {
  const arc = program.command('arc').description("ZFS-lite's ARC (Megiddo & Modha, FAST '03): trace replay and the paper's tables");
  arc
    .command('replay')
    .description('replay a block trace (start count ignored reqno per line; .zst or plain) and print the hit ratio')
    .argument('<trace>', 'trace file, e.g. ../shared/data/arc/P6.lis.zst')
    .requiredOption('--cache-pages <n>', 'cache size c in 512-byte pages')
    .option('--policy <policy>', 'replacement policy: arc or lru', 'arc')
    .option('--json', 'print {"requests":…,"hitRatio":…} for machines', false)
    .option('--p-every <n>', 'ARC: sample the adaptation target p every n requests (p over time)')
    .action((trace: string, o: { cachePages: string; policy: string; json: boolean; pEvery?: string }) => replayCmd(trace, o));
  arc
    .command('paper')
    .description("replay the paper's traces at its cache sizes; print LRU and ARC hit ratios beside Tables IV, V and VIII")
    .option('--data <dir>', 'folder with OLTP.lis.zst … P12.lis.zst (default $VFSIM_ARC_TRACES or ../shared/data/arc)')
    .option('--trace <name...>', 'only these traces (OLTP, P2, P3, P6, P12)')
    .option('--json', 'print JSON for machines', false)
    .action((o: { json: boolean; data?: string; trace?: string[] }) => paperCmd(o));
}
