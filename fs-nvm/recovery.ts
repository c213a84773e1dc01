// pcmfs mount-time recovery, after NOVA's (FAST 2016 §4.3, "Recovery"): check the superblock (a foreign
// image is EINVAL, a damaged one EIO), roll back an armed journal (a multi-inode commit cut short), then
// walk the tree from the root reading each reachable inode's log up to its committed tail (bytes past it
// are an uncommitted tail and are ignored), rebuild the DRAM indexes and the free-block bitmap from what
// the logs reference, and free inodes whose slot is set but which no directory names (orphans: created
// but not linked, or unlinked while open). Every pointer read is checked; nothing can loop.

import { fsErr } from '../vfs/errno.js';
import { S_IFDIR, S_IFMT } from '../vfs/constants.js';
import type { PersistentMemory } from '../src/hw/pcm/pcm.js';
import { BlockAllocator } from './alloc.js';
import { PInode, replay, type ReplayLimits } from './inode.js';
import { logTail, readLog } from './log.js';
import {
  BLOCK, ITABLE_BLOCK, JOURNAL_MAX_PAIRS, JOURNAL_SLOTS, JOURNAL_SLOT_BYTES, journalSlotOffset, PCMFS_MAGIC, PCMFS_VERSION, SB_BYTES, SB_CHECKSUM,
  SB_DATA_START, SB_INODES, SB_ITABLE, SB_MAGIC, SB_VERSION, SB_WORDS, SLOT_BYTES, checksum, slotOffset, type Geometry,
} from './layout.js';

/** What a mount found and did. */
export interface RecoveryReport {
  /** Commit words restored from an armed journal (0: none was armed). */
  journalRolledBack: number;
  /** Live inodes found by walking the tree. */
  inodes: number;
  /** Inodes whose log had a whole entry past its committed tail (an operation cut before its commit): ignored. */
  uncommittedTails: number;
  /** Inode slots set but unnamed, freed (their slot cleared). */
  orphanInodes: number;
  /** Blocks those orphans held (as far as their logs could be read), returned to the free pool. */
  leakedBlocks: number;
  logPages: number;
  dataBlocks: number;
  freeBlocks: number;
  /** Virtual time the recovery took on the device's clock, when the device has one. */
  ns: number;
}

export interface Recovered {
  geometry: Geometry;
  inodes: (PInode | undefined)[];
  alloc: BlockAllocator;
  report: RecoveryReport;
}

const sbBuf = new Uint8Array(8 * SB_WORDS + 8);
const sbView = new DataView(sbBuf.buffer);
const sbWords = new Uint32Array(sbBuf.buffer);

/** Read and check the superblock: EINVAL if not a pcmfs image of this version and size, EIO if damaged. */
export function readSuperblock(dev: PersistentMemory): Geometry {
  if (dev.size < 4 * BLOCK) throw fsErr('EINVAL', 'mount');
  dev.read(0, sbBuf, 0, sbBuf.length);
  const w = (o: number): number => sbView.getUint32(o + 4, true) * 4294967296 + sbView.getUint32(o, true);
  if (w(SB_MAGIC) !== PCMFS_MAGIC) throw fsErr('EINVAL', 'mount');
  if (w(SB_VERSION) !== PCMFS_VERSION) throw fsErr('EINVAL', 'mount');
  if (sbView.getUint32(SB_CHECKSUM, true) !== checksum(sbWords, 0, SB_CHECKSUM, -1)) throw fsErr('EIO', 'mount');
  const bytes = w(SB_BYTES), inodes = w(SB_INODES), itable = w(SB_ITABLE), dataStart = w(SB_DATA_START);
  if (bytes !== Math.floor(dev.size / BLOCK) * BLOCK) throw fsErr('EINVAL', 'mount');
  const blocks = bytes / BLOCK, itableBlocks = Math.ceil((inodes * SLOT_BYTES) / BLOCK);
  if (itable !== ITABLE_BLOCK || inodes < 1 || dataStart !== ITABLE_BLOCK + itableBlocks || dataStart >= blocks) {
    throw fsErr('EIO', 'mount');
  }
  return { bytes, blocks, inodes, itableBlocks, dataStart };
}

/** Write the superblock for `g` (mkfs). */
export function writeSuperblock(dev: PersistentMemory, g: Geometry, version = PCMFS_VERSION): void {
  sbBuf.fill(0);
  const put = (o: number, x: number): void => {
    sbView.setUint32(o, x % 4294967296, true);
    sbView.setUint32(o + 4, Math.floor(x / 4294967296), true);
  };
  put(SB_MAGIC, PCMFS_MAGIC);
  put(SB_VERSION, version);
  put(SB_BYTES, g.bytes);
  put(SB_INODES, g.inodes);
  put(SB_ITABLE, ITABLE_BLOCK);
  put(SB_DATA_START, g.dataStart);
  sbView.setUint32(SB_CHECKSUM, checksum(sbWords, 0, SB_CHECKSUM, -1), true);
  dev.write(0, sbBuf, 0, sbBuf.length);
  dev.flushRange(0, sbBuf.length);
}

/** Undo a multi-inode commit that was cut short: put back each commit word's old value. */
const journalArea = new Uint8Array(JOURNAL_SLOTS * JOURNAL_SLOT_BYTES);
const journalView = new DataView(journalArea.buffer);

function rollBackJournal(dev: PersistentMemory, g: Geometry): number {
  let restored = 0;
  // One read of the whole journal area; slots whose count word is zero are idle.
  dev.read(journalSlotOffset(0), journalArea, 0, journalArea.length);
  for (let slot = 0; slot < JOURNAL_SLOTS; slot++) {
    const at = slot * JOURNAL_SLOT_BYTES;
    if (journalView.getUint32(at, true) === 0 && journalView.getUint32(at + 4, true) === 0) continue;
    const jo = journalSlotOffset(slot);
    const n = dev.load64(jo);
    if (n < 0 || n > JOURNAL_MAX_PAIRS) throw fsErr('EIO', 'mount');
    for (let i = 0; i < n; i++) {
      const addr = dev.load64(jo + 8 + 16 * i), old = dev.load64(jo + 16 + 16 * i);
      if (addr % 8 !== 0 || addr < g.dataStart * BLOCK || addr >= g.bytes || old < 0) throw fsErr('EIO', 'mount');
    }
    for (let i = 0; i < n; i++) {
      const addr = dev.load64(jo + 8 + 16 * i);
      dev.store64(addr, dev.load64(jo + 16 + 16 * i));
      dev.flush(addr);
    }
    dev.fence();
    dev.store64(jo, 0);
    dev.flush(jo);
    dev.fence();
    restored += n;
  }
  return restored;
}

let s8 = new Uint8Array(0), s32 = new Uint32Array(0);
/** A zeroed scratch array reused across mounts (a crash explorer mounts thousands of images a second). */
function scratch8(n: number): Uint8Array {
  if (s8.length < n) s8 = new Uint8Array(n);
  const a = s8.subarray(0, n);
  a.fill(0);
  return a;
}
function scratch32(n: number): Uint32Array {
  if (s32.length < n) s32 = new Uint32Array(n);
  const a = s32.subarray(0, n);
  a.fill(0);
  return a;
}

/** Run recovery on `dev` and return the rebuilt state. `clockNow` reads the device clock, if any. */
export function recover(dev: PersistentMemory, rotate: boolean, maxFileSize: number, clockNow: () => number): Recovered {
  const t0 = clockNow();
  const g = readSuperblock(dev);
  const journalRolledBack = rollBackJournal(dev, g);
  const lim: ReplayLimits = { blocks: g.blocks, dataStart: g.dataStart, inodes: g.inodes, maxFileSize };
  const isLogBlock = (b: number): boolean => b >= g.dataStart && b < g.blocks;
  const seen = scratch8(g.blocks);
  // Slot heads, read in one sweep of the inode table.
  const table = new Uint8Array(g.inodes * SLOT_BYTES);
  dev.read(slotOffset(0), table, 0, table.length);
  const tv = new DataView(table.buffer);
  const head = (ino: number): number => tv.getUint32((ino - 1) * SLOT_BYTES + 4, true) * 4294967296 + tv.getUint32((ino - 1) * SLOT_BYTES, true);

  const inodes: (PInode | undefined)[] = new Array(g.inodes + 1);
  let uncommittedTails = 0;
  const load = (ino: number): PInode => {
    const h = head(ino);
    if (h === 0) throw fsErr('EIO', 'mount');
    const n = new PInode(ino);
    const pos = readLog(dev, h, isLogBlock, (kind, page, view, off, len) => {
      replay(n, kind, page, view, off, len, lim);
      n.entriesSinceCompact++;
    }, seen);
    if (logTail.uncommitted) uncommittedTails++;
    if (n.attr.mode === 0) throw fsErr('EIO', 'mount');
    n.pages = pos.pages;
    n.tailUsed = pos.tailUsed;
    inodes[ino] = n;
    return n;
  };
  const root = load(1);
  if (!root.isDir) throw fsErr('EIO', 'mount');
  const stack: PInode[] = [root];
  let live = 1;
  // Names of each inode (files) and subdirectories (directories): link counts must agree (e2fsck pass 4).
  const links = scratch32(g.inodes + 1);
  links[1] = 2;
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const ino of d.entries!.values()) {
      const have = inodes[ino];
      if (have !== undefined) {
        if (have.isDir || ino === 1) throw fsErr('EIO', 'mount'); // a directory named twice, or a cycle
        links[ino]!++;
        continue;
      }
      const c = load(ino);
      live++;
      if ((c.attr.mode & S_IFMT) === S_IFDIR) {
        stack.push(c);
        links[ino] = links[ino]! + 2;
        links[d.ino]!++;
      } else links[ino]!++;
    }
  }
  for (let ino = 1; ino <= g.inodes; ino++) {
    const n = inodes[ino];
    if (n !== undefined && n.attr.nlink !== links[ino]) throw fsErr('EIO', 'mount');
  }
  const alloc = new BlockAllocator(g.dataStart, g.blocks, rotate);
  let logPages = 0, dataBlocks = 0;
  for (const n of inodes) {
    if (n === undefined) continue;
    for (const b of n.pages) {
      alloc.claim(b);
      logPages++;
    }
    if (n.map !== null) {
      for (const b of n.map.values()) {
        if (!alloc.claim(b)) throw fsErr('EIO', 'mount'); // a block used twice
        dataBlocks++;
      }
      n.attr.blocks = n.map.size * (BLOCK / 512);
    } else {
      n.attr.blocks = n.isDir ? BLOCK / 512 : 0;
      if (n.isDir) n.attr.size = BLOCK;
    }
  }
  // Orphans: count what they held (best effort: a half-written orphan log is simply dropped), clear the slot.
  let orphanInodes = 0, leakedBlocks = 0;
  for (let ino = 2; ino <= g.inodes; ino++) {
    if (inodes[ino] !== undefined || head(ino) === 0) continue;
    orphanInodes++;
    const scratchSeen = seen.slice();
    const o = new PInode(ino);
    try {
      const pos = readLog(dev, head(ino), isLogBlock, (kind, page, view, off, len) => replay(o, kind, page, view, off, len, lim), scratchSeen);
      for (const b of pos.pages) if (alloc.used[b] === 0) leakedBlocks++;
      if (o.map !== null) for (const b of o.map.values()) if (alloc.used[b] === 0) leakedBlocks++;
    } catch {
      // An orphan's log need not be whole (its creation was cut short): nothing of it is kept.
    }
    dev.store64(slotOffset(ino - 1), 0);
    dev.flush(slotOffset(ino - 1));
  }
  if (orphanInodes > 0) dev.fence();
  return {
    geometry: g,
    inodes,
    alloc,
    report: {
      journalRolledBack, uncommittedTails, inodes: live, orphanInodes, leakedBlocks, logPages, dataBlocks, freeBlocks: alloc.free,
      ns: clockNow() - t0,
    },
  };
}
