// pcmfs per-inode logs and their commit, after NOVA (FAST 2016 §3.2, §4.1): entries are appended past an
// inode's committed tail and made durable (DC CVAP + DSB); then one aligned 8-byte store commits them
// (the page's used-bytes word, or the old tail page's next pointer when a batch opens new pages) and is
// made durable in turn. An operation touching several inodes commits their words through a small undo
// journal (NOVA's "lightweight journal" for rename and link, §4.1): old values first, then the count that
// arms it, then the new values, then the count back to zero; recovery rolls an armed journal back.

import { invariant } from '../src/sim/assert.js';
import type { PersistentMemory } from '../src/hw/pcm/pcm.js';
import { fsErr } from '../vfs/errno.js';
import type { BlockAllocator } from './alloc.js';
import {
  BLOCK, EH, JOURNAL_MAX_PAIRS, JOURNAL_SLOTS, journalSlotOffset, PAGE_CAPACITY, PAGE_FIRST_ENTRY, PAGE_NEXT, PAGE_USED,
  checksum,
} from './layout.js';

/** Where an inode's log ends: its pages, and the used bytes of the last. */
export interface LogPosition {
  /** Block numbers of the log pages, head first. */
  pages: number[];
  /** Bytes used in the last page (PAGE_FIRST_ENTRY when empty). */
  tailUsed: number;
}

/** What readLog found past the committed tail. */
export const logTail = { uncommitted: false };

/** One inode's part of a transaction: the entries to append, encoded back to back. */
export class TxPart {
  log: LogPosition | null = null;
  buf = new Uint8Array(512);
  view = new DataView(this.buf.buffer);
  words = new Uint32Array(this.buf.buffer);
  len = 0;
  /** Start offset of each entry (entries never straddle log pages). */
  starts: number[] = [];
  // Placement, decided by prepare().
  newPages: number[] = [];
  commitAddr = 0;
  commitOld = 0;
  commitNew = 0;

  reset(log: LogPosition): void {
    this.log = log;
    this.len = 0;
    this.starts.length = 0;
    this.newPages.length = 0;
  }

  /** Reserve an entry of `len` bytes (multiple of 8) of `kind`; returns its offset in buf for the caller's fields. */
  entry(kind: number, len: number): number {
    invariant(len % 8 === 0 && len >= EH && len <= PAGE_CAPACITY, 'log entry size');
    if (this.len + len > this.buf.length) {
      const nb = new Uint8Array(Math.max(this.buf.length * 2, this.len + len));
      nb.set(this.buf.subarray(0, this.len));
      this.buf = nb;
      this.view = new DataView(nb.buffer);
      this.words = new Uint32Array(nb.buffer);
    }
    const off = this.len;
    this.buf.fill(0, off, off + len);
    this.view.setUint16(off, kind, true);
    this.view.setUint16(off + 2, len, true);
    this.starts.push(off);
    this.len += len;
    return off;
  }

  /** Fill in every entry's checksum (over the entry, the checksum field excluded). */
  seal(): void {
    for (const s of this.starts) {
      const len = this.view.getUint16(s + 2, true);
      this.view.setUint32(s + 4, checksum(this.words, s, len, s + 4), true);
    }
  }
}

export interface CommitOptions {
  /** Use the journal slots in turn (wear levelling); otherwise always slot 0. Default true. */
  rotate?: boolean;
  /** Test-only: leave out the fence between writing entries and storing the commit words (a bug the explorer must catch). */
  omitFence?: boolean;
  /** Test-only: commit a multi-inode operation word by word, without the journal (not atomic: a bug to catch). */
  omitJournal?: boolean;
}

const pageScratch = new Uint8Array(BLOCK);
const pageView = new DataView(pageScratch.buffer);

/**
 * Commits transactions on one device. Parts are prepared (log pages allocated: ENOSPC before anything
 * is written, so a failed call changes nothing), written, fenced, and committed.
 */
export class LogCommitter {
  readonly dev: PersistentMemory;
  readonly alloc: BlockAllocator;
  readonly opts: CommitOptions;
  private readonly pool: TxPart[] = [];
  private parts: TxPart[] = [];
  /** Commits through the journal (several inodes) and single-word commits, for reports. */
  journaled = 0;
  single = 0;
  private journalSlot = 0;

  constructor(dev: PersistentMemory, alloc: BlockAllocator, opts: CommitOptions = {}) {
    this.dev = dev;
    this.alloc = alloc;
    this.opts = opts;
  }

  /** Start a transaction. */
  begin(): void {
    for (const p of this.parts) this.pool.push(p);
    this.parts = [];
  }

  /** The part of the current transaction for `log` (one per log). */
  part(log: LogPosition): TxPart {
    for (const p of this.parts) if (p.log === log) return p;
    const p = this.pool.pop() ?? new TxPart();
    p.reset(log);
    this.parts.push(p);
    return p;
  }

  /** Write, fence and commit every part; ENOSPC (nothing written) if log pages run out. */
  commit(): void {
    const parts = this.parts, dev = this.dev;
    invariant(parts.length > 0 && parts.length <= JOURNAL_MAX_PAIRS, 'transaction size');
    // 1. Placement and page allocation, all before the first store.
    try {
      for (const p of parts) this.prepare(p);
    } catch (e) {
      for (const p of parts) for (const b of p.newPages) this.alloc.release(b);
      for (const p of parts) p.newPages.length = 0;
      throw e;
    }
    // 2. Entries (and new pages) to the media.
    for (const p of parts) {
      p.seal();
      const log = p.log!;
      if (p.newPages.length === 0) {
        const last = log.pages[log.pages.length - 1]! * BLOCK;
        dev.write(last + log.tailUsed, p.buf, 0, p.len);
        dev.flushRange(last + log.tailUsed, p.len);
      } else {
        writeChain(dev, p.buf, p.starts, p.len, p.newPages);
      }
    }
    if (this.opts.omitFence !== true) dev.fence();
    // 3. The commit words.
    if (parts.length === 1 || this.opts.omitJournal === true) {
      for (const p of parts) {
        dev.store64(p.commitAddr, p.commitNew);
        dev.flush(p.commitAddr);
        dev.fence();
      }
      this.single++;
    } else {
      const jo = journalSlotOffset(this.journalSlot);
      if (this.opts.rotate !== false) this.journalSlot = (this.journalSlot + 1) % JOURNAL_SLOTS;
      for (let i = 0; i < parts.length; i++) {
        dev.store64(jo + 8 + 16 * i, parts[i]!.commitAddr);
        dev.store64(jo + 16 + 16 * i, parts[i]!.commitOld);
      }
      dev.flushRange(jo + 8, 16 * parts.length);
      dev.fence();
      dev.store64(jo, parts.length);
      dev.flush(jo);
      dev.fence();
      for (const p of parts) {
        dev.store64(p.commitAddr, p.commitNew);
        dev.flush(p.commitAddr);
      }
      dev.fence();
      dev.store64(jo, 0);
      dev.flush(jo);
      dev.fence();
      this.journaled++;
    }
    // 4. The volatile log positions follow.
    for (const p of parts) {
      const log = p.log!;
      if (p.newPages.length === 0) log.tailUsed += p.len;
      else {
        for (const b of p.newPages) log.pages.push(b);
        log.tailUsed = lastPageUsed(p);
      }
    }
  }

  private prepare(p: TxPart): void {
    const log = p.log!;
    const last = log.pages[log.pages.length - 1]! * BLOCK;
    if (log.tailUsed + p.len <= PAGE_NEXT) {
      p.commitAddr = last + PAGE_USED;
      p.commitOld = log.tailUsed;
      p.commitNew = log.tailUsed + p.len;
      return;
    }
    const n = pagesFor(p);
    for (let i = 0; i < n; i++) p.newPages.push(this.alloc.allocRun(1));
    p.commitAddr = last + PAGE_NEXT;
    p.commitOld = 0;
    p.commitNew = p.newPages[0]! * BLOCK;
  }
}

/** Number of pages a part's entries need when packed from the start of fresh pages. */
export function pagesFor(p: TxPart): number {
  let pages = 1, used = PAGE_FIRST_ENTRY;
  for (const s of p.starts) {
    const l = p.view.getUint16(s + 2, true);
    if (used + l > PAGE_NEXT) {
      pages++;
      used = PAGE_FIRST_ENTRY;
    }
    used += l;
  }
  return pages;
}

/** Bytes used in the last of those pages. */
export function lastPageUsed(p: TxPart): number {
  let used = PAGE_FIRST_ENTRY;
  for (const s of p.starts) {
    const l = p.view.getUint16(s + 2, true);
    if (used + l > PAGE_NEXT) used = PAGE_FIRST_ENTRY;
    used += l;
  }
  return used;
}

/**
 * Write entries into fresh pages (each: used word, entries, next pointer), flushed, not fenced. The
 * pages are unreachable until a commit word points at the first.
 */
export function writeChain(dev: PersistentMemory, buf: Uint8Array, starts: readonly number[], len: number, pages: readonly number[]): void {
  const view = new DataView(buf.buffer, buf.byteOffset);
  let pi = 0, used = PAGE_FIRST_ENTRY, runStart = starts.length > 0 ? starts[0]! : 0;
  const flushPage = (end: number, next: number): void => {
    const off = pages[pi]! * BLOCK;
    pageScratch.fill(0);
    pageView.setUint32(PAGE_USED, used, true);
    pageScratch.set(buf.subarray(runStart, end), PAGE_FIRST_ENTRY);
    pageView.setUint32(PAGE_NEXT, next % 4294967296, true);
    pageView.setUint32(PAGE_NEXT + 4, Math.floor(next / 4294967296), true);
    dev.write(off, pageScratch, 0, used);
    dev.write(off + PAGE_NEXT, pageScratch, PAGE_NEXT, 8);
    dev.flushRange(off, used);
    dev.flush(off + PAGE_NEXT);
  };
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!, l = view.getUint16(s + 2, true);
    if (used + l > PAGE_NEXT) {
      flushPage(s, pages[pi + 1]! * BLOCK);
      pi++;
      used = PAGE_FIRST_ENTRY;
      runStart = s;
    }
    used += l;
  }
  flushPage(len, 0);
  invariant(pi === pages.length - 1, 'chain used every page');
}

/** An entry met while reading a log: kind, and where it lies in the page buffer. */
export type EntryVisitor = (kind: number, page: Uint8Array, view: DataView, off: number, len: number) => void;

const readPage = new Uint8Array(BLOCK);
const readView = new DataView(readPage.buffer);
const readWords = new Uint32Array(readPage.buffer);

/**
 * Read a log from its head page, checking every pointer, length and checksum; EIO on anything
 * inconsistent (a corrupt image), never a loop (a page seen twice is EIO). `isLogBlock` says whether a
 * block number may hold a log page.
 */
export function readLog(dev: PersistentMemory, head: number, isLogBlock: (b: number) => boolean, visit: EntryVisitor,
  seen: Uint8Array): LogPosition {
  const pages: number[] = [];
  let off = head, used = PAGE_FIRST_ENTRY;
  for (;;) {
    if (off % BLOCK !== 0 || off < 0) throw fsErr('EIO', 'mount');
    const b = off / BLOCK;
    if (!isLogBlock(b) || seen[b] === 1) throw fsErr('EIO', 'mount');
    seen[b] = 1;
    pages.push(b);
    dev.read(off, readPage, 0, BLOCK);
    used = readView.getUint32(PAGE_USED, true);
    if (readView.getUint32(PAGE_USED + 4, true) !== 0 || used < PAGE_FIRST_ENTRY || used > PAGE_NEXT || used % 8 !== 0) {
      throw fsErr('EIO', 'mount');
    }
    let p = PAGE_FIRST_ENTRY;
    while (p < used) {
      const kind = readView.getUint16(p, true), len = readView.getUint16(p + 2, true);
      if (len < EH || len % 8 !== 0 || p + len > used) throw fsErr('EIO', 'mount');
      if (readView.getUint32(p + 4, true) !== checksum(readWords, p, len, p + 4)) throw fsErr('EIO', 'mount');
      visit(kind, readPage, readView, p, len);
      p += len;
    }
    const next = readView.getUint32(PAGE_NEXT + 4, true) * 4294967296 + readView.getUint32(PAGE_NEXT, true);
    if (next === 0) break;
    off = next;
  }
  // A whole, checksummed entry right past the tail: written by an operation whose commit never became
  // durable. It is ignored (and overwritten by the next append); recovery counts it.
  logTail.uncommitted = false;
  if (used + EH <= PAGE_NEXT) {
    const kind = readView.getUint16(used, true), len = readView.getUint16(used + 2, true);
    logTail.uncommitted = kind >= 1 && kind <= 8 && len >= EH && len % 8 === 0 && used + len <= PAGE_NEXT &&
      readView.getUint32(used + 4, true) === checksum(readWords, used, len, used + 4);
  }
  return { pages, tailUsed: used };
}
