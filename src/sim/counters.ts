// Named event counters (TLB misses, faults, device reads, ...). Components own a Counters object and
// bump fields directly on the hot path; reports read snapshots. Keys are fixed at construction so the
// object keeps one hidden class and a bump is a property increment, not a Map lookup.

export type CounterSnapshot = Record<string, number>;

export class Counters<K extends string = string> {
  readonly values: Record<K, number>;

  constructor(keys: readonly K[]) {
    const values = {} as Record<K, number>;
    for (const k of keys) values[k] = 0;
    this.values = values;
  }

  add(key: K, n = 1): void {
    this.values[key] += n;
  }

  snapshot(): CounterSnapshot {
    return { ...this.values };
  }

  reset(): void {
    for (const k of Object.keys(this.values) as K[]) this.values[k] = 0;
  }
}

/** The difference `after - before` of two snapshots, key by key. */
export function counterDelta(before: CounterSnapshot, after: CounterSnapshot): CounterSnapshot {
  const out: CounterSnapshot = {};
  for (const k of Object.keys(after)) out[k] = after[k]! - (before[k] ?? 0);
  return out;
}
