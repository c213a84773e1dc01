// Errors for bad input to the machine's MMU layer, shaped like errno errors (`code`, `errno`) so that
// callers above (src/mm, the CLI) can map them; internal invariants use invariant() instead.

/**
 * Bad input from a caller (reserved ID register values, an unknown CPU, a misaligned mapping: EINVAL;
 * no frame left for a translation table: ENOMEM). Shaped like an errno error: `code` and `errno`.
 */
export class MmuError extends Error {
  readonly code: 'EINVAL' | 'ENOMEM';
  readonly errno: number;
  constructor(code: 'EINVAL' | 'ENOMEM', message: string) {
    super(message);
    this.name = 'MmuError';
    this.code = code;
    this.errno = code === 'EINVAL' ? 22 : 12;
  }
}
