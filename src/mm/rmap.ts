// The reverse map: for each page-cache frame, the (address space, virtual page) pairs whose
// descriptors point at it (Linux mm/rmap.c's anon_vma/i_mmap walk, done here per page as OSv's
// cached_page keeps its PTE set). Reclaim, truncate and writeback go from a page to every mapping
// of it through here, in every address space.
//
// Like OSv's variant (nullptr | one PTE | a set), a page with one mapping costs no allocation: the
// first pair lives in typed arrays indexed by frame, further pairs in a per-frame list.

import type { Frame } from '../hw/ram.js';

export class Rmap {
  private readonly firstAs: Int32Array;
  private readonly firstVpn: Float64Array;
  /** Frame → flat [asId, vpn, ...] beyond the first pair. */
  private readonly more = new Map<Frame, number[]>();
  /** Translations recorded, over all frames. */
  entries = 0;

  constructor(frameCount: number) {
    this.firstAs = new Int32Array(frameCount).fill(-1);
    this.firstVpn = new Float64Array(frameCount);
  }

  add(f: Frame, asId: number, vpn: number): void {
    this.entries++;
    if (this.firstAs[f]! < 0) {
      this.firstAs[f] = asId;
      this.firstVpn[f] = vpn;
      return;
    }
    const l = this.more.get(f);
    if (l === undefined) this.more.set(f, [asId, vpn]);
    else l.push(asId, vpn);
  }

  remove(f: Frame, asId: number, vpn: number): void {
    const l = this.more.get(f);
    if (this.firstAs[f] === asId && this.firstVpn[f] === vpn) {
      this.entries--;
      if (l === undefined) this.firstAs[f] = -1;
      else {
        // Move the last extra pair into the first slot.
        this.firstVpn[f] = l.pop()!;
        this.firstAs[f] = l.pop()!;
        if (l.length === 0) this.more.delete(f);
      }
      return;
    }
    if (l === undefined) return;
    for (let i = 0; i < l.length; i += 2) {
      if (l[i] === asId && l[i + 1] === vpn) {
        l.splice(i, 2);
        this.entries--;
        if (l.length === 0) this.more.delete(f);
        return;
      }
    }
  }

  /** How many translations point at `f`. */
  count(f: Frame): number {
    if (this.firstAs[f]! < 0) return 0;
    const l = this.more.get(f);
    return l === undefined ? 1 : 1 + l.length / 2;
  }

  /** Address-space id of the i-th translation of `f` (0 ≤ i < count(f)). */
  asAt(f: Frame, i: number): number {
    return i === 0 ? this.firstAs[f]! : this.more.get(f)![(i - 1) * 2]!;
  }

  /** Virtual page of the i-th translation of `f`. */
  vpnAt(f: Frame, i: number): number {
    return i === 0 ? this.firstVpn[f]! : this.more.get(f)![(i - 1) * 2 + 1]!;
  }
}
