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
export const codeOf = (f: () => unknown): string => {
  try { f(); return 'ok'; } catch (e) { return (e as { code?: string }).code ?? `${(e as Error).name}`; }
};

export const KNOWN_VFS_BUGS: readonly KnownBug[] = [
  // Fixed in dc1de3a, found by these suites: open-dot-creat-excl (open(".", O_CREAT|O_EXCL) was EISDIR,
  // Linux EEXIST), open-nofollow-directory (O_DIRECTORY|O_NOFOLLOW on a symlink was ELOOP, Linux
  // ENOTDIR), symbol-path (a Symbol path threw a TypeError, not EFAULT).
  {
    id: 'chown-noop-kills-suid',
    owner: 'vfs',
    rule: 'chown(2) with uid and gid -1 by a non-owner of a set-user-ID file is EPERM on Linux: chown_common asks to clear S_ISUID (ATTR_KILL_SUID), notify_change turns that into a mode change, and setattr_prepare lets only the owner or CAP_FOWNER change the mode; vfsim succeeds',
    replay: [
      { op: 'open', path: 'a', flags: ['O_RDWR', 'O_CREAT'], mode: 0o644 },
      { op: 'fchmod', fd: 0, mode: 0o4755 },
      { op: 'chown', path: 'a', uid: -1, gid: -1, user: 2 },
    ],
    matches: (op, a, b) => op.op === 'chown' && op.user !== undefined && a.ok && err(b, 'EPERM'),
    reproduces: (p) => {
      const fd = p.open('/kb-a', C.O_RDWR | C.O_CREAT, 0o644);
      p.fchmod(fd, 0o4755);
      p.close(fd);
      const other = (p as unknown as { vfs: { process(o: object): Process } }).vfs.process({ cred: { uid: 1001, gid: 1000, groups: [1000] } });
      return codeOf(() => other.chown('/kb-a', -1, -1)) === 'ok';
    },
  },
];

/** Is this a known VFS difference? (For the model suite and the Linux differential.) */
export function knownVfsDifference(op: Op, a: Outcome, b: Outcome): KnownBug | undefined {
  return KNOWN_VFS_BUGS.find((k) => k.matches?.(op, a, b));
}
