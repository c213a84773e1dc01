// `vfsim image build` and `vfsim boot` run in-process. The image builder keeps a directory's tree
// (symlinks as symlinks, ELF objects marked to be mapped) and refuses a symlink whose target leaves the
// directory (it would bring host paths into the guest) with EXDEV; `boot --image` boots what it built.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { register as registerImage, buildImageFromDir } from '../../src/cli/image.js';
import { register as registerBoot } from '../../src/cli/boot.js';
import { parseImage } from '../../src/guest/image.js';

async function vfsim(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerImage(program);
  registerBoot(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  const ewrite = process.stderr.write.bind(process.stderr);
  (process.stdout as { write: unknown }).write = (s: string | Uint8Array): boolean => { out += String(s); return true; };
  (process.stderr as { write: unknown }).write = (): boolean => true;
  try {
    await program.parseAsync(['node', 'vfsim', ...args]);
  } finally {
    (process.stdout as { write: unknown }).write = write;
    (process.stderr as { write: unknown }).write = ewrite;
  }
  return out;
}

function tree(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vfsim-img-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'app/lib'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'app/lib/libx.so'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(9000, 7)]));
  fs.writeFileSync(path.join(dir, 'app/main.conf'), 'threads=4\n');
  fs.symlinkSync('lib/libx.so', path.join(dir, 'app/libx.so'));
  return dir;
}

t.test('image build packs a directory; boot boots it with each root', async (t) => {
  const dir = tree(t);
  const out = path.join(dir, '..', path.basename(dir) + '.img');
  t.teardown(() => fs.rmSync(out, { force: true }));
  t.match(await vfsim(['image', 'build', dir, '-o', out, '--kernel-mib', '1']), /5 entries, 2 files/);
  const img = parseImage(fs.readFileSync(out));
  t.same(img.entries.map((e) => [e.path, e.type]), [['/app', 'dir'], ['/app/lib', 'dir'], ['/app/lib/libx.so', 'file'], ['/app/libx.so', 'symlink'], ['/app/main.conf', 'file']]);
  t.equal(img.entries[2]!.mapped, true, 'ELF objects are mapped at start');
  t.equal(img.entries[4]!.mapped, false);
  const j = JSON.parse(await vfsim(['boot', '--compare', '--image', out, '--seeds', '1', '--jobs', '1', '--ram-mib', '64', '--json'])) as { roots: Record<string, { totalNs: number }>; ratios: Record<string, number> };
  t.same(Object.keys(j.roots), ['ramfs', 'pcmfs', 'zfs-lite']);
  t.equal(j.ratios['ramfs'], 1);
  const single = await vfsim(['boot', '--root', 'zfs-lite', '--image', out, '--seeds', '1', '--ram-mib', '64']);
  t.match(single, /^zfs-lite \(mmap: double\) boot of /);
  t.match(single, /mount-root .* blockReads=/);
});

// issue 7: zfs-lite's two mmap modes are selectable for a boot; shared maps the ARC's buffers instead of
// copying them into page-cache frames, so its start-app copies less and never takes longer.
t.test('boot --zfs-mmap selects the mode, names it in the JSON, and refuses an unknown one', async (t) => {
  const dir = tree(t);
  const out = path.join(dir, '..', path.basename(dir) + '.img');
  t.teardown(() => fs.rmSync(out, { force: true }));
  await vfsim(['image', 'build', dir, '-o', out, '--kernel-mib', '1']);
  const run = async (mode: string): Promise<{ zfsMmap: string; roots: Record<string, { totalNs: number; phases: Record<string, number> }> }> =>
    JSON.parse(await vfsim(['boot', '--root', 'zfs-lite', '--image', out, '--seeds', '1', '--ram-mib', '64', '--zfs-mmap', mode, '--json']));
  const d = await run('double'), s = await run('shared');
  t.equal(d.zfsMmap, 'double');
  t.equal(s.zfsMmap, 'shared');
  t.ok(s.roots['zfs-lite']!.phases['start-app']! < d.roots['zfs-lite']!.phases['start-app']!, 'shared copies no block into the page cache');
  t.match(await vfsim(['boot', '--root', 'zfs-lite', '--image', out, '--seeds', '1', '--ram-mib', '64', '--zfs-mmap', 'shared']), /^zfs-lite \(mmap: shared\) boot of /);
  await t.rejects(vfsim(['boot', '--root', 'zfs-lite', '--zfs-mmap', 'bogus']), /--zfs-mmap bogus: double or shared/);
});

t.test('image build refuses symlinks that escape the directory (EXDEV)', async (t) => {
  const dir = tree(t);
  fs.symlinkSync('../../etc/passwd', path.join(dir, 'app/evil'));
  t.throws(() => buildImageFromDir(dir), { code: 'EXDEV' });
  fs.rmSync(path.join(dir, 'app/evil'));
  fs.symlinkSync('/etc/passwd', path.join(dir, 'app/abs'));
  t.throws(() => buildImageFromDir(dir), { code: 'EXDEV' }, 'an absolute host path is outside too');
  fs.rmSync(path.join(dir, 'app/abs'));
  fs.symlinkSync('../app/lib/../main.conf', path.join(dir, 'app/ok'));
  t.equal(buildImageFromDir(dir).entries.filter((e) => e.type === 'symlink').length, 2, 'a target that climbs and comes back in is fine');
});

t.test('bad input: not an image, bad flags', async (t) => {
  t.throws(() => parseImage(new Uint8Array(20)), { code: 'EINVAL' });
  await t.rejects(vfsim(['boot', '--root', 'ext4']), /--root ext4/);
  await t.rejects(vfsim(['boot', '--seeds', '0']), /--seeds/);
});
