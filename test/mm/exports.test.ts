// The public API reaches mmap: `import { Mm, mmapFd, mman, ... } from 'vfsim'` maps a ramfs file and
// the CPU reads it (DESIGN.md: a feature exists when reachable through the public API).

import t from 'tap';
import { Mm, Ram, RamFs, Vfs, mmapFd, munmap, mman, constants } from '../../src/index.js';
import { Fsx, FSX_BACKENDS, StoreFs, zfsLiteBackend } from '../../src/testing/index.js';

t.test('mmap through the public API', async (t) => {
  const ram = new Ram({ bytes: 4 << 20 });
  const fs = new RamFs({ ram });
  const p = new Vfs({ root: fs }).root;
  const mm = new Mm({ ram, pageCache: fs.pageCache });
  const as = mm.createAddressSpace();
  const fd = p.open('/x', constants.O_RDWR | constants.O_CREAT, 0o644);
  p.write(fd, Uint8Array.of(1, 2, 3), 0, 3, 0);
  const va = mmapFd(p, as, 0, 4096, mman.PROT_READ, mman.MAP_SHARED, fd, 0);
  t.equal(mm.cpu.load8(va + 2), 3);
  munmap(as, va, 4096);
  t.same(mm.fsck(), []);
  t.ok(typeof Fsx === 'function' && FSX_BACKENDS.store !== undefined && typeof StoreFs === 'function', 'vfsim/testing exports fsx');
});

// issue 7: the zfs-lite mmap modes reach a user's fsx run through vfsim/testing, not only the CLI.
t.test('vfsim/testing: fsx on zfs-lite with shared ARC buffers', async (t) => {
  const r = new Fsx({ backend: zfsLiteBackend('shared'), seed: 4, ops: 300, ramMiB: 2 }).run();
  t.same(r.failures, []);
  t.ok(r.checkedBytes > 0, 'bytes were read back and checked');
  t.equal(r.ops, 300);
});
