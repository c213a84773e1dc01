// rename(2)/renameat2(2) rules as Linux applies them (fs/namei.c do_renameat2, vfs_rename), with the
// memfs/ZenFS regressions named in issue 3.
import t from 'tap';
import { setup, errno, put, get, tree, user, ramfs } from './helpers.js';
import { RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT, S_IFDIR, S_IFLNK } from '../../vfs/constants.js';

t.test('a directory into its own subtree is EINVAL (regression)', async (t) => {
  const { p } = setup();
  p.mkdir('/a', 0o755);
  p.mkdir('/a/b', 0o755);
  const before = tree(p);
  errno(t, () => p.rename('/a', '/a/b/c'), 'EINVAL', 'into its grandchild', 'rename');
  errno(t, () => p.rename('/a', '/a/c'), 'EINVAL', 'into its child');
  errno(t, () => p.rename('/a/b', '/a/b/c'), 'EINVAL', 'into itself');
  t.same(tree(p), before, 'tree unchanged');
});

t.test('a directory onto an ancestor of itself is ENOTEMPTY', async (t) => {
  const { p } = setup();
  p.mkdir('/a', 0o755);
  p.mkdir('/a/b', 0o755);
  errno(t, () => p.rename('/a/b', '/a'), 'ENOTEMPTY', 'onto its parent');
  errno(t, () => p.rename('/a/b', '/a', RENAME_EXCHANGE), 'EINVAL', 'exchange with its parent');
});

t.test('over a non-empty directory is ENOTEMPTY; over an empty one replaces it (regression)', async (t) => {
  const { p, fs } = setup();
  p.mkdir('/src', 0o755);
  put(p, '/src/keep', 'k');
  p.mkdir('/full', 0o755);
  put(p, '/full/x', 'x');
  const before = tree(p);
  errno(t, () => p.rename('/src', '/full'), 'ENOTEMPTY', 'non-empty target');
  t.same(tree(p), before, 'unchanged');
  p.mkdir('/empty', 0o755);
  const ino = p.stat('/empty').ino;
  p.rename('/src', '/empty');
  t.equal(get(p, '/empty/keep'), 'k');
  errno(t, () => p.stat('/src'), 'ENOENT', 'the source name is gone');
  t.ok(fs.inactivated.includes(ino), 'the replaced directory is freed');
});

t.test('type mismatches: EISDIR (file over dir), ENOTDIR (dir over file)', async (t) => {
  const { p } = setup();
  p.mkdir('/d', 0o755);
  put(p, '/f', 'x');
  errno(t, () => p.rename('/f', '/d'), 'EISDIR', 'file over directory');
  errno(t, () => p.rename('/d', '/f'), 'ENOTDIR', 'directory over file');
  errno(t, () => p.rename('/f/', '/g'), 'ENOTDIR', 'trailing slash on a file source');
  errno(t, () => p.rename('/f', '/g/'), 'ENOTDIR', 'trailing slash on the target of a file');
  p.rename('/d/', '/e/');
  t.equal(p.stat('/e').mode & 0o170000, S_IFDIR, 'trailing slashes are fine on directories');
  errno(t, () => p.rename('/nope', '/x'), 'ENOENT', 'missing source');
  errno(t, () => p.rename('/f', '/nodir/x'), 'ENOENT', 'missing target directory');
});

t.test('a symlink is renamed, not its target (regression)', async (t) => {
  const { p } = setup();
  p.mkdir('/d', 0o755);
  put(p, '/d/f', 'data');
  p.symlink('/d', '/ld');
  p.symlink('/d/f', '/lf');
  p.rename('/ld', '/ld2');
  p.rename('/lf', '/lf2');
  t.equal(p.lstat('/ld2').mode & 0o170000, S_IFLNK);
  t.equal(p.readlink('/lf2'), '/d/f');
  t.equal(get(p, '/d/f'), 'data', 'target untouched');
  t.equal(p.stat('/d').mode & 0o170000, S_IFDIR);
  put(p, '/other', 'o');
  p.rename('/other', '/lf2');
  t.equal(p.lstat('/lf2').mode & 0o170000, 0o100000, 'renaming over a symlink replaces the link');
  t.equal(get(p, '/d/f'), 'data', 'not its target');
});

t.test('onto a hard link of itself: success, nothing changes (rename(2))', async (t) => {
  const { p } = setup();
  put(p, '/a', 'x');
  p.link('/a', '/b');
  const ctime = p.stat('/a').ctimeNsec;
  p.rename('/a', '/b');
  t.equal(p.stat('/a').nlink, 2, 'both names remain');
  t.equal(p.stat('/b').nlink, 2);
  t.equal(p.stat('/a').ctimeNsec, ctime, 'not even ctime moves');
  p.rename('/a', '/a');
  t.equal(get(p, '/a'), 'x', 'onto itself');
});

t.test('RENAME_NOREPLACE and RENAME_EXCHANGE (renameat2(2))', async (t) => {
  const { p } = setup();
  put(p, '/a', 'A');
  put(p, '/b', 'B');
  errno(t, () => p.rename('/a', '/b', RENAME_NOREPLACE), 'EEXIST', 'NOREPLACE onto an existing name');
  p.rename('/a', '/c', RENAME_NOREPLACE);
  t.equal(get(p, '/c'), 'A');
  p.rename('/b', '/c', RENAME_EXCHANGE);
  t.equal(get(p, '/c'), 'B');
  t.equal(get(p, '/b'), 'A');
  errno(t, () => p.rename('/b', '/zz', RENAME_EXCHANGE), 'ENOENT', 'EXCHANGE with a missing target');
  errno(t, () => p.rename('/b', '/c', RENAME_EXCHANGE | RENAME_NOREPLACE), 'EINVAL', 'both flags');
  errno(t, () => p.rename('/b', '/c', 8), 'EINVAL', 'unknown flag');
  errno(t, () => p.rename('/b', '/c', RENAME_WHITEOUT), 'EINVAL', 'WHITEOUT: no backend has whiteouts');
  p.mkdir('/d', 0o755);
  put(p, '/d/in', 'in');
  p.rename('/b', '/d', RENAME_EXCHANGE);
  t.equal(get(p, '/d'), 'A', 'a file and a directory exchanged');
  t.equal(get(p, '/b/in'), 'in');
  errno(t, () => p.rename('/d', '/.', RENAME_NOREPLACE), 'EEXIST', 'NOREPLACE onto "."');
});

t.test('"." and ".." and "/" are EBUSY as either name (do_renameat2: LAST_NORM only)', async (t) => {
  const { p } = setup();
  p.mkdir('/d', 0o755);
  p.mkdir('/d/s', 0o755);
  errno(t, () => p.rename('/d/s/.', '/x'), 'EBUSY', 'old "."');
  errno(t, () => p.rename('/d/s/..', '/x'), 'EBUSY', 'old ".."');
  errno(t, () => p.rename('/', '/x'), 'EBUSY', 'old "/"');
  errno(t, () => p.rename('/d/s', '/d/.'), 'EBUSY', 'new "."');
});

t.test('EXDEV across mounts; EBUSY for a mount point', async (t) => {
  const { p } = setup();
  p.mkdir('/m', 0o755);
  put(p, '/f', 'x');
  p.mount('/m', ramfs());
  errno(t, () => p.rename('/f', '/m/f'), 'EXDEV', 'across mounts');
  errno(t, () => p.link('/f', '/m/f'), 'EXDEV', 'link across mounts');
  errno(t, () => p.rename('/m', '/m2'), 'EBUSY', 'renaming a mount point (is_local_mountpoint)');
  p.mkdir('/outer', 0o755);
  p.mkdir('/outer/m', 0o755);
  p.mount('/outer/m', ramfs());
  errno(t, () => p.rmdir('/outer/m'), 'EBUSY', 'rmdir of a mount point');
  p.mkdir('/outer2', 0o755);
  p.rename('/outer', '/outer2/o');
  t.ok(p.stat('/outer2/o/m'), 'the mount moved with its parent');
  t.not(p.stat('/outer2/o/m').dev, p.stat('/').dev, 'still mounted');
});

t.test('permissions: write+search on both parents, sticky bit, moving a directory needs write on it', async (t) => {
  const { vfs, p } = setup();
  p.mkdir('/pub', 0o777);
  p.chmod('/pub', 0o777);
  p.mkdir('/ro', 0o755);
  p.mkdir('/sticky', 0o777);
  p.chmod('/sticky', 0o1777);
  const u = user(vfs, 1000);
  const w = user(vfs, 2000);
  put(u, '/pub/f', 'u');
  errno(t, () => u.rename('/pub/f', '/ro/f'), 'EACCES', 'no write on the target dir');
  put(p, '/ro/g', 'r');
  errno(t, () => u.rename('/ro/g', '/pub/g'), 'EACCES', 'no write on the source dir');
  put(u, '/sticky/mine', 'm');
  errno(t, () => w.rename('/sticky/mine', '/sticky/stolen'), 'EPERM', 'sticky: not the owner');
  errno(t, () => w.unlink('/sticky/mine'), 'EPERM', 'sticky unlink');
  put(w, '/sticky/theirs', 't');
  errno(t, () => u.rename('/sticky/mine', '/sticky/theirs'), 'EPERM', 'sticky: replacing another user\'s file');
  p.rename('/sticky/mine', '/sticky/byroot');
  u.rename('/sticky/byroot', '/sticky/back');
  t.equal(get(p, '/sticky/back'), 'm', 'the owner may rename in a sticky dir');
  u.mkdir('/pub/ud', 0o555);
  u.mkdir('/pub/other', 0o777);
  u.chmod('/pub/other', 0o777);
  errno(t, () => u.rename('/pub/ud', '/pub/other/ud'), 'EACCES', 'a directory changing parent needs write on itself (..)');
  u.rename('/pub/ud', '/pub/ud2');
  t.ok(u.stat('/pub/ud2'), 'same parent: no write needed on it');
});

t.test('times: both parents mtime+ctime, the moved inode ctime, a replaced inode ctime (tmpfs)', async (t) => {
  const { p } = setup();
  p.mkdir('/a', 0o755);
  p.mkdir('/b', 0o755);
  put(p, '/a/f', 'x');
  put(p, '/b/g', 'y');
  p.link('/b/g', '/keep');
  const a0 = p.stat('/a'), b0 = p.stat('/b'), f0 = p.stat('/a/f'), g0 = p.stat('/keep');
  p.rename('/a/f', '/b/g');
  const a1 = p.stat('/a'), b1 = p.stat('/b'), f1 = p.stat('/b/g'), g1 = p.stat('/keep');
  const later = (x: { ctimeSec: number; ctimeNsec: number }, y: { ctimeSec: number; ctimeNsec: number }) =>
    x.ctimeSec * 1e9 + x.ctimeNsec > y.ctimeSec * 1e9 + y.ctimeNsec;
  t.ok(later(a1, a0) && a1.mtimeNsec !== a0.mtimeNsec, 'old parent');
  t.ok(later(b1, b0) && b1.mtimeNsec !== b0.mtimeNsec, 'new parent');
  t.ok(later(f1, f0), 'moved inode ctime');
  t.equal(f1.mtimeNsec, f0.mtimeNsec, 'moved inode mtime unchanged');
  t.ok(later(g1, g0), 'replaced inode ctime');
  t.equal(g1.nlink, 1, 'replaced inode lost a link');
});
