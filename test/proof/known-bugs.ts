// Differences from Linux that the proof suites found and that are filed against their owners (the VFS
// engineer for vfs/, the node-fs engineer for src/node-fs/). The property suites count these instead of
// failing on them, so that they keep finding new ones; known-bugs.test.ts checks that each one still
// reproduces with its minimal case, so that a fix makes it fail there with "fixed: remove it" and the
// entry goes. Each entry: the rule (man page / kernel source), the minimal reproducer, what vfsim does.

import type { Op, Outcome } from '../../src/testing/posix-ops.js';
import type { Process } from '../../vfs/process.js';
import * as C from '../../vfs/constants.js';

export interface KnownBug {
  id: string;
  owner: 'vfs' | 'node-fs';
  rule: string;
  /** The minimal sequence, as `vfsim check posix --replay` takes it (for the op-level bugs). */
  replay?: Op[];
  /** Does this op's difference (vfsim `a`, reference `b`) match the bug? */
  matches?: (op: Op, a: Outcome, b: Outcome) => boolean;
  /** Run the minimal case on a fresh root process; true while the bug is present. */
  reproduces: (p: Process) => boolean;
}

const err = (o: Outcome, code: string): boolean => !o.ok && o.error === code;
const codeOf = (f: () => unknown): string => {
  try { f(); return 'ok'; } catch (e) { return (e as { code?: string }).code ?? `${(e as Error).name}`; }
};

export const KNOWN_VFS_BUGS: readonly KnownBug[] = [
  {
    id: 'open-dot-creat-excl',
    owner: 'vfs',
    rule: 'open(2) on ".", ".." or "/" with O_CREAT|O_EXCL is EEXIST on Linux (do_open checks O_EXCL before the O_CREAT-on-a-directory EISDIR); vfsim says EISDIR',
    replay: [{ op: 'open', path: '.', flags: ['O_RDONLY', 'O_CREAT', 'O_EXCL'], mode: 0o644 }],
    matches: (op, a, b) => op.op === 'open' && op.flags.includes('O_CREAT') && op.flags.includes('O_EXCL') && err(a, 'EISDIR') && err(b, 'EEXIST'),
    reproduces: (p) => codeOf(() => p.open('.', C.O_RDONLY | C.O_CREAT | C.O_EXCL, 0o644)) === 'EISDIR',
  },
  {
    id: 'open-nofollow-directory',
    owner: 'vfs',
    rule: 'open(2) of a symlink with O_NOFOLLOW|O_DIRECTORY is ENOTDIR on Linux (do_open checks LOOKUP_DIRECTORY before may_open\'s ELOOP for a symlink); vfsim says ELOOP',
    replay: [
      { op: 'symlink', target: 'x', path: 'l' },
      { op: 'open', path: 'l', flags: ['O_RDONLY', 'O_DIRECTORY', 'O_NOFOLLOW'], mode: 0 },
    ],
    matches: (op, a, b) => op.op === 'open' && op.flags.includes('O_NOFOLLOW') && op.flags.includes('O_DIRECTORY') && err(a, 'ELOOP') && err(b, 'ENOTDIR'),
    reproduces: (p) => {
      p.symlink('x', '/kb-l');
      return codeOf(() => p.open('/kb-l', C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW, 0)) === 'ELOOP';
    },
  },
  {
    id: 'symbol-path',
    owner: 'vfs',
    rule: 'bad input gets an errno, never a crash (DESIGN.md): a Symbol or a prototype-less object as a path throws a TypeError ("Cannot convert a Symbol value to a string" / "Cannot convert object to primitive value") instead of FsError EFAULT as other non-strings get',
    reproduces: (p) => codeOf(() => p.stat(Symbol.iterator as unknown as string)) === 'TypeError' ||
      codeOf(() => p.stat(Object.create(null) as string)) === 'TypeError',
  },
];

/** Is this a known VFS difference? (For the model suite and the Linux differential.) */
export function knownVfsDifference(op: Op, a: Outcome, b: Outcome): KnownBug | undefined {
  return KNOWN_VFS_BUGS.find((k) => k.matches?.(op, a, b));
}

/** Non-string path values whose rejection is the known crash above. */
export const isKnownCrashValue = (v: unknown): boolean =>
  typeof v === 'symbol' || (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === null);
