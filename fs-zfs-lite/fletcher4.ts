// Fletcher-4, the checksum ZFS puts in every block pointer (OpenZFS module/zcommon/zfs_fletcher.c,
// fletcher_4_native): four 64-bit accumulators a, b, c, d over the little-endian 32-bit words f of the
// buffer, a += f; b += a; c += b; d += c, all modulo 2^64. JavaScript has no cheap 64-bit integer, so
// each accumulator is kept as two 32-bit halves in doubles (exact below 2^53); no BigInt on this path.

/** The four accumulators as eight 32-bit words: a.lo, a.hi, b.lo, b.hi, c.lo, c.hi, d.lo, d.hi. */
export type Cksum = Uint32Array;

const TWO32 = 4294967296;

/**
 * Fletcher-4 of `buf[off, off + len)` (len a multiple of 4) into `out[outOff, outOff + 8)`.
 * Allocates nothing.
 */
export function fletcher4(buf: Uint8Array, off: number, len: number, out: Uint32Array, outOff = 0): void {
  let al = 0, ah = 0, bl = 0, bh = 0, cl = 0, ch = 0, dl = 0, dh = 0;
  const end = off + (len & ~3);
  for (let i = off; i < end; i += 4) {
    const f = (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)) >>> 0;
    // a += f
    let s = al + f;
    if (s >= TWO32) { s -= TWO32; ah = (ah + 1) >>> 0; }
    al = s;
    // b += a
    s = bl + al;
    if (s >= TWO32) { s -= TWO32; bh = (bh + ah + 1) >>> 0; } else bh = (bh + ah) >>> 0;
    bl = s;
    // c += b
    s = cl + bl;
    if (s >= TWO32) { s -= TWO32; ch = (ch + bh + 1) >>> 0; } else ch = (ch + bh) >>> 0;
    cl = s;
    // d += c
    s = dl + cl;
    if (s >= TWO32) { s -= TWO32; dh = (dh + ch + 1) >>> 0; } else dh = (dh + ch) >>> 0;
    dl = s;
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
