// `vfsim fsx --fs zfs-lite --zfs-mmap double|shared` (src/cli/fsx.ts), run in-process: both mmap modes
// pass fsx (every byte read back checked, mmap(2) coherence) in 8 MiB of RAM with page evictions, and a
// mode without zfs-lite, or an unknown one, is refused.
import t from 'tap';
import { Command } from 'commander';
import { register } from '../../src/cli/fsx.js';

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

for (const mode of ['double', 'shared']) {
  t.test(`fsx --zfs-mmap ${mode}: no failures, pages evicted`, async (t) => {
    const j = JSON.parse(await vfsim(['fsx', '--fs', 'zfs-lite', '--zfs-mmap', mode, '--ops', '2000', '--ram-mib', '8', '--json'])) as Record<string, number>;
    t.equal(j.failures, 0, `${j.ops} ops, ${j.checkedBytes} bytes checked`);
    t.ok(j.evictions! > 0, `${j.evictions} evictions`);
  });
}

t.test('--zfs-mmap needs zfs-lite and a known mode', async (t) => {
  await t.rejects(vfsim(['fsx', '--fs', 'ramfs', '--zfs-mmap', 'shared', '--ops', '10']), /--zfs-mmap/);
  await t.rejects(vfsim(['fsx', '--fs', 'zfs-lite', '--zfs-mmap', 'both', '--ops', '10']), /--zfs-mmap/);
});
