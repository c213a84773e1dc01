// A before-image log over two same-sized byte arrays (a device's visible and durable images), by fixed
// units (PCM lines, disk sectors): each unit is saved on its first change after begin(), and rollback()
// puts the saved units back. It is how a crash explorer mounts image after image on one device without
// copying the device each time: the cost is what recovery touches, not the device size.

export class UnitUndoLog {
  readonly unitBytes: number;
  readonly units: number;
  active = false;
  private bitmap: Uint8Array | null = null;
  private logged = new Float64Array(64);
  private saved: Uint8Array;
  private top = 0;

  constructor(units: number, unitBytes: number) {
    this.units = units;
    this.unitBytes = unitBytes;
    this.saved = new Uint8Array(64 * 2 * unitBytes);
  }

  /** Start logging (the bitmap is allocated on first use: units / 8 ... units bytes). */
  begin(): void {
    if (this.bitmap === null) this.bitmap = new Uint8Array(this.units);
    this.top = 0;
    this.active = true;
  }

  /** Units [u, u+n) of `a` and `b` are about to change: save those not saved yet. */
  log(u: number, n: number, a: Uint8Array, b: Uint8Array): void {
    if (!this.active) return;
    const bm = this.bitmap!, ub = this.unitBytes;
    for (let x = u; x < u + n; x++) {
      if (bm[x] === 1) continue;
      bm[x] = 1;
      const t = this.top++;
      if (t === this.logged.length) this.grow();
      this.logged[t] = x;
      const pos = x * ub, to = t * 2 * ub;
      this.saved.set(a.subarray(pos, pos + ub), to);
      this.saved.set(b.subarray(pos, pos + ub), to + ub);
    }
  }

  /** Restore every saved unit into `a` and `b` and stop logging. */
  rollback(a: Uint8Array, b: Uint8Array): void {
    const bm = this.bitmap!, ub = this.unitBytes;
    for (let t = 0; t < this.top; t++) {
      const x = this.logged[t]!, pos = x * ub, from = t * 2 * ub;
      a.set(this.saved.subarray(from, from + ub), pos);
      b.set(this.saved.subarray(from + ub, from + 2 * ub), pos);
      bm[x] = 0;
    }
    this.top = 0;
    this.active = false;
  }

  private grow(): void {
    const n = this.logged.length * 2;
    const l = new Float64Array(n);
    l.set(this.logged);
    this.logged = l;
    const s = new Uint8Array(n * 2 * this.unitBytes);
    s.set(this.saved);
    this.saved = s;
  }
}
