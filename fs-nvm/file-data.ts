// pcmfs file data: DAX reads straight from the PCM blocks into the caller's buffer, and copy-on-write
// writes (NOVA, FAST 2016 §3.5): new blocks are written with non-temporal stores, then one log entry per
// contiguous run maps them and the commit makes the whole write visible at once; the old blocks are freed
// after the commit. A page's bytes past the end of the file are always zero (truncate and punch copy the
// partial page), so growing a file never exposes old data.

import { fsErr } from '../vfs/errno.js';
import type { PcmFs } from './pcmfs.js';
import type { PInode } from './inode.js';
import { encPunch, encTrunc, encWrite } from './inode.js';
import type { TxPart } from './log.js';
import { BLOCK } from './layout.js';

/** Largest run of blocks one Write entry maps. */
const MAX_RUN = 1 << 16;

/** Scratch page for merges (one at a time: calls do not nest). */
const PAGE = new Uint8Array(BLOCK);

export class FileData {
  private readonly fs: PcmFs;
  private readonly page = PAGE;
  // Runs of the write being prepared (reused).
  private runStart = new Float64Array(8);
  private runLen = new Float64Array(8);
  private runs = 0;

  constructor(fs: PcmFs) {
    this.fs = fs;
  }

  /** DAX read: contiguous blocks are copied in one device read; holes read as zeros. */
  read(n: PInode, pos: number, buf: Uint8Array, off: number, len: number): number {
    const map = n.map;
    if (map === null) throw fsErr('EISDIR');
    const size = n.attr.size;
    if (pos >= size || len <= 0) return 0;
    if (len > size - pos) len = size - pos;
    const dev = this.fs.dev;
    let done = 0;
    while (done < len) {
      const p = pos + done;
      let pg = Math.floor(p / BLOCK);
      const inPage = p - pg * BLOCK;
      const blk = map.get(pg);
      let chunk = Math.min(BLOCK - inPage, len - done);
      if (blk === undefined) {
        buf.fill(0, off + done, off + done + chunk);
      } else {
        // Extend across pages whose blocks follow on (one streaming copy).
        let k = 1;
        while (done + chunk < len && map.get(pg + 1) === blk + k) {
          pg++;
          k++;
          chunk = Math.min(chunk + BLOCK, len - done);
        }
        dev.read(blk * BLOCK + inPage, buf, off + done, chunk);
      }
      done += chunk;
    }
    return len;
  }

  /** Copy-on-write write; ENOSPC (nothing changed) when the blocks or log pages run out. */
  write(n: PInode, pos: number, buf: Uint8Array, off: number, len: number): number {
    const map = n.map;
    if (map === null) throw fsErr('EISDIR');
    if (len <= 0) return 0;
    const end = pos + len;
    if (end > this.fs.capabilities.maxFileSize) throw fsErr('EFBIG');
    const p0 = Math.floor(pos / BLOCK), p1 = Math.floor((end - 1) / BLOCK);
    this.allocRuns(p1 - p0 + 1);
    const dev = this.fs.dev, size = n.attr.size, newSize = Math.max(size, end);
    let pg = p0;
    for (let r = 0; r < this.runs; r++) {
      const b0 = this.runStart[r]!, rl = this.runLen[r]!;
      let fullFrom = -1; // first page of a pending stretch of whole pages
      for (let i = 0; i < rl; i++, pg++) {
        const ps = pg * BLOCK;
        const whole = pos <= ps && end >= ps + BLOCK;
        if (whole) {
          if (fullFrom < 0) fullFrom = i;
          continue;
        }
        if (fullFrom >= 0) {
          const from = pg - (i - fullFrom);
          dev.ntWrite((b0 + fullFrom) * BLOCK, buf, off + from * BLOCK - pos, (i - fullFrom) * BLOCK);
          fullFrom = -1;
        }
        this.mergePage(n, pg, pos, end, buf, off);
        dev.ntWrite((b0 + i) * BLOCK, this.page, 0, BLOCK);
      }
      if (fullFrom >= 0) {
        const from = pg - (rl - fullFrom);
        dev.ntWrite((b0 + fullFrom) * BLOCK, buf, off + from * BLOCK - pos, (rl - fullFrom) * BLOCK);
      }
    }
    this.fs.tx.begin();
    const part = this.fs.tx.part(n);
    pg = p0;
    for (let r = 0; r < this.runs; r++) {
      encWrite(part, pg, this.runLen[r]!, this.runStart[r]!, newSize);
      pg += this.runLen[r]!;
    }
    this.commitOrRelease();
    pg = p0;
    for (let r = 0; r < this.runs; r++) {
      for (let i = 0; i < this.runLen[r]!; i++, pg++) {
        const old = map.get(pg);
        if (old !== undefined) this.fs.alloc.release(old);
        map.set(pg, this.runStart[r]! + i);
      }
    }
    n.attr.size = newSize;
    n.attr.blocks = map.size * (BLOCK / 512);
    return len;
  }

  /** Set the size; shrinking copies the new last page with its tail zeroed (one commit for both). */
  truncate(n: PInode, size: number): void {
    const map = n.map;
    if (map === null) throw fsErr('EISDIR');
    if (size > this.fs.capabilities.maxFileSize) throw fsErr('EFBIG');
    const old = n.attr.size;
    if (size === old) return;
    this.runs = 0;
    const cut = size % BLOCK, lastPg = Math.floor(size / BLOCK);
    const copy = size < old && cut !== 0 && map.has(lastPg);
    if (copy) {
      this.allocRuns(1);
      this.fs.dev.read(map.get(lastPg)! * BLOCK, this.page, 0, cut);
      this.page.fill(0, cut);
      this.fs.dev.ntWrite(this.runStart[0]! * BLOCK, this.page, 0, BLOCK);
    }
    this.fs.tx.begin();
    const part = this.fs.tx.part(n);
    encTrunc(part, size);
    if (copy) encWrite(part, lastPg, 1, this.runStart[0]!, size);
    this.commitOrRelease();
    if (size < old) {
      const keep = Math.ceil(size / BLOCK);
      for (const [pg, b] of map) {
        if (pg >= keep || (copy && pg === lastPg)) {
          this.fs.alloc.release(b);
          map.delete(pg);
        }
      }
      if (copy) map.set(lastPg, this.runStart[0]!);
    }
    n.attr.size = size;
    n.attr.blocks = map.size * (BLOCK / 512);
  }

  /** Deallocate whole pages inside [off, off+len) and zero the partial pages at its ends (copy-on-write). */
  punchHole(n: PInode, off: number, len: number): void {
    const map = n.map;
    if (map === null) throw fsErr('EISDIR');
    const end = Math.min(off + len, n.attr.size);
    if (off >= end) return;
    const first = Math.ceil(off / BLOCK), last = Math.floor(end / BLOCK); // whole pages [first, last)
    const edges: number[] = [];
    const headPg = Math.floor(off / BLOCK), tailPg = Math.floor((end - 1) / BLOCK);
    for (const pg of headPg === tailPg ? [headPg] : [headPg, tailPg]) {
      const ps = pg * BLOCK;
      if (!(off <= ps && end >= ps + BLOCK) && map.has(pg)) edges.push(pg);
    }
    const newBlocks: number[] = [];
    try {
      for (let i = 0; i < edges.length; i++) newBlocks.push(this.fs.alloc.allocRun(1));
    } catch (e) {
      for (const b of newBlocks) this.fs.alloc.release(b);
      throw e;
    }
    for (let i = 0; i < edges.length; i++) {
      const pg = edges[i]!, ps = pg * BLOCK;
      this.fs.dev.read(map.get(pg)! * BLOCK, this.page, 0, BLOCK);
      this.page.fill(0, Math.max(off, ps) - ps, Math.min(end, ps + BLOCK) - ps);
      this.fs.dev.ntWrite(newBlocks[i]! * BLOCK, this.page, 0, BLOCK);
    }
    this.fs.tx.begin();
    const part = this.fs.tx.part(n);
    if (last > first) encPunch(part, first, last - first);
    for (let i = 0; i < edges.length; i++) encWrite(part, edges[i]!, 1, newBlocks[i]!, n.attr.size);
    if (part.len === 0) return;
    try {
      this.fs.commit();
    } catch (e) {
      for (const b of newBlocks) this.fs.alloc.release(b);
      throw e;
    }
    for (const [pg, b] of map) {
      if (pg >= first && pg < last) {
        this.fs.alloc.release(b);
        map.delete(pg);
      }
    }
    for (let i = 0; i < edges.length; i++) {
      this.fs.alloc.release(map.get(edges[i]!)!);
      map.set(edges[i]!, newBlocks[i]!);
    }
    n.attr.blocks = map.size * (BLOCK / 512);
  }

  /** The page map as Write entries over contiguous runs, then the size (log compaction). */
  encodeMap(p: TxPart, n: PInode): void {
    const pgs = [...n.map!.keys()].sort((a, b) => a - b);
    let i = 0;
    while (i < pgs.length) {
      const pg = pgs[i]!, b = n.map!.get(pg)!;
      let k = 1;
      while (i + k < pgs.length && pgs[i + k] === pg + k && n.map!.get(pg + k) === b + k && k < MAX_RUN) k++;
      encWrite(p, pg, k, b, n.attr.size);
      i += k;
    }
    encTrunc(p, n.attr.size);
  }

  // ---- internals ----

  /** The new page `pg`: its old contents (or zeros), with the written bytes over them. */
  private mergePage(n: PInode, pg: number, pos: number, end: number, buf: Uint8Array, off: number): void {
    const ps = pg * BLOCK, old = n.map!.get(pg);
    if (old !== undefined) this.fs.dev.read(old * BLOCK, this.page, 0, BLOCK);
    else this.page.fill(0);
    const a = Math.max(pos, ps), b = Math.min(end, ps + BLOCK);
    this.page.set(buf.subarray(off + (a - pos), off + (b - pos)), a - ps);
  }

  /** Allocate `pages` blocks in as few runs as the free space allows; ENOSPC (all released) if short. */
  private allocRuns(pages: number): void {
    this.runs = 0;
    const alloc = this.fs.alloc;
    if (alloc.free < pages) throw fsErr('ENOSPC');
    let left = pages;
    while (left > 0) {
      const b = alloc.allocRun(Math.min(left, MAX_RUN));
      if (this.runs === this.runStart.length) {
        const s = new Float64Array(this.runs * 2), l = new Float64Array(this.runs * 2);
        s.set(this.runStart);
        l.set(this.runLen);
        this.runStart = s;
        this.runLen = l;
      }
      this.runStart[this.runs] = b;
      this.runLen[this.runs] = alloc.lastRun;
      this.runs++;
      left -= alloc.lastRun;
    }
  }

  private commitOrRelease(): void {
    try {
      this.fs.commit();
    } catch (e) {
      for (let r = 0; r < this.runs; r++) this.fs.alloc.release(this.runStart[r]!, this.runLen[r]!);
      this.runs = 0;
      throw e;
    }
  }
}

