// Path walking (Linux fs/namei.c: link_path_walk, walk_component, follow_dotdot; OSv vfs_lookup.c).
// The path string is scanned in place with indexOf('/') and charCodeAt; each component is probed in
// the dentry cache by hash (vfs/dcache.ts), so a walk of cached names allocates nothing. The rules:
// - an empty path is ENOENT; PATH_MAX bytes or more (UTF-8, counting the NUL Linux would add) is
//   ENAMETOOLONG; a component longer than the mount's NAME_MAX bytes is ENAMETOOLONG when it has to be
//   looked up; a NUL inside a path is EINVAL (Linux never sees one: C strings end there; Node's fs
//   throws ERR_INVALID_ARG_VALUE before calling; a JS API must say something, and says EINVAL);
// - every directory walked through needs search permission (may_lookup) and must be a directory
//   (ENOTDIR); symlinks in the middle are always followed, at most MAXSYMLINKS (40) in one walk (ELOOP);
// - `..` stops at the process root and climbs out of a mount through the directory it covers; arriving
//   on a covered directory enters the mount on it;
// - the last component is left to the caller (LOOKUP_PARENT): `finish` resolves it for lookups, and the
//   create/remove/rename code looks at it itself; a trailing slash makes it "must be a directory" and
//   forces following a final symlink (LOOKUP_DIRECTORY | LOOKUP_FOLLOW).

import { NO_INO } from './backend.js';
import { fsErr } from './errno.js';
import { dAdd, dLookup, type Dentry } from './dcache.js';
import { MAXSYMLINKS, PATH_MAX, S_IFDIR, S_IFLNK } from './constants.js';
import { allowed, MAY_EXEC } from './perm.js';
import type { Cred } from './syscalls.js';
import type { Vfs } from './vfs.js';

export const LAST_NORM = 0;
export const LAST_ROOT = 1;
export const LAST_DOT = 2;
export const LAST_DOTDOT = 3;

const SLASH = 47;
const DOT = 46;

/** Who walks: credentials for search permission, the process root and the start for relative paths. */
export interface WalkCtx {
  readonly vfs: Vfs;
  readonly cred: Cred;
  readonly rootDentry: Dentry;
  readonly cwdDentry: Dentry;
}

/** The state of one walk (struct nameidata). Reused across calls: read the results before walking again. */
export class Nameidata {
  /** The directory holding the last component (the start directory before a walk). */
  dir!: Dentry;
  /** The string holding the last component, and its range and hash. */
  path = '';
  start = 0;
  end = 0;
  hash = 0;
  type = LAST_ROOT;
  /** A trailing slash followed the last component, here or in a symlink body followed for it. */
  mustDir = false;
  /** A trailing slash followed the last component in the caller's own path (rename/unlink rules). */
  trailing = false;
  links = 0;
  private readonly stackPath: string[] = [];
  private readonly stackPos: number[] = [];

  /** The last component as a string, if a lookup that missed has already cut it out of the path. */
  sliced: string | null = null;

  /** The last component as a string (allocates only if the path holds more than the name). */
  name(): string {
    const c = this.sliced;
    if (c !== null) return c;
    const p = this.path;
    return this.start === 0 && this.end === p.length ? p : p.slice(this.start, this.end);
  }

  /** lookupHere of the last component, keeping the name cut out on a miss for the create that follows. */
  lookupLast(ctx: WalkCtx): Dentry | null {
    const d = lookupHere(ctx, this.dir, this.path, this.start, this.end, this.hash);
    if (d === null) this.sliced = missName;
    return d;
  }

  push(depth: number, s: string, pos: number): void {
    this.stackPath[depth] = s;
    this.stackPos[depth] = pos;
  }
  popPath(depth: number): string {
    return this.stackPath[depth]!;
  }
  popPos(depth: number): number {
    return this.stackPos[depth]!;
  }
}

/** Bytes of s[start, end) in UTF-8 (a lone surrogate counts 3, as Buffer.from writes U+FFFD). */
export function utf8Length(s: string, start = 0, end = s.length): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** getname(): the checks Linux makes on a path argument before walking it. */
export function checkPath(path: string): void {
  if (typeof path !== 'string') throw fsErr('EFAULT');
  const n = path.length;
  if (n === 0) throw fsErr('ENOENT');
  // A UTF-16 unit is at most 3 UTF-8 bytes, so under 1366 units the path is under PATH_MAX bytes.
  if (n > 1365 && utf8Length(path) >= PATH_MAX) throw fsErr('ENAMETOOLONG');
  if (path.indexOf('\0') !== -1) throw fsErr('EINVAL');
}

/** Component name longer than the mount's NAME_MAX (only 85+ units can exceed 255 bytes). */
export function nameTooLong(s: string, start: number, end: number, nameMax: number): boolean {
  return end - start > nameMax / 3 && utf8Length(s, start, end) > nameMax;
}

function skipSlashes(s: string, i: number, len: number): number {
  while (i < len && s.charCodeAt(i) === SLASH) i++;
  return i;
}

/** `..` from `dir` (follow_dotdot): stop at the process root, climb out of mounts, enter mounts. */
export function dotdot(ctx: WalkCtx, dir: Dentry): Dentry {
  let d = dir;
  for (;;) {
    if (d === ctx.rootDentry) return d;
    const mnt = d.vnode.mnt;
    if (d !== mnt.root) break;
    if (mnt.covered === null) return d;
    d = mnt.covered;
  }
  let p = d.parent;
  while (p.mounted !== null) p = p.mounted.root;
  return p;
}

/** The name the last missed backend lookup was asked for (see Nameidata.lookupLast). */
let missName: string | null = null;

/** The child named s[start, end) of `dir` without crossing a mount on it, or null. */
export function lookupHere(ctx: WalkCtx, dir: Dentry, s: string, start: number, end: number, hash: number): Dentry | null {
  const d = dLookup(dir, s, start, end, hash);
  if (d !== null) return d;
  if (dir.dead) {
    missName = null;
    return null;
  }
  const mnt = dir.vnode.mnt;
  if (nameTooLong(s, start, end, mnt.nameMax)) throw fsErr('ENAMETOOLONG');
  const name = start === 0 && end === s.length ? s : s.slice(start, end);
  const ino = mnt.backend.lookup(dir.vnode.ino, name);
  if (ino === NO_INO) {
    missName = name;
    return null;
  }
  return dAdd(dir, name, hash, ctx.vfs.vget(mnt, ino));
}

/** The child named s[start, end) of `dir`, entering mounts on it; ENOENT if there is none. */
function lookupName(ctx: WalkCtx, dir: Dentry, s: string, start: number, end: number, hash: number): Dentry {
  let d = lookupHere(ctx, dir, s, start, end, hash);
  if (d === null) throw fsErr('ENOENT');
  while (d.mounted !== null) d = d.mounted.root;
  return d;
}

/** The target of a symlink (cached on its vnode: a symlink's target never changes). */
export function readLink(d: Dentry): string {
  const v = d.vnode;
  let t = v.link;
  if (t === null) t = v.link = v.mnt.backend.readlink(v.ino);
  return t;
}

/**
 * Walk `s` from nd.dir (or the root if absolute) up to its last component (link_path_walk): on return
 * nd.dir is the directory holding it (checked searchable) and nd.path/start/end/type/hash name it.
 */
export function walk(ctx: WalkCtx, nd: Nameidata, path: string): void {
  let s = path;
  let len = s.length;
  if (len === 0) throw fsErr('ENOENT');
  const vfs = ctx.vfs;
  const cred = ctx.cred;
  const root = cred.uid === 0;
  let dir = nd.dir;
  let i = 0;
  let depth = 0;
  let steps = 0;
  if (s.charCodeAt(0) === SLASH) {
    dir = ctx.rootDentry;
    i = skipSlashes(s, 1, len);
  }
  for (;;) {
    if (i >= len) {
      if (depth === 0) {
        nd.dir = dir;
        nd.type = LAST_ROOT;
        nd.path = s;
        nd.start = nd.end = len;
        nd.hash = 0;
        nd.sliced = null;
        nd.trailing = false;
        vfs.clock.now += steps * vfs.lookupNs;
        return;
      }
      depth--;
      s = nd.popPath(depth);
      i = nd.popPos(depth);
      len = s.length;
      continue;
    }
    // One pass over the component: its end and its hash (hashName, inlined).
    let e = i;
    let h = 0x811c9dc5;
    let c = 0;
    while (e < len && (c = s.charCodeAt(e)) !== SLASH) {
      h = Math.imul(h ^ c, 0x01000193);
      e++;
    }
    const hash = (h ^ (h >>> 30)) & 0x3fffffff;
    const j = e < len ? skipSlashes(s, e + 1, len) : len;
    // may_lookup(): the directory we are in must be one, and searchable.
    const dv = dir.vnode;
    if (dv.type !== S_IFDIR) throw fsErr('ENOTDIR');
    if (!root && !allowed(cred, dv, MAY_EXEC)) throw fsErr('EACCES');
    steps++;
    let type = LAST_NORM;
    if (s.charCodeAt(i) === DOT) {
      if (e - i === 1) type = LAST_DOT;
      else if (e - i === 2 && s.charCodeAt(i + 1) === DOT) type = LAST_DOTDOT;
    }
    if (j === len && depth === 0) {
      nd.dir = dir;
      nd.path = s;
      nd.start = i;
      nd.end = e;
      nd.type = type;
      nd.hash = type === LAST_NORM ? hash : 0;
      nd.sliced = null;
      nd.trailing = e < len;
      if (e < len) nd.mustDir = true;
      vfs.clock.now += steps * vfs.lookupNs;
      return;
    }
    let child: Dentry;
    if (type === LAST_DOT) child = dir;
    else if (type === LAST_DOTDOT) child = dotdot(ctx, dir);
    else {
      let d = dLookup(dir, s, i, e, hash);
      if (d === null) {
        d = lookupHere(ctx, dir, s, i, e, hash);
        if (d === null) throw fsErr('ENOENT');
      }
      while (d.mounted !== null) d = d.mounted.root;
      child = d;
      if (child.vnode.type === S_IFLNK) {
        if (++nd.links > MAXSYMLINKS) throw fsErr('ELOOP');
        const target = readLink(child);
        if (target.length === 0) throw fsErr('ENOENT');
        if (j < len) {
          nd.push(depth, s, j);
          depth++;
        }
        s = target;
        len = s.length;
        i = 0;
        if (s.charCodeAt(0) === SLASH) {
          dir = ctx.rootDentry;
          i = skipSlashes(s, 1, len);
        }
        continue;
      }
    }
    dir = child;
    if (j === len) {
      // The last component of a symlink body: resume the path that led to the link.
      depth--;
      s = nd.popPath(depth);
      i = nd.popPos(depth);
      len = s.length;
    } else i = j;
  }
}

/** Start a walk of a caller's path: check it, reset nd, walk to the last component. */
export function pathWalk(ctx: WalkCtx, nd: Nameidata, path: string): void {
  checkPath(path);
  nd.links = 0;
  nd.mustDir = false;
  nd.dir = ctx.cwdDentry;
  walk(ctx, nd, path);
}

/**
 * Resolve the last component after `walk` (lookup_last): `.`/`..`/root, or the named child entering
 * mounts; a symlink is followed when `follow` or a trailing slash asks for it.
 */
export function finish(ctx: WalkCtx, nd: Nameidata, follow: boolean): Dentry {
  for (;;) {
    let d: Dentry;
    const t = nd.type;
    if (t === LAST_NORM) {
      d = lookupName(ctx, nd.dir, nd.path, nd.start, nd.end, nd.hash);
      if (d.vnode.type === S_IFLNK && (follow || nd.mustDir)) {
        followLast(ctx, nd, d);
        continue;
      }
    } else if (t === LAST_DOTDOT) d = dotdot(ctx, nd.dir);
    else d = nd.dir;
    if (nd.mustDir && d.vnode.type !== S_IFDIR) throw fsErr('ENOTDIR');
    return d;
  }
}

/** Continue a walk through the final symlink `link` (its body becomes the new last component). */
export function followLast(ctx: WalkCtx, nd: Nameidata, link: Dentry): void {
  if (++nd.links > MAXSYMLINKS) throw fsErr('ELOOP');
  const target = readLink(link);
  const trailing = nd.trailing;
  walk(ctx, nd, target);
  nd.trailing = trailing;
}

/**
 * A resolved absolute path, remembered by the caller's own string (OSv's namei fast path: one probe of
 * a hash keyed by the whole path before walking). Valid while nothing that can change a successful
 * resolution has happened (`Vfs.nsGen`: unlink, rmdir, rename, mount, umount, chmod, chown) and for the
 * same credentials. Creating names never invalidates: only successful resolutions are remembered.
 * It is a simulator-speed device only: a hit charges the virtual clock what the walk charged.
 */
export class PathCacheEntry {
  gen = 0;
  cred: Cred | null = null;
  dentry: Dentry | null = null;
  /** Virtual ns the walk charged (kernel.lookupComponentNs per component). */
  charge = 0;
}

/** Cap on remembered paths per cache (cleared when reached; a cache, not a store). */
const PATH_CACHE_MAX = 1 << 16;

/** Resolve a whole path (namei / filename_lookup). */
export function resolve(ctx: WalkCtx, nd: Nameidata, path: string, follow: boolean): Dentry {
  const vfs = ctx.vfs;
  const absolute = typeof path === 'string' && path.charCodeAt(0) === SLASH;
  const cache = follow ? vfs.pathCacheFollow : vfs.pathCacheNofollow;
  const cred = ctx.cred;
  let e: PathCacheEntry | undefined;
  if (absolute) {
    e = cache.get(path);
    if (e !== undefined && e.gen === vfs.nsGen && (e.cred === cred || (cred.uid === 0 && e.cred!.uid === 0))) {
      vfs.clock.now += e.charge;
      return e.dentry!;
    }
  }
  const t0 = vfs.clock.now;
  pathWalk(ctx, nd, path);
  const d = finish(ctx, nd, follow);
  if (absolute) {
    if (e === undefined) {
      if (cache.size >= PATH_CACHE_MAX) cache.clear();
      e = new PathCacheEntry();
      cache.set(path, e);
    }
    e.gen = vfs.nsGen;
    e.cred = cred;
    e.dentry = d;
    e.charge = vfs.clock.now - t0;
  }
  return d;
}

/** The absolute path of a directory or file dentry as seen from the process root (d_path). */
export function dentryPath(ctx: WalkCtx, d: Dentry): string {
  if (d.dead) throw fsErr('ENOENT');
  const parts: string[] = [];
  let x = d;
  for (;;) {
    if (x === ctx.rootDentry) break;
    const mnt = x.vnode.mnt;
    if (x === mnt.root) {
      if (mnt.covered === null) break;
      x = mnt.covered;
      continue;
    }
    parts.push(x.name);
    x = x.parent;
  }
  if (parts.length === 0) return '/';
  let out = '';
  for (let k = parts.length - 1; k >= 0; k--) out += '/' + parts[k];
  return out;
}
