// The published hit ratios a replay is checked against: N. Megiddo and D. S. Modha, "ARC: A
// Self-Tuning, Low Overhead Replacement Cache", FAST '03, pp. 115–130 — Table IV (OLTP), Table V
// (P12) and Table VIII (P2, P3, P6 at 16 MB), LRU and ARC columns, as transcribed in data/arc/README.md.
// The traces are used on the condition that this paper is cited.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fsErr } from '../vfs/errno.js';
import { Arc } from './arc.js';
import { Lru } from './arc-lru.js';
import { replayTraceAll, type ReplayCache } from './arc-trace.js';

export const ARC_PAPER_CITATION =
  'N. Megiddo and D. S. Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache", FAST \'03, pp. 115-130, 2003';

export const ARC_PAPER_TRACES = ['OLTP', 'P2', 'P3', 'P6', 'P12'] as const;

export interface PaperRow {
  /** Trace name; the file is `<trace>.lis.zst`. */
  trace: 'OLTP' | 'P2' | 'P3' | 'P6' | 'P12';
  /** Cache size in 512-byte pages. */
  c: number;
  /** Published hit ratios, %. */
  lru: number;
  arc: number;
  /** Where the row is printed in the paper. */
  table: string;
}

export const ARC_PAPER_ROWS: readonly PaperRow[] = [
  { trace: 'OLTP', c: 1000, lru: 32.83, arc: 38.93, table: 'IV' },
  { trace: 'OLTP', c: 2000, lru: 42.47, arc: 46.08, table: 'IV' },
  { trace: 'OLTP', c: 5000, lru: 53.65, arc: 55.25, table: 'IV' },
  { trace: 'OLTP', c: 10000, lru: 60.70, arc: 61.87, table: 'IV' },
  { trace: 'OLTP', c: 15000, lru: 64.63, arc: 65.40, table: 'IV' },
  { trace: 'P12', c: 1024, lru: 4.09, arc: 4.16, table: 'V' },
  { trace: 'P12', c: 2048, lru: 4.84, arc: 4.89, table: 'V' },
  { trace: 'P12', c: 4096, lru: 5.61, arc: 5.76, table: 'V' },
  { trace: 'P12', c: 8192, lru: 6.22, arc: 7.14, table: 'V' },
  { trace: 'P12', c: 16384, lru: 7.09, arc: 10.12, table: 'V' },
  { trace: 'P12', c: 32768, lru: 8.93, arc: 15.94, table: 'V, VIII' },
  { trace: 'P12', c: 65536, lru: 14.43, arc: 26.09, table: 'V' },
  { trace: 'P12', c: 131072, lru: 29.21, arc: 38.68, table: 'V' },
  { trace: 'P12', c: 262144, lru: 49.11, arc: 53.47, table: 'V' },
  { trace: 'P12', c: 524288, lru: 60.91, arc: 63.56, table: 'V' },
  { trace: 'P2', c: 32768, lru: 18.47, arc: 27.38, table: 'VIII' },
  { trace: 'P3', c: 32768, lru: 3.57, arc: 17.12, table: 'VIII' },
  { trace: 'P6', c: 32768, lru: 4.24, arc: 23.84, table: 'VIII' },
];

export interface PaperResult extends PaperRow {
  requests: number;
  /** Our replay's hit ratios, %. */
  lruMeasured: number;
  arcMeasured: number;
}

/**
 * Replay the paper's rows for `traces` from `dir` (files `<trace>.lis.zst`): one decoding pass per
 * trace drives an LRU and an ARC of every published size. `progress(label)` may return a bar.
 */
export function replayPaper(
  dir: string,
  traces: readonly string[],
  progress?: (label: string) => { update: (done: number, total: number) => void; stop: () => void },
  sizes?: readonly number[],
): PaperResult[] {
  const out: PaperResult[] = [];
  for (const trace of traces) {
    const rows = ARC_PAPER_ROWS.filter((r) => r.trace === trace && (sizes === undefined || sizes.includes(r.c)));
    if (rows.length === 0) throw fsErr('EINVAL', 'arc paper', trace);
    const file = join(dir, `${trace}.lis.zst`);
    if (!existsSync(file)) throw fsErr('ENOENT', 'arc paper', file);
    const caches: ReplayCache[] = [];
    for (const r of rows) caches.push(new Lru<number>({ c: r.c }), new Arc<number>({ c: r.c }));
    const bar = progress?.(`${trace} (${rows.length} size${rows.length > 1 ? 's' : ''} × LRU, ARC)`);
    let res;
    try {
      res = replayTraceAll(file, caches, bar?.update);
    } finally {
      bar?.stop();
    }
    rows.forEach((r, i) => out.push({ ...r, requests: res[2 * i]!.requests, lruMeasured: res[2 * i]!.hitRatio, arcMeasured: res[2 * i + 1]!.hitRatio }));
  }
  return out;
}
