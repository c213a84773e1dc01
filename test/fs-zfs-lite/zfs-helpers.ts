// Shared set-up for the ZFS-lite tests (not a test file): a pool on a small device mounted in a Vfs,
// re-import of the durable image, and a forger that edits an on-disk block and re-seals the checksums
// above it, to build hostile images that pass every checksum.
import { BlockDevice } from '../../src/hw/block/block-device.js';
import { Clock } from '../../src/sim/clock.js';
import { Vfs } from '../../vfs/vfs.js';
import type { Process } from '../../vfs/process.js';
import { createZfsLite, importZfsLite, type ZfsLite, type ZfsLiteOptions } from '../../fs-zfs-lite/index.js';
import { fletcher4 } from '../../fs-zfs-lite/fletcher4.js';
import { BLOCK, BP_CKSUM, ECK_OFF, UB_SLOTS, labelBlocks, wr32 } from '../../fs-zfs-lite/layout.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
export const MiB = 1 << 20;

export interface Mounted {
  fs: ZfsLite;
  dev: BlockDevice;
  vfs: Vfs;
  p: Process;
  clock: Clock;
}

export function mountNew(opts: ZfsLiteOptions & { bytes?: number } = {}): Mounted {
  const clock = opts.clock ?? new Clock();
  const dev = opts.dev ?? new BlockDevice({ bytes: opts.bytes ?? 4 * MiB, clock });
  const fs = createZfsLite({ ramBytes: 4 * MiB, ...opts, dev, clock });
  const vfs = new Vfs({ root: fs, clock });
  return { fs, dev, vfs, p: vfs.process({ umask: 0o022 }), clock };
}

/** Import what the media durably holds (a power cut now, with the cache lost). */
export function reimport(image: Uint8Array, opts: ZfsLiteOptions = {}): Mounted {
  const clock = new Clock();
  const dev = new BlockDevice({ bytes: image.length, image, clock });
  const fs = importZfsLite(dev, { ramBytes: 4 * MiB, ...opts, clock });
  const vfs = new Vfs({ root: fs, clock });
  return { fs, dev, vfs, p: vfs.process({ umask: 0o022 }), clock };
}

export function writeFile(p: Process, path: string, data: Uint8Array | string, flags = 0o1101): void {
  const b = typeof data === 'string' ? enc(data) : data;
  const fd = p.open(path, flags, 0o644);
  p.write(fd, b, 0, b.length, null);
  p.close(fd);
}

export function readFile(p: Process, path: string): Uint8Array {
  const st = p.stat(path);
  const b = new Uint8Array(st.size);
  const fd = p.open(path, 0, 0);
  let got = 0;
  while (got < b.length) {
    const n = p.read(fd, b, got, b.length - got, got);
    if (n === 0) break;
    got += n;
  }
  p.close(fd);
  return b;
}

/** Fletcher-4 of a whole block, written into a block pointer at bp[bo]. */
export function resealBp(bp: Uint8Array, bo: number, block: Uint8Array, off = 0): void {
  const ck = new Uint32Array(8);
  fletcher4(block, off, BLOCK, ck);
  for (let i = 0; i < 8; i++) wr32(bp, bo + BP_CKSUM + 4 * i, ck[i]!);
}

/** Re-seal a self-checksummed block (label config, uberblock) in place. */
export function resealEck(img: Uint8Array, blk: number): void {
  const ck = new Uint32Array(8);
  fletcher4(img, blk * BLOCK, ECK_OFF, ck);
  for (let i = 0; i < 8; i++) wr32(img, blk * BLOCK + ECK_OFF + 4 * i, ck[i]!);
}

/** Block numbers of uberblock slot `txg` in each label. */
export function ubBlocks(img: Uint8Array, txg: number): number[] {
  return labelBlocks(img.length / BLOCK).map((l) => l + 1 + (txg % UB_SLOTS));
}
