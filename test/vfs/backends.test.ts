// The VFS over two different backends: ramfs and MapFs (test/vfs/mapfs.ts, a user-style backend written
// only from vfs/backend.ts). The same seeded operation sequence must give the same result or errno at
// every step and the same final tree on both: every POSIX rule lives in the VFS, once (DESIGN.md).
import t from 'tap';
import { Vfs } from '../../vfs/vfs.js';
import { FsError } from '../../vfs/errno.js';
import { Prng } from '../../src/sim/prng.js';
import { MapFs } from './mapfs.js';
import { ramfs, tree, put, get, errno } from './helpers.js';
import type { Process } from '../../vfs/process.js';
import type { Backend } from '../../vfs/backend.js';
import { O_APPEND, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, RENAME_EXCHANGE, RENAME_NOREPLACE } from '../../vfs/constants.js';

const NAMES = ['a', 'b', 'c', 'a/x', 'a/y', 'b/x', 'a/x/z', 'l', 'a/l'];
const SEED = 20261125;

function step(p: Process, r: Prng): string {
  const n = () => '/' + NAMES[r.below(NAMES.length)]!;
  const data = new Uint8Array(r.below(64)).fill(97 + r.below(26));
  try {
    switch (r.below(14)) {
      case 0: p.mkdir(n(), 0o755); return 'ok';
      case 1: { const fd = p.open(n(), [O_CREAT | O_WRONLY, O_CREAT | O_EXCL | O_RDWR, O_WRONLY | O_TRUNC, O_WRONLY | O_APPEND][r.below(4)]!, 0o644); p.write(fd, data, 0, data.length, r.chance(0.5) ? null : r.below(100)); p.close(fd); return 'ok'; }
      case 2: p.unlink(n()); return 'ok';
      case 3: p.rmdir(n()); return 'ok';
      case 4: p.rename(n(), n(), [0, 0, RENAME_NOREPLACE, RENAME_EXCHANGE][r.below(4)]); return 'ok';
      case 5: p.link(n(), n()); return 'ok';
      case 6: p.symlink(['a', '/b', 'a/x', '../c'][r.below(4)]!, n()); return 'ok';
      case 7: p.truncate(n(), r.below(100)); return 'ok';
      case 8: p.chmod(n(), r.below(0o1000)); return 'ok';
      // A directory's st_size is the backend's own business (tmpfs counts 20 bytes an entry).
      case 9: { const s = p.stat(n()); return `${s.mode.toString(8)} ${(s.mode & 0o170000) === 0o040000 ? '-' : s.size} ${s.nlink}`; }
      case 10: { const s = p.lstat(n()); return `${s.mode.toString(8)} ${(s.mode & 0o170000) === 0o040000 ? '-' : s.size} ${s.nlink}`; }
      case 11: return p.readdir(n()).map((e) => `${e.name}:${e.type}`).sort().join(',');
      case 12: { const fd = p.open(n(), O_RDONLY); const b = new Uint8Array(200); const k = p.read(fd, b, 0, 200, null); p.close(fd); return String(k); }
      default: return p.readlink(n());
    }
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
}

function run(backend: Backend, steps: number): { log: string[]; tree: string[] } {
  const vfs = new Vfs({ root: backend });
  const p = vfs.root;
  const r = new Prng(SEED);
  const log: string[] = [];
  for (let i = 0; i < steps; i++) log.push(step(p, r));
  // Directory sizes are backend-specific: blank them.
  return { log, tree: tree(p).map((l) => l.replace(/^(\S+ 40\d+ \d+ \d+) \d+/, '$1 -')) };
}

t.test(`ramfs and MapFs agree step by step (seed ${SEED}, 3000 operations)`, async (t) => {
  const a = run(ramfs(), 3000);
  const b = run(new MapFs(), 3000);
  const firstDiff = a.log.findIndex((x, i) => x !== b.log[i]);
  t.equal(firstDiff, -1, firstDiff === -1 ? 'same results' : `step ${firstDiff}: ramfs ${a.log[firstDiff]} vs MapFs ${b.log[firstDiff]}`);
  t.same(a.tree, b.tree, 'same final tree');
  t.ok(new Set(a.log).size > 10, 'the sequence exercised many outcomes');
  t.ok(a.log.filter((x) => x === 'ok').length > 300, 'and many successes');
});

t.test('MapFs: unlink while open, inactive at last close; a mount of one inside the other', async (t) => {
  const m = new MapFs();
  const vfs = new Vfs({ root: ramfs() });
  const p = vfs.root;
  p.mkdir('/m', 0o755);
  p.mount('/m', m);
  put(p, '/m/f', 'mapfs data');
  const live = m.liveCount;
  const fd = p.open('/m/f', O_RDONLY);
  p.unlink('/m/f');
  t.equal(m.liveCount, live, 'kept while open');
  const b = new Uint8Array(10);
  p.read(fd, b, 0, 10, 0);
  t.equal(new TextDecoder().decode(b), 'mapfs data');
  p.close(fd);
  t.equal(m.liveCount, live - 1, 'inactive at the last close');
  p.mkdir('/m/d', 0o755);
  put(p, '/m/d/g', 'g');
  errno(t, () => p.rename('/m/d', '/m/d/sub'), 'EINVAL', 'rename rules hold on MapFs too');
  t.equal(get(p, '/m/d/g'), 'g');
  t.equal(p.stat('/m/d').nlink, 2);
});
