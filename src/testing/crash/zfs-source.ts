// The crash-state source for block-device targets (ZFS-lite on a BlockDevice with a volatile write
// cache): the device traces every write, FLUSH and the runner's call markers; the trace is cut before
// every flush and around every FUA write (CrashMonkey's persistence points, OSDI '18), after every call's
// end and at the end; at a cut, any subset of the writes still in the cache may have reached the media
// (src/hw/block/crash.ts). Each image is imported (label, uberblock, intent-log replay = recovery).
// ZFS is asynchronous: the target declares durability 'fsync' (runner.ts holds it to the prefix rule).

import { BlockDevice } from '../../hw/block/block-device.js';
import { BlockCrashReplayer, type WriteAtomicity } from '../../hw/block/crash.js';
import { BlockEvent, TRACE_FORCED, type BlockTrace } from '../../hw/block/trace.js';
import type { SubsetMode } from '../../hw/pcm/subsets.js';
import { Clock } from '../../sim/clock.js';
import { Ram } from '../../hw/ram.js';
import { PageCache } from '../../mm/page-cache.js';
import type { Backend } from '../../../vfs/backend.js';
import { fsErr } from '../../../vfs/errno.js';
import { createZfsLite, importZfsLite, scrub, type ZfsLite } from '../../../fs-zfs-lite/index.js';
import type { CrashPoint, CrashSession, CrashTarget } from './runner.js';

export interface ZfsTargetOptions {
  /** Device size (default 4 MiB: ACE's files copied on write, two uberblock rings, the log). */
  deviceBytes?: number;
  /** RAM of the machine (default 8 MiB; the ARC takes its frames). */
  ramBytes?: number;
  /** Which subsets of the cached writes to try at each cut (default: each kept or dropped alone, k = 1). */
  subsets?: SubsetMode;
  /** Whole writes persist or not (default), or each sector on its own (torn writes). */
  atomicity?: WriteAtomicity;
  txgTimeoutNs?: number;
  /** TEST ONLY: the pool writes its uberblock before the tree is flushed (the explorer must catch it). */
  unsafeUberblockBeforeFlush?: boolean;
}

/** ZFS-lite on a fresh BlockDevice (one pool per workload), as a crash-explorer target. */
export function zfsLiteTarget(opts: ZfsTargetOptions = {}): CrashTarget {
  const name = opts.unsafeUberblockBeforeFlush === true ? 'zfs-lite (uberblock before flush: test-only)' : 'zfs-lite';
  return { name, durability: 'fsync', open: () => new ZfsSession(opts) };
}

/** A selection named compactly for replay: kept write indices, or dropped ones. */
type Sel = { keep: number[] } | { drop: number[] };

class ZfsSession implements CrashSession {
  readonly backend: ZfsLite;
  private readonly dev: BlockDevice;
  private readonly opts: ZfsTargetOptions;
  private trace: BlockTrace | null = null;
  // The machine that powers on with each crash image (one box rebooted, not a new one per image).
  private mountDev: BlockDevice | null = null;
  private pageCache: PageCache | null = null;
  private mounted: ZfsLite | null = null;

  constructor(opts: ZfsTargetOptions) {
    this.opts = opts;
    const clock = new Clock();
    this.dev = new BlockDevice({ bytes: opts.deviceBytes ?? 4 << 20, clock });
    this.backend = createZfsLite({
      dev: this.dev, clock, ramBytes: opts.ramBytes ?? 8 << 20,
      ...(opts.txgTimeoutNs !== undefined ? { txgTimeoutNs: opts.txgTimeoutNs } : {}),
      ...(opts.unsafeUberblockBeforeFlush === true ? { unsafeUberblockBeforeFlush: true } : {}),
    });
  }

  record(): void {
    // CrashMonkey syncs after a workload's set-up phase: the recorded part starts from a durable tree.
    this.backend.sync();
    this.trace = this.dev.startTrace();
  }

  mark(tag: number): void {
    this.dev.mark(tag);
  }

  stop(): void {
    this.dev.stopTrace();
  }

  fsck(b: Backend): string[] {
    // zpool scrub: every copy of every block the last txg references must match its parent's checksum.
    const r = scrub((b as ZfsLite).pool);
    const out: string[] = [];
    if (r.errors > 0) out.push(`scrub: ${r.errors} bad copies`);
    if (r.unrecoverable > 0) out.push(`scrub: ${r.unrecoverable} blocks with no good copy`);
    return out;
  }

  explore(visit: (point: CrashPoint, mount: () => Backend) => boolean | void): void {
    const t = this.trace;
    if (t === null) return;
    const rep = new BlockCrashReplayer(t);
    const mode: SubsetMode = this.opts.subsets ?? { kind: 'bounded', k: 1 };
    const atom = this.opts.atomicity ?? 'write';
    let lastMark = -1, ev = 0;
    for (const cut of cutPoints(t)) {
      for (; ev < cut; ev++) if (t.kind[ev] === BlockEvent.Mark) lastMark = t.sector[ev]!;
      const call = lastMark < 0 ? -1 : lastMark >> 1, returned = lastMark < 0 || (lastMark & 1) === 1;
      const states = rep.at(cut, atom);
      let go = true;
      states.forEach(mode, (image, sel) => {
        const mount = (): Backend => this.mountImage(image);
        const point: CrashPoint = {
          call, returned,
          get where(): Record<string, unknown> {
            return { cut, pending: states.count, ...name(sel) };
          },
        };
        try {
          go = visit(point, mount) !== false;
        } finally {
          this.unmountLast();
        }
        return go;
      });
      if (!go) return;
    }
  }

  mountAt(where: Record<string, unknown>): Backend {
    const t = this.trace;
    const cut = where.cut;
    if (t === null || typeof cut !== 'number' || !Number.isInteger(cut) || cut < 0 || cut > t.length) throw fsErr('EINVAL', 'crash-replay');
    const states = new BlockCrashReplayer(t).at(cut, this.opts.atomicity ?? 'write');
    const s = new Uint8Array(states.count);
    const idx = (v: unknown): number[] => (Array.isArray(v) ? (v as unknown[]).filter((i): i is number => Number.isInteger(i) && (i as number) >= 0 && (i as number) < s.length) : []);
    if (Array.isArray(where.keep)) for (const i of idx(where.keep)) s[i] = 1;
    else {
      s.fill(1);
      for (const i of idx(where.drop)) s[i] = 0;
    }
    this.unmountLast();
    return this.mountImage(states.materialize(s));
  }

  /** Power on with `image` and import the pool (throws FsError when import refuses it). */
  private mountImage(image: Uint8Array): ZfsLite {
    this.unmountLast();
    if (this.mountDev === null) {
      this.mountDev = new BlockDevice({ bytes: this.dev.size, clock: new Clock() });
      this.pageCache = new PageCache(new Ram({ bytes: this.opts.ramBytes ?? 8 << 20 }));
    }
    this.mountDev.loadImage(image);
    this.mounted = importZfsLite(this.mountDev, { pageCache: this.pageCache! });
    return this.mounted;
  }

  /** Give the machine's RAM back (ARC frames, page-cache mappings) before the next image. */
  private unmountLast(): void {
    const m = this.mounted;
    this.mounted = null;
    if (m === null) return;
    try {
      m.unmount();
    } catch {
      // a damaged image may fail its final sync; the image is reloaded before the next use anyway
    }
  }
}

/**
 * Cuts: the start; before every FLUSH (what it would have made durable may be partly lost); before and
 * after every FUA write (it is durable at completion, the writes cached before it are not); after each
 * call's end marker (the runner checks a returned call there); the end.
 */
function cutPoints(t: BlockTrace): number[] {
  const cuts: number[] = [0];
  const push = (c: number): void => {
    if (cuts[cuts.length - 1] !== c) cuts.push(c);
  };
  for (let i = 0; i < t.length; i++) {
    const k = t.kind[i];
    if (k === BlockEvent.Flush) push(i);
    else if (k === BlockEvent.Write && (t.flags[i]! & TRACE_FORCED) !== 0) {
      push(i);
      push(i + 1);
    } else if (k === BlockEvent.Mark && (t.sector[i]! & 1) === 1) push(i + 1);
  }
  push(t.length);
  return cuts;
}

function name(sel: Uint8Array): Sel {
  const keep: number[] = [], drop: number[] = [];
  for (let i = 0; i < sel.length; i++) (sel[i] === 1 ? keep : drop).push(i);
  return keep.length <= drop.length ? { keep } : { drop };
}
