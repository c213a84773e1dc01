// Internal invariants. A broken invariant is a bug in vfsim, not bad input from a caller, so it is a
// plain Error naming the invariant; bad input from callers is an FsError (src/sim/errno.ts).

export class InvariantError extends Error {
  constructor(invariant: string) {
    super(`vfsim invariant broken: ${invariant}`);
    this.name = 'InvariantError';
  }
}

export function invariant(condition: unknown, name: string): asserts condition {
  if (!condition) throw new InvariantError(name);
}
