// The boot image: a kernel and the application's file tree, as OSv's scripts/build packs them (the
// kernel plus a bootfs for ramfs, scripts/mkbootfs.py; or the kernel plus a filesystem image for ZFS).
// An image is a manifest (paths, sizes, modes, what the application touches at start) plus contents;
// `serializeImage`/`parseImage` give it a file format (`vfsim image build DIR -o IMAGE` writes one).

import { Prng } from '../sim/prng.js';
import { fsErr } from '../sim/errno.js';

/** One entry of the tree. Directories come before their children. */
export interface ImageEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  /** Symlink target. */
  target?: string;
  /**
   * What the application touches at start, as a fraction of the file's pages: mapped files (ELF
   * binaries, libraries, the jimage) have that many pages touched through the mapping; other files have
   * that much read with read(2) from offset 0. 0: not used at start.
   */
  start: number;
  /** Mapped at start (mmap PROT_READ|PROT_EXEC, MAP_PRIVATE), as the dynamic linker maps ELF objects. */
  mapped: boolean;
}

export interface BootImage {
  name: string;
  /** Bytes of the kernel (OSv's loader.elf) in front of the file tree. */
  kernelBytes: number;
  entries: ImageEntry[];
  /** Contents of entry i (files only; exactly entries[i].size bytes). */
  contents(i: number): Uint8Array;
  /** Seed that shapes which pages the application touches (the generator's seed, or 1). */
  seed: number;
}

const MAGIC = 'VFSIMG01';

/** The image file format: 'VFSIMG01', a u32 LE header length, a JSON header, then file data back to back. */
export function serializeImage(img: BootImage): Uint8Array {
  let off = 0;
  const entries = img.entries.map((e, i) => {
    const o = { ...e, offset: e.type === 'file' ? off : 0 };
    if (e.type === 'file') off += img.contents(i).length;
    return o;
  });
  const header = new TextEncoder().encode(JSON.stringify({ name: img.name, kernelBytes: img.kernelBytes, seed: img.seed, entries }));
  const out = new Uint8Array(12 + header.length + off);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  let p = 12 + header.length;
  img.entries.forEach((e, i) => {
    if (e.type !== 'file') return;
    const c = img.contents(i);
    out.set(c, p);
    p += c.length;
  });
  return out;
}

/** Parse an image file; EINVAL for anything that is not one (bad magic, truncated, inconsistent). */
export function parseImage(bytes: Uint8Array): BootImage {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw fsErr('EINVAL', 'image', 'not a vfsim image');
  const hlen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + hlen > bytes.length) throw fsErr('EINVAL', 'image', 'truncated header');
  let h: { name: string; kernelBytes: number; seed?: number; entries: (ImageEntry & { offset: number })[] };
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen)));
  } catch {
    throw fsErr('EINVAL', 'image', 'header is not JSON');
  }
  if (!h || !Array.isArray(h.entries) || !Number.isSafeInteger(h.kernelBytes) || h.kernelBytes < 0) throw fsErr('EINVAL', 'image', 'bad header');
  const data = bytes.subarray(12 + hlen);
  for (const e of h.entries) {
    const okType = e.type === 'file' || e.type === 'dir' || e.type === 'symlink';
    if (!okType || typeof e.path !== 'string' || !e.path.startsWith('/') || !Number.isSafeInteger(e.size) || e.size < 0 ||
      (e.type === 'file' && (!Number.isSafeInteger(e.offset) || e.offset < 0 || e.offset + e.size > data.length)) ||
      (e.type === 'symlink' && typeof e.target !== 'string') || !(e.start >= 0 && e.start <= 1)) {
      throw fsErr('EINVAL', 'image', `bad entry ${String(e.path)}`);
    }
  }
  const entries: ImageEntry[] = h.entries.map(({ offset: _o, ...e }) => e);
  return {
    name: String(h.name), kernelBytes: h.kernelBytes, entries, seed: h.seed ?? 1,
    contents: (i) => data.subarray(h.entries[i]!.offset, h.entries[i]!.offset + h.entries[i]!.size),
  };
}

/** Total bytes of file data in the image. */
export function imageDataBytes(img: BootImage): number {
  let n = 0;
  for (const e of img.entries) if (e.type === 'file') n += e.size;
  return n;
}

// ---- the default image: a JVM-like application ----

export interface JvmImageOptions {
  seed?: number;
  /** Scales every file count and size (1 = the default shape below). */
  scale?: number;
}

/**
 * A deterministic JVM-like application image: an OpenJDK 17 runtime plus an exploded Spring-style
 * application. The JDK part follows Debian's openjdk-17-jdk 17.0.15 as installed on this project's
 * machine (measured with ls): lib/server/libjvm.so 24,112,704 bytes; 37 native libraries in lib/,
 * 132,685 bytes on average; lib/modules (the jimage) 128,651,445 bytes in the full JDK, which jlink cuts
 * to the modules an application needs (12-16 MiB here; HotSpot maps it and touches the classes it
 * loads). The application part is an assumption of a typical service: ~2,800 .class files (median
 * ~2 KiB, long-tailed, 80 % loaded at start), ~60 dependency jars (median ~100 KiB, their central
 * directories read), configuration files. Default: ~3,000 files, ~60 MiB. The kernel in front is 6 MiB
 * (an assumption of the order of OSv's loader.elf, not a measured figure).
 */
export function jvmImage(opts: JvmImageOptions = {}): BootImage {
  const seed = opts.seed ?? 1, scale = opts.scale ?? 1;
  const rng = new Prng(seed);
  const entries: ImageEntry[] = [];
  const seen = new Set<string>();
  const dir = (p: string): void => {
    const parts = p.split('/').filter(Boolean);
    let cur = '';
    for (const part of parts) {
      cur += '/' + part;
      if (!seen.has(cur)) {
        seen.add(cur);
        entries.push({ path: cur, type: 'dir', mode: 0o755, size: 0, start: 0, mapped: false });
      }
    }
  };
  const file = (p: string, size: number, start: number, mapped: boolean, mode = 0o644): void => {
    dir(p.slice(0, p.lastIndexOf('/')));
    entries.push({ path: p, type: 'file', mode, size: Math.max(1, Math.round(size)), start, mapped });
  };
  // Log-normal sizes: file sizes in real trees are long-tailed (Agrawal et al., "A Five-Year Study of
  // File-System Metadata", FAST 2007: file sizes are approximately log-normal).
  const logNormal = (median: number, sigma: number): number => {
    const u1 = Math.max(rng.float(), 1e-12), u2 = rng.float();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
  };
  const n = (k: number): number => Math.max(1, Math.round(k * scale));
  const J = '/usr/lib/jvm';
  file(`${J}/bin/java`, 16 << 10, 1, true, 0o755);
  file(`${J}/lib/server/libjvm.so`, (22 + rng.float() * 2) * (1 << 20) * scale, 0.3, true, 0o755);
  file(`${J}/lib/libjli.so`, 80 << 10, 1, true, 0o755);
  // Log-normal with median 80 KiB and sigma 1 has mean 80 * e^0.5 = 132 KiB, the measured average.
  for (let i = 0; i < n(37); i++) {
    const loaded = i < n(12);
    file(`${J}/lib/lib${LIBS[i % LIBS.length]}${i >= LIBS.length ? i : ''}.so`, logNormal(80 << 10, 1), loaded ? 0.5 : 0, loaded, 0o755);
  }
  file(`${J}/lib/modules`, (12 + rng.float() * 4) * (1 << 20) * scale, 0.25, true);
  file(`${J}/conf/security/java.security`, 56 << 10, 1, false);
  file(`${J}/release`, 1200, 1, false);
  entries.push({ path: '/usr/bin/java', type: 'symlink', mode: 0o777, size: 0, target: `${J}/bin/java`, start: 0, mapped: false });
  dir('/usr/bin');
  const classes = n(2800);
  for (let i = 0; i < classes; i++) {
    const pkg = `/app/classes/com/example/p${i % n(64)}`;
    file(`${pkg}/C${i}.class`, logNormal(2 << 10, 0.9), rng.chance(0.8) ? 1 : 0, false);
  }
  for (let i = 0; i < n(60); i++) file(`/app/lib/dep${i}.jar`, logNormal(100 << 10, 1.1), 0.15, false);
  for (let i = 0; i < n(20); i++) file(`/app/config/app${i}.properties`, logNormal(1 << 10, 0.7), 1, false);
  // Directories sort before the files in them once sorted by path (a parent is a prefix of its child).
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const sizes = entries.map((e) => e.size);
  return {
    name: `jvm-app(seed=${seed}${scale !== 1 ? `,scale=${scale}` : ''})`, kernelBytes: 6 << 20, entries, seed,
    contents: (i) => fillContents(seed * 1000003 + i, sizes[i]!),
  };
}

const LIBS = ['java', 'zip', 'nio', 'net', 'jimage', 'verify', 'management', 'awt', 'fontmanager', 'jsig', 'extnet', 'prefs'];

/** Deterministic file contents: a seeded stream (incompressible, like compiled code and compressed jars). */
export function fillContents(seed: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const w = new Uint32Array(out.buffer, 0, size >>> 2);
  const r = new Prng(seed);
  for (let i = 0; i < w.length; i++) w[i] = r.u32();
  for (let i = w.length * 4; i < size; i++) out[i] = r.u32() & 255;
  return out;
}
