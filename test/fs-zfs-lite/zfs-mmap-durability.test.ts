// Stores through a shared mapping of a ZFS-lite file are durable after fsync() and after sync(), in
// both dirty-state schemes. The rule: fsync(2) "transfers all modified in-core data of the file" —
// including pages modified through mmap (Linux's vfs_fsync_range writes the page cache first); OSv
// broke it (OSV.md §2, PR #1398: sys_fsync skipped the page cache), so vfsim names it here.
import t from 'tap';
import { Mm } from '../../src/mm/mm.js';
import { mmapFd } from '../../vfs/mmap-fd.js';
import { MAP_SHARED, MS_ASYNC, MS_SYNC, PROT_READ, PROT_WRITE } from '../../src/mm/mman.js';
import { msync } from '../../src/mm/mmap.js';
import { O_CREAT, O_RDWR } from '../../vfs/constants.js';
import { mountNew, reimport, readFile } from './zfs-helpers.js';

for (const hardwareDirty of [false, true]) {
  const mode = hardwareDirty ? 'hardware DBM' : 'software dirty faults';
  const mk = () => {
    const m = mountNew({ txgTimeoutNs: 1e15 }); // no background txg: only fsync/sync may make it durable
    const mm = new Mm({ ram: m.fs.pageCache.ram, pageCache: m.fs.pageCache, hardwareDirty });
    const as = mm.createAddressSpace();
    const fd = m.p.open('/f', O_RDWR | O_CREAT, 0o644);
    m.p.write(fd, new Uint8Array(3 * 4096).fill(1), 0, 3 * 4096, 0);
    m.p.sync();
    const va = mmapFd(m.p, as, 0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    return { ...m, mm, as, fd, va };
  };

  t.test(`[${mode}] fsync() makes stores through a shared mapping durable (log commit, no txg)`, async (t) => {
    const m = mk();
    const txg = m.fs.pool.txg;
    m.mm.cpu.store8(m.va + 4096 + 7, 0x5a);
    m.p.fsync(m.fd);
    t.equal(m.fs.pool.txg, txg, 'fsync committed the log, not a txg');
    const r = reimport(m.dev.durableImage());
    t.equal(readFile(r.p, '/f')[4096 + 7], 0x5a, 'the mapped store survived a power cut after fsync');
  });

  t.test(`[${mode}] sync() commits stores through a shared mapping in the txg`, async (t) => {
    const m = mk();
    m.mm.cpu.store8(m.va + 2 * 4096 + 1, 0x6b);
    m.p.sync();
    const r = reimport(m.dev.durableImage());
    t.equal(readFile(r.p, '/f')[2 * 4096 + 1], 0x6b, 'the mapped store is in the committed txg');
  });

  // msync(2) MS_SYNC: Linux's mm/msync.c writes the range back and calls vfs_fsync_range(file, start,
  // end, 1), so on ZFS the intent log is committed and the store survives a power cut; MS_ASYNC only
  // checks its arguments (since 2.6.19), so a power cut after it loses the store.
  t.test(`[${mode}] msync(MS_SYNC) makes a mapped store durable (the file's fsync runs); MS_ASYNC does not`, async (t) => {
    const m = mk();
    m.mm.cpu.store8(m.va + 9, 0x3c);
    msync(m.as, m.va, 4096, MS_ASYNC);
    t.equal(readFile(reimport(m.dev.durableImage()).p, '/f')[9], 1, 'MS_ASYNC made nothing durable');
    const txg = m.fs.pool.txg;
    msync(m.as, m.va, 4096, MS_SYNC);
    t.equal(m.fs.pool.txg, txg, 'a log commit, not a txg');
    t.equal(readFile(reimport(m.dev.durableImage()).p, '/f')[9], 0x3c, 'the mapped store survived a power cut after msync(MS_SYNC)');
  });

  t.test(`[${mode}] without fsync or sync the store is not durable (the check can fail)`, async (t) => {
    const m = mk();
    m.mm.cpu.store8(m.va + 3, 0x7c);
    const r = reimport(m.dev.durableImage());
    t.equal(readFile(r.p, '/f')[3], 1, 'a power cut before fsync loses the store');
  });
}
