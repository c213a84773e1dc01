// `vfsim zfs`: ZFS-lite pools as image files. `create IMAGE` makes a pool (optionally with files),
// `info IMAGE` imports it and shows its labels, txg, objects, space and what the import read and cost,
// `scrub [IMAGE]` walks every block and reports checksum errors found and repaired (zpool scrub); without
// an image it scrubs a demo pool, with `--corrupt N` bit flips injected first.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BlockDevice } from '../hw/block/block-device.js';
import { Clock } from '../sim/clock.js';
import { Prng } from '../sim/prng.js';
import { fsErr } from '../../vfs/errno.js';
import { Vfs } from '../../vfs/vfs.js';
import { createZfsLite, importZfsLite, scrub, type ZfsLite } from '../../fs-zfs-lite/index.js';
import { BLOCK } from '../../fs-zfs-lite/layout.js';

function parseSize(s: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(s);
  if (m === null) throw fsErr('EINVAL', '--size', s);
  const n = Number(m[1]) * ({ '': 1, K: 1024, M: 1 << 20, G: 1 << 30 } as Record<string, number>)[m[2]!.toUpperCase()]!;
  if (n < 1 << 20 || n > 2 ** 32) throw fsErr('EINVAL', '--size', s);
  return n;
}

function parseCount(s: string, what: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 0) throw fsErr('EINVAL', what, s);
  return n;
}

/** A pool with `files` small files in a few directories and one larger file (a root filesystem's shape). */
export function populate(fs: ZfsLite, files: number, clock: Clock): void {
  const p = new Vfs({ root: fs, clock }).process({ umask: 0o022 });
  const dirs = Math.max(1, Math.ceil(files / 500));
  for (let d = 0; d < dirs; d++) p.mkdir(`/d${d}`, 0o755);
  const enc = new TextEncoder();
  for (let i = 0; i < files; i++) {
    const fd = p.open(`/d${i % dirs}/file${i}`, 0o101, 0o644);
    const b = enc.encode(`file ${i}\n`.repeat(1 + (i % 50)));
    p.write(fd, b, 0, b.length, null);
    p.close(fd);
  }
  const fd = p.open('/big', 0o101, 0o644);
  const big = new Uint8Array(1 << 20).map((_, i) => (i * 131) & 0xff);
  p.write(fd, big, 0, big.length, null);
  p.close(fd);
  p.sync();
}

function loadImage(path: string): BlockDevice {
  const image = new Uint8Array(readFileSync(path));
  if (image.length === 0 || image.length % BLOCK !== 0) throw fsErr('EINVAL', 'zfs', path);
  return new BlockDevice({ bytes: image.length, image, clock: new Clock() });
}

function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}

function infoOf(fs: ZfsLite, dev: BlockDevice, importNs: number): Record<string, number | string> {
  const pool = fs.pool, a = pool.alloc;
  return {
    name: pool.name,
    guid: pool.guid,
    txg: pool.txg,
    deviceBytes: dev.size,
    blocks: pool.vdev.blocks,
    freeBlocks: a.free,
    objects: pool.nextObj,
    logRecordsReplayed: fs.replayed,
    importReads: dev.counters.values.reads,
    importBytesRead: dev.counters.values.bytesRead,
    importVirtualMs: importNs / 1e6,
    arcHits: pool.vdev.stats.arcHits,
    arcMisses: pool.vdev.stats.arcMisses,
  };
}

export function register(program: Command): void {
  const zfs = program.command('zfs').description('ZFS-lite pools in image files: create, info, scrub');

  zfs.command('create')
    .description('create a pool in IMAGE (a file the size of the device)')
    .argument('<image>', 'image file to write')
    .option('--size <bytes>', 'device size (e.g. 64M)', '64M')
    .option('--files <n>', 'populate with this many small files and a 1 MiB file', '0')
    .option('--json', 'print JSON for machines', false)
    .action((image: string, o: { size: string; files: string; json: boolean }) => {
      const bytes = parseSize(o.size);
      const files = parseCount(o.files, '--files');
      const clock = new Clock();
      const dev = new BlockDevice({ bytes, clock });
      const fs = createZfsLite({ dev, clock, ramBytes: 64 << 20 });
      if (files > 0) populate(fs, files, clock);
      fs.unmount();
      writeFileSync(image, dev.durableImage());
      const out = { image, deviceBytes: bytes, files, txg: fs.pool.txg, freeBlocks: fs.pool.alloc.free };
      if (o.json) process.stdout.write(JSON.stringify(out) + '\n');
      else process.stdout.write(table(Object.entries(out).map(([k, v]) => [k, String(v)])));
    });

  zfs.command('info')
    .description('import the pool in IMAGE and show its state and what the import cost')
    .argument('<image>', 'pool image file')
    .option('--json', 'print JSON for machines', false)
    .action((image: string, o: { json: boolean }) => {
      const dev = loadImage(image);
      const fs = importZfsLite(dev, { ramBytes: 64 << 20 });
      const out = infoOf(fs, dev, dev.clock.now);
      if (o.json) process.stdout.write(JSON.stringify(out) + '\n');
      else process.stdout.write(table(Object.entries(out).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v)])));
    });

  zfs.command('scrub')
    .description('verify every block of the pool (all copies) and repair bad copies from good ones')
    .argument('[image]', 'pool image file (repairs are written back); a demo pool if absent')
    .option('--corrupt <n>', 'first flip one bit in each of n random blocks in use', '0')
    .option('--seed <n>', 'seed for --corrupt', '1')
    .option('--json', 'print JSON for machines', false)
    .action((image: string | undefined, o: { corrupt: string; seed: string; json: boolean }) => {
      const corrupt = parseCount(o.corrupt, '--corrupt');
      let dev: BlockDevice;
      if (image !== undefined) dev = loadImage(image);
      else {
        const clock = new Clock();
        dev = new BlockDevice({ bytes: 16 << 20, clock });
        const fs0 = createZfsLite({ dev, clock, ramBytes: 32 << 20 });
        populate(fs0, 200, clock);
        fs0.unmount();
      }
      if (corrupt > 0) {
        // Flip bits in blocks the pool uses (not labels: import must still find the pool).
        const img = dev.durableImage();
        const used: number[] = [];
        for (let b = 32; b < img.length / BLOCK - 32; b++) if (img.subarray(b * BLOCK, b * BLOCK + BLOCK).some((x) => x !== 0)) used.push(b);
        const prng = new Prng(parseCount(o.seed, '--seed'));
        for (let i = 0; i < corrupt && used.length > 0; i++) {
          const b = used.splice(prng.below(used.length), 1)[0]!;
          dev.injectCorruption(b * (BLOCK / dev.sectorSize) + prng.below(BLOCK / dev.sectorSize), { seed: prng.u32() });
        }
      }
      const fs = importZfsLite(dev, { ramBytes: 64 << 20 });
      const rep = scrub(fs.pool);
      fs.unmount();
      if (image !== undefined) writeFileSync(image, dev.durableImage());
      const out = { ...rep, virtualMs: rep.ns / 1e6 };
      if (o.json) process.stdout.write(JSON.stringify(out) + '\n');
      else {
        process.stdout.write(table([
          ['txg', String(rep.txg)], ['objects', String(rep.objects)], ['blocks verified', String(rep.blocks)],
          ['errors found', String(rep.errors)], ['repaired', String(rep.repaired)], ['unrecoverable', String(rep.unrecoverable)],
          ['virtual time', `${(rep.ns / 1e6).toFixed(3)} ms`],
        ]));
        process.stdout.write(rep.unrecoverable > 0 ? 'errors: blocks with no good copy read as EIO\n' : 'errors: none unrepaired\n');
      }
      if (rep.unrecoverable > 0) process.exitCode = 2;
    });
}
