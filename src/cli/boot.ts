// `vfsim boot`: boot the guest with one root filesystem, or `--compare` every root phase by phase
// (src/guest/report.ts). Virtual time of the modelled guest; the progress bar shows the simulator's.

import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SingleBar, Presets } from 'cli-progress';
import { Guest, ROOTS, PHASES, type BootResult, type RootFs } from '../guest/guest.js';
import { jvmImage, parseImage, type BootImage } from '../guest/image.js';
import { formatTable, summarise, toHtml, toJson } from '../guest/report.js';
import { MMAP_CACHES, type MmapCache } from '../../fs-zfs-lite/index.js';

interface BootOpts { root: string; compare?: boolean; image?: string; seeds: string; json?: boolean; html?: string; scale: string; loader: string; ramMib: string; jobs?: string; zfsMmap: string }

function loadImage(path: string | undefined, scale: number): BootImage {
  return path ? parseImage(readFileSync(path)) : jvmImage({ scale });
}

export function register(program: Command): void {
  program
    .command('boot')
    .description('boot the guest (OSv on AArch64/KVM model) and show where boot time goes, phase by phase (virtual time)')
    .option('--root <root>', `root filesystem: ${ROOTS.join(', ')}`, 'ramfs')
    .option('--compare', 'boot the same image with every root and compare (what `npm start` runs)')
    .option('--image <file>', 'an image built with `vfsim image build` (default: the built-in JVM-like app)')
    .option('--seeds <n>', 'seeds per root (each shapes the pages the app touches)', '3')
    .option('--scale <s>', 'scale of the built-in image (1 = ~3,000 files, ~60 MiB)', '1')
    .option('--loader <how>', "how the kernel reaches RAM: 'vmm' (QEMU -kernel/Firecracker) or 'disk' (virtio reads)", 'vmm')
    .option('--ram-mib <n>', 'guest RAM in MiB', '256')
    .option('--zfs-mmap <mode>', `zfs-lite's mmap cache: ${MMAP_CACHES.join(' (ARC and page cache hold a block twice, as OpenZFS), ')} (pages are the ARC's buffers, as OSv's arc_share_buf)`, 'double')
    .option('--jobs <n>', 'worker threads for --compare (default: min(cores, roots))')
    .option('--json', 'print JSON')
    .option('--html <file>', 'write a self-contained HTML report (stacked bars + table)')
    .action(async (o: BootOpts) => {
      const seedsN = Number(o.seeds), scale = Number(o.scale), ramMiB = Number(o.ramMib);
      if (!Number.isInteger(seedsN) || seedsN < 1 || seedsN > 100) throw new Error(`--seeds ${o.seeds}: an integer 1..100`);
      if (!(scale > 0 && scale <= 4)) throw new Error(`--scale ${o.scale}: 0 < s <= 4`);
      if (o.loader !== 'vmm' && o.loader !== 'disk') throw new Error(`--loader ${o.loader}: vmm or disk`);
      const loader = o.loader;
      if (!(MMAP_CACHES as readonly string[]).includes(o.zfsMmap)) throw new Error(`--zfs-mmap ${o.zfsMmap}: ${MMAP_CACHES.join(' or ')}`);
      const zfsMmap = o.zfsMmap as MmapCache;
      const seeds = Array.from({ length: seedsN }, (_, i) => i + 1);
      const roots: RootFs[] = o.compare ? [...ROOTS] : [o.root as RootFs];
      if (!o.compare && !ROOTS.includes(o.root as RootFs)) throw new Error(`--root ${o.root}: one of ${ROOTS.join(', ')}`);
      const bar = new SingleBar({ format: 'booting {bar} {value}/{total} {what}', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
      const show = process.stderr.isTTY || o.compare;
      if (show) bar.start(roots.length * seeds.length, 0, { what: '' });
      const results: Partial<Record<RootFs, BootResult[]>> = {};
      const done = (root: RootFs, seed: number, r: BootResult): void => {
        (results[root] ??= []).push(r);
        if (show) bar.increment({ what: `${root} seed ${seed}` });
      };
      const jobs = Math.max(1, Math.min(Number(o.jobs ?? availableParallelism()), roots.length));
      let imageName: string;
      if (jobs > 1) {
        imageName = loadImage(o.image, scale).name;
        const url = new URL('../guest/compare-worker.js', import.meta.url);
        const queue = [...roots];
        const runOne = (root: RootFs): Promise<void> => new Promise((resolve, reject) => {
          const w = new Worker(url, { workerData: { root, seeds, imagePath: o.image, scale, loader, ramMiB, zfsMmap } });
          w.on('message', (m: { seed: number; result: BootResult }) => done(root, m.seed, m.result));
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`boot worker for ${root} exited with ${code}`))));
        });
        const lane = async (): Promise<void> => { for (let r = queue.shift(); r !== undefined; r = queue.shift()) await runOne(r); };
        await Promise.all(Array.from({ length: jobs }, lane));
      } else {
        const image = loadImage(o.image, scale);
        imageName = image.name;
        for (const root of roots) for (const seed of seeds) done(root, seed, await new Guest({ root, seed, image, loader, ramMiB, zfsMmap }).boot());
      }
      if (show) bar.stop();
      for (const r of roots) results[r]!.sort((a, b) => a.app.pagesTouched - b.app.pagesTouched);
      const c = summarise(imageName, seeds, results);
      if (o.html) writeFileSync(o.html, toHtml(c));
      if (o.json) {
        // zfs-lite's mmap mode is part of what was measured, so the JSON names it.
        process.stdout.write(JSON.stringify({ ...toJson(c), zfsMmap }, null, 2) + '\n');
      } else if (o.compare) {
        process.stdout.write(formatTable(c) + '\n');
        if (o.html) process.stdout.write(`wrote ${o.html}\n`);
      } else {
        const s = c.roots[roots[0]!]!;
        const mode = roots[0] === 'zfs-lite' ? ` (mmap: ${zfsMmap})` : '';
        process.stdout.write(`${roots[0]}${mode} boot of ${imageName}, mean of ${seeds.length} seed(s): ${(s.totalNs / 1e6).toFixed(3)} virtual ms\n`);
        for (const p of PHASES) {
          const k = s.counters[p]!;
          const notable = Object.entries(k).filter(([, v]) => v > 0).map(([n, v]) => `${n}=${Math.round(v)}`).join(' ');
          process.stdout.write(`  ${p.padEnd(14)} ${(s.phases[p]! / 1e6).toFixed(3).padStart(10)} ms  ${notable}\n`);
        }
      }
    });
}
