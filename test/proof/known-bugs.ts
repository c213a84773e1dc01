// Differences from Linux that the proof suites found. Open ones (KNOWN_VFS_BUGS) are filed against their
// owner: known-bugs.test.ts checks the Linux rule as a TAP "todo" (reported, not failing the run, and
// reported as passing once fixed: then the entry moves to FIXED_VFS_BUGS), and the property suites count
// a matching difference instead of stopping on it. Fixed ones stay as regression tests of the rule.
// Each entry: the rule (man page / kernel source, checked on the host's Linux) and a minimal case.

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
  /** Run the minimal case on a fresh root process; true when vfsim follows the Linux rule. */
  holds: (p: Process) => boolean;
}

const err = (o: Outcome, code: string): boolean => !o.ok && o.error === code;
export const codeOf = (f: () => unknown): string => {
  try { f(); return 'ok'; } catch (e) { return (e as { code?: string }).code ?? `${(e as Error).name}`; }
};

const asStranger = (p: Process): Process =>
  (p as unknown as { vfs: { process(o: object): Process } }).vfs.process({ cred: { uid: 1001, gid: 1000, groups: [1000] } });

/** Open differences, filed (none at the moment: every one found so far is fixed; see FIXED_VFS_BUGS). */
export const KNOWN_VFS_BUGS: readonly KnownBug[] = [];

/** A difference these suites found and the VFS fixed: kept as a regression test of the Linux rule. */
export interface FixedBug {
  id: string;
  fixedIn: string;
  rule: string;
  /** Run on a fresh root process; true when vfsim follows the rule. */
  holds: (p: Process) => boolean;
}

export const FIXED_VFS_BUGS: readonly FixedBug[] = [
  {
    id: 'open-dot-creat-excl',
    fixedIn: 'dc1de3a',
    rule: 'open(2) on ".", "..", "/" or "d/." with O_CREAT|O_EXCL is EEXIST (do_open checks O_EXCL before EISDIR)',
    holds: (p) => {
      p.mkdir('/d', 0o755);
      return ['.', '..', '/', '/d/.'].every((path) => codeOf(() => p.open(path, C.O_RDONLY | C.O_CREAT | C.O_EXCL, 0o644)) === 'EEXIST') &&
        codeOf(() => p.open('/d', C.O_RDONLY | C.O_CREAT, 0o644)) === 'EISDIR';
    },
  },
  {
    id: 'open-nofollow-directory',
    fixedIn: 'dc1de3a',
    rule: 'open(2) of a symlink with O_DIRECTORY|O_NOFOLLOW is ENOTDIR (LOOKUP_DIRECTORY is checked before may_open\'s ELOOP); O_NOFOLLOW alone is ELOOP',
    holds: (p) => {
      p.symlink('x', '/l');
      return codeOf(() => p.open('/l', C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW, 0)) === 'ENOTDIR' &&
        codeOf(() => p.open('/l', C.O_RDONLY | C.O_NOFOLLOW, 0)) === 'ELOOP';
    },
  },
  {
    id: 'symbol-path',
    fixedIn: 'dc1de3a',
    rule: 'bad input gets an errno, never a crash: a Symbol or a prototype-less object as a path is EFAULT like any non-string',
    holds: (p) => codeOf(() => p.stat(Symbol.iterator as unknown as string)) === 'EFAULT' &&
      codeOf(() => p.mkdir(Object.create(null) as string, 0o755)) === 'EFAULT',
  },
  {
    id: 'chown-noop-kills-suid',
    fixedIn: '426b85a',
    rule: 'chown(2) with -1, -1 by a non-owner is EPERM when it would clear set-ID bits (chown_common asks for ATTR_KILL_SUID/SGID, notify_change makes that a mode change, setattr_prepare lets only the owner or CAP_FOWNER change the mode); it succeeds on a file without them',
    holds: (p) => {
      const mk = (path: string, mode: number): void => { const fd = p.open(path, C.O_RDWR | C.O_CREAT, 0o644); p.fchmod(fd, mode); p.close(fd); };
      mk('/suid', 0o4755);
      mk('/sgid', 0o2644); // set-group-ID without group execute, group 0 the stranger is not in
      mk('/plain', 0o644);
      const q = asStranger(p);
      return codeOf(() => q.chown('/suid', -1, -1)) === 'EPERM' && codeOf(() => q.chown('/sgid', -1, -1)) === 'EPERM' &&
        codeOf(() => q.chown('/plain', -1, -1)) === 'ok' && (p.stat('/suid').mode & 0o7777) === 0o4755;
    },
  },
  {
    id: 'write-keeps-sgid-for-stranger',
    fixedIn: 'f50e7ac',
    rule: 'write(2), truncate(2) and ftruncate(2) by an unprivileged caller drop S_ISGID also when the file is not group-executable but the caller is not in its group (setattr_should_drop_sgid via file_remove_privs / do_truncate; checked on Linux 6.18: 07767 -> 01767 after a write by uid 1000)',
    holds: (p) => {
      const mk = (path: string): void => { const fd = p.open(path, C.O_RDWR | C.O_CREAT, 0o666); p.fchmod(fd, 0o7767); p.close(fd); };
      mk('/w');
      mk('/t');
      const q = asStranger(p);
      const w = q.open('/w', C.O_WRONLY, 0);
      q.write(w, new Uint8Array([49]), 0, 1, null);
      q.close(w);
      q.truncate('/t', 1);
      return (p.stat('/w').mode & 0o7777) === 0o1767 && (p.stat('/t').mode & 0o7777) === 0o1767;
    },
  },
];

/** Is this a known VFS difference? (For the model suite and the Linux differential.) */
export function knownVfsDifference(op: Op, a: Outcome, b: Outcome): KnownBug | undefined {
  return KNOWN_VFS_BUGS.find((k) => k.matches?.(op, a, b));
}
