// The translation lookaside buffer: a set-associative cache of leaf translations tagged by ASID, with
// global (nG=0) entries matching every ASID (Arm ARM D8.13 "Translation Lookaside Buffers"). Entries
// hold pages, blocks, and contiguous groups: each entry has a span (log2 in 4 KiB units) and a lookup
// probes each span size present. Like hardware it keeps an entry, however stale, until a TLBI removes
// it or it is evicted (round-robin within its set). All state lives in typed arrays.

import { MmuError } from './error.js';

export interface TlbOptions {
  /** Total entries (a power of two). Default 1024, the Cortex-A57/A72 main TLB size. */
  entries?: number;
  /** Associativity (a power of two dividing `entries`). Default 4, as the A57/A72 main TLB. */
  ways?: number;
}

export const TLB_DBM = 1;

export class Tlb {
  readonly entries: number;
  readonly ways: number;
  readonly sets: number;
  /** Span start in units of the span (va4k / 2^shift). */
  readonly tag: Float64Array;
  /** Span size as log2 of 4 KiB units; -1 marks an invalid entry. */
  readonly shift: Int8Array;
  readonly asid: Int32Array;
  readonly global: Uint8Array;
  /** PA of the span's first byte. */
  readonly paBase: Float64Array;
  readonly perms: Uint8Array;
  readonly flags: Uint8Array;
  readonly attr: Uint8Array;
  readonly sh: Uint8Array;
  readonly level: Int8Array;
  private readonly victim: Uint8Array;
  /** Entries per span size; bit s of `present` set when any entry has span shift s. */
  private readonly perShift = new Int32Array(32);
  private present = 0;

  constructor(opts: TlbOptions = {}) {
    const entries = opts.entries ?? 1024, ways = opts.ways ?? 4;
    if (!Number.isInteger(entries) || entries <= 0 || entries > 1 << 20 || (entries & (entries - 1)) !== 0) {
      throw new MmuError('EINVAL', `TLB entries ${entries}: a power of two up to 2^20`);
    }
    if (!Number.isInteger(ways) || ways <= 0 || (ways & (ways - 1)) !== 0 || ways > entries || ways > 256) {
      throw new MmuError('EINVAL', `TLB ways ${ways}: a power of two dividing the entries, at most 256`);
    }
    this.entries = entries;
    this.ways = ways;
    this.sets = entries / ways;
    this.tag = new Float64Array(entries);
    this.shift = new Int8Array(entries).fill(-1);
    this.asid = new Int32Array(entries);
    this.global = new Uint8Array(entries);
    this.paBase = new Float64Array(entries);
    this.perms = new Uint8Array(entries);
    this.flags = new Uint8Array(entries);
    this.attr = new Uint8Array(entries);
    this.sh = new Uint8Array(entries);
    this.level = new Int8Array(entries);
    this.victim = new Uint8Array(this.sets);
  }

  private setOf(t: number, s: number): number {
    return (((t ^ Math.imul(s, 0x9e3779b1)) >>> 0) & (this.sets - 1)) * this.ways;
  }

  /** Arguments that are doubles (a page number, a PA) travel here: as call arguments they would be boxed. */
  readonly key = new Float64Array(2);

  /** The entry translating 4 KiB page `va4k` (VA / 4096, floored) for `asid`, or -1. */
  lookup(va4k: number, asid: number): number {
    this.key[0] = va4k;
    return this.lookupIn(asid);
  }

  /** lookup() for the page in key[0]. */
  lookupIn(asid: number): number {
    const va4k = this.key[0]!;
    let mask = this.present;
    while (mask !== 0) {
      const low = mask & -mask;
      mask ^= low;
      const s = 31 - Math.clz32(low);
      const t = s === 0 ? va4k : Math.floor(va4k / (1 << s));
      const b = this.setOf(t, s);
      for (let e = b; e < b + this.ways; e++) {
        if (this.shift[e] === s && this.tag[e] === t && (this.global[e] === 1 || this.asid[e] === asid)) return e;
      }
    }
    return -1;
  }

  /** VA of the first byte of entry e's span. */
  spanVa(e: number): number {
    return this.tag[e]! * 2 ** (this.shift[e]! + 12);
  }

  insert(va4k: number, s: number, asid: number, global: boolean, paBase: number, perms: number, flags: number,
    attr: number, sh: number, level: number): number {
    // Replace an entry for the same span and context rather than hold two (a TLB conflict).
    const t = s === 0 ? va4k : Math.floor(va4k / (1 << s));
    const b = this.setOf(t, s);
    let same = -1;
    for (let i = b; i < b + this.ways; i++) {
      if (this.shift[i] === s && this.tag[i] === t && (this.global[i] === 1 || global || this.asid[i] === asid)) {
        same = i;
        break;
      }
    }
    this.key[0] = va4k;
    this.key[1] = paBase;
    return this.insertIn(s, asid, global, perms, flags, attr, sh, level, same);
  }

  /**
   * insert() with the page in key[0] and the span's PA in key[1], for a page lookup() just missed (so
   * no entry for it can match), or replacing entry `replace` (the walk after a DBM write hit it).
   */
  insertIn(s: number, asid: number, global: boolean, perms: number, flags: number, attr: number, sh: number, level: number,
    replace: number): number {
    const va4k = this.key[0]!, paBase = this.key[1]!;
    const t = s === 0 ? va4k : Math.floor(va4k / (1 << s));
    const b = this.setOf(t, s);
    let e = replace >= 0 && this.shift[replace] === s && this.tag[replace] === t ? replace : -1;
    if (e < 0) for (let i = b; i < b + this.ways; i++) if (this.shift[i] === -1) { e = i; break; }
    if (e < 0) {
      const set = b / this.ways;
      e = b + this.victim[set]!;
      this.victim[set] = (this.victim[set]! + 1) & (this.ways - 1);
    }
    this.drop(e);
    this.shift[e] = s;
    this.tag[e] = t;
    this.asid[e] = asid;
    this.global[e] = global ? 1 : 0;
    this.paBase[e] = paBase;
    this.perms[e] = perms;
    this.flags[e] = flags;
    this.attr[e] = attr;
    this.sh[e] = sh;
    this.level[e] = level;
    this.perShift[s]!++;
    this.present |= 1 << s;
    return e;
  }

  private drop(e: number): void {
    const s = this.shift[e]!;
    if (s < 0) return;
    this.shift[e] = -1;
    if (--this.perShift[s]! === 0) this.present &= ~(1 << s);
  }

  /** TLBI VMALLE1: every entry. */
  invalidateAll(): void {
    this.shift.fill(-1);
    this.perShift.fill(0);
    this.present = 0;
  }

  /**
   * TLBI VAE1/VALE1 (asid ≥ 0: entries for that ASID and global entries) and VAAE1 (asid = -1: all
   * ASIDs): every entry whose span contains the 4 KiB page va4k.
   */
  invalidateVa(va4k: number, asid: number): number {
    let n = 0, mask = this.present;
    while (mask !== 0) {
      const low = mask & -mask;
      mask ^= low;
      const s = 31 - Math.clz32(low);
      const t = s === 0 ? va4k : Math.floor(va4k / (1 << s));
      const b = this.setOf(t, s);
      for (let e = b; e < b + this.ways; e++) {
        if (this.shift[e] === s && this.tag[e] === t && (asid < 0 || this.global[e] === 1 || this.asid[e] === asid)) {
          this.drop(e);
          n++;
        }
      }
    }
    return n;
  }

  /** TLBI ASIDE1: every non-global entry of the ASID (global entries stay, D8.13.x). */
  invalidateAsid(asid: number): number {
    let n = 0;
    for (let e = 0; e < this.entries; e++) {
      if (this.shift[e]! >= 0 && this.global[e] === 0 && this.asid[e] === asid) {
        this.drop(e);
        n++;
      }
    }
    return n;
  }

  /** Number of valid entries. */
  get valid(): number {
    let n = 0;
    for (let s = 0; s < 32; s++) n += this.perShift[s]!;
    return n;
  }
}
