// The intent log's chain of log blocks on disk (OpenZFS zil.c: zil_claim at import, zil_lwb_write_issue
// at zil_commit, zil_sync/zil_destroy when the txg that holds the records commits): where the chain
// starts (the head in the objset, tagged with the txg that started it), the block the next log write
// goes to (chosen ahead, as lwb does), and the blocks written so far, claimed from the allocator in
// memory only and released when a txg makes them obsolete.

import { fsErr } from '../vfs/errno.js';
import type { Vdev } from './vdev.js';
import type { SpaceAllocator } from './spacemap.js';
import { type ItxLog, ZIL_HDR, ZIL_PAYLOAD, encodeLogBlock, checkLogBlock } from './zil.js';
import { BLOCK } from './layout.js';

export class ZilChain {
  /** The txg that started this chain (zh_claim_txg's role: an older chain's blocks never verify). */
  chainTxg = 0;
  /** The block the next log block is written to (0: no chain yet). */
  next = 0;
  /** Sequence number of the next log block. */
  seq = 0;
  /** Blocks of the chain written (or claimed at import) so far. */
  private blocks: number[] = [];
  private readonly buf = new Uint8Array(BLOCK);
  /** Log blocks written over the pool's life (PoolStats.zilBlocks). */
  blocksWritten = 0;

  constructor(
    private readonly vdev: Vdev,
    private readonly alloc: SpaceAllocator,
    private readonly guid: number,
    /** Virtual ns per checksummed byte (the profile's cpu.checksumNsPerByte). */
    private readonly cksumNs: number,
  ) {}

  /**
   * zil_claim: follow the chain from `head` while blocks verify, claiming each, and return the records'
   * byte stream (null if the log is empty). The head must be free and claimable, else EIO: the objset
   * names it, so a head in use is damage. The chain ends at the first block that does not verify, or
   * whose successor is not free (a chain looping back on itself ends there).
   */
  open(head: number, chainTxg: number): Uint8Array | null {
    this.chainTxg = chainTxg;
    if (!this.alloc.claimExisting(head)) throw fsErr('EIO', 'zil_claim');
    const parts: Uint8Array[] = [];
    let blk = head, seq = 0, total = 0;
    const b = this.buf;
    this.blocks = [];
    for (;;) {
      try {
        this.vdev.readRaw(blk, b);
      } catch {
        break;
      }
      const ok = checkLogBlock(b, chainTxg, seq, this.guid);
      if (ok === null) break;
      const [n, next] = ok;
      if (!this.alloc.claimExisting(next)) break;
      parts.push(b.slice(ZIL_HDR, ZIL_HDR + n));
      total += n;
      this.blocks.push(blk);
      blk = next;
      seq++;
    }
    this.next = blk;
    this.seq = seq;
    if (total === 0) return null;
    const s = new Uint8Array(total);
    let o = 0;
    for (const p of parts) { s.set(p, o); o += p.length; }
    return s;
  }

  /**
   * Write the records of `itx` not yet on disk as log blocks, each naming the next block (claimed
   * first), then FLUSH. ENOSPC from the allocator passes to the caller (which commits the txg instead).
   */
  commit(itx: ItxLog): void {
    while (itx.committed < itx.len) {
      const n = Math.min(ZIL_PAYLOAD, itx.len - itx.committed);
      const next = this.alloc.claimLog();
      // encodeLogBlock computes the embedded checksum; charge it as the vdev charges every checksum.
      encodeLogBlock(this.buf, this.chainTxg, this.seq, next, this.guid, itx.buf, itx.committed, n);
      this.vdev.clock.now += BLOCK * this.cksumNs;
      this.vdev.writeRaw(this.next, this.buf);
      this.blocks.push(this.next);
      this.next = next;
      this.seq++;
      itx.committed += n;
      this.blocksWritten++;
    }
    this.vdev.flush();
  }

  /**
   * Txg `txg` committed with `head` as the new chain's head: the old chain's blocks (its records are
   * in the tree now) go back to the allocator and a new chain starts (zil_sync / zil_destroy).
   */
  restart(txg: number, head: number): void {
    for (const b of this.blocks) this.alloc.releaseLog(b);
    if (this.next !== 0) this.alloc.releaseLog(this.next);
    this.blocks = [];
    this.chainTxg = txg;
    this.next = head;
    this.seq = 0;
  }
}
