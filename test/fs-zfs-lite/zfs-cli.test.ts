// `vfsim zfs create|info|scrub` (src/cli/zfs.ts), run in-process: a pool image written to a file,
// imported and described, then damaged and scrubbed (zpool scrub: errors found and repaired, exit
// status 2 while a block has no good copy), with --json for machines.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { register } from '../../src/cli/zfs.js';
import { BLOCK } from '../../fs-zfs-lite/layout.js';

async function vfsim(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  (process.stdout as { write: unknown }).write = (s: string | Uint8Array): boolean => { out += String(s); return true; };
  try {
    await program.parseAsync(['node', 'vfsim', ...args]);
  } finally {
    (process.stdout as { write: unknown }).write = write;
  }
  return out;
}

t.test('create writes a pool image; info imports it; scrub finds and repairs damage', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vfsim-zfs-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const img = path.join(dir, 'pool.img');
  const created = JSON.parse(await vfsim(['zfs', 'create', img, '--size', '8M', '--files', '60', '--json'])) as Record<string, number>;
  t.equal(fs.statSync(img).size, 8 << 20, 'the image is the device');
  t.equal(created['files'], 60);
  const info = JSON.parse(await vfsim(['zfs', 'info', img, '--json'])) as Record<string, number>;
  t.equal(info['txg'], created['txg'], 'import finds the txg create committed');
  t.ok(info['objects']! > 60 && info['importReads']! >= 65 && info['importVirtualMs']! > 0);
  const table = await vfsim(['zfs', 'info', img]);
  t.match(table, /^name\s+zpool$/m, 'a table for people');
  const clean = JSON.parse(await vfsim(['zfs', 'scrub', img, '--json'])) as Record<string, number>;
  t.equal(clean['errors'], 0);
  t.ok(clean['blocks']! > 60);
  // Damage the second copy of the objset (metadata: ditto) in the file — import reads the first, so
  // only scrub, which reads every copy, finds it — then scrub: found and repaired.
  const bytes = fs.readFileSync(img);
  const { importZfsLite } = await import('../../fs-zfs-lite/index.js');
  const { BlockDevice } = await import('../../src/hw/block/block-device.js');
  const pool = importZfsLite(new BlockDevice({ bytes: bytes.length, image: new Uint8Array(bytes) }), { ramBytes: 8 << 20 }).pool;
  const os1 = pool.rootbp[4]! | (pool.rootbp[5]! << 8) | (pool.rootbp[6]! << 16);
  bytes[os1 * BLOCK + 10]! ^= 0xff;
  fs.writeFileSync(img, bytes);
  const rep = JSON.parse(await vfsim(['zfs', 'scrub', img, '--json'])) as Record<string, number>;
  t.equal(rep['errors'], 1, 'one bad copy found');
  t.equal(rep['repaired'], 1, 'and repaired (written back to the image)');
  const again = JSON.parse(await vfsim(['zfs', 'scrub', img, '--json'])) as Record<string, number>;
  t.equal(again['errors'], 0, 'the repair is on the image');
  // The demo pool with injected corruption: unrecoverable blocks set exit status 2.
  process.exitCode = 0;
  const demo = JSON.parse(await vfsim(['zfs', 'scrub', '--corrupt', '6', '--seed', '2', '--json'])) as Record<string, number>;
  t.ok(demo['errors']! >= 1, `demo: ${demo['errors']} errors, ${demo['repaired']} repaired, ${demo['unrecoverable']} unrecoverable`);
  t.equal(process.exitCode, demo['unrecoverable']! > 0 ? 2 : 0);
  process.exitCode = 0;
  await t.rejects(vfsim(['zfs', 'create', img, '--size', 'lots']), { code: 'EINVAL' }, 'a bad size is EINVAL');
});
