// A zfs-lite root booted with each mmap mode (Guest({ zfsMmap })): the application's binaries are
// mapped either as page-cache copies of ARC buffers or as the ARC buffers themselves (OSv's BSD-ZFS
// arc_share_buf), and the same files read back either way (read(2) returns what was installed).
import t from 'tap';
import { Guest, jvmImage } from '../../src/index.js';
import { O_RDONLY } from '../../vfs/constants.js';
import type { ZfsLite } from '../../fs-zfs-lite/index.js';

const small = jvmImage({ seed: 7, scale: 0.04 });

t.test('zfs-lite root: shared ARC buffers map the binaries without page copies; files intact in both modes', async (t) => {
  const borrows: Record<string, number> = {};
  for (const zfsMmap of ['double', 'shared'] as const) {
    const g = new Guest({ root: 'zfs-lite', image: small, seed: 3, ramMiB: 64, zfsMmap });
    const r = await g.boot();
    t.ok(r.phases.find((p) => p.name === 'start-app')!.counters.pageFaults! > 0, `${zfsMmap}: the app faulted its pages in`);
    const fs = g.backend as ZfsLite;
    t.equal(fs.mmapCache, zfsMmap, 'the mode reached the mounted file system');
    borrows[zfsMmap] = fs.pageCache.stats.borrows;
    const files = small.entries.map((e, i) => [e, i] as const).filter(([e]) => e.type === 'file');
    for (const [e, i] of [files[0]!, files[files.length - 1]!]) {
      const fd = g.fs.open(e.path, O_RDONLY);
      const buf = new Uint8Array(e.size);
      t.equal(g.fs.read(fd, buf, 0, e.size, 0), e.size);
      t.ok(Buffer.from(buf).equals(Buffer.from(small.contents(i))), `${zfsMmap}: ${e.path} intact`);
      g.fs.close(fd);
    }
  }
  t.equal(borrows.double, 0, 'double caching borrows no ARC frame');
  t.ok(borrows.shared! > 0, `shared: ${borrows.shared} pages were the ARC's frames`);
});
