// The reverse map: for each page-cache frame, the (address space, virtual page) pairs whose
// descriptors point at it (Linux mm/rmap.c's anon_vma/i_mmap walk, done here per page as OSv's
// cached_page keeps its PTE set). Reclaim, truncate and writeback go from a page to every mapping
// of it through here, in every address space.

import type { Frame } from '../hw/ram.js';

export class Rmap {
  /** frame → flat [asId, vpn, asId, vpn, ...]. Most pages have one or two mappings. */
  private readonly map = new Map<Frame, number[]>();

  add(f: Frame, asId: number, vpn: number): void {
    const l = this.map.get(f);
    if (l === undefined) this.map.set(f, [asId, vpn]);
    else l.push(asId, vpn);
  }

  remove(f: Frame, asId: number, vpn: number): void {
    const l = this.map.get(f);
    if (l === undefined) return;
    for (let i = 0; i < l.length; i += 2) {
      if (l[i] === asId && l[i + 1] === vpn) {
        l.splice(i, 2);
        break;
      }
    }
    if (l.length === 0) this.map.delete(f);
  }

  /** The pairs mapping `f` (a live array: copy it before changing the rmap while walking). */
  get(f: Frame): readonly number[] | undefined {
    return this.map.get(f);
  }

  /** Frames with at least one mapping. */
  frames(): IterableIterator<Frame> {
    return this.map.keys();
  }

  /** How many translations point at `f`. */
  count(f: Frame): number {
    const l = this.map.get(f);
    return l === undefined ? 0 : l.length / 2;
  }

  get size(): number {
    return this.map.size;
  }
}
