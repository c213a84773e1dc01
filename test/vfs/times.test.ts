// Timestamps: which call moves which time (Linux tmpfs: mm/shmem.c, fs/libfs.c; relatime in
// fs/inode.c), nanosecond values from the virtual clock, and determinism (DESIGN.md).
import t from 'tap';
import { setup, put, enc } from './helpers.js';
import { Vfs } from '../../vfs/vfs.js';
import { Clock, VIRTUAL_EPOCH_NS } from '../../src/sim/clock.js';
import { OSV_AARCH64_KVM } from '../../src/sim/profile.js';
import { O_RDONLY, O_WRONLY, O_CREAT } from '../../vfs/constants.js';
import type { Stat } from '../../vfs/syscalls.js';
import { ramfs } from './helpers.js';

const ns = (s: Stat, k: 'a' | 'm' | 'c'): number =>
  (k === 'a' ? s.atimeSec : k === 'm' ? s.mtimeSec : s.ctimeSec) * 1e9 +
  (k === 'a' ? s.atimeNsec : k === 'm' ? s.mtimeNsec : s.ctimeNsec);

function moved(t: Tap.Test, before: Stat, after: Stat, want: string, what: string): void {
  const got = (['a', 'm', 'c'] as const).filter((k) => ns(after, k) !== ns(before, k)).join('');
  t.equal(got, want, what);
}
import type * as Tap from 'tap';

t.test('times come from the virtual clock, start at the virtual epoch, and every call charges vfsCallNs', async (t) => {
  const clock = new Clock();
  const vfs = new Vfs({ root: ramfs(), clock });
  const p = vfs.root;
  put(p, '/f', 'x');
  const s = p.stat('/f');
  t.ok(s.mtimeSec >= VIRTUAL_EPOCH_NS / 1e9 && s.mtimeSec < VIRTUAL_EPOCH_NS / 1e9 + 10, 'near 2026-01-01');
  t.ok(Number.isInteger(s.mtimeNsec) && s.mtimeNsec >= 0 && s.mtimeNsec < 1e9, 'integer nanoseconds');
  const t0 = clock.now;
  p.stat('/f');
  t.ok(clock.now - t0 >= OSV_AARCH64_KVM.kernel.vfsCallNs, 'a stat charged at least one call');
  clock.advance(5e9);
  p.utimensat('/f', { sec: 0, nsec: (1 << 30) - 1 }, { sec: 0, nsec: (1 << 30) - 1 });
  t.ok(p.stat('/f').mtimeSec - s.mtimeSec >= 5, 'advancing the clock moves later timestamps (pjdfstest sleep)');
});

t.test('the same calls give the same timestamps (determinism)', async (t) => {
  const run = (): number[] => {
    const vfs = new Vfs({ root: ramfs() });
    const p = vfs.root;
    p.mkdir('/d', 0o755);
    put(p, '/d/f', 'abc');
    p.rename('/d/f', '/g');
    const a = p.stat('/g'), b = p.stat('/d');
    return [a.mtimeSec, a.mtimeNsec, a.ctimeNsec, b.mtimeNsec, b.ctimeNsec];
  };
  t.same(run(), run());
});

t.test('create: new node all times now; parent mtime+ctime (tmpfs shmem_mknod)', async (t) => {
  const { p } = setup();
  p.mkdir('/d', 0o755);
  const d0 = p.stat('/d');
  put(p, '/d/f', '');
  const f = p.stat('/d/f');
  moved(t, d0, p.stat('/d'), 'mc', 'parent of a new file');
  t.equal(ns(f, 'a'), ns(f, 'm'));
  t.equal(ns(f, 'c'), ns(f, 'm'));
  t.ok(ns(f, 'm') > ns(d0, 'm'), 'after the parent\'s old time');
  for (const [what, op] of [
    ['mkdir', () => p.mkdir('/d/sub', 0o755)],
    ['symlink', () => p.symlink('x', '/d/l')],
    ['mknod', () => p.mknod('/d/p', 0o010644, 0)],
  ] as const) {
    const before = p.stat('/d');
    op();
    moved(t, before, p.stat('/d'), 'mc', `parent after ${what}`);
  }
});

t.test('unlink/rmdir: parent mtime+ctime, an unlinked inode with other names ctime', async (t) => {
  const { p } = setup();
  put(p, '/f', 'x');
  p.link('/f', '/g');
  const r0 = p.stat('/'), f0 = p.stat('/g');
  p.unlink('/f');
  moved(t, r0, p.stat('/'), 'mc', 'parent');
  moved(t, f0, p.stat('/g'), 'c', 'the other name\'s inode');
  p.mkdir('/d', 0o755);
  const r1 = p.stat('/');
  p.rmdir('/d');
  moved(t, r1, p.stat('/'), 'mc', 'rmdir parent');
});

t.test('link: inode ctime, parent mtime+ctime (tmpfs shmem_link)', async (t) => {
  const { p } = setup();
  p.mkdir('/d', 0o755);
  put(p, '/f', 'x');
  const f0 = p.stat('/f'), d0 = p.stat('/d');
  p.link('/f', '/d/h');
  moved(t, f0, p.stat('/f'), 'c', 'inode');
  moved(t, d0, p.stat('/d'), 'mc', 'new parent');
});

t.test('write and truncate: mtime+ctime; zero-length write nothing; chmod/chown: ctime only', async (t) => {
  const { p } = setup();
  put(p, '/f', 'x');
  let s = p.stat('/f');
  const fd = p.open('/f', O_WRONLY);
  p.write(fd, enc('y'), 0, 1, null);
  moved(t, s, p.stat('/f'), 'mc', 'write');
  s = p.stat('/f');
  p.write(fd, enc('y'), 0, 0, null);
  moved(t, s, p.stat('/f'), '', 'zero-length write');
  s = p.stat('/f');
  p.ftruncate(fd, 10);
  moved(t, s, p.stat('/f'), 'mc', 'ftruncate');
  s = p.stat('/f');
  p.truncate('/f', 10);
  moved(t, s, p.stat('/f'), 'mc', 'truncate to the same size (Linux 6.18 tmpfs, measured)');
  p.close(fd);
  s = p.stat('/f');
  p.chmod('/f', 0o600);
  moved(t, s, p.stat('/f'), 'c', 'chmod');
  s = p.stat('/f');
  p.chown('/f', 5, 5);
  moved(t, s, p.stat('/f'), 'c', 'chown');
  s = p.stat('/f');
  p.close(p.open('/f', O_WRONLY | 0o1000));
  moved(t, s, p.stat('/f'), 'mc', 'O_TRUNC');
  s = p.stat('/f');
  p.close(p.open('/f', O_WRONLY | O_CREAT, 0o644));
  moved(t, s, p.stat('/f'), '', 'open of an existing file with O_CREAT changes nothing');
});

t.test('reads: atime by relatime (update only when atime <= mtime/ctime or a day old)', async (t) => {
  const { vfs, p } = setup();
  put(p, '/f', 'abc');
  const b = new Uint8Array(3);
  let s = p.stat('/f');
  const fd = p.open('/f', O_RDONLY);
  p.read(fd, b, 0, 3, 0);
  moved(t, s, p.stat('/f'), 'a', 'first read after a write');
  s = p.stat('/f');
  p.read(fd, b, 0, 3, 0);
  moved(t, s, p.stat('/f'), '', 'second read: relatime skips');
  vfs.clock.advance(24 * 3600 * 1e9);
  s = p.stat('/f');
  p.read(fd, b, 0, 3, 0);
  moved(t, s, p.stat('/f'), 'a', 'a day later it updates again');
  s = p.stat('/f');
  p.read(fd, b, 0, 0, 0);
  moved(t, s, p.stat('/f'), '', 'zero-length read');
  p.close(fd);
  p.mkdir('/d', 0o755);
  s = p.stat('/d');
  p.readdir('/d');
  moved(t, s, p.stat('/d'), 'a', 'readdir sets the directory atime');
  s = p.stat('/');
  p.stat('/f');
  p.lstat('/f');
  p.access('/f', 4);
  moved(t, s, p.stat('/'), '', 'lookups change no times');
});
