// The fsx exerciser (after xfstests' ltp/fsx.c; algorithm in shared/data/fsx/README.md): one file, a
// model buffer in which every written byte is the op number mod 256 (plus a random byte at odd
// offsets), and a random mix of read, write, mapread, mapwrite (+ msync), truncate up and down, punch
// hole, close/reopen and memory-pressure events — every byte read, through read() or through the MMU,
// checked against the model; the bytes past EOF in the last mapped page must read as zero. Every op is
// logged (oplog.ts), so a failure's replay file reproduces the whole run, memory pressure included.

import { Ram } from '../../hw/ram.js';
import { Mm } from '../../mm/mm.js';
import { munmap, msync } from '../../mm/mmap.js';
import { MAP_SHARED, MS_SYNC, PROT_READ, PROT_WRITE } from '../../mm/mman.js';
import type { AddressSpace } from '../../mm/address-space.js';
import { Prng } from '../../sim/prng.js';
import { Vfs } from '../../../vfs/vfs.js';
import type { Process } from '../../../vfs/process.js';
import type { Backend } from '../../../vfs/backend.js';
import type { Stat } from '../../../vfs/syscalls.js';
import { mmapFd } from '../../../vfs/mmap-fd.js';
import { PcmDevice } from '../../hw/pcm/pcm.js';
import { FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, O_CREAT, O_RDWR, O_TRUNC } from '../../../vfs/constants.js';
import { PageCache } from '../../mm/page-cache.js';
import { mmapFileOf } from '../../../vfs/mmap-fd.js';
import { FSX_OP_CODE, FSX_OP_NAMES, FsxOpLog, type FsxOp, type FsxOpName } from './oplog.js';

/** A backend for fsx, built over the machine's RAM (the CLI names them: ramfs, store, ...). */
export type FsxBackendFactory = (ram: Ram) => Backend & { readonly pageCache?: PageCache };

export interface FsxOptions {
  backend: FsxBackendFactory;
  /** Name for reports. */
  fsName?: string;
  seed?: number;
  ops?: number;
  /** maxfilelen (fsx -l). Default 256 KiB. */
  fileSize?: number;
  /** maxoplen (fsx -o). Default 64 KiB. */
  maxOpLen?: number;
  ramMiB?: number;
  /** Close and reopen with probability 1/closeOpen after an op (fsx -c). Default 100; 0 = never. */
  closeOpen?: number;
  /** One op in this many is a memory-pressure event. Default 50; 0 = never. */
  pressureEvery?: number;
  /** Hardware dirty-state management in the MMU (TCR HA/HD). */
  hardwareDirty?: boolean;
  /** Replay these ops instead of random ones. */
  replay?: FsxOp[];
  /** Progress callback every 4096 ops. */
  progress?: (done: number) => void;
  /** Called after each memory-pressure op with the op number and the frames reclaim freed (for tests and traces). */
  onPressure?: (op: number, freed: number) => void;
}

export interface FsxFailure {
  op: number;
  what: string;
  /** The op log around the failure, fsx's LOG DUMP style. */
  log: string[];
  /**
   * `.fsxops` text that replays the run from the empty file up to and including the failing op, with
   * its memory-pressure events as `#vfsim pressure` ops (oplog.ts), so that a replay reclaims exactly
   * what the run reclaimed.
   */
  replay: string;
}

export interface FsxResult {
  fs: string;
  ops: number;
  seed: number;
  checkedBytes: number;
  counts: Record<string, number>;
  skipped: Record<string, number>;
  failures: FsxFailure[];
  seconds: number;
  /** CPU seconds of this process over the run (steadier than wall time on a busy host). */
  cpuSeconds: number;
  faults: number;
  evictions: number;
  writebacks: number;
  /** Frames freed by the memory-pressure ops. */
  pressureFreed: number;
  /** zfs-lite only: how its page cache and ARC shared frames (ArcShare.stats; all 0 in double-caching mode). */
  sharing?: FsxSharing;
}

/**
 * Shared-buffer mmap counters of a zfs-lite backend (fs-zfs-lite/arc-share.ts ArcShare.stats, and the
 * page cache's share breaks, src/mm/page-share.ts).
 */
export interface FsxSharing {
  /** Pages that borrowed an ARC buffer's frame (arc_share_buf). */
  borrows: number;
  /** Borrowed pages copied to a frame of their own before a write (breakShare). */
  shareBreaks: number;
  /** Borrowed frames the page cache gave back, by a share break or the page leaving the cache (arc_unshare_buf). */
  unshared: number;
  /** Borrowed pages the ARC took back by evicting their buffer (unmap_arc_buf). */
  revocations: number;
  /** Blocks the ARC could not lend (not cached and not cacheable). */
  refused: number;
}

/** What fsx reads of a backend that may share ARC buffers with the page cache (zfs-lite's `arcShare`). */
interface ArcSharing {
  readonly mmapCache?: string;
  readonly arcShare?: { readonly stats: { readonly shared: number; readonly unshared: number; readonly revoked: number; readonly refused: number } } | null;
}

const RUN: readonly FsxOpName[] = ['read', 'write', 'mapread', 'mapwrite', 'truncate', 'punch_hole'];
const PS = 4096;

export class Fsx {
  readonly ram: Ram;
  readonly fs: Backend & { readonly pageCache?: PageCache };
  /** The backend's page cache (or one of fsx's own for a backend without one, which mmap cannot use). */
  readonly pageCache: PageCache;
  /** Whether the backend can be mapped (Backend.pager); fsx skips mapread/mapwrite by name if not. */
  readonly canMap: boolean;
  readonly vfs: Vfs;
  readonly p: Process;
  readonly mm: Mm;
  readonly as: AddressSpace;
  /** good_buf: the model of the file's bytes (a view at the start of `pool`). */
  readonly good: Uint8Array;
  size = 0;
  fd: number;
  private readonly original: Uint8Array;
  /** original with the even offsets zeroed, as 32-bit words: the pattern is this plus the op byte. */
  private readonly odd32: Int32Array;
  /** Pattern bytes at their file offsets (words, so that four bytes are made per add). */
  private readonly gen: Uint8Array;
  private readonly gen32: Int32Array;
  /**
   * good_buf and, for files up to 1 MiB, the whole pattern of each op byte after it (`stride` bytes
   * each, made on first use): gendata is then one copyWithin inside this buffer, no add, no view.
   */
  private readonly pool: Uint8Array;
  private readonly stride: number;
  private readonly made = new Uint8Array(256);
  /** good as a Buffer, and the read buffer as one: compare() by offsets is a native memcmp with no views. */
  private readonly goodB: Buffer;
  private readonly buf: Buffer;
  private readonly eofBuf = Buffer.alloc(PS);
  /** fstat's result object, reused (check_size runs after every op). */
  private stat: Stat | undefined;
  private readonly zeros = Buffer.alloc(PS);
  private readonly rng: Prng;
  private readonly o: Required<Omit<FsxOptions, 'replay' | 'progress' | 'fsName' | 'hardwareDirty' | 'onPressure'>>;
  /** Every op run so far (the replay of a failure is all of them). */
  readonly log = new FsxOpLog();
  /** The op being run in random mode (one record, refilled: nothing allocated per op). */
  private readonly cur: FsxOp = { op: 'read', off: 0, len: 0, dst: 0, keepSize: false, closeOpen: false, skip: false };
  /** Ops run and ops skipped, by op number (FSX_OP_NAMES): typed counters, not a string-keyed store per op. */
  private readonly countBy = new Float64Array(FSX_OP_NAMES.length);
  private readonly skipBy = new Float64Array(FSX_OP_NAMES.length);
  pressureFreed = 0;
  checkedBytes = 0;
  failure: FsxFailure | null = null;
  private n = 0;

  constructor(private readonly opts: FsxOptions) {
    this.o = {
      backend: opts.backend, seed: opts.seed ?? 1, ops: opts.ops ?? 10000, fileSize: opts.fileSize ?? 256 * 1024,
      maxOpLen: opts.maxOpLen ?? 64 * 1024, ramMiB: opts.ramMiB ?? 64, closeOpen: opts.closeOpen ?? 100,
      pressureEvery: opts.pressureEvery ?? 50,
    };
    this.ram = new Ram({ bytes: Math.round(this.o.ramMiB * 1048576) });
    this.fs = this.o.backend(this.ram);
    this.vfs = new Vfs({ root: this.fs });
    this.p = this.vfs.root;
    this.pageCache = this.fs.pageCache ?? new PageCache(this.ram);
    this.mm = new Mm({ ram: this.ram, pageCache: this.pageCache, hardwareDirty: opts.hardwareDirty ?? false });
    this.as = this.mm.createAddressSpace();
    // A backend on persistent memory (pcmfs) maps its blocks with DAX: the CPU must reach the device.
    const dev = (this.fs as { readonly dev?: unknown }).dev;
    if (dev instanceof PcmDevice) this.mm.cpu.attachPcm(dev);
    this.rng = new Prng(this.o.seed);
    this.original = new Uint8Array(this.o.fileSize);
    for (let i = 0; i < this.original.length; i++) this.original[i] = this.rng.u32() & 255;
    const words = Math.ceil(this.o.fileSize / 4) + 1;
    this.odd32 = new Int32Array(words);
    const odd = new Uint8Array(this.odd32.buffer);
    for (let i = 1; i < this.original.length; i += 2) odd[i] = this.original[i]!;
    this.gen32 = new Int32Array(words);
    this.gen = new Uint8Array(this.gen32.buffer);
    const goodLen = this.o.fileSize + PS;
    this.stride = Math.ceil(goodLen / PS) * PS;
    this.pool = new Uint8Array(this.stride * (this.o.fileSize <= 1048576 ? 257 : 1));
    this.good = this.pool.subarray(0, goodLen);
    this.goodB = Buffer.from(this.pool.buffer, 0, goodLen);
    this.buf = Buffer.alloc(Math.max(this.o.maxOpLen, this.o.fileSize) + PS);
    this.fd = this.p.open('/fsx', O_RDWR | O_CREAT | O_TRUNC, 0o644);
    // fsx probes each optional op once at start; here: can the file be mapped at all (ENODEV if not)?
    let canMap = true;
    try {
      mmapFileOf(this.p, this.fd);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENODEV') throw e;
      canMap = false;
    }
    this.canMap = canMap;
  }

  run(): FsxResult {
    const t0 = performance.now(), c0 = process.cpuUsage();
    const replay = this.opts.replay;
    const total = replay ? replay.length : this.o.ops;
    for (let i = 0; i < total && this.failure === null; i++) {
      this.n = i + 1;
      let op: FsxOp;
      if (replay) op = replay[i]!;
      else {
        op = this.cur;
        this.randomOp(op);
      }
      this.step(op);
      if (this.opts.progress && (i & 4095) === 4095) this.opts.progress(i + 1);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    const cpuSeconds = (cu.user + cu.system) / 1e6;
    return {
      fs: this.opts.fsName ?? this.fs.fsType, ops: total, seed: this.o.seed, checkedBytes: this.checkedBytes,
      counts: this.counts, skipped: this.skipped, failures: this.failure ? [this.failure] : [], seconds, cpuSeconds,
      faults: this.mm.stats.faults, evictions: this.mm.reclaim.stats.evicted, writebacks: this.pageCache.stats.writebacks,
      pressureFreed: this.pressureFreed,
      ...this.sharing(),
    };
  }

  /**
   * Draw the next op into `o` (fsx's test(): op, offset, length, close/open). A memory-pressure op asks
   * reclaim for every frame of RAM; its offset is 0 and its length that frame count, as logged.
   */
  private randomOp(o: FsxOp): void {
    const r = this.rng;
    const pe = this.o.pressureEvery;
    const op: FsxOpName = pe > 0 && r.below(pe) === 0 ? 'pressure' : RUN[r.below(RUN.length)]!;
    const off = r.u32();
    const len = op === 'truncate' ? r.below(this.o.fileSize) : r.below(this.o.maxOpLen + 1);
    const co = this.o.closeOpen;
    o.op = op;
    o.off = op === 'truncate' || op === 'pressure' ? 0 : off;
    o.len = op === 'pressure' ? this.ram.frameCount : len;
    o.closeOpen = co > 0 && r.below(co) === 0;
  }

  /** Ops run so far, by name (those run at least once). */
  get counts(): Record<string, number> {
    return byName(this.countBy);
  }

  /** Ops logged but not run (fsx's "skipped"), by name. */
  get skipped(): Record<string, number> {
    return byName(this.skipBy);
  }

  private skip(name: FsxOpName): void {
    this.skipBy[FSX_OP_CODE.get(name)!]!++;
  }

  private step(o: FsxOp): void {
    this.log.push(o, this.size);
    this.countBy[FSX_OP_CODE.get(o.op)!]!++;
    if (o.skip) return this.skip(o.op);
    switch (o.op) {
      case 'read': this.doRead(o, false); break;
      case 'mapread': if (this.canMap) this.doRead(o, true); else this.skip(o.op); break;
      case 'write': this.doWrite(o, false); break;
      case 'mapwrite': if (this.canMap) this.doWrite(o, true); else this.skip(o.op); break;
      case 'truncate': this.doTruncate(o.len); break;
      case 'punch_hole': this.doPunch(o); break;
      case 'fallocate': this.doFallocate(o); break;
      case 'fsync': this.p.fsync(this.fd); break;
      case 'pressure': this.doPressure(o.len); break;
      default: this.skip(o.op);
    }
    if (this.failure !== null) return;
    if (o.closeOpen) {
      this.p.close(this.fd);
      this.fd = this.p.open('/fsx', O_RDWR, 0);
    }
    this.stat = this.p.fstat(this.fd, this.stat);
    const st = this.stat.size;
    if (st !== this.size) this.fail(`size ${st}, model ${this.size}`);
  }

  private doRead(o: FsxOp, mapped: boolean): void {
    if (this.size === 0) return this.skip(o.op);
    const off = o.off % this.size;
    const len = Math.min(o.len, this.size - off);
    if (len === 0) return this.skip(o.op);
    const buf = this.buf;
    if (!mapped) {
      const got = this.p.read(this.fd, buf, 0, len, off);
      if (got !== len) return this.fail(`short read ${got} of ${len} at ${off}`);
    } else {
      const pg = off - (off % PS);
      const mlen = off + len - pg;
      const addr = mmapFd(this.p, this.as, 0, mlen, PROT_READ, MAP_SHARED, this.fd, pg);
      const got = this.mm.cpu.readInto(addr + (off - pg), buf, 0, len);
      if (got !== len) return this.fail(`mapread stopped at ${off + got}: ${JSON.stringify(this.mm.cpu.takeSignal())}`);
      if (!this.checkEofPage(addr, pg, mlen)) return;
      munmap(this.as, addr, mlen);
    }
    this.check(buf, off, len);
  }

  /** fsx check_eofpage: if the mapping reaches the last page, EOF..page end reads zero through it. */
  private checkEofPage(addr: number, pg: number, mlen: number): boolean {
    const size = this.size;
    if (size % PS === 0 || pg + mlen <= size - (size % PS)) return true; // the map ends before the last page
    const pageEnd = size - (size % PS) + PS;
    const n = pageEnd - size, buf = this.eofBuf;
    const got = this.mm.cpu.readInto(addr + (size - pg), buf, 0, n);
    if (got !== n) {
      this.fail(`EOF page unreadable through the mapping at ${size + got}: ${JSON.stringify(this.mm.cpu.takeSignal())}`);
      return false;
    }
    if (buf.compare(this.zeros, 0, n, 0, n) === 0) return true;
    for (let i = 0; i < n; i++) {
      if (buf[i] !== 0) {
        this.fail(`byte past EOF at ${size + i} reads ${buf[i]} through the mapping (must be 0)`);
        return false;
      }
    }
    return true;
  }

  private check(buf: Uint8Array, off: number, len: number): void {
    const good = this.good;
    // Native memcmp first; the byte loop only to name the first bad byte.
    if (this.buf.compare(this.goodB, off, off + len, 0, len) !== 0) {
      for (let i = 0; i < len; i++) {
        if (buf[i] !== good[off + i]) {
          const x = off + i;
          return this.fail(`mismatch at 0x${x.toString(16)}: good ${good[x]} bad ${buf[i]} (written by op ${(buf[i]! - ((x & 1) !== 0 ? this.original[x]! : 0)) & 255} mod 256?)`);
        }
      }
    }
    this.checkedBytes += len;
  }

  private doWrite(o: FsxOp, mapped: boolean): void {
    const max = this.o.fileSize;
    const off = o.off % max;
    const len = Math.min(o.len, max - off);
    if (len === 0) return this.skip(o.op);
    // As fsx's dowrite/domapwrite: gendata into good_buf first, then write from good_buf, so the bytes
    // sent are the model's own (a write that fails fails the run: the model may run ahead of the file).
    const good = this.good;
    if (off > this.size) good.fill(0, this.size, off);
    this.gendata(this.n & 255, off, len);
    if (!mapped) {
      const w = this.p.write(this.fd, good, off, len, off);
      if (w !== len) return this.fail(`short write ${w} of ${len}`);
    } else {
      if (off + len > this.size) this.p.ftruncate(this.fd, off + len);
      const pg = off - (off % PS), mlen = off + len - pg;
      const addr = mmapFd(this.p, this.as, 0, mlen, PROT_READ | PROT_WRITE, MAP_SHARED, this.fd, pg);
      const w = this.mm.cpu.write(addr + (off - pg), good.subarray(off, off + len));
      if (w !== len) return this.fail(`mapwrite stopped at ${off + w}: ${JSON.stringify(this.mm.cpu.takeSignal())}`);
      msync(this.as, addr, mlen, MS_SYNC);
      if (off + len > this.size) this.size = off + len;
      if (!this.checkEofPage(addr, pg, mlen)) return;
      munmap(this.as, addr, mlen);
    }
    if (off + len > this.size) this.size = off + len;
  }

  /**
   * gendata into good[off, off + len): byte x = (op + (x odd ? original[x] : 0)) mod 256. Small files
   * copy from the op byte's whole pattern, made once; larger ones make the range's words each time.
   */
  private gendata(v: number, off: number, len: number): void {
    if (this.pool.length > this.stride) {
      const base = this.stride * (1 + v);
      if (this.made[v] === 0) {
        this.makePattern(v, new Int32Array(this.pool.buffer, this.pool.byteOffset + base, this.odd32.length), 0, this.odd32.length);
        this.made[v] = 1;
      }
      this.pool.copyWithin(off, base + off, base + off + len);
      return;
    }
    this.makePattern(v, this.gen32, off >>> 2, (off + len + 3) >>> 2);
    this.good.set(this.gen.subarray(off, off + len), off);
  }

  /**
   * The pattern of op byte `v` into words [from, to) of `out32`, four bytes per add without carries
   * between them (SWAR: add the low 7 bits, then xor in the top bits). All int32: `(x + y) | 0` is a
   * wrapping 32-bit add to V8, where Uint32Array values and a plain sum made doubles (2x slower).
   */
  private makePattern(v: number, out32: Int32Array, from: number, to: number): void {
    const vv = Math.imul(v, 0x01010101);
    const vlo = vv & 0x7f7f7f7f;
    const odd32 = this.odd32;
    for (let w = from; w < to; w++) {
      const a = odd32[w]!;
      out32[w] = (((a & 0x7f7f7f7f) + vlo) | 0) ^ ((a ^ vv) & 0x80808080);
    }
  }

  private grow(to: number): void {
    if (to > this.size) this.good.fill(0, this.size, to);
    this.size = to;
  }

  private doTruncate(newSize: number): void {
    newSize = Math.min(newSize, this.o.fileSize);
    this.p.ftruncate(this.fd, newSize);
    if (newSize > this.size) this.good.fill(0, this.size, newSize);
    this.size = newSize;
  }

  private doPunch(o: FsxOp): void {
    if (!this.fs.capabilities.punchHole) return this.skip(o.op);
    if (this.size === 0) return this.skip(o.op);
    const off = o.off % this.size;
    const len = Math.min(o.len, this.size - off);
    if (len === 0) return this.skip(o.op);
    this.p.fallocate(this.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
    this.good.fill(0, off, off + len);
  }

  private doFallocate(o: FsxOp): void {
    const max = this.o.fileSize;
    const off = o.off % max;
    const len = Math.min(o.len, max - off);
    if (len === 0) return this.skip(o.op);
    try {
      this.p.fallocate(this.fd, o.keepSize ? FALLOC_FL_KEEP_SIZE : 0, off, len);
    } catch (e) {
      if ((e as { code?: string }).code === 'EOPNOTSUPP') return this.skip(o.op);
      throw e;
    }
    if (!o.keepSize && off + len > this.size) this.grow(off + len);
  }

  /**
   * A memory-pressure event: the machine's RAM is asked for `frames` more free frames through its reclaim
   * entry point (Ram.reclaim, what a failed allocation runs): the registered shrinkers run in the order
   * they registered until the target is met — on zfs-lite the ARC first (it registers when the backend is
   * made, before mm's page-cache reclaim), then page-cache reclaim for what the ARC could not give; in
   * shared mmap mode the ARC's evictions revoke the pages that borrowed its buffers. (Linux's shrink_node
   * reclaims the LRU lists and the slab shrinkers together; vfsim's Ram keeps a fixed order.) Deterministic (registration order,
   * LRU/ARC state), so a replay's `#vfsim pressure` line frees exactly the same frames.
   */
  private doPressure(frames: number): void {
    const before = this.ram.freeFrames;
    this.ram.reclaim(before + frames);
    const freed = this.ram.freeFrames - before;
    this.pressureFreed += freed;
    this.opts.onPressure?.(this.n, freed);
  }

  /** The sharing counters of a zfs-lite backend, as a result field (none for other backends). */
  private sharing(): { sharing?: FsxSharing } {
    const z = this.fs as ArcSharing;
    if (z.mmapCache === undefined) return {};
    const breaks = this.pageCache.stats.shareBreaks;
    if (z.arcShare === undefined || z.arcShare === null) return { sharing: { borrows: 0, shareBreaks: breaks, unshared: 0, revocations: 0, refused: 0 } };
    const s = z.arcShare.stats;
    return { sharing: { borrows: s.shared, shareBreaks: breaks, unshared: s.unshared, revocations: s.revoked, refused: s.refused } };
  }

  private fail(what: string): void {
    const h = this.log;
    const log: string[] = [];
    for (let i = Math.max(0, h.length - 20); i < h.length; i++) {
      log.push(`${String(i + 1).padStart(7)}(${String((i + 1) & 255).padStart(3)} mod 256): ${h.line(i)}`);
    }
    this.failure = { op: this.n, what, log, replay: h.text() };
  }
}

function byName(counts: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) out[FSX_OP_NAMES[i]!] = counts[i]!;
  return out;
}
