// A read error under a page fault is a signal, not a JS exception: the fault-handler contract
// (src/hw/exception.ts) and Linux filemap_fault, which returns VM_FAULT_SIGBUS when reading the page
// fails (mmap(2): "SIGBUS ... attempted access to a portion of the buffer that does not correspond to
// the file", and in practice an I/O error on the backing page). Checked on zfs-lite with a data block
// corrupted on disk (its checksum fails: EIO), in both mmap modes, for loads and stores through
// MAP_SHARED and MAP_PRIVATE, with every RAM frame accounted for afterwards (no frame leaked by the
// copy-on-write path), and the same page read fine once the block is rewritten.
import t from 'tap';
import { Mm } from '../../src/mm/mm.js';
import { mmapFd } from '../../vfs/mmap-fd.js';
import { MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/mm/mman.js';
import { O_CREAT, O_RDWR } from '../../vfs/constants.js';
import { BLOCK, BP_DVA0, BP_SIZE, rd32 } from '../../fs-zfs-lite/layout.js';
import { MiB, mountNew } from '../fs-zfs-lite/zfs-helpers.js';

const PS = 4096;
const PAGES = 4;
const BAD = 1; // the page whose block is corrupted

function rig(mode: 'double' | 'shared', flags: number) {
  const r = mountNew({ mmapCache: mode, ramBytes: 4 * MiB, txgTimeoutNs: 1e15 });
  const mm = new Mm({ ram: r.fs.pageCache.ram, pageCache: r.fs.pageCache });
  const as = mm.createAddressSpace();
  const fd = r.p.open('/f', O_RDWR | O_CREAT, 0o644);
  r.p.write(fd, new Uint8Array(PAGES * PS).fill(1), 0, PAGES * PS, 0);
  r.p.sync();
  r.fs.dropPageCache();
  const bp = new Uint8Array(BP_SIZE);
  const ino = r.p.fstat(fd).ino;
  // Set-up, not a check: a throw here fails the subtest that built the rig.
  if (r.fs.pool.dmu.leafBp(r.fs.pool.getObject(ino), BAD, bp, 0) !== 1) throw new Error('set-up: the block to corrupt is not on disk');
  const dva = rd32(bp, BP_DVA0);
  const spb = BLOCK / r.dev.sectorSize;
  for (let s = 0; s < spb; s++) r.dev.injectCorruption(dva * spb + s, { bits: 8, seed: s + 1 });
  const va = mmapFd(r.p, as, 0, PAGES * PS, PROT_READ | PROT_WRITE, flags, fd, 0);
  const frames = (): number => as.tables.tables + as.priv.size;
  return { ...r, mm, as, fd, va, frames };
}

for (const mode of ['double', 'shared'] as const) {
  for (const [kind, flags] of [['MAP_SHARED', MAP_SHARED], ['MAP_PRIVATE', MAP_PRIVATE]] as const) {
    for (const access of ['load', 'store'] as const) {
      t.test(`${mode}, ${kind}: a ${access} of a page whose block fails its checksum is SIGBUS at the address (filemap_fault VM_FAULT_SIGBUS)`, async (t) => {
        const r = rig(mode, flags);
        const addr = r.va + BAD * PS + 17;
        const cpu = r.mm.cpu;
        const before = r.mm.stats.sigbus;
        let v = -1;
        t.doesNotThrow(() => {
          if (access === 'load') v = cpu.load8(addr);
          else cpu.store8(addr, 7);
        }, 'no JS exception out of the fault');
        t.same(cpu.takeSignal(), { signal: 'SIGBUS', addr }, 'SIGBUS pending with the faulting address');
        t.equal(r.mm.stats.sigbus, before + 1, 'counted as a SIGBUS');
        if (access === 'load') t.equal(v, 0, 'an abandoned load returns 0');
        t.same(r.fs.auditFrames(r.frames()), [], 'no frame leaked (the copy-on-write frame went back)');
        t.same(r.mm.fsck(), [], 'descriptors, rmap and page cache agree');
        t.equal(cpu.load8(r.va + 2 * PS), 1, 'a good page of the same mapping still loads');
        t.equal(cpu.signal, null, 'without a signal');
        // Rewriting the block through write() replaces the damaged copy: the page faults in again.
        r.p.write(r.fd, new Uint8Array(PS).fill(3), 0, PS, BAD * PS);
        t.equal(cpu.load8(addr), 3, 'after write() repairs the block the page loads');
        t.equal(cpu.signal, null, 'and no signal is left');
      });
    }
  }
}
