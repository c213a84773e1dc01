// The on-disk format of ZFS-lite, in one place: block size, where the labels and uberblock rings sit,
// and the block pointer and uberblock encodings (after the ZFS On-Disk Specification, Sun 2006, §1-2:
// vdev labels L0-L3, the uberblock array, blkptr_t with DVAs, birth txg and checksum). Little-endian
// 32-bit words throughout; 64-bit quantities as two words (low, high).

/** Every block is 4 KiB: the allocation unit, the record size and the page size (ZFS: ashift 12, recordsize 4K). */
export const BLOCK = 4096;
export const BLOCK_SHIFT = 12;
/** A label: one config block and an uberblock ring of 15 one-block slots (ZFS: 256 KiB, 128 slots). */
export const LABEL_BLOCKS = 16;
export const UB_SLOTS = LABEL_BLOCKS - 1;
/** Smallest pool: four labels plus room for a few txgs. */
export const MIN_POOL_BLOCKS = 4 * LABEL_BLOCKS + 64;
/** Largest pool: block numbers are 32-bit in a DVA here (16 TiB), and the block device caps at 4 GiB. */
export const MAX_POOL_BLOCKS = 2 ** 20;

export const LABEL_MAGIC = 0x5a4c4142; // 'ZLAB'
export const UB_MAGIC = 0x00bab10c; // ZFS's uberblock magic ("oo-ba-bloc")
export const OBJSET_MAGIC = 0x4f424a53; // 'OBJS'
export const ZIL_MAGIC = 0x5a494c31; // 'ZIL1'
export const VERSION = 1;

/** Block types (dmu_object_type_t, reduced). Everything but DATA is metadata and gets a ditto copy. */
export const T_DATA = 1;
export const T_INDIRECT = 2;
export const T_DNODE = 3;
export const T_ZAP = 4;
export const T_SPACEMAP = 5;
export const T_OBJSET = 6;

/** Block pointer: 64 bytes (ZFS's is 128). */
export const BP_SIZE = 64;
export const BP_DVA0 = 0;
export const BP_DVA1 = 4;
export const BP_LSIZE = 8;
export const BP_TYPE = 12; // type | level << 8
export const BP_BIRTH = 16;
export const BP_CKSUM = 32; // 8 words
/** Pointers per indirect block. */
export const BP_PER_BLOCK = BLOCK / BP_SIZE; // 64
export const BP_SHIFT = 6;
/** Deepest tree: 6 levels of 64-way indirection over 4 KiB records = 2^48 bytes. */
export const MAX_LEVELS = 7;

/** Trailer of self-checksummed blocks (labels, uberblocks, log blocks: ZFS's zio_eck_t). */
export const ECK_OFF = BLOCK - 32;

export function rd32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

export function wr32(b: Uint8Array, o: number, v: number): void {
  b[o] = v; b[o + 1] = v >>> 8; b[o + 2] = v >>> 16; b[o + 3] = v >>> 24;
}

/** A safe integer (possibly negative) as low word + signed high word. */
export function wr64(b: Uint8Array, o: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  wr32(b, o, v - hi * 4294967296);
  wr32(b, o + 4, hi | 0);
}

export function rd64(b: Uint8Array, o: number): number {
  return rd32(b, o) + (rd32(b, o + 4) | 0) * 4294967296;
}

/** Block numbers of the four labels of a pool of `blocks` blocks (two at the front, two at the back). */
export function labelBlocks(blocks: number): [number, number, number, number] {
  return [0, LABEL_BLOCKS, blocks - 2 * LABEL_BLOCKS, blocks - LABEL_BLOCKS];
}

/** First and end (exclusive) block of the allocatable region. */
export function allocRegion(blocks: number): [number, number] {
  return [2 * LABEL_BLOCKS, blocks - 2 * LABEL_BLOCKS];
}

export function bpIsHole(b: Uint8Array, o: number): boolean {
  return rd32(b, o + BP_DVA0) === 0;
}
