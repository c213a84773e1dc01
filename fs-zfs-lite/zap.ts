// ZAP-like hashed directories (OpenZFS zap.c, "fat ZAP"): a directory object's blocks are leaves of a
// hash table; a name goes to the leaf its hash's top `zapShift` bits pick, and when a leaf would
// overflow the table doubles (zap_expand_leaf / zap_grow_ptrtbl, here all at once). In memory a
// directory is a Map; at txg sync only the leaves whose names changed are re-encoded.
// Leaf block: magic, count, then entries {hash u32, ino u64, d_type u8, 0, namelen u16, name, pad to 4}.

import { fsErr } from '../vfs/errno.js';
import { BLOCK, rd32, rd64, wr32, wr64 } from './layout.js';

const LEAF_MAGIC = 0x5a41504c; // 'ZAPL'
const LEAF_HDR = 8;
const ENT_HDR = 16;
/** Most leaves a directory may have (2^20 × 4 KiB): a larger zapShift on disk is damage. */
export const MAX_ZAP_SHIFT = 20;

export interface ZapEntry {
  ino: number;
  type: number;
  hash: number;
  /** UTF-8 bytes of the name (encoded once, when the entry is made). */
  bytes: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** FNV-1a over the name's UTF-8 bytes (ZFS salts a CRC-64; any good spreading hash serves). */
export function zapHash(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function leafOf(hash: number, shift: number): number {
  return shift === 0 ? 0 : hash >>> (32 - shift);
}

function entSize(e: ZapEntry): number {
  return (ENT_HDR + e.bytes.length + 3) & ~3;
}

export class ZapDir {
  readonly entries = new Map<string, ZapEntry>();
  /** Leaves (at the current shift) to re-encode at the next sync; `all` after the table grew. */
  readonly dirtyLeaves = new Set<number>();
  allDirty = false;

  constructor(public shift: number) {}

  add(name: string, ino: number, type: number): void {
    const bytes = encoder.encode(name);
    const hash = zapHash(bytes);
    this.entries.set(name, { ino, type, hash, bytes });
    this.dirtyLeaves.add(leafOf(hash, this.shift));
  }

  remove(name: string): void {
    const e = this.entries.get(name);
    if (e === undefined) return;
    this.entries.delete(name);
    this.dirtyLeaves.add(leafOf(e.hash, this.shift));
  }

  get dirty(): boolean {
    return this.allDirty || this.dirtyLeaves.size > 0;
  }

  /** Decode leaf `leaf` (at `this.shift`) from `b`; EIO on anything that is not a well-formed leaf. */
  decodeLeaf(b: Uint8Array, leaf: number, maxIno: number): void {
    if (rd32(b, 0) === 0 && rd32(b, 4) === 0) return; // a leaf never written (a hole)
    if (rd32(b, 0) !== LEAF_MAGIC) throw fsErr('EIO', 'zap_leaf');
    const count = rd32(b, 4);
    let o = LEAF_HDR;
    for (let i = 0; i < count; i++) {
      if (o + ENT_HDR > BLOCK) throw fsErr('EIO', 'zap_leaf');
      const hash = rd32(b, o), ino = rd64(b, o + 4), type = b[o + 12]!, len = b[o + 14]! | (b[o + 15]! << 8);
      if (len === 0 || len > 255 || o + ENT_HDR + len > BLOCK || leafOf(hash, this.shift) !== leaf) throw fsErr('EIO', 'zap_leaf');
      if (!(ino > 0 && ino < maxIno)) throw fsErr('EIO', 'zap_leaf');
      const bytes = b.slice(o + ENT_HDR, o + ENT_HDR + len);
      if (zapHash(bytes) !== hash) throw fsErr('EIO', 'zap_leaf');
      let name: string;
      try {
        name = decoder.decode(bytes);
      } catch {
        throw fsErr('EIO', 'zap_leaf');
      }
      if (name.includes('/') || name.includes('\0') || name === '.' || name === '..' || this.entries.has(name)) throw fsErr('EIO', 'zap_leaf');
      this.entries.set(name, { ino, type, hash, bytes });
      o += (ENT_HDR + len + 3) & ~3;
    }
  }

  /**
   * The leaves to write at sync: grows the table until every leaf fits, then returns a map from leaf
   * number to its encoded block, for the dirty leaves only (all of them after growth).
   */
  encodeDirty(): Map<number, Uint8Array> {
    // Grow until no leaf overflows.
    for (;;) {
      const fill = new Map<number, number>();
      let over = false;
      for (const e of this.entries.values()) {
        const l = leafOf(e.hash, this.shift);
        const f = (fill.get(l) ?? LEAF_HDR) + entSize(e);
        fill.set(l, f);
        if (f > BLOCK - 4) over = true; // the last word is the encoder's fill pointer
      }
      if (!over) break;
      if (this.shift >= MAX_ZAP_SHIFT) throw fsErr('ENOSPC', 'zap_expand_leaf');
      this.shift++;
      this.allDirty = true;
    }
    const out = new Map<number, Uint8Array>();
    const want = (l: number): boolean => this.allDirty || this.dirtyLeaves.has(l);
    if (this.allDirty) for (let l = 0; l < 2 ** this.shift; l++) out.set(l, newLeaf());
    else for (const l of this.dirtyLeaves) out.set(l, newLeaf());
    for (const e of this.entries.values()) {
      const l = leafOf(e.hash, this.shift);
      if (!want(l)) continue;
      const b = out.get(l)!;
      const count = rd32(b, 4);
      let o = rd32(b, BLOCK - 4); // fill pointer kept in the last word while encoding
      wr32(b, o, e.hash);
      wr64(b, o + 4, e.ino);
      b[o + 12] = e.type;
      b[o + 14] = e.bytes.length & 0xff;
      b[o + 15] = e.bytes.length >>> 8;
      b.set(e.bytes, o + ENT_HDR);
      o += entSize(e);
      wr32(b, 4, count + 1);
      wr32(b, BLOCK - 4, o);
    }
    for (const b of out.values()) wr32(b, BLOCK - 4, 0);
    this.dirtyLeaves.clear();
    this.allDirty = false;
    return out;
  }
}

function newLeaf(): Uint8Array {
  const b = new Uint8Array(BLOCK);
  wr32(b, 0, LEAF_MAGIC);
  wr32(b, BLOCK - 4, LEAF_HDR);
  return b;
}
