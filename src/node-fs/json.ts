// memfs-style snapshots: fromJSON({'/a/b.txt': 'text', '/dir': null}, cwd?) builds a tree (a string or
// bytes is a file, null a directory, parents made as needed) and toJSON(paths?) returns
// {path: content | null} with null for empty directories only, as memfs's Volume does. Unlike memfs,
// a key whose `..` climbs above the root is refused (EINVAL) instead of being clamped to the root.

import { Buffer } from 'node:buffer';
import * as V from '../../vfs/constants.js';
import { FsError } from '../../vfs/errno.js';
import { toPath } from './args.js';
import { uvError } from './errors.js';
import type { Ctx } from './sync.js';

export type DirectoryJSON = Record<string, string | Uint8Array | null>;

/** Join `p` onto `cwd` and normalise; null if `..` would climb above the root. */
export function resolveInside(cwd: string, p: string): string | null {
  const parts: string[] = [];
  const all = (p.startsWith('/') ? p : `${cwd}/${p}`).split('/');
  for (const c of all) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(c);
  }
  return `/${parts.join('/')}`;
}

export interface JsonDeps {
  mkdirSync(path: string, options: { recursive: boolean }): unknown;
  writeFileSync(path: string, data: string | Uint8Array): void;
}

export function makeJson(ctx: Ctx, deps: JsonDeps) {
  const sys = ctx.sys;

  function collect(dir: string, out: Record<string, string | Buffer | null>, base: string | null, asBuffer: boolean): void {
    let entries;
    try { entries = sys.readdir(dir); } catch (e) { throw uvError(e, 'scandir', dir); }
    const key = (p: string) => (base === null ? p : p.slice(base.length + (base === '/' ? 0 : 1)) || '.');
    if (entries.length === 0 && dir !== '/') { out[key(dir)] = null; return; }
    for (const d of entries) {
      const p = dir === '/' ? `/${d.name}` : `${dir}/${d.name}`;
      if (d.type === V.DT_DIR) collect(p, out, base, asBuffer);
      else if (d.type === V.DT_REG) {
        const data = readWhole(p);
        out[key(p)] = asBuffer ? data : data.toString('utf8');
      }
      // Symlinks and special files have no place in memfs's JSON (it skips them too).
    }
  }

  function readWhole(p: string): Buffer {
    let fd: number;
    try { fd = sys.open(p, V.O_RDONLY, 0); } catch (e) { throw uvError(e, 'open', p); }
    try {
      const size = sys.fstat(fd).size;
      const buf = Buffer.allocUnsafe(size);
      let pos = 0;
      while (pos < size) {
        const n = sys.read(fd, buf, pos, size - pos, pos);
        if (n === 0) break;
        pos += n;
      }
      return buf.subarray(0, pos);
    } finally {
      sys.close(fd);
    }
  }

  return {
    /** Create the files (string or bytes) and directories (null) of `json`, relative keys against `cwd` (default the process's cwd). */
    fromJSON(json: DirectoryJSON, cwd?: string): void {
      const base = cwd ?? sys.getcwd();
      // Resolve every key first, so a refused snapshot creates nothing.
      const items: [string, string | Uint8Array | null][] = [];
      for (const [k, v] of Object.entries(json)) {
        const p = resolveInside(base, toPath(k));
        if (p === null) throw new FsError('EINVAL', 'fromJSON', k);
        items.push([p, v]);
      }
      for (const [p, v] of items) {
        if (v === null) {
          deps.mkdirSync(p, { recursive: true });
          continue;
        }
        const cut = p.lastIndexOf('/');
        if (cut > 0) deps.mkdirSync(p.slice(0, cut), { recursive: true });
        deps.writeFileSync(p, v);
      }
    },

    /**
     * The tree under `paths` (default '/') as {absolute path: utf-8 content | null for an empty
     * directory}; `isRelative` makes keys relative to each given path; `asBuffer` returns Buffers.
     */
    toJSON(paths?: string | string[], json: Record<string, string | Buffer | null> = {}, isRelative = false, asBuffer = false): Record<string, string | Buffer | null> {
      const list = paths === undefined ? ['/'] : Array.isArray(paths) ? paths : [paths];
      for (const raw of list) {
        const p = resolveInside(sys.getcwd(), toPath(raw));
        if (p === null) throw new FsError('EINVAL', 'toJSON', raw);
        let st;
        try { st = sys.lstat(p); } catch (e) { throw uvError(e, 'lstat', p); }
        if ((st.mode & V.S_IFMT) === V.S_IFDIR) collect(p, json, isRelative ? p : null, asBuffer);
        else if ((st.mode & V.S_IFMT) === V.S_IFREG) {
          const data = readWhole(p);
          json[isRelative ? p.slice(p.lastIndexOf('/') + 1) : p] = asBuffer ? data : data.toString('utf8');
        }
      }
      return json;
    },
  };
}
