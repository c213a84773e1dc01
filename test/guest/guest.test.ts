// The guest boots as OSv does (notes/OSV.md §3–§4): OSv's early tables really translate (Arm ARM D8.3
// block descriptors; boot.S's PA|0x411 identity blocks and the 63 GiB kernel map), every root boots the
// same image with the files intact (POSIX read(2) returns what was installed), boots are deterministic
// from the seed, and the comparison reports each root against ramfs.

import t from 'tap';
import { Guest, jvmImage, compareBoots, bootReportJson, bootReportHtml, formatTable, Ram } from '../../src/index.js';
import { TranslationTables } from '../../src/hw/index.js';
import { buildEarlyTables, KERNEL_REGION_VA, OSV_MAIR_EL1, OSV_TCR_EL1 } from '../../src/guest/early-mmu.js';
import { PHASES, ROOTS } from '../../src/guest/guest.js';
import { O_RDONLY } from '../../vfs/constants.js';

const small = jvmImage({ seed: 7, scale: 0.04 });

t.test('early tables: identity 0-4 GiB in 2 MiB blocks (PA|0x411) and the kernel at 63 GiB (boot.S)', async (t) => {
  const ram = new Ram({ bytes: 8 << 20 });
  const tables = new TranslationTables({ ram, granule: 4096, vaBits: 48 });
  const kpa = ram.base;
  const { blocks } = buildEarlyTables(tables, kpa, 2 << 20);
  t.equal(blocks, 2048 + 1, '2048 identity blocks plus one kernel block');
  const id = tables.leaf(0x4000_0000 + 0x1234)!;
  t.equal(id.level, 2, 'a level-2 (2 MiB) block, not a 1 GiB one');
  t.equal(id.lo >>> 0, (0x4000_0000 | 0x411) >>> 0, 'descriptor = PA + 0x411 (valid, block, AttrIndx 4, AF)');
  const k = tables.leaf(KERNEL_REGION_VA + 0x80000)!;
  t.equal(k.level, 2);
  t.equal((k.lo & ~0xfff) >>> 0, kpa, 'the kernel link address maps onto the loaded region');
  t.equal(tables.tables, 1 + 1 + 4 + 1, 'L0, L1, four identity L2 tables and the kernel L2 table');
  t.equal(OSV_MAIR_EL1, 0xff440c0400n);
  t.equal(OSV_TCR_EL1, 0x15b5103510n);
});

for (const root of ROOTS) {
  t.test(`${root}: boots the image; the app's files read back as installed`, async (t) => {
    const g = new Guest({ root, image: small, seed: 3, ramMiB: 64 });
    const r = await g.boot();
    t.same(r.phases.map((p) => p.name), [...PHASES], 'phases in boot order');
    const sum = r.phases.reduce((a, p) => a + p.ns, 0);
    t.ok(Math.abs(sum - r.totalNs) < 1e-6, 'phases add up to the total');
    t.ok(r.phases.every((p) => p.ns >= 0) && r.totalNs > 0);
    const mmuOn = r.phases.find((p) => p.name === 'mmu-on')!;
    t.ok(mmuOn.counters.tlbMisses! > 0 && mmuOn.counters.descriptorReads! > 0, 'the CPU ran through the early tables (walks happened)');
    const app = r.phases.find((p) => p.name === 'start-app')!;
    t.ok(app.counters.pageFaults! > 0, 'starting the app faults pages in');
    t.equal(r.appLoad, 'mmap', 'binaries via mmap (pcmfs: DAX, the PTEs point at its PCM blocks, issue 6)');
    if (root === 'zfs-lite') t.ok(r.phases.find((p) => p.name === 'mount-root')!.counters.blockReads! > 0, 'pool import reads labels and the uberblock');
    if (root === 'pcmfs') t.ok(r.phases.find((p) => p.name === 'mount-root')!.counters.pcmLoads! > 0, 'mount runs recovery over PCM');
    // Files read back as installed.
    const files = small.entries.map((e, i) => [e, i] as const).filter(([e]) => e.type === 'file');
    for (const [e, i] of [files[0]!, files[Math.floor(files.length / 2)]!, files[files.length - 1]!]) {
      const fd = g.fs.open(e.path, O_RDONLY);
      const buf = new Uint8Array(e.size);
      t.equal(g.fs.read(fd, buf, 0, e.size, 0), e.size);
      t.same(Buffer.from(buf).equals(Buffer.from(small.contents(i))), true, `${e.path} intact`);
      g.fs.close(fd);
    }
    await t.rejects(g.boot(), { code: 'EBUSY' }, 'a guest boots once');
  });
}

t.test('boots are deterministic from the seed; the seed changes the pages touched', async (t) => {
  const a = await new Guest({ root: 'zfs-lite', image: small, seed: 5, ramMiB: 64 }).boot();
  const b = await new Guest({ root: 'zfs-lite', image: small, seed: 5, ramMiB: 64 }).boot();
  t.same(a.phases, b.phases);
  const c = await new Guest({ root: 'zfs-lite', image: small, seed: 6, ramMiB: 64 }).boot();
  t.not(c.app.pagesTouched === a.app.pagesTouched && c.totalNs === a.totalNs, true);
});

t.test('bad options are errnos', async (t) => {
  t.throws(() => new Guest({ root: 'ext4' as never }), { code: 'EINVAL' });
  t.throws(() => new Guest({ ramMiB: 1 }), { code: 'EINVAL' });
  t.throws(() => new Guest({ granule: 65536 as never }), { code: 'EINVAL' });
  t.throws(() => new Guest({ image: small, ramMiB: 64 }).fs, { code: 'EAGAIN' }, 'no syscall surface before boot');
});

t.test('comparison: every root, ratios to ramfs, JSON, table and self-contained HTML', async (t) => {
  let boots = 0;
  const c = await compareBoots({ image: small, seeds: [1, 2], ramMiB: 64, onBoot: () => boots++ });
  t.equal(boots, 6);
  t.equal(c.ratios.ramfs, 1);
  const j = bootReportJson(c) as { roots: Record<string, { totalNs: number; phases: Record<string, number> }>; ratios: Record<string, number> };
  t.same(Object.keys(j.roots), ['ramfs', 'pcmfs', 'zfs-lite']);
  for (const r of ROOTS) {
    t.same(Object.keys(j.roots[r]!.phases), [...PHASES]);
    t.ok(Math.abs(j.ratios[r]! - j.roots[r]!.totalNs / j.roots.ramfs!.totalNs) < 1e-12);
  }
  const table = formatTable(c);
  t.match(table, /ratio to ramfs/);
  t.equal(table.split('\n').filter((l) => PHASES.some((p) => l.startsWith(p))).length, PHASES.length, 'a row per phase');
  const html = bootReportHtml(c);
  t.match(html, /<svg/);
  t.equal((html.match(/<rect /g) ?? []).length >= 3, true, 'bars drawn');
  t.notMatch(html, /<(script|link|img)\b|src=|href=/, 'no external assets');
});

t.test("loader 'disk' reads kernel + bootfs through virtio-blk; 'vmm' does no guest I/O (QEMU -kernel)", async (t) => {
  const disk = await new Guest({ root: 'ramfs', image: small, seed: 1, ramMiB: 64, loader: 'disk' }).boot();
  const vmm = await new Guest({ root: 'ramfs', image: small, seed: 1, ramMiB: 64 }).boot();
  const ld = disk.phases[0]!, lv = vmm.phases[0]!;
  t.ok(ld.counters.blockBytesRead! >= small.kernelBytes && ld.counters.blockReads! >= Math.ceil(small.kernelBytes / (1 << 20)), 'the image came through the block device');
  t.equal(lv.counters.blockReads, 0);
  t.ok(ld.ns > lv.ns, 'virtio reads cost more than the host copy under the default profile');
  // Equal up to float rounding: the clock's absolute value differs, so sums round differently.
  t.same(disk.phases.slice(1).map((p) => Math.round(p.ns)), vmm.phases.slice(1).map((p) => Math.round(p.ns)), 'later phases are the same either way');
});
