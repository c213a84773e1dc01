// The crash-state source for persistent-memory targets (pcmfs on a PcmDevice): the device traces every
// store, flush and fence; the trace is cut before and after each fence (so inside every call that fences)
// and at its end; at a cut, every pending 8-byte piece may or may not have reached the media (Chipmunk,
// EuroSys '23 §4; Yat, ATC '14). Subsets: all of them when few are pending, each piece dropped or kept
// alone when that stays under the cap, else the pieces nearest the fence dropped/kept alone plus seeded
// random samples. Images are mounted on one device with checkpoint/applyTo/rollback (src/hw/pcm).

import { PcmDevice } from '../../hw/pcm/pcm.js';
import type { CpuCacheOptions } from '../../hw/pcm/cache.js';
import { PcmCrashReplayer, type PcmCrashStates } from '../../hw/pcm/crash.js';
import { PcmEvent, type PcmTrace } from '../../hw/pcm/trace.js';
import { SubsetCursor } from '../../hw/pcm/subsets.js';
import { Prng } from '../../sim/prng.js';
import type { Backend } from '../../../vfs/backend.js';
import { fsErr } from '../../../vfs/errno.js';
import { PcmFs, type PcmFsOptions } from '../../../fs-nvm/pcmfs.js';
import { fsckPcm } from '../../../fs-nvm/fsck.js';
import type { CrashPoint, CrashSession, CrashTarget } from './runner.js';

/** How many images a cut yields. */
export interface PcmSubsetBudget {
  /** Up to this many pending pieces: every subset (2^n). Default 4. */
  allUpTo?: number;
  /** Up to this many images: each piece dropped alone and kept alone (2n + 2). Default 24. */
  cap?: number;
  /** Past the cap: the last `tail` pieces before the fence dropped / kept alone... Default 8. */
  tail?: number;
  /** ...plus this many random subsets. Default 8. */
  samples?: number;
  seed?: number;
}

export interface PcmTargetOptions extends PcmFsOptions {
  /** Device size (default 512 KiB: room for ACE's largest files, copied on write, and their logs). */
  bytes?: number;
  budget?: PcmSubsetBudget;
  /** The traced device's CPU cache (e.g. spontaneous evictions: evictProbability). */
  cache?: CpuCacheOptions;
}

/** pcmfs on a fresh PcmDevice, as a crash-explorer target. */
export function pcmfsTarget(opts: PcmTargetOptions = {}): CrashTarget {
  const broken = [opts.omitFence === true ? 'fence omitted' : '', opts.omitJournal === true ? 'journal omitted' : ''].filter((x) => x !== '');
  return { name: broken.length > 0 ? `pcmfs (${broken.join(', ')}: test-only)` : 'pcmfs', open: () => new PcmSession(opts) };
}

/** A selection named compactly for replay: kept piece indices, or 'all' / dropped indices. */
type Sel = { keep: number[] } | { drop: number[] };

class PcmSession implements CrashSession {
  readonly backend: PcmFs;
  private readonly dev: PcmDevice;
  private readonly opts: PcmTargetOptions;
  private trace: PcmTrace | null = null;
  private mountDev: PcmDevice | null = null;

  constructor(opts: PcmTargetOptions) {
    this.opts = opts;
    this.dev = new PcmDevice({ bytes: opts.bytes ?? 512 << 10, ...(opts.cache ? { cache: opts.cache } : {}) });
    PcmFs.mkfs(this.dev);
    this.backend = PcmFs.mount(this.dev, opts);
  }

  record(): void {
    this.trace = this.dev.startTrace();
  }

  mark(tag: number): void {
    this.dev.mark(tag);
  }

  stop(): void {
    this.dev.stopTrace();
  }

  fsck(b: Backend): string[] {
    return fsckPcm(b as PcmFs).problems;
  }

  explore(visit: (point: CrashPoint, mount: () => Backend) => boolean | void): void {
    const t = this.trace;
    if (t === null) return;
    const rep = new PcmCrashReplayer(t);
    const m = this.mounter();
    const { cuts, optional } = cutPoints(t);
    const budget = this.opts.budget ?? {};
    const prng = new Prng(budget.seed ?? 1);
    let lastMark = -1, ev = 0;
    let dirty = true;
    for (let ci = 0; ci < cuts.length; ci++) {
      const cut = cuts[ci]!;
      // The durable base changes only at fences and evictions: reload the mount device only then.
      for (; ev < cut; ev++) {
        const k = t.kind[ev];
        if (k === PcmEvent.Mark) lastMark = t.a[ev]!;
        else if (k === PcmEvent.Fence || k === PcmEvent.Evict) dirty = true;
      }
      const call = lastMark < 0 ? -1 : lastMark >> 1, returned = lastMark < 0 || (lastMark & 1) === 1;
      const states = rep.at(cut);
      if (optional[ci] === 1 && states.count === 0) continue;
      if (dirty) {
        m.loadImage(states.image);
        dirty = false;
      }
      let go = true;
      forEachSelection(states.count, budget, prng, (s, named) => {
        m.checkpoint();
        try {
          states.applyTo(m, s);
          const mount = (): Backend => PcmFs.mount(m, this.opts);
          const point: CrashPoint = {
            call, returned,
            get where(): Record<string, unknown> {
              return { cut, pending: states.count, ...named() };
            },
          };
          go = visit(point, mount) !== false;
        } finally {
          m.rollback();
        }
        return go;
      });
      if (!go) return;
    }
  }

  mountAt(where: Record<string, unknown>): Backend {
    const t = this.trace;
    const cut = where.cut;
    if (t === null || typeof cut !== 'number') throw fsErr('EINVAL', 'crash-replay');
    const states = new PcmCrashReplayer(t).at(cut);
    const s = new Uint8Array(states.count);
    if (Array.isArray(where.keep)) for (const i of where.keep as number[]) s[i] = 1;
    else {
      s.fill(1);
      if (Array.isArray(where.drop)) for (const i of where.drop as number[]) s[i] = 0;
    }
    const m = this.mounter();
    m.loadImage(states.image);
    states.applyTo(m, s);
    return PcmFs.mount(m, this.opts);
  }

  private mounter(): PcmDevice {
    if (this.mountDev === null) this.mountDev = new PcmDevice({ bytes: this.dev.size });
    return this.mountDev;
  }
}

/**
 * Cuts: the start; just before every fence (its pending pieces are what a crash there may or may not
 * keep); just after a fence when stores stay pending past it (otherwise the image is the next cut's
 * "nothing kept" one); just after each call's end marker (checked strictly: the call has returned); the end.
 */
function cutPoints(t: PcmTrace): { cuts: number[]; optional: Uint8Array } {
  const cuts: number[] = [0], opt: number[] = [0];
  const push = (c: number, optional: number): void => {
    if (cuts[cuts.length - 1] === c) opt[opt.length - 1] = Math.min(opt[opt.length - 1]!, optional);
    else {
      cuts.push(c);
      opt.push(optional);
    }
  };
  for (let i = 0; i < t.length; i++) {
    const k = t.kind[i];
    if (k === PcmEvent.Fence) {
      push(i, 0);
      push(i + 1, 1);
    } else if (k === PcmEvent.Mark && (t.a[i]! & 1) === 1) push(i + 1, 0);
  }
  push(t.length, 0);
  return { cuts, optional: Uint8Array.from(opt) };
}

/** Visit the selections of n pending pieces the budget allows; fn returns false to stop. */
function forEachSelection(n: number, b: PcmSubsetBudget, prng: Prng, fn: (sel: Uint8Array, named: () => Sel) => boolean): void {
  const allUpTo = b.allUpTo ?? 4, cap = b.cap ?? 24;
  if (n <= allUpTo || 2 * n + 2 <= cap) {
    const c = new SubsetCursor(n, n <= allUpTo ? { kind: 'all', max: allUpTo } : { kind: 'bounded', k: 1 });
    while (c.next()) if (!fn(c.sel, () => name(c.sel))) return;
    return;
  }
  const sel = new Uint8Array(n);
  const tail = Math.min(n, b.tail ?? 8), samples = b.samples ?? 8;
  sel.fill(1);
  if (!fn(sel, () => name(sel))) return;
  sel.fill(0);
  if (!fn(sel, () => name(sel))) return;
  for (let j = n - tail; j < n; j++) {
    sel.fill(1);
    sel[j] = 0;
    if (!fn(sel, () => name(sel))) return;
    sel.fill(0);
    sel[j] = 1;
    if (!fn(sel, () => name(sel))) return;
  }
  for (let k = 0; k < samples; k++) {
    for (let i = 0; i < n; i++) sel[i] = prng.float() < 0.5 ? 1 : 0;
    if (!fn(sel, () => name(sel))) return;
  }
}

function name(sel: Uint8Array): Sel {
  const keep: number[] = [], drop: number[] = [];
  for (let i = 0; i < sel.length; i++) (sel[i] === 1 ? keep : drop).push(i);
  return keep.length <= drop.length ? { keep } : { drop };
}

export type { PcmCrashStates };
