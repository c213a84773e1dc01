// The ARC holding its buffers in the machine's RAM frames, as ZFS's ARC takes kernel memory: a buffer
// is a list of frames, the ARC's size c is in bytes, and the ARC is a Shrinker on Ram, so when the
// frame allocator runs short (page-cache growth, anonymous memory) it lowers c and evicts (OpenZFS
// arc_shrinker_scan / arc_reduce_target_size), and grows back when memory is plentiful again.

import { NO_FRAME, type Frame, type Ram, type Shrinker } from '../src/hw/ram.js';
import { fsErr } from '../vfs/errno.js';
import { Arc, T1, T2, type ArcStats } from './arc.js';

/** A cached block: the frames holding it and its length in bytes (the last frame may be partial). */
export interface ArcBuf {
  readonly frames: Int32Array;
  readonly length: number;
}

export interface ArcRamOptions {
  ram: Ram;
  /**
   * c_max in bytes. Default 5/8 of RAM, OpenZFS's default zfs_arc_max on a machine of under 8 GiB
   * (zfs(4): "the larger of all_system_memory − 1 GiB and 5/8 × all_system_memory").
   */
  cMax?: number;
  /**
   * c_min in bytes. Default OpenZFS's max(32 MiB, RAM/32) (zfs(4), zfs_arc_min), but at most c_max/2
   * so that the small machines a model runs keep room to shrink.
   */
  cMin?: number;
  /** The page cache's unmap hook for shared buffers (OSv unmap_arc_buf), called before the frames are freed. */
  onEvict?: (key: number, buf: ArcBuf) => void;
}

/**
 * ZFS-lite's ARC over RAM frames. Keys are block addresses (a DVA, a block id). `get` is a cache
 * lookup; `put` copies a block read from disk into fresh frames. Registered as a Shrinker on the Ram
 * until `close()`.
 */
export class ArcRam implements Shrinker {
  readonly name = 'arc';
  readonly arc: Arc<ArcBuf>;
  readonly ram: Ram;
  /**
   * Free frames above which the ARC may grow again: illumos's lotsfree, physmem/64, the threshold
   * arc_reclaim_needed() compares freemem against.
   */
  private readonly lotsfree: number;

  constructor(opts: ArcRamOptions) {
    const ram = opts.ram;
    this.ram = ram;
    const total = ram.frameCount * ram.frameSize;
    const cMax = opts.cMax ?? Math.floor((total * 5) / 8);
    const cMin = opts.cMin ?? Math.min(Math.max(32 << 20, total / 32), cMax / 2);
    if (!(cMax >= ram.frameSize) || cMax > total || !(cMin >= 0) || cMin > cMax) throw fsErr('EINVAL', 'arc_init');
    this.lotsfree = Math.max(1, Math.floor(ram.frameCount / 64));
    const release = (_key: number, buf: ArcBuf): void => {
      for (let i = 0; i < buf.frames.length; i++) ram.freeFrame(buf.frames[i]!);
    };
    this.arc = new Arc<ArcBuf>({ c: cMax, cMin, release, ...(opts.onEvict ? { onEvict: opts.onEvict } : {}) });
    ram.registerShrinker(this);
  }

  /** The cached buffer for `key` (a hit moves it to T2), or undefined on a miss. */
  get(key: number): ArcBuf | undefined {
    return this.arc.get(key);
  }

  /**
   * Cache a copy of `data` (a block just read or written) under `key`. Returns the buffer, or
   * undefined if it is larger than the ARC may ever hold. ENOMEM if RAM has no frames even after
   * every shrinker (this ARC included) has given back what it could.
   */
  put(key: number, data: Uint8Array): ArcBuf | undefined {
    if (data.length === 0) throw fsErr('EINVAL', 'arc_put');
    const fs = this.ram.frameSize;
    const n = Math.ceil(data.length / fs);
    if (n * fs > this.arc.cMax) return undefined;
    const frames = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const f: Frame = this.ram.allocFrame(false);
      if (f === NO_FRAME) {
        for (let j = 0; j < i; j++) this.ram.freeFrame(frames[j]!);
        throw fsErr('ENOMEM', 'arc_get_data_buf');
      }
      frames[i] = f;
      const off = this.ram.frameOffset(f);
      const chunk = data.subarray(i * fs, Math.min(data.length, (i + 1) * fs));
      this.ram.bytes.set(chunk, off);
      if (chunk.length < fs) this.ram.bytes.fill(0, off + chunk.length, off + fs);
    }
    if (this.ram.freeFrames > this.lotsfree) this.arc.resumeGrowth();
    const buf: ArcBuf = { frames, length: data.length };
    if (!this.arc.put(key, buf, n * fs)) {
      // Shrinking during the allocation above took c below this buffer: do not keep it.
      for (let i = 0; i < n; i++) this.ram.freeFrame(frames[i]!);
      return undefined;
    }
    return buf;
  }

  /**
   * Copy bytes [offset, offset + dst.length) of the cached block into `dst` (a hit). Returns the
   * number of bytes copied (short at the end of the block), or -1 on a miss.
   */
  read(key: number, offset: number, dst: Uint8Array): number {
    const buf = this.arc.get(key);
    if (buf === undefined) return -1;
    if (offset < 0 || offset > buf.length) throw fsErr('EINVAL', 'arc_read');
    const fs = this.ram.frameSize;
    const end = Math.min(buf.length, offset + dst.length);
    let pos = offset;
    while (pos < end) {
      const i = Math.floor(pos / fs);
      const within = pos - i * fs;
      const take = Math.min(fs - within, end - pos);
      const base = this.ram.frameOffset(buf.frames[i]!) + within;
      dst.set(this.ram.bytes.subarray(base, base + take), pos - offset);
      pos += take;
    }
    return end - offset;
  }

  /** The block was freed or rewritten elsewhere: drop it (and its ghost). */
  remove(key: number): boolean {
    return this.arc.remove(key);
  }

  /** Install (or, with undefined, remove) the page cache's unmap hook: see Arc.setOnEvict. */
  setOnEvict(fn: ((key: number, buf: ArcBuf) => void) | undefined): void {
    this.arc.setOnEvict(fn);
  }

  /** The resident buffer for `key` without counting an access, or undefined. */
  peek(key: number): ArcBuf | undefined {
    return this.arc.peek(key);
  }

  isShared(key: number): boolean {
    return this.arc.isShared(key);
  }

  /** Every resident buffer with its key (T1 then T2, MRU first). For audits; allocates. */
  buffers(): [number, ArcBuf][] {
    const out: [number, ArcBuf][] = [];
    for (const l of [T1, T2] as const) for (const k of this.arc.keysOf(l)) out.push([k, this.arc.peek(k)!]);
    return out;
  }

  /** The page cache maps this buffer's frames (OSv arc_share_buf). */
  share(key: number): boolean {
    return this.arc.share(key);
  }

  unshare(key: number): boolean {
    return this.arc.unshare(key);
  }

  /** Shrinker: give back at least `want` frames if the ARC can (not below c_min). Returns frames freed. */
  shrink(want: number): number {
    return Math.round(this.arc.shrink(want * this.ram.frameSize) / this.ram.frameSize);
  }

  /** The page cache's reclaim asks for `bytes` back. Returns bytes freed. */
  shrinkBytes(bytes: number): number {
    return this.arc.shrink(bytes);
  }

  stats(): ArcStats {
    return this.arc.stats();
  }

  /** Drop every buffer and stop shrinking on the Ram's behalf. */
  close(): void {
    this.ram.unregisterShrinker(this);
    this.arc.clear();
  }
}
