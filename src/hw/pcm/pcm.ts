// Byte-addressable persistent memory (phase-change memory / Optane DC PMM style) at a physical address
// range of the machine, behind a volatile CPU cache. Loads see the newest stores; a store is durable only
// once its line has been cleaned to the point of persistence (DC CVAP, FEAT_DPB; Arm ARM "Data cache
// maintenance instructions") and a DSB has completed, or once the cache has evicted the line. crash()
// yields every image a power failure can leave (the two images and the pieces in flight: media.ts).
// Costs follow Izraelevitz et al., "Basic Performance Measurements of the Intel Optane DC Persistent
// Memory Module", arXiv:1903.05714 (2019), through the `pcm` section of the cost profile.

import { Clock } from '../../sim/clock.js';
import { Counters } from '../../sim/counters.js';
import { OSV_AARCH64_KVM, type CostProfile } from '../../sim/profile.js';
import { powerFailSelection } from './subsets.js';
import { fsErr } from '../../sim/errno.js';
import type { Paddr } from '../ram.js';
import { CpuCache, NO_LINE, type CpuCacheOptions } from './cache.js';
import type { MediaWordSink, PcmCrashStates } from './crash.js';
import { PcmMedia } from './media.js';
import { PIECE_NT, type PendingPieces } from './pending.js';
import type { PersistentMemory } from './persistent-memory.js';
import { PcmEvent, PcmTrace } from './trace.js';
import { LINE_BYTES, PcmWear, XPLINE_BYTES } from './wear.js';

export type { PersistentMemory } from './persistent-memory.js';

/**
 * Default physical base: 4 GiB, above RAM at 0x4000_0000 (QEMU `virt`) for RAM sizes up to 3 GiB;
 * QEMU's virt machine likewise places hot-pluggable device memory (where an NVDIMM goes) after RAM.
 */
export const PCM_DEFAULT_BASE: Paddr = 0x1_0000_0000;

const LINE_SHIFT = 6;

export interface PcmOptions {
  /** Size in bytes: a positive multiple of 256 (the XPLine). */
  bytes: number;
  /** Physical address of byte 0. Default PCM_DEFAULT_BASE. */
  base?: Paddr;
  clock?: Clock;
  profile?: CostProfile;
  cache?: CpuCacheOptions;
  /** Initial media contents (copied); zeros otherwise. */
  image?: Uint8Array;
  /**
   * Bulk reads of at least this many bytes are charged as one streaming read (first-access latency,
   * then the DIMM's bandwidth) and do not allocate in the cache, as the hardware prefetcher streams
   * them. Default 4096.
   */
  streamThreshold?: number;
}

const PCM_COUNTERS = [
  'loads', 'stores', 'ntStores', 'bytesRead', 'bytesWritten', 'lineHits', 'lineMisses',
  'flushes', 'flushesDirty', 'fences', 'evictions', 'mediaLineWrites',
] as const;
export type PcmCounter = (typeof PCM_COUNTERS)[number];

/** Options of powerFail(): which pending pieces survive. */
export type PowerFailChoice = { readonly keep: Uint8Array } | { readonly seed: number; readonly p?: number };

export class PcmDevice implements PersistentMemory, MediaWordSink {
  readonly size: number;
  readonly base: Paddr;
  readonly clock: Clock;
  readonly profile: CostProfile;
  readonly cache: CpuCache;
  readonly wear: PcmWear;
  readonly counters = new Counters<PcmCounter>(PCM_COUNTERS);
  readonly streamThreshold: number;
  /** The event log while tracing (startTrace), else null. */
  trace: PcmTrace | null = null;

  /** The visible and durable images, the pieces in flight between them, the checkpoint (media.ts). */
  private readonly media: PcmMedia;
  // The media's arrays, held here too: the load and store paths reach them without an indirection.
  private readonly visible: Uint8Array;
  private readonly visible32: Uint32Array;
  private readonly visibleView: DataView;
  private readonly pending: PendingPieces;
  private lastMissLine = -2;
  /** Write-backs or streaming stores issued since the last fence. */
  private writesOutstanding = false;

  constructor(opts: PcmOptions) {
    const bytes = opts.bytes;
    if (!Number.isInteger(bytes) || bytes <= 0 || bytes % XPLINE_BYTES !== 0) throw fsErr('EINVAL', 'pcm');
    this.size = bytes;
    this.base = opts.base ?? PCM_DEFAULT_BASE;
    if (!Number.isInteger(this.base) || this.base < 0 || this.base % 4096 !== 0) throw fsErr('EINVAL', 'pcm');
    this.clock = opts.clock ?? new Clock();
    this.profile = opts.profile ?? OSV_AARCH64_KVM;
    this.cache = new CpuCache(opts.cache);
    this.wear = new PcmWear(bytes, this.profile.pcm.enduranceWrites);
    this.streamThreshold = opts.streamThreshold ?? 4096;
    if (opts.image !== undefined && opts.image.length !== bytes) throw fsErr('EINVAL', 'pcm');
    this.media = new PcmMedia(bytes, opts.image);
    this.visible = this.media.visible;
    this.visible32 = this.media.visible32;
    this.visibleView = this.media.visibleView;
    this.pending = this.media.pending;
  }

  // ---- addresses ----

  /** True if physical range [pa, pa+len) is on this device. */
  contains(pa: Paddr, len = 1): boolean {
    return pa >= this.base && pa + len <= this.base + this.size;
  }

  /** Device offset of a physical address (EFAULT if not on the device). */
  offsetOf(pa: Paddr): number {
    if (!this.contains(pa)) throw fsErr('EFAULT', 'pcm');
    return pa - this.base;
  }

  /** Number of pending (not yet durable) 8-byte pieces. */
  get pendingPieces(): number {
    return this.pending.count;
  }

  // ---- loads ----

  load8(off: number): number {
    this.checkRange(off, 1);
    this.chargeLoad(off, 1);
    return this.visible[off]!;
  }

  load16(off: number): number {
    this.checkRange(off, 2);
    this.chargeLoad(off, 2);
    return this.visibleView.getUint16(off, true);
  }

  load32(off: number): number {
    this.checkRange(off, 4);
    this.chargeLoad(off, 4);
    return this.visibleView.getUint32(off, true);
  }

  /**
   * A 64-bit load as a number, in the signed reading (as Cpu.load64): exact when |v| < 2^53, which
   * covers offsets, sizes, counters and pointers. load64Big returns every value exactly.
   */
  load64(off: number): number {
    this.checkRange(off, 8);
    this.chargeLoad(off, 8);
    return this.visibleView.getInt32(off + 4, true) * 4294967296 + this.visibleView.getUint32(off, true);
  }

  load64Big(off: number): bigint {
    this.checkRange(off, 8);
    this.chargeLoad(off, 8);
    return this.visibleView.getBigUint64(off, true);
  }

  /** Copy [off, off+len) into dst at dstOff (a DAX read). */
  read(off: number, dst: Uint8Array, dstOff = 0, len = dst.length - dstOff): void {
    this.checkRange(off, len);
    if (!Number.isInteger(dstOff) || dstOff < 0 || dstOff + len > dst.length) throw fsErr('EINVAL', 'pcm-read');
    if (len === 0) return;
    const p = this.profile;
    this.counters.values.loads++;
    this.counters.values.bytesRead += len;
    if (len >= this.streamThreshold) {
      const first = off >>> LINE_SHIFT;
      this.clock.now += (first === this.lastMissLine + 1 ? p.pcm.readSequentialNs : p.pcm.readRandomNs)
        + len / p.pcm.readBytesPerNs;
      this.lastMissLine = (off + len - 1) >>> LINE_SHIFT;
    } else {
      // Misses of one copy overlap (the prefetcher streams them): one latency, then bandwidth.
      let misses = 0, firstMissNs = 0;
      const last = (off + len - 1) >>> LINE_SHIFT;
      for (let line = off >>> LINE_SHIFT; line <= last; line++) {
        const sequential = line === this.lastMissLine + 1;
        if (!this.access(line, false, false, false)) {
          if (misses === 0) firstMissNs = sequential ? p.pcm.readSequentialNs : p.pcm.readRandomNs;
          misses++;
        }
      }
      this.clock.now += len * p.cpu.memcpyNsPerByte + (misses === 0 ? 0 : firstMissNs + (misses * LINE_BYTES) / p.pcm.readBytesPerNs);
    }
    dst.set(this.visible.subarray(off, off + len), dstOff);
  }

  // ---- stores ----

  store8(off: number, v: number): void {
    this.checkRange(off, 1);
    this.media.logRange(off, 1);
    this.visible[off] = v;
    this.afterStore(off, 1, false);
  }

  store16(off: number, v: number): void {
    this.checkRange(off, 2);
    this.media.logRange(off, 2);
    this.visibleView.setUint16(off, v, true);
    this.afterStore(off, 2, false);
  }

  store32(off: number, v: number): void {
    this.checkRange(off, 4);
    this.media.logRange(off, 4);
    this.visibleView.setUint32(off, v >>> 0, true);
    this.afterStore(off, 4, false);
  }

  /** A 64-bit store of a safe integer (negative: two's complement); EINVAL otherwise. No allocation. */
  store64(off: number, v: number): void {
    this.checkRange(off, 8);
    if (!Number.isSafeInteger(v)) throw fsErr('EINVAL', 'pcm-store');
    this.media.logRange(off, 8);
    setWord(this.visibleView, off, v);
    this.afterStore(off, 8, false);
  }

  store64Big(off: number, v: bigint): void {
    this.checkRange(off, 8);
    this.media.logRange(off, 8);
    this.visibleView.setBigUint64(off, BigInt.asUintN(64, v), true);
    this.afterStore(off, 8, false);
  }

  /**
   * Copy src[srcOff, srcOff+len) to [off, off+len) through the cache (a DAX write / memcpy). It is
   * modelled as one 8-byte store per aligned word touched, in ascending address order.
   */
  write(off: number, src: Uint8Array, srcOff = 0, len = src.length - srcOff): void {
    this.copyIn(off, src, srcOff, len, false, 'pcm-write');
  }

  /**
   * Non-temporal (streaming) stores: they bypass the cache, so they are durable at the next fence with
   * no flush. A line the cache holds dirty is written back and invalidated first, as Intel SDM Vol. 1
   * "Caching of Temporal vs. Non-Temporal Data" describes for MOVNTI (Arm's STNP is only a hint; this
   * is the persistent-memory idiom).
   */
  ntWrite(off: number, src: Uint8Array, srcOff = 0, len = src.length - srcOff): void {
    this.copyIn(off, src, srcOff, len, true, 'pcm-ntwrite');
  }

  /** One non-temporal 8-byte store of a safe integer (an 8-byte commit that needs no flush, only a fence). */
  ntStore64(off: number, v: number): void {
    this.checkRange(off, 8);
    if (!Number.isSafeInteger(v)) throw fsErr('EINVAL', 'pcm-store');
    this.media.logRange(off, 8);
    setWord(this.visibleView, off, v);
    this.afterStore(off, 8, true);
  }

  // ---- persistence ----

  /** DC CVAP of the line holding byte `off`: its dirty data goes to the persistence domain. */
  flush(off: number): void {
    this.checkRange(off, 1);
    this.flushLine(off >>> LINE_SHIFT);
  }

  /** DC CVAP of every line overlapping [off, off+len). */
  flushRange(off: number, len: number): void {
    this.checkRange(off, len);
    if (len === 0) return;
    const last = (off + len - 1) >>> LINE_SHIFT;
    for (let line = off >>> LINE_SHIFT; line <= last; line++) this.flushLine(line);
  }

  /** DSB: every flushed line and non-temporal store is durable once it completes. */
  fence(): void {
    this.media.settle(true);
    this.wear.drain();
    this.counters.values.fences++;
    // The DSB waits for the outstanding write-backs to reach the persistence domain.
    this.clock.now += this.profile.pcm.fenceNs + (this.writesOutstanding ? this.profile.pcm.writeNs : 0);
    this.writesOutstanding = false;
    if (this.trace !== null) this.trace.push(PcmEvent.Fence, 0);
  }

  /** Clean every dirty line and fence (what an unmount or a full sync does). */
  persistAll(): void {
    for (const line of this.cache.dirtyLines()) this.flushLine(line);
    this.fence();
  }

  // ---- crash ----

  /** The images a power failure now could leave (copies the durable image once). */
  crash(): PcmCrashStates {
    return this.media.crashStates();
  }

  /** A copy of what the media holds for certain now (no pending piece applied). */
  durableImage(): Uint8Array {
    return this.media.durableImage();
  }

  /**
   * Cut the power: the media keeps the durable image plus the chosen pending pieces (given, or drawn
   * from a seeded PRNG, each kept with probability p, default 1/2), the cache forgets everything, and
   * the device comes back up holding that image. Ends any trace.
   */
  powerFail(choice: PowerFailChoice): void {
    const states = this.crash();
    states.apply(powerFailSelection(states.count, choice, 'pcm-powerfail'));
    this.trace = null;
    this.loadImage(states.image);
  }

  /** Replace the media with `image` (same size), empty cache, nothing pending: a power-on. */
  loadImage(image: Uint8Array): void {
    if (image.length !== this.size) throw fsErr('EINVAL', 'pcm-load');
    if (this.media.checkpointed) throw fsErr('EBUSY', 'pcm-load');
    this.media.load(image);
    this.powerOnCache();
  }

  /** Write one 8-byte word straight into the media (placing a crash image's piece at power-on). */
  setMediaWord(word: number, lo: number, hi: number): void {
    if (!Number.isInteger(word) || word < 0 || word >= this.size >>> 3) throw fsErr('EFAULT', 'pcm');
    this.media.setWord(word, lo, hi);
  }

  // ---- tracing ----

  /** Start recording stores, flushes, evictions and fences. */
  startTrace(): PcmTrace {
    if (this.media.checkpointed) throw fsErr('EBUSY', 'pcm-trace');
    this.trace = new PcmTrace(this.media.durableImage(), this.media.pending.clone());
    return this.trace;
  }

  stopTrace(): PcmTrace | null {
    const t = this.trace;
    this.trace = null;
    return t;
  }

  /** Drop a marker in the trace (e.g. a syscall's start or end); no-op when not tracing. */
  mark(tag: number): void {
    if (this.trace !== null) this.trace.push(PcmEvent.Mark, tag);
  }

  // ---- checkpoint ----

  /**
   * Remember the contents so that rollback() can restore them: for mounting crash image after crash
   * image on one device. Needs nothing in flight (EBUSY otherwise: fence first, or loadImage). Costs
   * nothing up front; each line's first write afterwards saves 128 bytes. Statistics (clock, counters,
   * wear) are not rolled back.
   */
  checkpoint(): void {
    const m = this.media;
    if (m.checkpointed || this.trace !== null) throw fsErr('EBUSY', 'pcm-checkpoint');
    m.settle(false);
    // Rollback empties the cache, so a store still in flight at the checkpoint could never be flushed.
    if (m.pending.count !== 0) throw fsErr('EBUSY', 'pcm-checkpoint');
    m.checkpoint();
  }

  /** Restore the contents at checkpoint(), with an empty cache (as after a power cycle). */
  rollback(): void {
    if (!this.media.checkpointed) throw fsErr('EINVAL', 'pcm-rollback');
    this.media.rollback();
    this.powerOnCache();
  }

  // ---- internals ----

  /** write() and ntWrite(): check the ranges, copy into what loads see, then account the stores. */
  private copyIn(off: number, src: Uint8Array, srcOff: number, len: number, nt: boolean, sc: string): void {
    this.checkRange(off, len);
    if (!Number.isInteger(srcOff) || srcOff < 0 || srcOff + len > src.length) throw fsErr('EINVAL', sc);
    if (len === 0) return;
    this.media.logRange(off, len);
    this.visible.set(src.subarray(srcOff, srcOff + len), off);
    this.afterStore(off, len, nt);
  }

  /** The cache and the device's own state as after a power cycle. */
  private powerOnCache(): void {
    this.cache.invalidateAll();
    this.lastMissLine = -2;
    this.writesOutstanding = false;
  }

  private checkRange(off: number, len: number): void {
    if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > this.size) {
      throw fsErr('EFAULT', 'pcm');
    }
  }

  /** Look `line` up in the cache, allocating it on a miss (charging the miss). True on a hit. */
  private access(line: number, write: boolean, fullLine: boolean, chargeMiss = true): boolean {
    const c = this.cache;
    let slot = c.lookup(line);
    const hit = slot >= 0;
    if (hit) {
      this.counters.values.lineHits++;
    } else {
      this.counters.values.lineMisses++;
      // A store that covers the whole line needs no read for ownership (write streaming).
      if (chargeMiss && !(write && fullLine)) {
        this.clock.now += line === this.lastMissLine + 1 ? this.profile.pcm.readSequentialNs : this.profile.pcm.readRandomNs;
      }
      this.lastMissLine = line;
      slot = c.insert(line);
      if (c.victim !== NO_LINE) this.writeBack(c.victim);
    }
    if (write) c.markDirty(slot);
    return hit;
  }

  private chargeLoad(off: number, len: number): void {
    this.counters.values.loads++;
    this.counters.values.bytesRead += len;
    const first = off >>> LINE_SHIFT, last = (off + len - 1) >>> LINE_SHIFT;
    for (let line = first; line <= last; line++) if (this.access(line, false, false)) this.clock.now += this.profile.cpu.l1HitNs;
  }

  /**
   * Account a store to [off, off+len), already written into `visible`: line by line, take the line
   * (cached stores) or push it out of the cache (streaming stores), then record its 8-byte pieces. Pieces
   * are recorded right after their line is taken, so an eviction that a later line of the same store
   * causes covers them, keeping "a line is dirty exactly while it has unflushed pieces".
   */
  private afterStore(off: number, len: number, nt: boolean): void {
    const p = this.profile, v = this.counters.values, trace = this.trace, cache = this.cache;
    const end = off + len;
    const firstLine = off >>> LINE_SHIFT, lastLine = (end - 1) >>> LINE_SHIFT;
    const flags = nt ? PIECE_NT : 0, kind = nt ? PcmEvent.NtStore : PcmEvent.Store;
    let hits = 0;
    for (let line = firstLine; line <= lastLine; line++) {
      const lineOff = line << LINE_SHIFT;
      if (nt) {
        if (cache.clean(line)) this.writeBack(line);
        cache.invalidate(line);
      } else if (this.access(line, true, off <= lineOff && end >= lineOff + LINE_BYTES)) {
        hits++;
      }
      const w0 = Math.max(off, lineOff) >>> 3, w1 = (Math.min(end, lineOff + LINE_BYTES) - 1) >>> 3;
      this.pending.pushWords(w0, w1, this.visible32, flags);
      if (trace !== null) trace.pushWords(kind, w0, w1, this.visible32);
      if (nt) {
        // Streaming stores reach the media through the write-combining buffers now.
        this.wear.recordLine(line);
        v.mediaLineWrites++;
      } else if (cache.evictProbability > 0 && cache.spontaneousEviction() && cache.clean(line)) {
        this.writeBack(line);
      }
    }
    v.bytesWritten += len;
    if (nt) {
      v.ntStores++;
      this.clock.now += len / p.pcm.writeBytesPerNs;
      this.writesOutstanding = true;
    } else {
      v.stores++;
      this.clock.now += len <= 8 ? hits * p.cpu.l1HitNs : len * p.cpu.memcpyNsPerByte;
    }
  }

  private flushLine(line: number): void {
    const v = this.counters.values;
    v.flushes++;
    if (this.cache.clean(line)) {
      v.flushesDirty++;
      v.mediaLineWrites++;
      this.pending.markFlushed(line);
      this.wear.recordLine(line);
      this.clock.now += this.profile.pcm.flushLineNs;
      this.writesOutstanding = true;
      if (this.trace !== null) this.trace.push(PcmEvent.Flush, line);
    } else {
      this.clock.now += this.profile.pcm.flushCleanLineNs;
      if (this.trace !== null) this.trace.push(PcmEvent.FlushClean, line);
    }
  }

  /** A dirty line left the cache (eviction): its data is in the media now. Asynchronous: no CPU time. */
  private writeBack(line: number): void {
    const v = this.counters.values;
    v.evictions++;
    v.mediaLineWrites++;
    this.pending.markEvicted(line);
    this.wear.recordLine(line);
    if (this.trace !== null) this.trace.push(PcmEvent.Evict, line);
  }
}

/** Write a safe integer as a little-endian 64-bit two's-complement word. */
function setWord(view: DataView, off: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  view.setUint32(off, v - hi * 4294967296, true);
  view.setInt32(off + 4, hi, true);
}
