// A mounted filesystem (OSv struct mount, Linux struct vfsmount): one backend grafted onto the namespace
// at a covered directory. The mount owns the icache of its vnodes, keyed by inode number.
// Mount points are found by the dentry they cover (`Dentry.mounted`), not by string prefix
// (OSv's vfs_findroot matches path prefixes; Linux hashes (vfsmount, dentry) — we do the latter).

import type { Backend, Ino } from './backend.js';
import type { Dentry } from './dcache.js';
import type { Vnode } from './vnode.js';

export class Mount {
  readonly backend: Backend;
  /** st_dev of every node of this mount. */
  readonly dev: number;
  /** The root dentry of this filesystem (its own parent). Set right after construction. */
  root!: Dentry;
  /** The directory this mount covers in its parent mount; null for the namespace root. */
  readonly covered: Dentry | null;
  readonly parent: Mount | null;
  /** The icache: live vnodes by inode number. */
  readonly vnodes = new Map<Ino, Vnode>();
  /** Open file descriptions and cwds inside this mount (umount is EBUSY while > 0). */
  opens = 0;
  /** Mounts whose `parent` is this one (umount is EBUSY while > 0). */
  submounts = 0;
  readonly readOnly: boolean;
  readonly nameMax: number;
  readonly maxFileSize: number;

  constructor(backend: Backend, dev: number, covered: Dentry | null, parent: Mount | null, readOnly = false) {
    this.backend = backend;
    this.dev = dev;
    this.covered = covered;
    this.parent = parent;
    const caps = backend.capabilities;
    this.readOnly = caps.readOnly || readOnly;
    this.nameMax = caps.nameMax;
    this.maxFileSize = caps.maxFileSize;
  }
}
