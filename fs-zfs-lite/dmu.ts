// The DMU's object layer (OpenZFS dbuf.c / dnode_sync.c / dmu.c in small): an object is a dnode and a
// tree of block pointers, `nlevels` deep, 64 pointers to an indirect block. Changes gather in memory
// (dirty data blocks and dirty indirect blocks) and are written copy-on-write at txg sync: every dirty
// block goes to a fresh place, its parent gets the new pointer and checksum, and the old place is freed
// (deferred). A block born in the syncing txg is no committed tree's, so a later pass of the same sync
// may rewrite it in place (ZFS's sync passes do the same), which is what lets the space map converge.
// Dirty buffers come from the DMU's zio buffer cache and return to it when written or dropped.

import { fsErr } from '../vfs/errno.js';
import { invariant } from '../src/sim/assert.js';
import type { Vdev } from './vdev.js';
import type { SpaceAllocator } from './spacemap.js';
import { Dnode } from './dnode.js';
import { ZioBufCache } from './zio-buf.js';
import type { ZapDir } from './zap.js';
import type { FileMapping } from '../src/mm/page-cache.js';
import type { DirEntry } from '../vfs/backend.js';
import {
  BLOCK, BP_BIRTH, BP_DVA0, BP_DVA1, BP_PER_BLOCK, BP_SIZE, BP_TYPE, MAX_LEVELS, T_DATA, T_INDIRECT, bpIsHole, rd32, wr32,
} from './layout.js';

const POW64 = [1, 64, 4096, 262144, 16777216, 1073741824, 68719476736, 4398046511104];

/** Data blocks a tree of `nlevels` levels can address. */
export function capacity(nlevels: number): number {
  return POW64[nlevels - 1]!;
}

export class DmuObject {
  /** Dirty data blocks by block id (full 4 KiB copies). */
  readonly dirtyData = new Map<number, Uint8Array>();
  /** Dirty indirect blocks by level (index 1..nlevels-1), then by block id at that level. */
  readonly dirtyInd: Map<number, Uint8Array>[] = [];
  /** The dnode itself changed (attributes, root pointer). */
  dnodeDirty = false;
  /** Freed (dnode_free): its slot is zeroed at the next sync. */
  freed = false;
  /** A directory's entries (ZAP). */
  zap: ZapDir | null = null;
  /** A regular file's page-cache mapping (zfs.ts). */
  mapping: FileMapping | null = null;
  /** A symlink's target, once read. */
  target: string | null = null;
  /** readdir's answer, kept until the directory changes. */
  dirents: DirEntry[] | null = null;
  constructor(
    readonly dn: Dnode,
    /** Type of this object's level-0 blocks (T_DATA for files, T_ZAP, T_DNODE, T_SPACEMAP). */
    readonly type: number,
  ) {}

  get hasDirtyBlocks(): boolean {
    if (this.dirtyData.size > 0) return true;
    for (const m of this.dirtyInd) if (m !== undefined && m.size > 0) return true;
    return false;
  }
}

export class Dmu {
  /** The txg being synced (blocks with this birth may be rewritten in place). */
  syncTxg = 0;
  /** Two pointer slots for the read walk (the pointer read and the one it was read through). */
  private readonly bpBuf = new Uint8Array(2 * BP_SIZE);
  /** Where walkToLeaf left the data block's pointer (fields, not a tuple: nothing allocated per read). */
  private leafBuf: Uint8Array = this.bpBuf;
  private leafOff = 0;
  /** Where every dirty block's buffer comes from (zio_buf_alloc). */
  readonly bufs = new ZioBufCache();
  // parentOf's answer (the buffer holding a pointer, and the pointer's offset in it), without a tuple.
  private pb: Uint8Array = new Uint8Array(0);
  private po = 0;
  /** syncObject's sorted block ids, reused. */
  private readonly ids: number[] = [];

  constructor(
    readonly vdev: Vdev,
    readonly alloc: SpaceAllocator,
  ) {
  }

  /**
   * Read data block `blkid` of `obj` into dst[off..+BLOCK); false (dst untouched) for a hole.
   */
  readBlock(obj: DmuObject, blkid: number, dst: Uint8Array, off: number): boolean {
    const d = obj.dirtyData.get(blkid);
    if (d !== undefined) {
      dst.set(d, off);
      return true;
    }
    if (!this.walkToLeaf(obj, blkid)) return false;
    this.vdev.readBlock(this.leafBuf, this.leafOff, dst, off);
    return true;
  }

  /**
   * The block pointer of data block `blkid` copied into out[outOff..+BP_SIZE): 1, or 0 for a hole, or -1
   * when the block is dirty in memory (its current data is in no block pointer yet). The walk of
   * readBlock stopping at the pointer, for the page cache to map the block's ARC buffer itself (OSv's
   * dmu_map_uio, shared-buffer mmap).
   */
  leafBp(obj: DmuObject, blkid: number, out: Uint8Array, outOff: number): number {
    if (obj.dirtyData.has(blkid)) return -1;
    if (!this.walkToLeaf(obj, blkid)) return 0;
    out.set(this.leafBuf.subarray(this.leafOff, this.leafOff + BP_SIZE), outOff);
    return 1;
  }

  /**
   * Walk from the dnode down to data block `blkid`'s pointer, leaving it at leafBuf[leafOff..] (in the
   * dnode, a dirty indirect, or the walk's own pointer slots); false for a hole. Bounded by nlevels (at
   * most MAX_LEVELS reads), so a damaged tree cannot loop; a pointer whose type or level is not what this
   * position needs is damage: EIO. Only the one pointer needed at each level is read (vdev.readBp).
   */
  private walkToLeaf(obj: DmuObject, blkid: number): boolean {
    const dn = obj.dn, nl = dn.nlevels;
    if (blkid >= capacity(nl)) return false;
    let buf: Uint8Array = dn.root, bo = 0;
    const bpb = this.bpBuf;
    for (let level = nl - 1; level >= 1; level--) {
      const id = Math.floor(blkid / POW64[level]!);
      const slot = Math.floor(blkid / POW64[level - 1]!) % BP_PER_BLOCK;
      const dirty = obj.dirtyInd[level]?.get(id);
      if (dirty !== undefined) {
        buf = dirty;
        bo = slot * BP_SIZE;
        continue;
      }
      if (bpIsHole(buf, bo)) return false;
      if (rd32(buf, bo + BP_TYPE) !== (T_INDIRECT | (level << 8))) throw fsErr('EIO', 'dbuf_read');
      const into = buf === bpb && bo === 0 ? BP_SIZE : 0; // never read a pointer over itself
      this.vdev.readBp(buf, bo, slot, bpb, into);
      buf = bpb;
      bo = into;
    }
    if (bpIsHole(buf, bo)) return false;
    if (rd32(buf, bo + BP_TYPE) !== obj.type) throw fsErr('EIO', 'dbuf_read');
    this.leafBuf = buf;
    this.leafOff = bo;
    return true;
  }

  /** The dirty copy of data block `blkid` (read in, or zeros for a hole), for a partial update. */
  dirtyBlock(obj: DmuObject, blkid: number): Uint8Array {
    let d = obj.dirtyData.get(blkid);
    if (d !== undefined) return d;
    d = this.bufs.alloc();
    try {
      if (!this.readBlock(obj, blkid, d, 0)) d.fill(0);
    } catch (e) {
      this.bufs.release(d);
      throw e;
    }
    obj.dirtyData.set(blkid, d);
    return d;
  }

  /**
   * Zero bytes [from, to) of data block `blkid` (a hole punched in part of a block); a hole stays a
   * hole. The block is read (charged as any read) only when it has no dirty copy.
   */
  zeroRange(obj: DmuObject, blkid: number, from: number, to: number): void {
    let d = obj.dirtyData.get(blkid);
    if (d === undefined) {
      d = this.bufs.alloc();
      let present: boolean;
      try {
        present = this.readBlock(obj, blkid, d, 0);
      } catch (e) {
        this.bufs.release(d);
        throw e;
      }
      if (!present) {
        this.bufs.release(d);
        return;
      }
      obj.dirtyData.set(blkid, d);
    }
    d.fill(0, from, to);
  }

  /** Replace data block `blkid` with src[off..+len), zeros after (a page written back). */
  setBlock(obj: DmuObject, blkid: number, src: Uint8Array, off: number, len: number): void {
    let d = obj.dirtyData.get(blkid);
    if (d === undefined) {
      d = this.bufs.alloc();
      obj.dirtyData.set(blkid, d);
    }
    if (len < BLOCK) d.fill(0, len);
    d.set(off === 0 && len === src.length ? src : src.subarray(off, off + len));
  }

  /** Grow the tree until it addresses `blkid` (dnode_increase_indirection). */
  private grow(obj: DmuObject, blkid: number): void {
    const dn = obj.dn;
    while (blkid >= capacity(dn.nlevels)) {
      if (dn.nlevels >= MAX_LEVELS) throw fsErr('EFBIG', 'dnode_increase_indirection');
      const top = this.bufs.allocZeroed();
      top.set(dn.root, 0);
      // The old top's dirty copy (if any) now sits one level below a new top.
      (obj.dirtyInd[dn.nlevels] ??= new Map()).set(0, top);
      dn.root.fill(0);
      dn.nlevels++;
    }
  }

  /** Dirty indirect block `id` at `level`, read in (or zero) and its ancestors dirtied. */
  private getInd(obj: DmuObject, level: number, id: number): Uint8Array {
    const m = (obj.dirtyInd[level] ??= new Map());
    let b = m.get(id);
    if (b !== undefined) return b;
    const dn = obj.dn;
    let pb: Uint8Array, po: number;
    if (level === dn.nlevels - 1) { pb = dn.root; po = 0; }
    else { pb = this.getInd(obj, level + 1, Math.floor(id / BP_PER_BLOCK)); po = (id % BP_PER_BLOCK) * BP_SIZE; }
    b = this.bufs.alloc();
    if (bpIsHole(pb, po)) b.fill(0);
    else {
      try {
        if (rd32(pb, po + BP_TYPE) !== (T_INDIRECT | (level << 8))) throw fsErr('EIO', 'dbuf_read');
        this.vdev.readBlock(pb, po, b, 0);
      } catch (e) {
        this.bufs.release(b);
        throw e;
      }
    }
    m.set(id, b);
    return b;
  }

  /** Parent buffer and offset of the pointer to block `id` at `level`, into this.pb / this.po. */
  private parentOf(obj: DmuObject, level: number, id: number): void {
    if (level === obj.dn.nlevels - 1) {
      this.pb = obj.dn.root;
      this.po = 0;
      return;
    }
    this.pb = this.getInd(obj, level + 1, Math.floor(id / BP_PER_BLOCK));
    this.po = (id % BP_PER_BLOCK) * BP_SIZE;
  }

  /** Free the block at pb[po] (deferred) and make the pointer a hole. */
  private freeBp(pb: Uint8Array, po: number): void {
    const d0 = rd32(pb, po + BP_DVA0), d1 = rd32(pb, po + BP_DVA1);
    if (d0 !== 0) this.freeDva(d0);
    if (d1 !== 0) this.freeDva(d1);
    pb.fill(0, po, po + BP_SIZE);
  }

  private freeDva(b: number): void {
    this.alloc.freeDeferred(b);
    this.vdev.arc?.remove(b);
  }

  /** Write `buf` copy-on-write under the pointer pb[po] (see the module comment for the in-place case). */
  private cow(pb: Uint8Array, po: number, buf: Uint8Array, type: number, level: number): void {
    const txg = this.syncTxg;
    const meta = type !== T_DATA;
    const old0 = rd32(pb, po + BP_DVA0), old1 = rd32(pb, po + BP_DVA1);
    let d0: number, d1: number;
    if (old0 !== 0 && rd32(pb, po + BP_BIRTH) === txg) {
      d0 = old0;
      d1 = old1 !== 0 || !meta ? old1 : this.alloc.allocDitto(d0);
    } else {
      if (old0 !== 0) this.freeDva(old0);
      if (old1 !== 0) this.freeDva(old1);
      d0 = this.alloc.alloc();
      d1 = meta ? this.alloc.allocDitto(d0) : 0;
    }
    wr32(pb, po + BP_DVA0, d0);
    wr32(pb, po + BP_DVA1, d1);
    this.vdev.writeBlock(pb, po, buf, 0, type, level, txg);
  }

  /** Write every dirty block of `obj` (dbuf_sync, bottom up); the dnode becomes dirty. */
  syncObject(obj: DmuObject): void {
    if (!obj.hasDirtyBlocks) return;
    const dn = obj.dn;
    let max = -1;
    for (const k of obj.dirtyData.keys()) if (k > max) max = k;
    if (max >= 0) this.grow(obj, max);
    const ids = sortedKeys(obj.dirtyData, this.ids);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      this.parentOf(obj, 0, id);
      const pb = this.pb, po = this.po;
      if (obj.type === T_DATA && bpIsHole(pb, po)) dn.nblocks++;
      this.cow(pb, po, obj.dirtyData.get(id)!, obj.type, 0);
    }
    this.releaseAll(obj.dirtyData);
    for (let level = 1; level < dn.nlevels; level++) {
      const m = obj.dirtyInd[level];
      if (m === undefined || m.size === 0) continue;
      const lids = sortedKeys(m, this.ids);
      for (let i = 0; i < lids.length; i++) {
        const id = lids[i]!;
        this.parentOf(obj, level, id);
        this.cow(this.pb, this.po, m.get(id)!, T_INDIRECT, level);
      }
      this.releaseAll(m);
    }
    for (const m of obj.dirtyInd) if (m !== undefined) this.releaseAll(m);
    dn.blocks = dn.nblocks * (BLOCK / 512);
    obj.dnodeDirty = true;
  }

  /**
   * Free every data block with id >= `from` (truncate; dnode_free_range), and zero the tail of block
   * from-1 past `keepBytes` of it when keepBytes is not 0 (the partial last block of a shrunk file).
   */
  freeFrom(obj: DmuObject, from: number, tailBlk: number, tailKeep: number): void {
    if (tailBlk >= 0 && tailKeep > 0) {
      const d = this.dirtyBlock(obj, tailBlk);
      d.fill(0, tailKeep);
    }
    this.freeRange(obj, from, Infinity);
  }

  /** Free the data blocks with ids in [from, to) (holes stay holes). */
  freeRange(obj: DmuObject, from: number, to: number): void {
    // Deleting the entry just visited is safe during a Map iteration (ECMA-262: a Map iterator skips
    // deleted entries and visits the rest in insertion order).
    const dd = obj.dirtyData;
    for (const k of dd.keys()) {
      if (k >= from && k < to) {
        this.bufs.release(dd.get(k)!);
        dd.delete(k);
      }
    }
    const dn = obj.dn;
    if (from >= capacity(dn.nlevels) || from >= to) return;
    this.freeTree(obj, dn.nlevels - 1, 0, dn.root, 0, from, to);
    dn.blocks = dn.nblocks * (BLOCK / 512);
    obj.dnodeDirty = true;
  }

  private freeTree(obj: DmuObject, level: number, id: number, pb: Uint8Array, po: number, from: number, to: number): void {
    const span = POW64[level]!, lo = id * span;
    if (lo + span <= from || lo >= to) return;
    const dirty = level > 0 ? obj.dirtyInd[level]?.get(id) : undefined;
    if (bpIsHole(pb, po) && dirty === undefined) return;
    if (level === 0) {
      if (obj.type === T_DATA) obj.dn.nblocks--;
      this.freeBp(pb, po);
      return;
    }
    if (lo >= from && lo + span <= to) {
      // The whole subtree goes: read it (not dirtying it), free its children, then it.
      // The block's buffer (its dirty copy, or a read-in copy) goes back to the cache either way.
      let b = dirty;
      if (b === undefined) {
        if (rd32(pb, po + BP_TYPE) !== (T_INDIRECT | (level << 8))) throw fsErr('EIO', 'dnode_free_range');
        b = this.bufs.alloc();
        try {
          this.vdev.readBlock(pb, po, b, 0);
        } catch (e) {
          this.bufs.release(b);
          throw e;
        }
      }
      try {
        for (let c = 0; c < BP_PER_BLOCK; c++) this.freeTree(obj, level - 1, id * BP_PER_BLOCK + c, b, c * BP_SIZE, from, to);
      } catch (e) {
        if (dirty === undefined) this.bufs.release(b); // a dirty copy stays where it was
        throw e;
      }
      if (dirty !== undefined) obj.dirtyInd[level]!.delete(id);
      this.bufs.release(b);
      this.freeBp(pb, po);
      return;
    }
    // Part of the subtree: only the children whose spans meet [from, to) are visited.
    const b = this.getInd(obj, level, id), cs = POW64[level - 1]!;
    const cLo = Math.max(0, Math.floor((from - lo) / cs)), cHi = Math.min(BP_PER_BLOCK, Math.ceil((to - lo) / cs));
    for (let c = cLo; c < cHi; c++) this.freeTree(obj, level - 1, id * BP_PER_BLOCK + c, b, c * BP_SIZE, from, to);
  }

  /** Return every buffer of `m` to the cache and empty it. */
  private releaseAll(m: Map<number, Uint8Array>): void {
    if (m.size === 0) return;
    for (const b of m.values()) this.bufs.release(b);
    m.clear();
  }

  /** Visit every block pointer of the tree (scrub): fn(buf, off, level) before descending. Bounded by nlevels. */
  walk(obj: DmuObject, fn: (b: Uint8Array, o: number, level: number) => Uint8Array | null): void {
    const dn = obj.dn;
    const rec = (b: Uint8Array, o: number, level: number): void => {
      if (bpIsHole(b, o)) return;
      const child = fn(b, o, level);
      if (child === null || level === 0) return;
      for (let c = 0; c < BP_PER_BLOCK; c++) rec(child, c * BP_SIZE, level - 1);
    };
    invariant(dn.nlevels >= 1 && dn.nlevels <= MAX_LEVELS, 'dnode levels validated at load');
    rec(dn.root, 0, dn.nlevels - 1);
  }
}

/** The keys of `m` in ascending order, into `out` (reused: no array per call). */
function sortedKeys(m: Map<number, unknown>, out: number[]): number[] {
  out.length = 0;
  for (const k of m.keys()) out.push(k);
  return out.sort(ascending);
}

function ascending(a: number, b: number): number {
  return a - b;
}
