// A transaction group's commit (OpenZFS spa_sync → dsl_pool_sync → dmu_objset_sync, then
// vdev_config_sync): every dirty object written copy-on-write, then the meta-dnode and the space map
// in sync passes until neither changes, the objset block, FLUSH, the uberblock into every label's
// ring, FLUSH. Only after the second FLUSH is the txg committed: the frees it made start their
// deferral and the old log chain, whose records the tree now holds, is released.

import { invariant } from '../src/sim/assert.js';
import type { Pool } from './pool.js';
import type { DmuObject } from './dmu.js';
import type { ZilChain } from './zil-chain.js';
import { SpaceAllocator, SM_ENTRY } from './spacemap.js';
import { DNODE_SIZE, DNODE_SHIFT, DNODES_PER_BLOCK } from './dnode.js';
import { writeUberblock } from './label.js';
import { BLOCK, BP_DVA0, BP_DVA1, BP_SIZE, OBJSET_MAGIC, T_OBJSET, VERSION, rd32, wr32, wr64 } from './layout.js';

/** Space map longer than this many entries per live run is condensed (metaslab_should_condense). */
const CONDENSE_FACTOR = 4;
const CONDENSE_MIN = 512;

/**
 * Write and commit txg `p.txg + 1`. `zil` is the pool's log chain (restarted at the new head the objset
 * names); `unsafeUb` writes the uberblock before the tree is flushed (the broken variant the crash
 * explorer must catch).
 */
export function writeTxg(p: Pool, zil: ZilChain, unsafeUb: boolean): void {
  const T = p.txg + 1;
  const dmu = p.dmu, alloc = p.alloc;
  dmu.syncTxg = T;
  // The objset's new home, and the head of the log chain that starts with this txg.
  const os0 = alloc.alloc(), os1 = alloc.allocDitto(os0);
  const old0 = rd32(p.rootbp, BP_DVA0), old1 = rd32(p.rootbp, BP_DVA1);
  if (old0 !== 0) { alloc.freeDeferred(old0); p.arc?.remove(old0); }
  if (old1 !== 0) alloc.freeDeferred(old1);
  const newHead = alloc.claimLog();
  const txgFrees: number[] = [];

  const objs = [...p.dirty].sort((a, b) => a.dn.ino - b.dn.ino);
  for (const obj of objs) {
    if (obj.freed) continue;
    if (obj.zap !== null && obj.zap.dirty) {
      for (const [l, b] of obj.zap.encodeDirty()) dmu.setBlock(obj, l, b, 0, BLOCK);
      obj.dn.zapShift = obj.zap.shift;
      obj.dnodeDirty = true;
    }
    dmu.syncObject(obj);
  }
  // Condense a long space map: rewrite it as the live runs (space_map condense).
  const smEntries = p.sm.dn.size / SM_ENTRY;
  let condense = smEntries > CONDENSE_MIN && smEntries > CONDENSE_FACTOR * (alloc.end - alloc.first - alloc.free) / 8;
  // Sync passes: dnodes into the meta-dnode, allocations into the space map, until both settle.
  const dnodes = new Set<DmuObject>(objs);
  for (let pass = 1; ; pass++) {
    invariant(pass < 50, 'sync passes converge');
    p.stats.syncPasses++;
    for (const obj of dnodes) {
      if (!obj.dnodeDirty && !obj.freed) continue;
      const ino = obj.dn.ino;
      const b = dmu.dirtyBlock(p.meta, ino >> DNODE_SHIFT);
      const o = (ino % DNODES_PER_BLOCK) * DNODE_SIZE;
      if (obj.freed) b.fill(0, o, o + DNODE_SIZE);
      else obj.dn.encode(b, o);
      obj.dnodeDirty = false;
    }
    dnodes.clear();
    dmu.syncObject(p.meta);
    if (condense) {
      dmu.freeFrom(p.sm, 0, -1, 0);
      p.sm.dn.size = 0;
      // The live runs now: this txg's allocations are in them, its frees (still pending) are not.
      const runs = alloc.condensedRuns();
      appendAll(txgFrees, alloc.pendingFrees);
      alloc.pendingFrees = [];
      alloc.pendingAllocs = [];
      appendSpaceMap(p, runs);
      p.stats.condenses++;
      condense = false;
    }
    if (alloc.pendingAllocs.length > 0 || alloc.pendingFrees.length > 0) {
      const words: number[] = [];
      SpaceAllocator.encodeRuns(alloc.pendingAllocs, false, words);
      SpaceAllocator.encodeRuns(alloc.pendingFrees, true, words);
      appendAll(txgFrees, alloc.pendingFrees);
      alloc.pendingAllocs = [];
      alloc.pendingFrees = [];
      appendSpaceMap(p, words);
    }
    dmu.syncObject(p.sm);
    if (p.sm.dnodeDirty) dnodes.add(p.sm);
    if (dnodes.size === 0 && !p.meta.hasDirtyBlocks && alloc.pendingAllocs.length === 0 && alloc.pendingFrees.length === 0) break;
  }
  // The objset block, then the uberblock pointing at it.
  const os = new Uint8Array(BLOCK);
  wr32(os, 0, OBJSET_MAGIC);
  wr32(os, 4, VERSION);
  wr64(os, 8, T);
  wr64(os, 16, p.nextObj);
  wr32(os, 24, newHead);
  wr32(os, 28, T);
  p.meta.dn.encode(os, 64);
  const bp = new Uint8Array(BP_SIZE);
  wr32(bp, BP_DVA0, os0);
  wr32(bp, BP_DVA1, os1);
  p.vdev.writeBlock(bp, 0, os, 0, T_OBJSET, 0, T);
  if (!unsafeUb) p.vdev.flush();
  writeUberblock(p.vdev, { txg: T, guid: p.guid, timestamp: p.clock.now, rootbp: bp });
  p.vdev.flush();
  // Committed.
  p.rootbp.set(bp);
  p.txg = T;
  p.stats.txgs++;
  alloc.commitFrees(txgFrees, alloc.free > p.slop);
  zil.restart(T, newHead);
  p.itx.reset();
  for (const o of p.dirty) if (o.freed) p.objects.delete(o.dn.ino);
  p.dirty.clear();
  p.dirtyEstimate = 0;
  p.lastSyncNs = p.clock.now;
}

/** Append space-map entries (pairs of words) to the space map object's blocks. */
function appendSpaceMap(p: Pool, words: number[]): void {
  let pos = p.sm.dn.size;
  for (let i = 0; i < words.length; i++, pos += 4) {
    const b = p.dmu.dirtyBlock(p.sm, Math.floor(pos / BLOCK));
    wr32(b, pos % BLOCK, words[i]!);
  }
  p.sm.dn.size = pos;
  p.sm.dnodeDirty = true;
}

/** out.push(...xs) without spreading: a txg may free more blocks than a call can take arguments. */
function appendAll(out: number[], xs: readonly number[]): void {
  for (let i = 0; i < xs.length; i++) out.push(xs[i]!);
}
