// Random workloads in the manner of ACE (Mohan et al., "Finding Crash-Consistency Bugs with Bounded
// Black-Box Crash Testing", OSDI '18, §5): a few core operations (creat, mkdir, link, unlink, rename,
// write, truncate, fsync) over a small set of names that files and directories share, each preceded by
// the dependency operations it needs (parents made, sources created) and followed by a persistence
// point, from a seeded PRNG so that a run reproduces.

import { Prng } from '../../sim/prng.js';
import type { CrashCall, Workload } from './workload.js';

const FILES = ['foo', 'bar', 'A/foo', 'A/bar', 'B/foo', 'A/C/foo'];
const DIRS = ['A', 'B', 'A/C'];
const CORE = ['creat', 'mkdir', 'link', 'unlink', 'rename', 'write', 'truncate', 'fsync'] as const;
/** Offsets and lengths ACE picks (common.py: append, overlap, unaligned), scaled to small files. */
const WRITES: readonly [number, number][] = [[0, 4096], [0, 5000], [4096, 4096], [2000, 3000], [100, 10], [8192, 8192]];
const TRUNCS = [0, 2500, 4096, 9000];

/** `count` workloads of `core` core operations each. */
export function aceRandomWorkloads(seed: number, count: number, core = 4): Workload[] {
  const prng = new Prng(seed);
  const out: Workload[] = [];
  for (let w = 0; w < count; w++) out.push(one(prng, `random-${seed}-${w}`, core));
  return out;
}

function one(prng: Prng, name: string, core: number): Workload {
  const calls: CrashCall[] = [];
  const files = new Set<string>(), dirs = new Set<string>(['']);
  const parent = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
  const ensureDir = (d: string): void => {
    if (dirs.has(d)) return;
    ensureDir(parent(d));
    if (files.has(d)) {
      calls.push({ op: 'unlink', path: d });
      files.delete(d);
    }
    calls.push({ op: 'mkdir', path: d, mode: 0o777 });
    dirs.add(d);
  };
  const ensureFile = (f: string): void => {
    if (files.has(f)) return;
    ensureDir(parent(f));
    if (dirs.has(f)) return; // a directory holds the name: the core call will fail, as ACE's may
    calls.push({ op: 'creat', path: f, mode: 0o644 });
    files.add(f);
  };
  for (let k = 0; k < core; k++) {
    const op = prng.pick(CORE);
    switch (op) {
      case 'creat': {
        const f = prng.pick(FILES);
        ensureDir(parent(f));
        calls.push({ op: 'creat', path: f, mode: 0o644 });
        files.add(f);
        break;
      }
      case 'mkdir': {
        const d = prng.pick(DIRS);
        ensureDir(parent(d));
        calls.push({ op: 'mkdir', path: d, mode: 0o777 });
        if (!files.has(d)) dirs.add(d);
        break;
      }
      case 'link': {
        const a = prng.pick(FILES), b = prng.pick(FILES);
        ensureFile(a);
        ensureDir(parent(b));
        calls.push({ op: 'link', from: a, to: b });
        if (files.has(a) && !dirs.has(b)) files.add(b);
        break;
      }
      case 'unlink': {
        const f = prng.pick(FILES);
        ensureFile(f);
        calls.push({ op: 'unlink', path: f });
        files.delete(f);
        break;
      }
      case 'rename': {
        const dirsToo = prng.chance(0.25);
        const a = dirsToo ? prng.pick(DIRS) : prng.pick(FILES), b = dirsToo ? prng.pick(DIRS) : prng.pick(FILES);
        if (dirsToo) ensureDir(a);
        else ensureFile(a);
        ensureDir(parent(b));
        calls.push({ op: 'rename', from: a, to: b });
        // The generator's view of names after it; the reference run decides what really happened.
        if (!dirsToo && files.has(a) && a !== b) {
          files.delete(a);
          files.add(b);
        }
        break;
      }
      case 'write': {
        const f = prng.pick(FILES), [off, len] = prng.pick(WRITES);
        ensureFile(f);
        calls.push({ op: 'write', path: f, off, len });
        break;
      }
      case 'truncate': {
        const f = prng.pick(FILES);
        ensureFile(f);
        calls.push({ op: 'truncate', path: f, len: prng.pick(TRUNCS) });
        break;
      }
      case 'fsync': {
        const f = prng.chance(0.5) ? prng.pick(FILES) : prng.pick(DIRS);
        calls.push({ op: 'fsync', path: f });
        break;
      }
    }
    if (prng.chance(0.3)) calls.push({ op: 'fsync', path: prng.pick(FILES) });
  }
  return { name, calls };
}
