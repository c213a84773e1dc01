// The DMU's block buffers (OpenZFS zio.c zio_buf_alloc / zio_buf_free over the "zio_buf_4096" kmem
// cache, Bonwick's slab allocator, USENIX 1994): dirty data and indirect blocks come from a cache of
// fixed-size buffers carved from larger slabs and go back to it when the txg that wrote them commits,
// so a steady stream of dirty blocks costs no allocation. This is the simulator's own memory (the model
// charges nothing for it, as before); what it saves is JavaScript's ArrayBuffer allocation and GC.

import { invariant } from '../src/sim/assert.js';
import { BLOCK } from './layout.js';

/** Blocks per slab: one 64 KiB ArrayBuffer amortises the allocation over 16 buffers. */
const SLAB_BLOCKS = 16;
/**
 * Free buffers kept for reuse (8 MiB); buffers freed beyond this are dropped to the GC, so a txg that
 * once dirtied a great deal does not pin that memory for the life of the pool (kmem_cache_reap).
 */
const MAX_FREE = 2048;

export class ZioBufCache {
  private readonly free: Uint8Array[] = [];
  /** Buffers handed out and not yet returned (a leak or a double free shows here). */
  outstanding = 0;
  /** Slabs allocated over the cache's life (a test's measure of reuse). */
  slabs = 0;

  /** A BLOCK-sized buffer with arbitrary contents (the caller overwrites or clears it). */
  alloc(): Uint8Array {
    this.outstanding++;
    const b = this.free.pop();
    if (b !== undefined) return b;
    const slab = new ArrayBuffer(SLAB_BLOCKS * BLOCK);
    this.slabs++;
    for (let i = SLAB_BLOCKS - 1; i >= 1; i--) this.free.push(new Uint8Array(slab, i * BLOCK, BLOCK));
    return new Uint8Array(slab, 0, BLOCK);
  }

  /** A BLOCK-sized buffer of zeros. */
  allocZeroed(): Uint8Array {
    return this.alloc().fill(0);
  }

  /** Give `b` back; it must not be used after this. */
  release(b: Uint8Array): void {
    invariant(b.length === BLOCK && this.outstanding > 0, 'a released buffer came from this cache');
    this.outstanding--;
    if (this.free.length < MAX_FREE) this.free.push(b);
  }

  /** Buffers ready for reuse. */
  get available(): number {
    return this.free.length;
  }
}
