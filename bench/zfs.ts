// `vfsim bench zfs`: the simulator's own speed on ZFS-lite (issue 7, "Speed"), in one run:
// - cached sequential read through the page cache (pages resident) and through the ARC (page cache
//   dropped, blocks in the ARC: each page is filled from an ARC buffer), against a raw Uint8Array.set
//   copy of the same sizes — target: cached read ≥ 30% of memcpy;
// - ARC get/put ops/s against lru-cache on the same Zipf key stream (bench/arc.ts) — target ≥ 50%;
// - import (mount) wall time of a pool holding 10,000 files.
// Wall time throughout (performance.now), never virtual time.

import type { BenchOptions } from '../src/cli/bench.js';
import { withProgressBar } from './report.js';
import { BlockDevice } from '../src/hw/block/block-device.js';
import { Clock } from '../src/sim/clock.js';
import { Vfs } from '../vfs/vfs.js';
import { createZfsLite, importZfsLite } from '../fs-zfs-lite/index.js';
import { populate } from '../src/cli/zfs.js';
import { measureArc } from './arc.js';

export interface ZfsBenchResult {
  cachedReadMiBs: number;
  arcReadMiBs: number;
  memcpyMiBs: number;
  arcOpsPerSec: number;
  lruCacheOpsPerSec: number;
  importMs: number;
  /** cachedReadMiBs / memcpyMiBs. */
  cachedReadRatio: number;
  /** arcOpsPerSec / lruCacheOpsPerSec. */
  arcRatio: number;
  fileBytes: number;
  readBytes: number;
  importFiles: number;
}

const MiB = 1 << 20;

/** Best MiB/s over `rounds` of fn(), which moves `bytes` each time. */
function best(rounds: number, bytes: number, fn: () => void, before?: () => void): number {
  let b = 0;
  for (let r = 0; r < rounds; r++) {
    before?.();
    const t0 = performance.now();
    fn();
    const ms = performance.now() - t0;
    b = Math.max(b, bytes / MiB / (ms / 1000));
  }
  return b;
}

export function measureZfs(opts: { quick: boolean; seed: number }, onPhase?: (done: number, total: number) => void): ZfsBenchResult {
  const fileBytes = (opts.quick ? 16 : 64) * MiB;
  const chunk = 128 * 1024;
  const rounds = opts.quick ? 3 : 5;
  onPhase?.(0, 4);
  // One file on a pool, read sequentially in 128 KiB reads through the VFS.
  const clock = new Clock();
  const dev = new BlockDevice({ bytes: fileBytes * 2 + 32 * MiB, clock });
  const fs = createZfsLite({ dev, clock, ramBytes: fileBytes * 4 });
  const p = new Vfs({ root: fs, clock }).process({ umask: 0o022 });
  const data = new Uint8Array(fileBytes).map((_, i) => (i * 2654435761) >>> 24);
  const fd = p.open('/data', 0o102, 0o644);
  for (let o = 0; o < fileBytes; o += chunk) p.write(fd, data, o, chunk, o);
  p.sync();
  const buf = new Uint8Array(chunk);
  const readAll = (): void => {
    for (let o = 0; o < fileBytes; o += chunk) p.read(fd, buf, 0, chunk, o);
  };
  fs.dropPageCache();
  readAll(); // from disk: fills the ARC (and the page cache)
  const cachedReadMiBs = best(rounds, fileBytes, readAll);
  onPhase?.(1, 4);
  const arcReadMiBs = best(rounds, fileBytes, readAll, () => fs.dropPageCache());
  const src = new Uint8Array(fileBytes).fill(1);
  const memcpyMiBs = best(rounds, fileBytes, () => {
    for (let o = 0; o < fileBytes; o += chunk) buf.set(src.subarray(o, o + chunk));
  });
  p.close(fd);
  fs.unmount();
  onPhase?.(2, 4);
  const arc = measureArc(opts);
  onPhase?.(3, 4);
  // Import of a pool with 10,000 files (wall time of labels, uberblocks, objset, MOS, space map, log).
  const importFiles = 10_000;
  const c2 = new Clock();
  const d2 = new BlockDevice({ bytes: 256 * MiB, clock: c2 });
  const fs2 = createZfsLite({ dev: d2, clock: c2, ramBytes: 128 * MiB });
  populate(fs2, importFiles, c2);
  fs2.unmount();
  const image = d2.durableImage();
  let importMs = Infinity;
  for (let r = 0; r < rounds; r++) {
    const d3 = new BlockDevice({ bytes: image.length, image, clock: new Clock() });
    const t0 = performance.now();
    const f3 = importZfsLite(d3, { ramBytes: 128 * MiB });
    importMs = Math.min(importMs, performance.now() - t0);
    f3.unmount();
  }
  onPhase?.(4, 4);
  return {
    cachedReadMiBs: Math.round(cachedReadMiBs),
    arcReadMiBs: Math.round(arcReadMiBs),
    memcpyMiBs: Math.round(memcpyMiBs),
    arcOpsPerSec: arc.arcOpsPerSec,
    lruCacheOpsPerSec: arc.lruCacheOpsPerSec,
    importMs: Math.round(importMs * 100) / 100,
    cachedReadRatio: cachedReadMiBs / memcpyMiBs,
    arcRatio: arc.ratio,
    fileBytes,
    readBytes: chunk,
    importFiles,
  };
}

export async function run(opts: BenchOptions): Promise<void> {
  const r: ZfsBenchResult = withProgressBar('bench zfs [{bar}] phase {value}/{total}', (onStep) => measureZfs(opts, onStep));
  if (opts.json) {
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  const rows: [string, string, string][] = [
    ['', 'measured', 'against'],
    ['cached read, page cache', `${r.cachedReadMiBs} MiB/s`, `${(r.cachedReadRatio * 100).toFixed(0)}% of memcpy (target ≥ 30%)`],
    ['cached read, ARC', `${r.arcReadMiBs} MiB/s`, `${((r.arcReadMiBs / r.memcpyMiBs) * 100).toFixed(0)}% of memcpy`],
    ['memcpy (Uint8Array.set)', `${r.memcpyMiBs} MiB/s`, ''],
    ['ARC get/put', `${r.arcOpsPerSec.toLocaleString('en-US')} ops/s`, `${(r.arcRatio * 100).toFixed(0)}% of lru-cache (target ≥ 50%)`],
    ['lru-cache get/set', `${r.lruCacheOpsPerSec.toLocaleString('en-US')} ops/s`, ''],
    ['import, 10,000 files', `${r.importMs} ms`, 'wall time'],
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) process.stdout.write(`${row[0].padEnd(w[0]!)}  ${row[1].padStart(w[1]!)}  ${row[2]}\n`);
  process.stdout.write(`${r.fileBytes / MiB} MiB file read in ${r.readBytes / 1024} KiB reads through the VFS; best of several rounds.\n`);
}
