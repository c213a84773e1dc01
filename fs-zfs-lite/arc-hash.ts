// The ARC directory's key → slot index: an open-addressing hash table in typed arrays (linear probing,
// deletion by backward shift — Knuth, TAOCP vol. 3, §6.4, Algorithm R — so no tombstones pile up
// under the insert/delete churn of a cache). Keys are non-negative or negative safe integers (block
// numbers, DVAs); a lookup allocates nothing.

import { invariant } from '../src/sim/assert.js';

const EMPTY = -1;

export class KeyIndex {
  private keys: Float64Array;
  /** The slot stored for each table cell; EMPTY marks a free cell. */
  private vals: Int32Array;
  private mask: number;
  private shift: number;
  size = 0;

  constructor(expected = 1024) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Float64Array(cap);
    this.vals = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
  }

  /** Fibonacci hashing of both 32-bit halves of the key (Knuth §6.4, multiplicative hashing). */
  private home(key: number): number {
    const lo = key >>> 0;
    const hi = Math.floor(key / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  /** The slot stored under `key`, or -1. */
  get(key: number): number {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.home(key);
    for (;;) {
      const v = vals[i]!;
      if (v === EMPTY) return EMPTY;
      if (keys[i] === key) return v;
      i = (i + 1) & mask;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== EMPTY;
  }

  /** Store `slot` (≥ 0) under `key`, replacing any previous one. */
  set(key: number, slot: number): void {
    if ((this.size + 1) * 2 > this.vals.length) this.rehash(this.vals.length * 2);
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.home(key);
    for (;;) {
      const v = vals[i]!;
      if (v === EMPTY) {
        keys[i] = key;
        vals[i] = slot;
        this.size++;
        return;
      }
      if (keys[i] === key) {
        vals[i] = slot;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /** Remove `key`; true if it was present. Later cells of its cluster shift back into the hole. */
  delete(key: number): boolean {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.home(key);
    for (;;) {
      const v = vals[i]!;
      if (v === EMPTY) return false;
      if (keys[i] === key) break;
      i = (i + 1) & mask;
    }
    // Algorithm R: walk the rest of the cluster; an entry whose home is not cyclically in (hole, j]
    // moves into the hole.
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (vals[j]! === EMPTY) break;
      const h = this.home(keys[j]!);
      const stays = hole <= j ? hole < h && h <= j : hole < h || h <= j;
      if (!stays) {
        keys[hole] = keys[j]!;
        vals[hole] = vals[j]!;
        hole = j;
      }
    }
    vals[hole] = EMPTY;
    this.size--;
    return true;
  }

  private rehash(cap: number): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    invariant((cap & (cap - 1)) === 0, 'hash capacity is a power of two');
    this.keys = new Float64Array(cap);
    this.vals = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    this.size = 0;
    for (let i = 0; i < oldVals.length; i++) if (oldVals[i]! !== EMPTY) this.set(oldKeys[i]!, oldVals[i]!);
  }
}
