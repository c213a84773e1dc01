// A worker thread for `vfsim boot --compare`: boots one root with each seed and posts the results, so
// the roots run on separate cores. Each boot is deterministic: where it runs changes nothing.

import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { Guest, type RootFs } from './guest.js';
import type { MmapCache } from '../../fs-zfs-lite/index.js';
import { jvmImage, parseImage } from './image.js';

interface Job { root: RootFs; seeds: number[]; imagePath?: string; scale: number; loader: 'vmm' | 'disk'; ramMiB: number; zfsMmap: MmapCache }

const job = workerData as Job;
const image = job.imagePath ? parseImage(readFileSync(job.imagePath)) : jvmImage({ scale: job.scale });
for (const seed of job.seeds) {
  const r = await new Guest({ root: job.root, seed, image, loader: job.loader, ramMiB: job.ramMiB, zfsMmap: job.zfsMmap }).boot();
  parentPort!.postMessage({ seed, result: r });
}
