// pcmfs on-media layout: superblock, journal, inode table, then 4 KiB blocks that are log pages or file
// data, in the manner of NOVA (Xu & Swanson, "NOVA: A Log-structured File System for Hybrid
// Volatile/Non-volatile Main Memories", FAST 2016, §3-4): every inode owns a chain of log pages; an
// operation appends entries, fences, then commits with one aligned 8-byte store (the PCM failure-atomic unit).
//
//   block 0                superblock (words below) + checksum
//   blocks 1-4             journal: 64 slots of 256 bytes (one XPLine), used in turn to spread wear;
//                          a slot's word 0 = number of (address, old value) pairs, then the pairs
//   blocks 5 .. 5+T-1      inode table: 64-byte slots; word 0 = first log page (device offset, 0 = free)
//   blocks dataStart ..    log pages and data blocks, from one allocator
//
// A log page: word 0 = bytes used (commit word while the page is the tail), entries from byte 8,
// word 511 (byte 4088) = next page (commit word when a batch opens a new page), 0 = none.

import { invariant } from '../src/sim/assert.js';

export const BLOCK = 4096;
export const BLOCK_SHIFT = 12;
/** "PCMFS" in ASCII, an 8-byte magic of our own (we do not claim NOVA's 0x4E4F5641 format). */
export const PCMFS_MAGIC = 0x50434d4653;
export const PCMFS_VERSION = 1;
/** statfs f_type. */
export const PCMFS_STATFS_MAGIC = 0x50434d46;

export const SB_MAGIC = 0;
export const SB_VERSION = 8;
export const SB_BYTES = 16;
export const SB_INODES = 24;
export const SB_ITABLE = 32;
export const SB_DATA_START = 40;
export const SB_CHECKSUM = 48;
export const SB_WORDS = 6;

export const JOURNAL_BLOCK = 1;
export const JOURNAL_BLOCKS = 4;
/** One journal slot per XPLine, so that a slot's stores are one media write unit. */
export const JOURNAL_SLOT_BYTES = 256;
export const JOURNAL_SLOTS = (JOURNAL_BLOCKS * 4096) / JOURNAL_SLOT_BYTES;
/** Pairs a slot holds: rename with a replaced target touches at most three inodes' commit words. */
export const JOURNAL_MAX_PAIRS = 8;
export const journalSlotOffset = (slot: number): number => JOURNAL_BLOCK * 4096 + slot * JOURNAL_SLOT_BYTES;

export const SLOT_BYTES = 64;
export const ITABLE_BLOCK = JOURNAL_BLOCK + JOURNAL_BLOCKS;

/** Log page geometry. */
export const PAGE_USED = 0;
export const PAGE_FIRST_ENTRY = 8;
export const PAGE_NEXT = BLOCK - 8;
export const PAGE_CAPACITY = PAGE_NEXT - PAGE_FIRST_ENTRY;

/** Log entry kinds. Header word: bytes 0-1 kind, 2-3 length (bytes, multiple of 8), 4-7 checksum. */
export const E = {
  /** A new inode: mode, uid, gid, rdev, nlink, time; symlink target after it. */
  Init: 1,
  /** mode, uid, gid and the three timestamps (what setattr changes). */
  Attr: 2,
  /** nlink. */
  Link: 3,
  /** Directory entry (name → ino), replacing any entry of that name. */
  DentAdd: 4,
  DentDel: 5,
  /** File pages [pgoff, pgoff+n) now live in blocks [block, block+n); size after. */
  Write: 6,
  /** Size set; pages wholly past it dropped. */
  Trunc: 7,
  /** Pages [pgoff, pgoff+n) dropped (holes). */
  Punch: 8,
} as const;

/** Header length. */
export const EH = 8;
/** Entry lengths (fixed kinds). */
export const INIT_LEN = EH + 40;
export const ATTR_LEN = EH + 64;
export const LINK_LEN = EH + 8;
export const WRITE_LEN = EH + 32;
export const TRUNC_LEN = EH + 8;
export const PUNCH_LEN = EH + 16;
export const dentLen = (nameBytes: number): number => align8(EH + 8 + nameBytes);
export const align8 = (n: number): number => (n + 7) & ~7;

/**
 * FNV-1a over the 32-bit words [off, off+len) of `w` (off and len in bytes, multiples of 4), the word
 * at byte `skip` (the checksum field) left out. Words, not bytes: recovery checks every entry it reads.
 */
export function checksum(w: Uint32Array, off: number, len: number, skip: number): number {
  let h = 0x811c9dc5;
  const end = (off + len) >>> 2, sk = skip >>> 2;
  for (let i = off >>> 2; i < end; i++) {
    if (i === sk && skip >= 0) continue;
    h = Math.imul(h ^ w[i]!, 0x01000193);
  }
  return h >>> 0;
}

/** Geometry computed from the device size (mkfs) or read back (mount). */
export interface Geometry {
  readonly bytes: number;
  readonly blocks: number;
  readonly inodes: number;
  readonly itableBlocks: number;
  readonly dataStart: number;
}

/** mkfs geometry: one inode slot per 16 KiB of PCM, at least 64 (NOVA sizes its inode table on demand). */
export function geometryFor(bytes: number, inodes?: number): Geometry {
  const blocks = Math.floor(bytes / BLOCK);
  const n = inodes ?? Math.max(64, Math.floor(bytes / 16384));
  const itableBlocks = Math.ceil((n * SLOT_BYTES) / BLOCK);
  const dataStart = ITABLE_BLOCK + itableBlocks;
  invariant(blocks > dataStart + 1, 'pcmfs device holds its metadata');
  return { bytes: blocks * BLOCK, blocks, inodes: n, itableBlocks, dataStart };
}

export const slotOffset = (slot: number): number => ITABLE_BLOCK * BLOCK + slot * SLOT_BYTES;
