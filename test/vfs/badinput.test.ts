// Bad input, fuzzed with a seeded PRNG (issue 3 "Proof"): NUL in paths, empty and non-string paths,
// 256-byte names, 4097-byte paths, negative/NaN/huge offsets and lengths, unknown flags and modes,
// bad descriptors. Every call must throw an FsError (never another exception) and leave the tree
// exactly as it was — the test compares the whole tree, not only the error.
import t from 'tap';
import { setup, put, tree, user } from './helpers.js';
import { Prng } from '../../src/sim/prng.js';
import { FsError } from '../../vfs/errno.js';
import type { Process } from '../../vfs/process.js';
import { O_RDONLY, O_RDWR, O_WRONLY } from '../../vfs/constants.js';

const SEED = 0x5eed;

function badPath(r: Prng): string {
  switch (r.below(9)) {
    case 0: return '';
    case 1: return '/d/a\0b';
    case 2: return '/' + 'n'.repeat(256);
    case 3: return '/d/' + 'é'.repeat(128);
    case 4: return '/' + 'p/'.repeat(2049);
    case 5: return 42 as unknown as string;
    case 6: return '/f/x';
    case 7: return '/missing/x';
    default: return '/d/' + 'q'.repeat(256) + '/x';
  }
}

/** Not an id (-1 means "unchanged" to chown) nor a time (-1 is 1969). */
function badIdOrTime(r: Prng): number {
  return [NaN, Infinity, 1.5, 2 ** 64, -2][r.below(5)]!;
}

function badPathTarget(r: Prng): string {
  return ['', 'a\0b', 'x'.repeat(4096), 7 as unknown as string][r.below(4)]!;
}

function badNumber(r: Prng): number {
  return [-1, NaN, Infinity, -Infinity, 1.5, 2 ** 64, -(2 ** 53), 2 ** 53][r.below(8)]!;
}

type Call = (p: Process, r: Prng, fds: { ro: number; wo: number; dir: number }) => unknown;

const calls: Call[] = [
  (p, r) => p.open(badPath(r), O_RDWR | 0o100, 0o644),
  (p, r) => p.mkdir(badPath(r), 0o755),
  (p, r) => p.mkdir('/d/new', badNumber(r)),
  (p, r) => p.mknod(badPath(r), 0o100644, 0),
  (p, r) => p.mknod('/d/n', [0o170000, 0o040755, 0o110000][r.below(3)]!, 0),
  (p, r) => p.mknod('/d/n', 0o010644, badNumber(r)),
  (p, r) => p.unlink(badPath(r)),
  (p, r) => p.rmdir(badPath(r)),
  (p, r) => p.rename(badPath(r), '/d/x'),
  (p, r) => p.rename('/f', badPath(r)),
  (p, r) => p.rename('/f', '/g', [8, -1, 3, 1.5, 6][r.below(5)]!),
  (p, r) => p.link('/f', badPath(r)),
  (p, r) => p.symlink(badPathTarget(r), '/d/l'),
  (p, r) => p.symlink('/f', badPath(r)),
  (p, r) => p.chmod(badPath(r), 0o777),
  (p, r) => p.chmod('/f', badNumber(r)),
  (p, r) => p.chown('/f', badIdOrTime(r), 0),
  (p, r) => p.chown('/f', 0, badIdOrTime(r)),
  (p, r) => p.truncate('/f', badNumber(r)),
  (p, r) => p.truncate(badPath(r), 0),
  (p, r) => p.utimensat('/f', { sec: 1, nsec: [-1, 1e9, NaN, 1.5][r.below(4)]! }, { sec: 1, nsec: 0 }),
  (p, r) => p.utimensat('/f', { sec: [NaN, Infinity, 1.5, 2 ** 64][r.below(4)]!, nsec: 0 }, { sec: 1, nsec: 0 }),
  (p, r) => p.utimensat('/f', { sec: 1, nsec: 0 }, { sec: 1, nsec: 0 }, 0x8000 | r.below(4)),
  (p, r) => p.access('/f', 8 + r.below(8)),
  (p, r, fds) => p.write(fds.wo, new Uint8Array(8), 0, 8, badNumber(r)),
  (p, r, fds) => p.write(fds.wo, new Uint8Array(8), r.below(16) + 1, 8, 0),
  (p, r, fds) => p.write(fds.wo, new Uint8Array(8), 0, badNumber(r), 0),
  (p, r, fds) => p.write(fds.ro, new Uint8Array(8), 0, 8, null),
  (p, r, fds) => p.read(fds.dir, new Uint8Array(8), 0, 8, null),
  (p, r, fds) => p.read(fds.ro, new Uint8Array(8), 0, 8, badNumber(r)),
  (p, r, fds) => p.ftruncate(fds.wo, badNumber(r)),
  (p, r, fds) => p.ftruncate(fds.ro, 0),
  (p, r, fds) => p.lseek(fds.ro, badNumber(r), 0),
  (p, r, fds) => p.lseek(fds.ro, 0, 5 + r.below(100)),
  (p, r, fds) => p.fallocate(fds.wo, 0, badNumber(r), 10),
  (p, r, fds) => p.fallocate(fds.wo, 0x100 | r.below(4), 0, 10),
  (p, r) => p.read(100 + r.below(100), new Uint8Array(1), 0, 1, null),
  (p, r) => p.write(badNumber(r), new Uint8Array(1), 0, 1, null),
  (p, r) => p.close(badNumber(r)),
  (p, r, fds) => p.dup2(fds.ro, badNumber(r)),
  (p, r) => p.fchmod(badNumber(r), 0o600),
  (p, r, fds) => p.getdents(fds.ro),
  (p, r) => p.readlink(['/f', '/d', badPath(r)][r.below(3)]!),
  (p, r) => p.chdir(['/f', badPath(r)][r.below(2)]!),
  (p, r) => p.stat(badPath(r)),
  (p, r) => p.readdir(['/f', badPath(r)][r.below(2)]!),
];

t.test(`bad input: FsError and an unchanged tree (seed ${SEED}, 2000 calls as root and as a user)`, async (t) => {
  const { vfs, p } = setup();
  p.mkdir('/d', 0o755);
  put(p, '/f', 'contents');
  p.symlink('/f', '/l');
  const before = tree(p);
  const r = new Prng(SEED);
  const procs = [p, user(vfs, 1000)];
  const fds = { ro: p.open('/f', O_RDONLY), wo: p.open('/f', O_WRONLY), dir: p.open('/d', O_RDONLY) };
  const u = procs[1]!;
  const ufds = { ro: u.open('/f', O_RDONLY), wo: u.open('/d', O_RDONLY), dir: u.open('/d', O_RDONLY) };
  let errors = 0;
  const other: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const k = r.below(calls.length);
    const who = r.below(2);
    try {
      calls[k]!(procs[who]!, r, who === 0 ? fds : ufds);
      other.push(`call ${k} succeeded`);
    } catch (e) {
      if (e instanceof FsError) errors++;
      else other.push(`call ${k}: ${String(e)}`);
    }
  }
  t.same(other, [], 'every bad call threw an FsError');
  t.equal(errors, 2000);
  t.same(tree(p), before, 'the tree is unchanged');
});
