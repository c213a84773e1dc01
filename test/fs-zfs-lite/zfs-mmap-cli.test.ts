// `vfsim fsx --fs zfs-lite --zfs-mmap double|shared` (src/cli/fsx.ts), run in-process: both mmap modes
// pass fsx (every byte read back checked, mmap(2) coherence) in 8 MiB of RAM with page evictions; shared
// mode really shares (OSv arc_share_buf: clean pages borrow ARC buffers; arc_buf eviction revokes them,
// unmap_arc_buf) and double mode never does; a mode without zfs-lite, or an unknown one, is refused.
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
    const j = JSON.parse(await vfsim(['fsx', '--fs', 'zfs-lite', '--zfs-mmap', mode, '--ops', '2000', '--ram-mib', '8', '--json'])) as Record<string, number> & { sharing: Record<string, number> };
    t.equal(j.failures, 0, `${j.ops} ops, ${j.checkedBytes} bytes checked`);
    t.ok(j.evictions! > 0, `${j.evictions} evictions`);
    const s = j.sharing;
    if (mode === 'shared') {
      t.ok(s.borrows! > 0, `${s.borrows} pages borrowed ARC buffers (arc_share_buf)`);
      t.ok(s.revocations! > 0, `${s.revocations} borrowed pages revoked by ARC evictions (unmap_arc_buf)`);
      t.ok(s.shareBreaks! > 0 && s.shareBreaks! <= s.borrows!, `${s.shareBreaks} shares broken by writes`);
    } else {
      t.same([s.borrows, s.revocations, s.unshared, s.shareBreaks], [0, 0, 0, 0], 'double caching: the page cache copies, nothing is borrowed');
    }
  });
}

t.test('--txg-ms: the txg interval decides whether shared mode can share (5 s: blocks stay dirty in the DMU)', async (t) => {
  const run = async (txg: string) => (JSON.parse(await vfsim(['fsx', '--fs', 'zfs-lite', '--zfs-mmap', 'shared', '--ops', '2000', '--ram-mib', '8', '--txg-ms', txg, '--json'])) as { txgMs: number; failures: number; sharing: { borrows: number } });
  const slow = await run('5000'), fast = await run('0.1');
  t.equal(slow.txgMs, 5000, 'the JSON names the interval');
  t.equal(slow.failures + fast.failures, 0);
  t.ok(fast.sharing.borrows > 10 * Math.max(1, slow.sharing.borrows), `0.1 ms: ${fast.sharing.borrows} borrows; 5 s (zfs_txg_timeout): ${slow.sharing.borrows}`);
});

t.test('--zfs-mmap, --txg-ms and --arc-kib need zfs-lite and valid values', async (t) => {
  await t.rejects(vfsim(['fsx', '--fs', 'ramfs', '--txg-ms', '1', '--ops', '10']), /--txg-ms/);
  await t.rejects(vfsim(['fsx', '--fs', 'zfs-lite', '--txg-ms', '0', '--ops', '10']), /--txg-ms/);
  await t.rejects(vfsim(['fsx', '--fs', 'zfs-lite', '--txg-ms', 'soon', '--ops', '10']), /--txg-ms/);
  await t.rejects(vfsim(['fsx', '--fs', 'zfs-lite', '--arc-kib', '2', '--ops', '10']), /--arc-kib/);
  await t.rejects(vfsim(['fsx', '--fs', 'ramfs', '--zfs-mmap', 'shared', '--ops', '10']), /--zfs-mmap/);
  await t.rejects(vfsim(['fsx', '--fs', 'zfs-lite', '--zfs-mmap', 'both', '--ops', '10']), /--zfs-mmap/);
});
