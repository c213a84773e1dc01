// Fletcher-4, the checksum ZFS puts in every block pointer (OpenZFS module/zcommon/zfs_fletcher.c,
// fletcher_4_native): four 64-bit accumulators a, b, c, d over the little-endian 32-bit words f of the
// buffer, a += f; b += a; c += b; d += c, all modulo 2^64. JavaScript has no cheap 64-bit integer, so
// each accumulator is kept as two halves in doubles (exact below 2^53); no BigInt on this path.

/** The four accumulators as eight 32-bit words: a.lo, a.hi, b.lo, b.hi, c.lo, c.hi, d.lo, d.hi. */
export type Cksum = Uint32Array;

const TWO32 = 4294967296;
/**
 * Words between carry normalisations. Starting from normalised halves (< 2^32), after k words the low
 * half of d is below 2^32 · C(k + 4, 4), which stays under 2^53 (exact in a double) for k ≤ 64.
 */
const CHUNK = 64;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A 32-bit view of a buffer, kept per ArrayBuffer so that checksumming allocates nothing after the first. */
const views = new WeakMap<ArrayBufferLike, Uint32Array>();

function wordsOf(buf: Uint8Array): Uint32Array | null {
  const ab = buf.buffer;
  let v = views.get(ab);
  if (v === undefined) {
    if (ab.byteLength % 4 !== 0) return null;
    v = new Uint32Array(ab, 0, ab.byteLength >>> 2);
    views.set(ab, v);
  }
  return v;
}

function mod32(x: number): number {
  return x - Math.floor(x / TWO32) * TWO32;
}

/**
 * Fletcher-4 of `buf[off, off + len)` (len a multiple of 4) into `out[outOff, outOff + 8)`.
 * Each accumulator is a (low, high) pair of doubles: the low halves take the sums, the high halves the
 * high halves' sums, and every CHUNK words the low halves' carries move up and the highs wrap mod 2^32.
 */
export function fletcher4(buf: Uint8Array, off: number, len: number, out: Uint32Array, outOff = 0): void {
  let al = 0, ah = 0, bl = 0, bh = 0, cl = 0, ch = 0, dl = 0, dh = 0;
  const n = len >>> 2;
  const abs = buf.byteOffset + off;
  const w = LITTLE_ENDIAN && (abs & 3) === 0 ? wordsOf(buf) : null;
  let i = 0;
  while (i < n) {
    const stop = Math.min(n, i + CHUNK);
    if (w !== null) {
      for (let k = (abs >>> 2) + i, e = (abs >>> 2) + stop; k < e; k++) {
        al += w[k]!; bl += al; bh += ah; cl += bl; ch += bh; dl += cl; dh += ch;
      }
    } else {
      for (let k = off + 4 * i, e = off + 4 * stop; k < e; k += 4) {
        al += (buf[k]! | (buf[k + 1]! << 8) | (buf[k + 2]! << 16) | (buf[k + 3]! << 24)) >>> 0;
        bl += al; bh += ah; cl += bl; ch += bh; dl += cl; dh += ch;
      }
    }
    i = stop;
    let c = Math.floor(al / TWO32); al -= c * TWO32; ah = mod32(ah + c);
    c = Math.floor(bl / TWO32); bl -= c * TWO32; bh = mod32(bh + c);
    c = Math.floor(cl / TWO32); cl -= c * TWO32; ch = mod32(ch + c);
    c = Math.floor(dl / TWO32); dl -= c * TWO32; dh = mod32(dh + c);
  }
  out[outOff] = al; out[outOff + 1] = ah; out[outOff + 2] = bl; out[outOff + 3] = bh;
  out[outOff + 4] = cl; out[outOff + 5] = ch; out[outOff + 6] = dl; out[outOff + 7] = dh;
}

/** Reference Fletcher-4 with BigInt, for tests only: the definition written plainly. */
export function fletcher4Reference(buf: Uint8Array): bigint[] {
  const M = (1n << 64n) - 1n;
  let a = 0n, b = 0n, c = 0n, d = 0n;
  for (let i = 0; i + 4 <= buf.length; i += 4) {
    const f = BigInt((buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)) >>> 0);
    a = (a + f) & M; b = (b + a) & M; c = (c + b) & M; d = (d + c) & M;
  }
  return [a, b, c, d];
}
