// Calls that walk or shape a tree: mkdir (recursive, as Node's MKDirpSync), rmdir, rm (Node 20's
// rimraf-style rmSync with ERR_FS_EISDIR), readdir (sorted as libuv's scandir sorts, withFileTypes,
// recursive in Node's breadth-first order), mkdtemp (seeded names: the model never uses Math.random)
// and realpath (the VFS resolves; on failure Node's component-by-component lstat walk names the error).

import { posix } from 'node:path';
import { Prng } from '../sim/prng.js';
import * as V from '../../vfs/constants.js';
import type { Dirent as VfsDirent } from '../../vfs/syscalls.js';
import {
  encodeName, getOptions, toPath, validateBoolean, validateInt32, validateObject, validateUint32,
  type BufferEncodingOrBuffer,
} from './args.js';
import { SystemError, uvError, uvNew } from './errors.js';
import { Dirent, uvDirentType } from './stats.js';
import { mkdirOptions, type Ctx } from './sync.js';

interface RmOptions { force: boolean; recursive: boolean; maxRetries: number; retryDelay: number }

const TEMPLATE_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * strcmp on UTF-8 bytes is code point order; JS `<` compares UTF-16 code units, which differs only
 * between a surrogate (an astral character) and U+E000..U+FFFF. The usual fix-up moves surrogates
 * above that range before comparing.
 */
function cmpName(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The strcmp order of a listing as an index permutation (null when already sorted). libuv's scandir
 * sorts every listing; sorting 100 names costs ~20 µs in V8, twenty times the VFS call, so the
 * permutation is remembered per directory and reused while the backend returns the same names in
 * the same order (checked name by name, so a stale entry can only miss, never mislead).
 */
class SortCache {
  private readonly map = new Map<string, { names: string[]; order: Int32Array | null; sorted: string[] | null }>();
  private last: { names: string[]; order: Int32Array | null; sorted: string[] | null } | undefined;

  order(key: string, list: readonly VfsDirent[]): Int32Array | null {
    const n = list.length;
    const c = this.map.get(key);
    this.last = undefined;
    if (c !== undefined && c.names.length === n) {
      let i = 0;
      while (i < n && c.names[i] === list[i]!.name) i++;
      if (i === n) { this.last = c; return c.order; }
    }
    let sorted = true;
    for (let i = 1; i < n; i++) if (cmpName(list[i - 1]!.name, list[i]!.name) > 0) { sorted = false; break; }
    if (sorted && n < 64) return null; // cheap to re-check; not worth a cache slot
    let order: Int32Array | null = null;
    if (!sorted) {
      const idx: number[] = new Array(n);
      for (let i = 0; i < n; i++) idx[i] = i;
      idx.sort((a, b) => cmpName(list[a]!.name, list[b]!.name));
      order = Int32Array.from(idx);
    }
    if (this.map.size >= 4096) this.map.clear(); // bounded: a cache, not a mirror of the tree
    const names: string[] = new Array(n);
    for (let i = 0; i < n; i++) names[i] = list[i]!.name;
    const entry = { names, order, sorted: null };
    this.map.set(key, entry);
    this.last = entry;
    return order;
  }

  /** readdir's plain answer: the names in strcmp order, as a fresh array (the caller may keep it). */
  sortedNames(key: string, list: readonly VfsDirent[]): string[] {
    const order = this.order(key, list);
    const c = this.last;
    if (c !== undefined && c.sorted !== null) return c.sorted.slice();
    const n = list.length;
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = list[order === null ? i : order[i]!]!.name;
    if (c !== undefined) c.sorted = out.slice();
    return out;
  }
}

export function makeTree(ctx: Ctx, seed = 0x6d6b6474) {
  const sys = ctx.sys;
  const prng = new Prng(seed);
  const sortCache = new SortCache();

  function mkdirp(path: string, mode: number, top = true): string | undefined {
    // MKDirpSync: try the path; on ENOENT make the parent first; EEXIST on a non-directory is an error.
    try {
      sys.mkdir(path, mode);
      return path;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT') {
        const trimmed = path.replace(/\/+$/, '');
        const cut = trimmed.lastIndexOf('/');
        const parent = cut > 0 ? trimmed.slice(0, cut) : cut === 0 ? '/' : '';
        if (parent === '' || parent === trimmed) throw e;
        const first = mkdirp(parent, mode, false);
        sys.mkdir(path, mode);
        return first ?? path;
      }
      if (code === 'EEXIST') {
        const st = sys.stat(path); // a dangling symlink keeps EEXIST... via ENOENT from stat
        if ((st.mode & V.S_IFMT) === V.S_IFDIR) return undefined;
        if (!top) throw uvNew('ENOTDIR', 'mkdir'); // a file in the middle of the path
      }
      throw e;
    }
  }

  function rmOptions(options: unknown, defaults: RmOptions): RmOptions {
    if (options === undefined) return defaults;
    validateObject(options, 'options');
    const o = { ...defaults, ...(options as Partial<RmOptions>) };
    validateBoolean(o.recursive, 'options.recursive');
    validateInt32(o.retryDelay, 'options.retryDelay', 0);
    validateUint32(o.maxRetries, 'options.maxRetries');
    return o;
  }

  // Node 20's rimrafSync (lib/internal/fs/rimraf.js): lstat; a directory is rmdir'ed first and emptied
  // only if that says ENOTEMPTY/EEXIST/EPERM; ENOENT anywhere means someone else removed it; EPERM on a
  // non-directory tries chmod 0o666 and reports the original error if that fails too. Node retries with
  // wall-clock sleeps (maxRetries); the model is deterministic, so a retry would fail the same way.
  const code = (e: unknown) => (e as { code?: string }).code;

  function rimraf(path: string): void {
    let st;
    try { st = sys.lstat(path); } catch (e) {
      if (code(e) === 'ENOENT') return;
    }
    try {
      if (st !== undefined && (st.mode & V.S_IFMT) === V.S_IFDIR) rmdirTree(path, null);
      else unlinkOne(path);
    } catch (e) {
      const c = code(e);
      if (c === 'ENOENT') return;
      if (c === 'EPERM') return epermHandler(path, e);
      if (c !== 'EISDIR') throw e;
      rmdirTree(path, e);
    }
  }

  function unlinkOne(path: string): void {
    try { sys.unlink(path); } catch (e) {
      if (code(e) === 'ENOENT') return;
      throw uvError(e, 'unlink', path);
    }
  }

  function rmdirTree(path: string, originalErr: unknown): void {
    try {
      sys.rmdir(path);
    } catch (e0) {
      const err = uvError(e0, 'rmdir', path);
      const c = code(e0);
      if (c === 'ENOENT') return;
      if (c === 'ENOTDIR') throw originalErr ?? err;
      if (c === 'ENOTEMPTY' || c === 'EEXIST' || c === 'EPERM') {
        let children;
        try { children = sys.readdir(path); } catch (e) { throw uvError(e, 'scandir', path); }
        for (const d of children) rimraf(path === '/' ? `/${d.name}` : `${path}/${d.name}`);
        try { sys.rmdir(path); return; } catch (e) {
          if (code(e) === 'ENOENT') return;
          throw uvError(e, 'rmdir', path);
        }
      }
      throw originalErr ?? err;
    }
  }

  function epermHandler(path: string, originalErr: unknown): void {
    try { sys.chmod(path, 0o666); } catch (e) {
      if (code(e) === 'ENOENT') return;
      throw originalErr;
    }
    let st;
    try { st = sys.stat(path); } catch (e) {
      if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') st = undefined;
      else throw originalErr;
    }
    if (st !== undefined && (st.mode & V.S_IFMT) === V.S_IFDIR) rmdirTree(path, originalErr);
    else unlinkOne(path);
  }

  function rmSync(path: unknown, options?: unknown): void {
    const p = toPath(path);
    const o = rmOptions(options, { force: false, recursive: false, maxRetries: 0, retryDelay: 100 });
    validateBoolean(o.force, 'options.force');
    let st;
    try { st = sys.lstat(p); } catch (e) {
      if (o.force && (e as { code?: string }).code === 'ENOENT') return;
      throw uvError(e, 'lstat', p);
    }
    if ((st.mode & V.S_IFMT) === V.S_IFDIR && !o.recursive) {
      throw new SystemError('ERR_FS_EISDIR', { code: 'EISDIR', message: 'is a directory', path: p, syscall: 'rm', errno: 21 });
    }
    rimraf(p);
  }

  function readdirSync(path: unknown, options?: unknown): (string | Buffer | Dirent<string | Buffer>)[] {
    if (options === undefined && typeof path === 'string' && path.indexOf('\u0000') === -1) {
      // The common call, readdirSync('/dir'): names in strcmp order, no options to read.
      let list;
      try { list = sys.readdir(path); } catch (e) { throw uvError(e, 'scandir', path); }
      return sortCache.sortedNames(path, list);
    }
    const o = options === undefined ? undefined
      : getOptions(options, {} as { encoding?: BufferEncodingOrBuffer; withFileTypes?: boolean; recursive?: boolean });
    const p = toPath(path);
    const enc = o?.encoding;
    if (o !== undefined && o.recursive !== undefined) validateBoolean(o.recursive, 'options.recursive');
    const read = (dir: string): VfsDirent[] => {
      try { return sys.readdir(dir); } catch (e) { throw uvError(e, 'scandir', dir); }
    };
    const withTypes = !!o?.withFileTypes;
    if (!o?.recursive) {
      const list = read(p);
      if (!withTypes && (!enc || enc === 'utf8' || enc === 'utf-8')) return sortCache.sortedNames(p, list);
      const order = sortCache.order(p, list);
      const n = list.length;
      const out: (string | Buffer | Dirent<string | Buffer>)[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const d = list[order === null ? i : order[i]!]!;
        out[i] = withTypes ? new Dirent(encodeName(d.name, enc), uvDirentType(d.type), p) : encodeName(d.name, enc);
      }
      return out;
    }
    // Node 20's readdirSyncRecursive: breadth first; names mode follows symlinks to directories
    // (it stats each entry), withFileTypes mode goes by the entry's own type.
    const out: (string | Buffer | Dirent<string | Buffer>)[] = [];
    const queue = [p];
    for (let qi = 0; qi < queue.length; qi++) {
      const dir = queue[qi]!;
      const raw = read(dir);
      const order = sortCache.order(dir, raw);
      for (let i = 0; i < raw.length; i++) {
        const d = raw[order === null ? i : order[i]!]!;
        const full = posix.join(dir, d.name);
        if (withTypes) {
          const de = new Dirent(encodeName(d.name, enc), uvDirentType(d.type), dir);
          out.push(de);
          if (de.isDirectory()) queue.push(full);
        } else {
          out.push(encodeName(posix.relative(p, full), enc));
          let isDir = d.type === V.DT_DIR;
          if (d.type === V.DT_LNK) {
            try { isDir = (sys.stat(full).mode & V.S_IFMT) === V.S_IFDIR; } catch { isDir = false; }
          }
          if (isDir) queue.push(full);
        }
      }
    }
    return out;
  }

  /** The error Node's JS realpathSync would throw: lstat of each prefix, stat before following a link. */
  function realpathError(p: string, original: unknown): never {
    let parts = posix.resolve(sys.getcwd(), p).split('/').filter(Boolean);
    let cur = '';
    let links = 0;
    for (let i = 0; i < parts.length; i++) {
      const base = `${cur}/${parts[i]}`;
      let st;
      try { st = sys.lstat(base); } catch (e) { throw uvError(e, 'lstat', base); }
      if ((st.mode & V.S_IFMT) === V.S_IFLNK) {
        try { sys.stat(base); } catch (e) { throw uvError(e, 'stat', base); }
        if (++links > V.MAXSYMLINKS) throw uvNew('ELOOP', 'stat', base);
        const target = sys.readlink(base);
        parts = [...posix.resolve(cur || '/', target).split('/').filter(Boolean), ...parts.slice(i + 1)];
        cur = '';
        i = -1;
        continue;
      }
      cur = base;
    }
    throw uvError(original, 'lstat', p);
  }

  function realpathSync(path: unknown, options?: unknown): string | Buffer {
    const o = options === undefined ? undefined : getOptions(options, {} as { encoding?: BufferEncodingOrBuffer });
    const p = toPath(path);
    let r: string;
    try { r = sys.realpath(p); } catch (e) { realpathError(p, e); }
    return encodeName(r, o?.encoding);
  }
  realpathSync.native = function realpathNative(path: unknown, options?: unknown): string | Buffer {
    const o = options === undefined ? undefined : getOptions(options, {} as { encoding?: BufferEncodingOrBuffer });
    const p = toPath(path);
    let r: string;
    try { r = sys.realpath(p); } catch (e) { throw uvError(e, 'realpath', p); }
    return encodeName(r, o?.encoding);
  };

  return {
    mkdirSync(path: unknown, options?: unknown): string | undefined {
      const p = toPath(path);
      const { recursive, mode } = mkdirOptions(options);
      try {
        if (recursive) return mkdirp(p, mode);
        sys.mkdir(p, mode);
        return undefined;
      } catch (e) {
        throw uvError(e, 'mkdir', p);
      }
    },

    rmdirSync(path: unknown, options?: unknown): void {
      const p = toPath(path);
      const o = rmOptions(options, { force: false, recursive: false, maxRetries: 0, retryDelay: 100 });
      if (o.recursive) {
        // Node 20 (deprecated form): only a directory; anything else is ENOTDIR from rmdir.
        let st;
        try { st = sys.lstat(p); } catch (e) { throw uvError(e, 'lstat', p); }
        if ((st.mode & V.S_IFMT) !== V.S_IFDIR) throw uvNew('ENOTDIR', 'rmdir', p);
        rimraf(p);
        return;
      }
      try { sys.rmdir(p); } catch (e) { throw uvError(e, 'rmdir', p); }
    },

    rmSync,
    readdirSync,
    realpathSync,

    /**
     * `reportTried` (internal, for the callback and promise forms): Node's async mkdtemp reports the
     * name it tried in an error, the sync one the template `prefixXXXXXX`.
     */
    mkdtempSync(prefix: unknown, options?: unknown, reportTried = false): string | Buffer {
      const o = options === undefined ? undefined : getOptions(options, {} as { encoding?: BufferEncodingOrBuffer });
      const pre = toPath(prefix, 'prefix');
      for (let attempt = 0; ; attempt++) {
        let suffix = '';
        for (let i = 0; i < 6; i++) suffix += TEMPLATE_CHARS[prng.below(TEMPLATE_CHARS.length)];
        const p = pre + suffix;
        try {
          sys.mkdir(p, 0o700);
          return encodeName(p, o?.encoding);
        } catch (e) {
          // glibc's mkdtemp tries TMP_MAX (238328) names; 100 collisions in a row means something else is wrong.
          if ((e as { code?: string }).code !== 'EEXIST' || attempt >= 100) throw uvError(e, 'mkdtemp', reportTried ? p : `${pre}XXXXXX`);
        }
      }
    },
  };
}
