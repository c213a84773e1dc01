// The namespace (Linux struct mnt_namespace plus the VFS globals; OSv's mount list and vnode hash):
// the mount table, the virtual clock every call charges, and the vnode lifecycle. Processes
// (vfs/process.ts) walk it with their own credentials, umask, cwd and descriptor table.
//
//   const vfs = new Vfs({ root: new RamFs(...) });
//   const p = vfs.process({ cred: { uid: 1000, gid: 1000, groups: [] }, umask: 0o022 });
//   const fd = p.open('/hello', O_CREAT | O_WRONLY, 0o644);

import type { Backend, Ino } from './backend.js';
import { Clock } from '../src/sim/clock.js';
import { OSV_AARCH64_KVM, type CostProfile } from '../src/sim/profile.js';
import { invariant } from '../src/sim/assert.js';
import { Dentry } from './dcache.js';
import { Mount } from './mount.js';
import { Vnode } from './vnode.js';
import { Now, stamp } from './times.js';
import { S_IFDIR } from './constants.js';
import { Process } from './process.js';
import type { PathCacheEntry } from './namei.js';
import type { ProcessOptions } from './syscalls.js';

export interface VfsOptions {
  /** The root filesystem. */
  root: Backend;
  /** Mount the root read-only (MS_RDONLY). */
  rootReadOnly?: boolean;
  /**
   * sysctl fs.protected_hardlinks: a caller may hard-link only files it owns, or regular, non-set-ID
   * files it can read and write (may_linkat). Default false, the kernel's own default (0); systemd
   * distributions, and this project's host, set 1 — pass true to behave as they do.
   */
  protectedHardlinks?: boolean;
  /** The virtual clock to charge and take timestamps from (a new one at 0 by default). */
  clock?: Clock;
  /** Cost profile (default: OSV_AARCH64_KVM). */
  profile?: CostProfile;
}

export class Vfs {
  readonly clock: Clock;
  readonly profile: CostProfile;
  /** kernel.vfsCallNs, charged once per call. */
  readonly callNs: number;
  /** kernel.lookupComponentNs, charged per path component walked. */
  readonly lookupNs: number;
  readonly rootMount: Mount;
  /** Every mount, in mount order (the root first). */
  readonly mounts: Mount[] = [];
  /** fs.protected_hardlinks (see VfsOptions). */
  readonly protectedHardlinks: boolean;
  /** The time of the current call (refreshed by `now()`). */
  readonly time = new Now();
  /**
   * Bumped by every call that can change how an existing path resolves (unlink, rmdir, rename, mount,
   * umount, chmod, chown): it invalidates the path caches below.
   */
  nsGen = 0;
  /** Absolute paths resolved following / not following a final symlink (vfs/namei.ts resolve). */
  readonly pathCacheFollow = new Map<string, PathCacheEntry>();
  readonly pathCacheNofollow = new Map<string, PathCacheEntry>();
  private nextDev = 1;
  private defaultProc: Process | null = null;

  constructor(opts: VfsOptions) {
    this.clock = opts.clock ?? new Clock();
    this.profile = opts.profile ?? OSV_AARCH64_KVM;
    this.callNs = this.profile.kernel.vfsCallNs;
    this.lookupNs = this.profile.kernel.lookupComponentNs;
    this.protectedHardlinks = opts.protectedHardlinks ?? false;
    this.rootMount = this.attach(opts.root, null, opts.rootReadOnly ?? false);
  }

  /** A new process in this namespace: root credentials, umask 022 and cwd '/' unless told otherwise. */
  process(opts: ProcessOptions = {}): Process {
    return new Process(this, opts);
  }

  /** A default root process (uid 0, umask 022, cwd '/'), created on first use. */
  get root(): Process {
    if (this.defaultProc === null) this.defaultProc = new Process(this, {});
    return this.defaultProc;
  }

  /** Charge one VFS call to the clock. */
  tick(): void {
    this.clock.now += this.callNs;
  }

  /** The current time as a timespec in `this.time`. */
  now(): Now {
    stamp(this.time, this.clock.now);
    return this.time;
  }

  /** The vnode of `ino` in `mnt` (vget): from the icache, or made from the backend's attributes. */
  vget(mnt: Mount, ino: Ino): Vnode {
    let v = mnt.vnodes.get(ino);
    if (v === undefined) {
      const a = mnt.backend.getattr(ino);
      v = new Vnode(mnt, ino, a.mode, a.uid, a.gid);
      mnt.vnodes.set(ino, v);
    }
    return v;
  }

  /** Take a reference for an open description or a cwd. */
  hold(v: Vnode): void {
    v.opens++;
    v.mnt.opens++;
  }

  /** Drop a reference taken by `hold`; the last one on an orphan frees it (iput). */
  release(v: Vnode): void {
    invariant(v.opens > 0, 'vnode release without hold');
    v.opens--;
    v.mnt.opens--;
    if (v.opens === 0 && v.orphan) this.inactive(v);
  }

  /**
   * A name of `v` went away (unlink, rmdir, rename over it). A directory has no other name; a file is
   * an orphan when the backend's link count says 0. Orphans not held are freed at once.
   */
  nameGone(v: Vnode): void {
    if (v.type !== S_IFDIR && v.mnt.backend.getattr(v.ino).nlink > 0) return;
    v.orphan = true;
    if (v.opens === 0) this.inactive(v);
  }

  private inactive(v: Vnode): void {
    v.mnt.vnodes.delete(v.ino);
    v.mnt.backend.inactive(v.ino);
  }

  /** Create a mount of `backend` covering `covered` (null: the namespace root). */
  attach(backend: Backend, covered: Dentry | null, readOnly = false): Mount {
    const parent = covered === null ? null : covered.vnode.mnt;
    const mnt = new Mount(backend, this.nextDev++, covered, parent, readOnly);
    const v = this.vget(mnt, backend.rootIno);
    invariant(v.type === S_IFDIR, 'a backend root is a directory');
    mnt.root = new Dentry('/', 0, null, v);
    this.nsGen++;
    if (covered !== null) {
      covered.mounted = mnt;
      parent!.submounts++;
    }
    this.mounts.push(mnt);
    return mnt;
  }

  /** Remove a mount (the caller has checked it is not busy). */
  detach(mnt: Mount): void {
    invariant(mnt.opens === 0 && mnt.submounts === 0 && mnt.covered !== null, 'detach of a busy mount');
    this.nsGen++;
    mnt.covered.mounted = null;
    mnt.parent!.submounts--;
    this.mounts.splice(this.mounts.indexOf(mnt), 1);
    mnt.backend.unmount();
  }

  /** Whether `backend` is mounted anywhere in this namespace. */
  isMounted(backend: Backend): boolean {
    for (const m of this.mounts) if (m.backend === backend) return true;
    return false;
  }
}
