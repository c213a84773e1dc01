// Plain LRU replacement, the baseline of the ARC paper's tables (Megiddo & Modha, FAST '03, Tables
// IV–VIII, column "LRU"): one list, a hit moves the entry to the MRU end, a miss inserts there and
// evicts from the LRU end until the sizes fit in c. Same directory and API as Arc, for comparisons.

import { invariant } from '../src/sim/assert.js';
import { fsErr } from '../vfs/errno.js';
import { NIL, SlotLists } from './arc-lists.js';

const L = 1;

export interface LruOptions<V> {
  /** Capacity, in the unit of the sizes passed to `put` (pages, or bytes). */
  c: number;
  /** Called for every value that leaves the cache. */
  release?: (key: number, value: V) => void;
  initialSlots?: number;
}

export interface LruStats {
  requests: number;
  hits: number;
  misses: number;
  evictions: number;
  size: number;
  c: number;
}

export class Lru<V> {
  readonly c: number;
  private readonly d: SlotLists<V>;
  private readonly release: ((key: number, value: V) => void) | undefined;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(opts: LruOptions<V>) {
    if (!(opts.c > 0) || !Number.isFinite(opts.c)) throw fsErr('EINVAL', 'lru');
    this.c = opts.c;
    this.release = opts.release;
    this.d = new SlotLists<V>(1, opts.initialSlots ?? 1024);
  }

  /** Look up; a hit moves the entry to the MRU end. Allocates nothing. */
  get(key: number): V | undefined {
    const d = this.d;
    const s = d.index.get(key);
    if (s === NIL) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    d.moveToHead(L, s);
    return d.values[s];
  }

  peek(key: number): V | undefined {
    const s = this.d.index.get(key);
    return s === NIL ? undefined : this.d.values[s];
  }

  has(key: number): boolean {
    return this.d.index.has(key);
  }

  /** Insert or replace at the MRU end, evicting LRU entries until it fits. False if size > c. */
  put(key: number, value: V, size = 1): boolean {
    if (!Number.isSafeInteger(key)) throw fsErr('EINVAL', 'lru_put');
    if (!(size > 0) || !Number.isFinite(size)) throw fsErr('EINVAL', 'lru_put');
    const d = this.d;
    let s = d.index.get(key);
    if (s !== NIL) {
      const old = d.values[s] as V;
      if (old !== value) this.release?.(key, old);
      d.unlink(s);
      d.free(s);
    }
    if (size > this.c) return false;
    while (d.bytes[L]! + size > this.c) this.evictLru();
    s = d.alloc(key, size);
    d.values[s] = value;
    d.pushHead(L, s);
    return true;
  }

  private evictLru(): void {
    const d = this.d;
    const s = d.tail[L]!;
    const v = d.values[s] as V;
    const key = d.keys[s]!;
    d.unlink(s);
    d.free(s);
    this.evictions++;
    this.release?.(key, v);
  }

  remove(key: number): boolean {
    const d = this.d;
    const s = d.index.get(key);
    if (s === NIL) return false;
    const v = d.values[s] as V;
    d.unlink(s);
    d.free(s);
    this.release?.(key, v);
    return true;
  }

  get used(): number {
    return this.d.bytes[L]!;
  }

  /** Keys from MRU to LRU (tests; allocates). */
  keys(): number[] {
    const out: number[] = [];
    for (let s = this.d.head[L]!; s !== NIL; s = this.d.next[s]!) out.push(this.d.keys[s]!);
    return out;
  }

  stats(): LruStats {
    return {
      requests: this.hits + this.misses,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      size: this.d.bytes[L]!,
      c: this.c,
    };
  }

  checkInvariants(): void {
    this.d.check(1);
    invariant(this.d.bytes[L]! <= this.c, 'LRU size ≤ c');
  }
}
