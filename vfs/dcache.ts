// The dentry cache (Linux fs/dcache.c): a tree of names mirroring the directories walked so far. Each
// directory dentry holds its children in a Map keyed by a 30-bit hash of the name, with collisions
// chained through `next`; a probe hashes the component in place in the path string (charCodeAt), so a
// cached lookup builds no string and allocates nothing. Unlike OSv (one hash of full paths, rehashed
// on rename), a rename moves one dentry between two maps, and cwd and open directories follow it.
//
// Coherence: the dcache is authoritative only because every mutation of a mounted backend goes through
// the VFS, which updates it in the same call (create/mkdir/symlink/link add; unlink/rmdir drop; rename
// moves). There are no negative dentries: a miss asks the backend. Mount points hang off the dentry
// they cover (`mounted`).

import type { Vnode } from './vnode.js';
import type { Mount } from './mount.js';

export class Dentry {
  name: string;
  hash: number;
  /** The parent directory in the same mount; a mount's root is its own parent. */
  parent: Dentry;
  readonly vnode: Vnode;
  /** Children by name hash (first of a collision chain); created on the first child. */
  children: Map<number, Dentry> | null = null;
  /** Next dentry in the parent's chain for the same hash. */
  next: Dentry | null = null;
  /** The mount whose root covers this directory, if any. */
  mounted: Mount | null = null;
  /** Removed from the namespace (unlinked, rmdir'ed, renamed over). Lookups in a dead directory are ENOENT. */
  dead = false;

  constructor(name: string, hash: number, parent: Dentry | null, vnode: Vnode) {
    this.name = name;
    this.hash = hash;
    this.parent = parent ?? this;
    this.vnode = vnode;
  }
}

/** FNV-1a over UTF-16 code units of s[start, end), folded to 30 bits so it stays a small integer. */
export function hashName(s: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 30)) & 0x3fffffff;
}

function sameName(name: string, s: string, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) !== s.charCodeAt(start + i)) return false;
  return true;
}

/** The cached child named s[start, end) of `dir`, or null. */
export function dLookup(dir: Dentry, s: string, start: number, end: number, hash: number): Dentry | null {
  const m = dir.children;
  if (m === null) return null;
  let d: Dentry | null | undefined = m.get(hash);
  while (d !== undefined && d !== null) {
    if (sameName(d.name, s, start, end)) return d;
    d = d.next;
  }
  return null;
}

function link(dir: Dentry, d: Dentry): void {
  let m = dir.children;
  if (m === null) m = dir.children = new Map();
  const head = m.get(d.hash);
  d.next = head ?? null;
  m.set(d.hash, d);
}

function unlink(dir: Dentry, d: Dentry): void {
  const m = dir.children;
  if (m === null) return;
  let prev: Dentry | null = null;
  let cur = m.get(d.hash) ?? null;
  while (cur !== null && cur !== d) {
    prev = cur;
    cur = cur.next;
  }
  if (cur === null) return;
  if (prev === null) {
    if (d.next === null) m.delete(d.hash);
    else m.set(d.hash, d.next);
  } else prev.next = d.next;
  d.next = null;
}

/** Add a positive dentry for `name` under `dir`. */
export function dAdd(dir: Dentry, name: string, hash: number, vnode: Vnode): Dentry {
  const d = new Dentry(name, hash, dir, vnode);
  link(dir, d);
  return d;
}

/** Remove a dentry from the namespace (unlink, rmdir, replaced by rename). */
export function dDrop(d: Dentry): void {
  unlink(d.parent, d);
  d.dead = true;
}

/** Move a dentry to `newDir` under `newName` (rename; the caller has dropped any replaced dentry). */
export function dMove(d: Dentry, newDir: Dentry, newName: string, newHash: number): void {
  unlink(d.parent, d);
  d.parent = newDir;
  d.name = newName;
  d.hash = newHash;
  link(newDir, d);
}

/** Swap two dentries' places (RENAME_EXCHANGE). */
export function dExchange(a: Dentry, b: Dentry): void {
  const ap = a.parent, an = a.name, ah = a.hash;
  unlink(a.parent, a);
  unlink(b.parent, b);
  a.parent = b.parent;
  a.name = b.name;
  a.hash = b.hash;
  b.parent = ap;
  b.name = an;
  b.hash = ah;
  link(a.parent, a);
  link(b.parent, b);
}

/** Whether `anc` is `d` or one of its ancestors within the same mount. */
export function isAncestor(anc: Dentry, d: Dentry): boolean {
  let x = d;
  for (;;) {
    if (x === anc) return true;
    if (x.parent === x) return false;
    x = x.parent;
  }
}
