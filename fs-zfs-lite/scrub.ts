// zpool scrub (OpenZFS dsl_scan.c in small): walk every block the last committed txg references — the
// objset, the meta-dnode's tree, every object's tree — reading every copy from the media (not the ARC),
// verifying each against its parent's checksum, and rewriting a bad copy from a good one. Reports what
// it found and repaired; a block with no good copy is counted unrecoverable (its reads are EIO).

import { Dnode, DNODE_SIZE, DNODES_PER_BLOCK } from './dnode.js';
import { DmuObject } from './dmu.js';
import { BLOCK, BP_TYPE, MAX_LEVELS, T_DATA, T_DNODE, T_ZAP, rd32 } from './layout.js';
import type { Pool } from './pool.js';
import { S_IFDIR, S_IFMT } from '../vfs/constants.js';

export interface ScrubReport {
  txg: number;
  /** Blocks (each with all its copies) verified. */
  blocks: number;
  /** Copies that failed their checksum or could not be read. */
  errors: number;
  /** Copies rewritten from a good copy. */
  repaired: number;
  /** Blocks with no good copy. */
  unrecoverable: number;
  /** Objects walked. */
  objects: number;
  /** Virtual ns the scrub took. */
  ns: number;
}

export function scrub(pool: Pool): ScrubReport {
  pool.sync();
  const t0 = pool.clock.now;
  const vdev = pool.vdev;
  const rep: ScrubReport = { txg: pool.txg, blocks: 0, errors: 0, repaired: 0, unrecoverable: 0, objects: 0, ns: 0 };
  const visit = (b: Uint8Array, o: number): Uint8Array | null => {
    const buf = new Uint8Array(BLOCK);
    rep.blocks++;
    try {
      const [e, r] = vdev.scrubBlock(b, o, buf);
      rep.errors += e;
      rep.repaired += r;
      return buf;
    } catch {
      rep.errors++;
      rep.unrecoverable++;
      return null;
    }
  };
  visit(pool.rootbp, 0);
  const dmu = pool.dmu;
  const meta = new DmuObject(pool.meta.dn, T_DNODE);
  rep.objects++;
  dmu.walk(meta, (b, o, level) => {
    const blk = visit(b, o);
    if (blk === null || level > 0 || (rd32(b, o + BP_TYPE) & 0xff) !== T_DNODE) return blk;
    for (let i = 0; i < DNODES_PER_BLOCK; i++) {
      const dn = new Dnode(0);
      if (!dn.decode(blk, i * DNODE_SIZE) || dn.nlevels < 1 || dn.nlevels > MAX_LEVELS) continue;
      rep.objects++;
      // Level-0 type only matters for reads, not for scrub, which checks every pointer's checksum.
      const type = (dn.mode & S_IFMT) === S_IFDIR || dn.mode === 0 ? T_ZAP : T_DATA;
      dmu.walk(new DmuObject(dn, type), (cb, co) => visit(cb, co));
    }
    return blk;
  });
  if (rep.repaired > 0) vdev.flush(); // repairs are durable when scrub reports them
  rep.ns = pool.clock.now - t0;
  return rep;
}
