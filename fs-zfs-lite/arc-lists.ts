// The cache directory both replacement policies (ARC and the plain LRU) are built on: entries live in
// numbered slots of typed arrays and are threaded on intrusive doubly linked lists (the kernel's
// list_head, as OpenZFS's multilist of arc_buf_hdr_t), so moving an entry between lists on a hit
// allocates nothing. A typed-array hash (arc-hash.ts) finds the slot of a key (a block number, a DVA).

import { invariant } from '../src/sim/assert.js';
import { KeyIndex } from './arc-hash.js';

/** A slot number in the directory; NIL marks "no slot" (end of a list, key absent). */
export type Slot = number;
export const NIL: Slot = -1;
/** List 0 is the free list's marker: a slot whose list is 0 holds no entry. */
export const FREE = 0;

/** Entry flag: the buffer is mapped by the page cache (OSv `arc_share_buf`, `b_mmaped`). */
export const FLAG_SHARED = 1;

/**
 * `lists` lists of slots, each with its MRU end at `head` and LRU end at `tail`, its entry count and
 * the sum of its entries' sizes. Sizes are in the owner's unit: 512-byte pages for the paper's
 * traces, bytes for ZFS buffers.
 */
export class SlotLists<V> {
  /** Key of the entry in each slot. Float64 so that 53-bit block addresses fit. */
  keys: Float64Array;
  sizes: Float64Array;
  prev: Int32Array;
  next: Int32Array;
  /** Which list holds the slot (FREE = none). */
  list: Uint8Array;
  flags: Uint8Array;
  /** The cached value; undefined for ghosts and free slots. */
  readonly values: (V | undefined)[] = [];

  readonly head: Int32Array;
  readonly tail: Int32Array;
  readonly count: Float64Array;
  readonly bytes: Float64Array;

  /** key → slot; `get` returns NIL for an absent key. */
  readonly index: KeyIndex;
  private freeSlots: Int32Array;
  private freeTop = 0;
  private capacity = 0;

  constructor(lists: number, initialSlots = 1024) {
    this.head = new Int32Array(lists + 1).fill(NIL);
    this.tail = new Int32Array(lists + 1).fill(NIL);
    this.count = new Float64Array(lists + 1);
    this.bytes = new Float64Array(lists + 1);
    const n = Math.max(16, initialSlots | 0);
    this.index = new KeyIndex(n);
    this.keys = new Float64Array(n);
    this.sizes = new Float64Array(n);
    this.prev = new Int32Array(n);
    this.next = new Int32Array(n);
    this.list = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.freeSlots = new Int32Array(n);
    this.adopt(0, n);
  }

  /** Make slots [from, to) free, lowest on top so allocation order is ascending (deterministic). */
  private adopt(from: number, to: number): void {
    for (let s = to - 1; s >= from; s--) this.freeSlots[this.freeTop++] = s;
    for (let s = from; s < to; s++) this.values.push(undefined);
    this.capacity = to;
  }

  /** Double the directory. Amortised over the insertions that filled it; never on a hit. */
  private grow(): void {
    const old = this.capacity;
    const n = old * 2;
    const f64 = (a: Float64Array): Float64Array => { const b = new Float64Array(n); b.set(a); return b; };
    const i32 = (a: Int32Array): Int32Array => { const b = new Int32Array(n); b.set(a); return b; };
    const u8 = (a: Uint8Array): Uint8Array => { const b = new Uint8Array(n); b.set(a); return b; };
    this.keys = f64(this.keys);
    this.sizes = f64(this.sizes);
    this.prev = i32(this.prev);
    this.next = i32(this.next);
    this.list = u8(this.list);
    this.flags = u8(this.flags);
    this.freeSlots = new Int32Array(n);
    this.freeTop = 0;
    this.adopt(old, n);
  }

  /** A fresh slot for `key`, registered in the index but on no list yet. */
  alloc(key: number, size: number): Slot {
    if (this.freeTop === 0) this.grow();
    const s = this.freeSlots[--this.freeTop]!;
    this.keys[s] = key;
    this.sizes[s] = size;
    this.flags[s] = 0;
    this.index.set(key, s);
    return s;
  }

  /** Forget the entry in slot `s` altogether (it must be on no list). */
  free(s: Slot): void {
    invariant(this.list[s] === FREE, 'a freed slot is on no list');
    this.index.delete(this.keys[s]!);
    this.values[s] = undefined;
    this.flags[s] = 0;
    this.freeSlots[this.freeTop++] = s;
  }

  /** Put slot `s` at the MRU end (head) of list `l`. */
  pushHead(l: number, s: Slot): void {
    const h = this.head[l]!;
    this.prev[s] = NIL;
    this.next[s] = h;
    if (h === NIL) this.tail[l] = s;
    else this.prev[h] = s;
    this.head[l] = s;
    this.list[s] = l;
    this.count[l]++;
    this.bytes[l] += this.sizes[s]!;
  }

  /** Take slot `s` off whatever list holds it. */
  unlink(s: Slot): void {
    const l = this.list[s]!;
    const p = this.prev[s]!;
    const n = this.next[s]!;
    if (p === NIL) this.head[l] = n;
    else this.next[p] = n;
    if (n === NIL) this.tail[l] = p;
    else this.prev[n] = p;
    this.list[s] = FREE;
    this.count[l]--;
    this.bytes[l] -= this.sizes[s]!;
  }

  /** Move slot `s` to the MRU end of list `l` (a hit). */
  moveToHead(l: number, s: Slot): void {
    if (this.list[s] === l && this.head[l] === s) return;
    this.unlink(s);
    this.pushHead(l, s);
  }

  /** Change the size of an entry in place, keeping its list's byte count right. */
  resize(s: Slot, size: number): void {
    const l = this.list[s]!;
    if (l !== FREE) this.bytes[l] += size - this.sizes[s]!;
    this.sizes[s] = size;
  }

  /**
   * Check the lists against the slots: every listed slot is indexed under its key, links are
   * symmetric, and the count and byte totals are the sums over the list. For tests; O(entries).
   */
  check(lists: number): void {
    let listed = 0;
    for (let l = 1; l <= lists; l++) {
      let n = 0;
      let b = 0;
      let prev = NIL;
      for (let s = this.head[l]!; s !== NIL; s = this.next[s]!) {
        invariant(this.list[s] === l, `slot ${s} on list ${l} says list ${this.list[s]}`);
        invariant(this.prev[s] === prev, 'list links are symmetric');
        invariant(this.index.get(this.keys[s]!) === s, 'a listed slot is indexed under its key');
        n++;
        b += this.sizes[s]!;
        prev = s;
        invariant(n <= this.capacity, 'list has no cycle');
      }
      invariant(this.tail[l] === prev, 'tail is the last slot of the list');
      invariant(n === this.count[l], `count of list ${l}`);
      invariant(Math.abs(b - this.bytes[l]!) < 1e-6 * Math.max(1, b), `size total of list ${l}`);
      listed += n;
    }
    // With every listed slot indexed (above) and equal totals, the index holds nothing else, so a key
    // is on at most one list.
    invariant(listed === this.index.size, 'every indexed key is on exactly one list');
  }
}
