// The reference model's path walk, after Linux fs/namei.c: link_path_walk with may_lookup before every
// component, path_parentat's parent and last component, trailing-symlink following bounded by MAXSYMLINKS
// (ELOOP), filename_create's EEXIST rules, and lock_rename's trap. Plain and slow on purpose, like the
// rest of the model (posix-model.ts), so that it reads against path_resolution(7).

import { FsError, type ErrnoCode } from '../../vfs/errno.js';
import * as C from '../../vfs/constants.js';
import type { Cred } from '../../vfs/syscalls.js';
import { type MNode, mayAccess } from './posix-model-perm.js';

/** What path_parentat returns: the parent directory and the last component with its kind. */
export interface Parent {
  dir: MNode;
  last: string;
  kind: 'norm' | 'dot' | 'dotdot' | 'root';
  /** The path ended in '/': the last component must be (or resolve to) a directory. */
  slash: boolean;
}

/** Who walks and from which root: a model process's credentials and its tree's root. */
export interface Walker {
  readonly root: MNode;
  readonly cred: Cred;
}

/** Symlinks followed so far in one resolution (shared by nested resolutions of link targets). */
export interface Depth { links: number }

const enc = new TextEncoder();
export const byteLength = (s: string): number => enc.encode(s).length;
export const err = (code: ErrnoCode, syscall: string, path?: string): FsError => new FsError(code, syscall, path);

/** generic_permission as a check: EACCES unless `cred` may access `n` with `mask` (4 read, 2 write, 1 search). */
export function need(cred: Cred, n: MNode, mask: number, sc: string, path: string): void {
  if (!mayAccess(cred, n, mask)) throw err('EACCES', sc, path);
}

/** Look a name up in a directory; ENAMETOOLONG comes from the filesystem's lookup, as in simple_lookup. */
export function child(dir: MNode, name: string, sc: string, path: string): MNode | undefined {
  if (name === '.') return dir;
  if (name === '..') return dir.parent ?? dir;
  const n = dir.entries.get(name);
  if (n === undefined && byteLength(name) > C.NAME_MAX) throw err('ENAMETOOLONG', sc, path);
  return n;
}

/**
 * Walk every component but the last (link_path_walk) from `start` (or the root for an absolute path);
 * each must be a directory after following links.
 */
export function parentOf(w: Walker, path: string, sc: string, depth: Depth, start: MNode): Parent {
  if (path === '') throw err('ENOENT', sc, path);
  if (byteLength(path) >= C.PATH_MAX) throw err('ENAMETOOLONG', sc, path);
  let dir = path.startsWith('/') ? w.root : start;
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { dir: w.root, last: '/', kind: 'root', slash: false };
  const slash = path.endsWith('/');
  for (let i = 0; i < parts.length - 1; i++) {
    need(w.cred, dir, 1, sc, path); // may_lookup before every component
    let n = child(dir, parts[i]!, sc, path);
    if (n === undefined) throw err('ENOENT', sc, path);
    n = followAll(w, n, dir, sc, path, depth, true);
    if (!C.isDir(n.mode)) throw err('ENOTDIR', sc, path);
    dir = n;
  }
  need(w.cred, dir, 1, sc, path); // ... the last one included
  const last = parts[parts.length - 1]!;
  const kind = last === '.' ? 'dot' : last === '..' ? 'dotdot' : 'norm';
  return { dir, last, kind, slash };
}

/** Follow `n` while it is a symlink (it was found in `dir`). ELOOP past MAXSYMLINKS; ENOENT if dangling. */
function followAll(w: Walker, n: MNode, dir: MNode, sc: string, path: string, depth: Depth, mustExist: true): MNode;
function followAll(w: Walker, n: MNode, dir: MNode, sc: string, path: string, depth: Depth, mustExist: boolean): MNode | undefined;
function followAll(w: Walker, n: MNode, dir: MNode, sc: string, path: string, depth: Depth, mustExist: boolean): MNode | undefined {
  let cur: MNode | undefined = n;
  let at = dir;
  while (cur !== undefined && C.isLnk(cur.mode)) {
    if (++depth.links > C.MAXSYMLINKS) throw err('ELOOP', sc, path);
    const r = resolveFrom(w, cur.target, at, sc, path, depth, true);
    cur = r.node;
    at = r.dir;
    if (cur === undefined && mustExist) throw err('ENOENT', sc, path);
  }
  return cur;
}

/**
 * Resolve a whole path from `start` (`whole` is the path the caller gave, for errors). Returns the node
 * (undefined if the last name is absent) and its directory.
 */
export function resolveFrom(w: Walker, path: string, start: MNode, sc: string, whole: string, depth: Depth, follow: boolean):
  { node: MNode | undefined; dir: MNode; p: Parent } {
  const p = parentOf(w, path, sc, depth, start);
  if (p.kind === 'root') return { node: w.root, dir: w.root, p };
  let node = child(p.dir, p.last, sc, whole);
  if (node !== undefined && (follow || p.slash) && C.isLnk(node.mode)) {
    node = followAll(w, node, p.dir, sc, whole, depth, false);
  }
  if (p.slash && node !== undefined && !C.isDir(node.mode)) throw err('ENOTDIR', sc, whole);
  return { node, dir: p.dir, p };
}

/** filename_create: the parent, the new name; EEXIST for '.', '..', '/' and for an existing name. */
export function createIn(w: Walker, path: string, start: MNode, sc: string, allowSlash: boolean): Parent {
  const p = parentOf(w, path, sc, { links: 0 }, start);
  if (p.kind !== 'norm') throw err('EEXIST', sc, path);
  const existing = child(p.dir, p.last, sc, path);
  if (existing !== undefined) throw err('EEXIST', sc, path);
  if (p.slash && !allowSlash) throw err('ENOENT', sc, path);
  need(w.cred, p.dir, 3, sc, path); // may_create
  return p;
}

/** Is `a` an ancestor of (or equal to) `b`? */
function isAncestor(root: MNode, a: MNode, b: MNode): boolean {
  for (let n = b; ; n = n.parent!) {
    if (n === a) return true;
    if (n === root) return false;
  }
}

/** lock_rename's trap: the child of one parent that is an ancestor of the other parent. */
export function renameTrap(root: MNode, newDir: MNode, oldDir: MNode): MNode | undefined {
  if (newDir === oldDir) return undefined;
  const childToward = (anc: MNode, desc: MNode): MNode | undefined => {
    if (!isAncestor(root, anc, desc)) return undefined;
    let n = desc;
    while (n.parent !== anc) n = n.parent!;
    return n;
  };
  return childToward(oldDir, newDir) ?? childToward(newDir, oldDir);
}
