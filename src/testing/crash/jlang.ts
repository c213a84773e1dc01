// ACE's j-lang (CrashMonkey, Mohan et al., OSDI '18; Chipmunk, LeBlanc et al., EuroSys '23) read into the
// explorer's workload format, with the semantics of CrashMonkey's adapter (cmAdapter.py) as the data
// README describes them: names are test-root paths without '/', `write` is pwrite in 4 KiB pieces aligned
// to 4 KiB file offsets, `dwrite` reopens with O_DIRECT|O_SYNC, `mark` (Chipmunk) names the call under test.
// Also a ustar reader and zstd loading, to read the workload archives in place.

import { readFileSync } from 'node:fs';
import { decompress } from 'fzstd';
import { fsErr } from '../../../vfs/errno.js';
import type { CrashCall, Workload } from './workload.js';

/** j-lang name → path relative to the test root (`test` is the root, `ACbar` is A/C/bar). */
export function jlangPath(name: string): string {
  if (name === 'test') return '';
  const m = /^(A(C)?|B)?(foo|bar)?$/.exec(name);
  if (m === null || name === '') throw fsErr('EINVAL', 'j-lang', name);
  const parts: string[] = [];
  if (m[1] !== undefined) parts.push(m[1][0]!);
  if (m[2] !== undefined) parts.push('C');
  if (m[3] !== undefined) parts.push(m[3]);
  return parts.join('/');
}

const FALLOC: Record<string, number> = {
  '0': 0, FALLOC_FL_KEEP_SIZE: 0x01, FALLOC_FL_PUNCH_HOLE: 0x02, FALLOC_FL_ZERO_RANGE: 0x10,
};

/** What reading a j-lang workload left out (operations the VFS lacks), by operation. */
export interface JlangSkips {
  [op: string]: number;
}

/**
 * Parse one j-lang workload (a whole file, or a record of the generated files: `# run` and its lines).
 * Unknown lines are EINVAL; extended attributes (the VFS has none) are skipped and counted in `skips`.
 */
export function parseJlang(text: string, name: string, skips: JlangSkips = {}): Workload {
  const calls: CrashCall[] = [];
  let section = text.includes('# run') ? '' : 'run';
  let markAt = -1, markEnd = -1, marked = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('###')) continue;
    if (line.startsWith('#')) {
      section = line.slice(1).trim();
      continue;
    }
    if (section !== 'run') continue;
    const w = line.split(/\s+/);
    const n = (i: number): number => {
      const v = Number(w[i]);
      if (!Number.isSafeInteger(v)) throw fsErr('EINVAL', 'j-lang', `${name}: ${line}`);
      return v;
    };
    const before = calls.length;
    switch (w[0]) {
      case 'open': calls.push({ op: 'open', path: jlangPath(w[1]!), flags: w[2]!.split('|'), mode: parseInt(w[3] ?? '0', 8) }); break;
      case 'opendir': calls.push({ op: 'opendir', path: jlangPath(w[1]!) }); break;
      case 'close': calls.push({ op: 'close', path: jlangPath(w[1]!) }); break;
      case 'mkdir': calls.push({ op: 'mkdir', path: jlangPath(w[1]!), mode: parseInt(w[2] ?? '0777', 8) }); break;
      case 'rmdir': calls.push({ op: 'rmdir', path: jlangPath(w[1]!) }); break;
      case 'unlink': calls.push({ op: 'unlink', path: jlangPath(w[1]!) }); break;
      case 'remove': calls.push({ op: 'remove', path: jlangPath(w[1]!) }); break;
      case 'link': calls.push({ op: 'link', from: jlangPath(w[1]!), to: jlangPath(w[2]!) }); break;
      case 'rename': calls.push({ op: 'rename', from: jlangPath(w[1]!), to: jlangPath(w[2]!) }); break;
      case 'truncate': calls.push({ op: 'truncate', path: jlangPath(w[1]!), len: n(2) }); break;
      case 'write': pieces(calls, jlangPath(w[1]!), n(2), n(3), 'write'); break;
      case 'dwrite': {
        const p = jlangPath(w[1]!);
        calls.push({ op: 'close', path: p }, { op: 'open', path: p, flags: ['O_RDWR', 'O_DIRECT', 'O_SYNC'], mode: 0o777 });
        calls.push({ op: 'write', path: p, off: n(2), len: n(3), data: 'dwrite' }, { op: 'close', path: p });
        break;
      }
      case 'mmapwrite': {
        // No mmap in the VFS yet (issue 5): fallocate, the same bytes by pwrite, and the msync as fsync.
        const p = jlangPath(w[1]!);
        calls.push({ op: 'falloc', path: p, mode: 0, off: n(2), len: n(3) });
        calls.push({ op: 'write', path: p, off: n(2), len: n(3), data: 'mmapwrite' }, { op: 'fsync', path: p });
        break;
      }
      case 'falloc': {
        let mode = 0;
        for (const f of w[2]!.split('|')) {
          const v = FALLOC[f];
          if (v === undefined) throw fsErr('EINVAL', 'j-lang', `${name}: ${line}`);
          mode |= v;
        }
        calls.push({ op: 'falloc', path: jlangPath(w[1]!), mode, off: n(3), len: n(4) });
        break;
      }
      case 'fsync': calls.push({ op: 'fsync', path: jlangPath(w[1]!) }); break;
      case 'fdatasync': calls.push({ op: 'fdatasync', path: jlangPath(w[1]!) }); break;
      case 'sync': calls.push({ op: 'sync' }); break;
      case 'fsetxattr': case 'removexattr':
        skips[w[0]] = (skips[w[0]] ?? 0) + 1;
        break;
      case 'none': case 'checkpoint': break;
      case 'mark': marked = true; continue;
      default: throw fsErr('EINVAL', 'j-lang', `${name}: ${line}`);
    }
    if (marked && calls.length > before) {
      markAt = before;
      markEnd = calls.length;
      marked = false;
    }
  }
  const wl: Workload = { name, calls };
  if (markAt >= 0) {
    wl.from = markAt;
    wl.to = markEnd;
  }
  return wl;
}

/** CrashMonkey's `write`: pwrite pieces that end on 4 KiB file offsets (a partial first piece if unaligned). */
function pieces(out: CrashCall[], path: string, off: number, len: number, data: 'write'): void {
  if (off < 0 || len <= 0) {
    out.push({ op: 'write', path, off, len, data });
    return;
  }
  let at = off;
  const end = off + len;
  while (at < end) {
    const stop = Math.min(end, (Math.floor(at / 4096) + 1) * 4096);
    out.push({ op: 'write', path, off: at, len: stop - at, data });
    at = stop;
  }
}

/** Records of the generated files: `### j-lang<N>` then its `# run` block. */
export function splitRecords(text: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const parts = text.split(/^### /m);
  for (const p of parts) {
    if (p.trim() === '') continue;
    const nl = p.indexOf('\n');
    out.push({ name: p.slice(0, nl).trim(), text: p.slice(nl + 1) });
  }
  return out;
}

/** Read a .zst file fully (fzstd). */
export function readZst(path: string): Uint8Array {
  return decompress(readFileSync(path));
}

/** Entries of a ustar/GNU tar archive: regular files only, with their full names. */
export function untar(tar: Uint8Array): { name: string; data: Uint8Array }[] {
  const out: { name: string; data: Uint8Array }[] = [];
  const dec = new TextDecoder();
  const str = (o: number, n: number): string => {
    let e = o;
    while (e < o + n && tar[e] !== 0) e++;
    return dec.decode(tar.subarray(o, e));
  };
  let pos = 0, longName: string | null = null;
  while (pos + 512 <= tar.length) {
    if (tar[pos] === 0) break; // end-of-archive blocks
    const size = parseInt(str(pos + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(tar[pos + 156]!);
    if (!Number.isSafeInteger(size) || size < 0 || pos + 512 + size > tar.length) throw fsErr('EIO', 'untar');
    const prefix = str(pos + 345, 155);
    let name = longName ?? (prefix !== '' ? `${prefix}/${str(pos, 100)}` : str(pos, 100));
    const data = tar.subarray(pos + 512, pos + 512 + size);
    longName = null;
    if (type === 'L') longName = dec.decode(data).replace(/\0+$/, '');
    else if (type === '0' || type === '\0') out.push({ name, data });
    name = '';
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Chipmunk's PM-mode workloads from the archive: `seq` 1 or 2, sorted by their number. */
export function chipmunkWorkloads(archive: string, seq: 1 | 2, skips: JlangSkips = {}): Workload[] {
  const dir = `chipmunk/chipmunk/executor/tests/seq${seq}/j-lang-files/`;
  const dec = new TextDecoder();
  return untar(readZst(archive))
    .filter((e) => e.name.startsWith(dir) && /j-lang\d+$/.test(e.name))
    .map((e) => ({ n: Number(/(\d+)$/.exec(e.name)![1]), e }))
    .sort((a, b) => a.n - b.n)
    .map(({ e }) => parseJlang(dec.decode(e.data), `chipmunk-seq${seq}/${e.name.slice(dir.length)}`, skips));
}

/** CrashMonkey's generated workloads (`### j-lang<N>` records) from a .jlang.zst file. */
export function aceGeneratedWorkloads(file: string, prefix: string, skips: JlangSkips = {}, limit = Infinity): Workload[] {
  const text = new TextDecoder().decode(readZst(file));
  const out: Workload[] = [];
  for (const r of splitRecords(text)) {
    if (out.length >= limit) break;
    out.push(parseJlang(r.text, `${prefix}/${r.name}`, skips));
  }
  return out;
}

/** CrashMonkey's stored seq-1 workloads (`code/tests/seq1/j-lang-files/j-lang<N>`) from the archive. */
export function crashmonkeyStoredWorkloads(archive: string, skips: JlangSkips = {}): Workload[] {
  const dec = new TextDecoder();
  return untar(readZst(archive))
    .filter((e) => /seq1\/j-lang-files\/j-lang\d+$/.test(e.name))
    .map((e) => ({ n: Number(/(\d+)$/.exec(e.name)![1]), e }))
    .sort((a, b) => a.n - b.n)
    .map(({ e, n }) => parseJlang(dec.decode(e.data), `crashmonkey-stored/j-lang${n}`, skips));
}
