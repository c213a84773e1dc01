// The model's clock, in virtual nanoseconds. Every modelled operation advances it from the cost profile;
// nothing in the model reads the wall clock (DESIGN.md, "Determinism and time").
// A JS number holds integers exactly up to 2^53 ns (about 104 days of virtual time), far past any run.

/** Virtual time in nanoseconds. */
export type Ns = number;

export class Clock {
  /** Current virtual time. Public for the hot paths that charge it directly. */
  now: Ns = 0;

  constructor(start: Ns = 0) {
    this.now = start;
  }

  /** Let `ns` of virtual time pass. */
  advance(ns: Ns): void {
    this.now += ns;
  }

  /** Virtual time as [seconds, nanoseconds], the shape of a `struct timespec`. */
  timespec(): { sec: number; nsec: number } {
    const sec = Math.floor(this.now / 1e9);
    return { sec, nsec: this.now - sec * 1e9 };
  }

  /** Virtual time as a bigint nanosecond count (for `stat` with `bigint: true`). */
  nowBigint(): bigint {
    return BigInt(Math.round(this.now));
  }
}

/**
 * Wall-clock epoch the virtual clock starts from, so that timestamps look like real ones
 * (2026-01-01T00:00:00Z). It is a constant: runs stay reproducible.
 */
export const VIRTUAL_EPOCH_NS: Ns = 1767225600 * 1e9;
