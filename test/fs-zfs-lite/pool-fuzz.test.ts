// Fuzzing the importer (issue 7: "a damaged or hostile image is refused with EIO/EINVAL, never a crash
// or an endless loop"): random byte flips of a real pool image. Import must either refuse with an
// errno, or give a pool whose every file reads back as it was or as EIO — verified data, never wrong
// data (the checksum in every block pointer; ZFS On-Disk Specification §2.4).
import t from 'tap';
import fc from 'fast-check';
import { FsError } from '../../vfs/errno.js';
import { BLOCK } from '../../fs-zfs-lite/layout.js';
import { snapshotBackend } from '../../fs-zfs-lite/crash-check.js';
import { BlockDevice } from '../../src/hw/block/block-device.js';
import { Ram } from '../../src/hw/ram.js';
import { PageCache } from '../../src/mm/page-cache.js';
import { importZfsLite, type ZfsLite } from '../../fs-zfs-lite/index.js';
import { MiB, mountNew, writeFile } from './zfs-helpers.js';

function realImage(): { image: Uint8Array; used: number[]; snapshot: string } {
  const m = mountNew({ bytes: 2 * MiB });
  m.p.mkdir('/etc', 0o755);
  m.p.mkdir('/usr', 0o755);
  for (let i = 0; i < 30; i++) writeFile(m.p, `/etc/conf${i}`, `setting=${i}\n`.repeat(i + 1));
  writeFile(m.p, '/usr/big', new Uint8Array(40 * 1024).map((_, i) => i * 7)); // small: most flips should land in metadata
  m.p.symlink('/etc/conf1', '/link');
  m.p.sync();
  const image = m.dev.durableImage();
  // Blocks worth flipping: those the pool wrote (labels, uberblocks, tree); flips in free space change nothing.
  const used: number[] = [];
  for (let b = 0; b < image.length / BLOCK; b++) {
    const blk = image.subarray(b * BLOCK, b * BLOCK + BLOCK);
    if (blk.some((x) => x !== 0)) used.push(b);
  }
  return { image, used, snapshot: snapshotBackend(m.fs) };
}

t.test('import of a pool image with random byte flips: an errno, or a verified tree (fast-check)', async (t) => {
  const { image, used, snapshot } = realImage();
  const seed = process.env.VFSIM_SEED !== undefined ? Number(process.env.VFSIM_SEED) : 777;
  let refused = 0, identical = 0, eioReads = 0;
  // One machine, powered on with each damaged image in turn.
  const dev = new BlockDevice({ bytes: image.length });
  const pageCache = new PageCache(new Ram({ bytes: 4 * MiB }));
  fc.assert(fc.property(
    fc.array(fc.record({ blk: fc.nat(used.length - 1), off: fc.nat(BLOCK - 1), x: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 12 }),
    (flips) => {
      const img = image.slice();
      for (const f of flips) img[used[f.blk]! * BLOCK + f.off]! ^= f.x;
      dev.loadImage(img);
      let fs: ZfsLite;
      try {
        fs = importZfsLite(dev, { pageCache });
      } catch (e) {
        if (!(e instanceof FsError) || (e.code !== 'EIO' && e.code !== 'EINVAL')) throw e;
        refused++;
        return;
      }
      try {
        const got = snapshotBackend(fs);
        if (got !== snapshot) throw new Error(`import gave a different tree without an error:\n${got}`);
        identical++;
      } catch (e) {
        if (!(e instanceof FsError) || e.code !== 'EIO') throw e;
        eioReads++;
      } finally {
        fs.unmount();
      }
    },
  ), { seed, numRuns: 300 });
  t.ok(refused + identical + eioReads === 300);
  t.pass(`300 damaged images (seed ${seed}): ${refused} refused, ${identical} read back identical (healed or untouched), ${eioReads} with EIO reads`);
});
