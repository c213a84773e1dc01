// Path walking: path_resolution(7), symlink(7), and Linux fs/namei.c behaviour (trailing slashes,
// ELOOP after 40 links, ENAMETOOLONG at NAME_MAX/PATH_MAX bytes, `..` at the root and across mounts).
import t from 'tap';
import { setup, errno, put, get, ramfs, user } from './helpers.js';
import { O_CREAT, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY, O_WRONLY, S_IFDIR, S_IFLNK, S_IFREG } from '../../vfs/constants.js';

t.test('. and .. resolve; .. at / stays at / (path_resolution(7))', async (t) => {
  const { p } = setup();
  p.mkdir('/a', 0o755);
  p.mkdir('/a/b', 0o755);
  put(p, '/a/b/f', 'x');
  t.equal(p.stat('/a/./b/../b/f').ino, p.stat('/a/b/f').ino);
  t.equal(p.stat('/../../a').ino, p.stat('/a').ino, '.. of / is /');
  t.equal(p.realpath('/a/b/../../a/./b'), '/a/b');
  t.equal(p.stat('//a///b//f').ino, p.stat('/a/b/f').ino, 'repeated slashes are one');
  p.chdir('/a/b');
  t.equal(p.getcwd(), '/a/b');
  t.equal(get(p, 'f'), 'x', 'relative to cwd');
  t.equal(get(p, '../b/./f'), 'x');
  t.equal(p.realpath('..'), '/a');
});

t.test('empty path is ENOENT; NUL byte EINVAL (documented choice)', async (t) => {
  const { p } = setup();
  errno(t, () => p.stat(''), 'ENOENT', 'stat("")', 'stat');
  errno(t, () => p.open('', O_RDONLY), 'ENOENT', 'open("")');
  errno(t, () => p.mkdir('a\0b', 0o755), 'EINVAL', 'NUL in path');
  errno(t, () => p.stat(42 as unknown as string), 'EFAULT', 'non-string path');
  t.same(p.readdir('/'), [], 'nothing created');
});

t.test('ENOTDIR: a file used as a directory (path_resolution(7))', async (t) => {
  const { p } = setup();
  put(p, '/f', 'x');
  errno(t, () => p.stat('/f/x'), 'ENOTDIR', 'file/x');
  errno(t, () => p.stat('/f/'), 'ENOTDIR', 'file/ (trailing slash)');
  errno(t, () => p.stat('/f/.'), 'ENOTDIR', 'file/.');
  errno(t, () => p.mkdir('/f/d', 0o755), 'ENOTDIR', 'mkdir under a file');
  errno(t, () => p.stat('/nope/x'), 'ENOENT', 'missing intermediate');
});

t.test('ENAMETOOLONG: names over 255 UTF-8 bytes, paths of 4096 bytes or more', async (t) => {
  const { p } = setup();
  const n255 = 'a'.repeat(255);
  put(p, '/' + n255, 'ok');
  t.equal(get(p, '/' + n255), 'ok', '255-byte name works');
  errno(t, () => put(p, '/' + 'a'.repeat(256), 'x'), 'ENAMETOOLONG', '256-byte name');
  errno(t, () => p.stat('/' + 'b'.repeat(256)), 'ENAMETOOLONG', 'lookup of a 256-byte name');
  // 'é' is 2 bytes in UTF-8: 128 of them are 256 bytes though only 128 UTF-16 units.
  errno(t, () => p.mkdir('/' + 'é'.repeat(128), 0o755), 'ENAMETOOLONG', '128 x é = 256 bytes');
  p.mkdir('/' + 'é'.repeat(127), 0o755);
  t.ok(p.stat('/' + 'é'.repeat(127)), '127 x é = 254 bytes works');
  // 4095 bytes (+ NUL = PATH_MAX) is allowed; 4096 is not.
  const seg = 'c'.repeat(200);
  let path = '';
  while (path.length + 201 < 4095) path += '/' + seg;
  path += '/' + 'd'.repeat(4095 - path.length - 1);
  t.equal(path.length, 4095);
  errno(t, () => p.stat(path), 'ENOENT', '4095-byte path is walked');
  errno(t, () => p.stat(path + 'e'), 'ENAMETOOLONG', '4096-byte path');
  errno(t, () => p.stat('/' + 'é'.repeat(2048)), 'ENAMETOOLONG', '2049 units, 4097 bytes');
});

t.test('symlinks: relative, absolute, chained, in the middle and at the end (symlink(7))', async (t) => {
  const { p } = setup();
  p.mkdir('/d', 0o755);
  p.mkdir('/d/e', 0o755);
  put(p, '/d/e/f', 'data');
  p.symlink('e', '/d/rel');
  p.symlink('/d/e', '/abs');
  p.symlink('../rel/f', '/d/e/up');
  p.symlink('/abs/up', '/chain');
  t.equal(get(p, '/d/rel/f'), 'data', 'relative link in the middle');
  t.equal(get(p, '/abs/f'), 'data', 'absolute link in the middle');
  t.equal(get(p, '/chain'), 'data', 'chain of links, relative to each link');
  t.equal(p.lstat('/chain').mode & 0o170000, S_IFLNK, 'lstat does not follow the last');
  t.equal(p.stat('/chain').mode & 0o170000, S_IFREG, 'stat follows');
  t.equal(p.lstat('/abs/f').mode & 0o170000, S_IFREG, 'lstat follows links before the last');
  t.equal(p.readlink('/d/rel'), 'e');
  t.equal(p.realpath('/chain'), '/d/e/f');
  t.equal(p.lstat('/d/rel').size, 1, 'a symlink size is its target length');
});

t.test('ELOOP after 40 links; a loop is ELOOP (MAXSYMLINKS)', async (t) => {
  const { p } = setup();
  put(p, '/f', 'x');
  p.symlink('/f', '/l0');
  for (let i = 1; i <= 40; i++) p.symlink(`/l${i - 1}`, `/l${i}`);
  t.equal(get(p, '/l39'), 'x', '40 links followed');
  errno(t, () => p.stat('/l40'), 'ELOOP', '41 links');
  p.symlink('/loopb', '/loopa');
  p.symlink('/loopa', '/loopb');
  errno(t, () => p.stat('/loopa'), 'ELOOP', 'a loop');
  errno(t, () => p.stat('/loopa/x'), 'ELOOP', 'a loop in the middle');
  t.equal(p.lstat('/loopa').mode & 0o170000, S_IFLNK, 'lstat of a loop works');
});

t.test('O_NOFOLLOW on a final symlink is ELOOP; O_PATH|O_NOFOLLOW opens the link (open(2))', async (t) => {
  const { p } = setup();
  put(p, '/f', 'x');
  p.symlink('/f', '/l');
  errno(t, () => p.open('/l', O_RDONLY | O_NOFOLLOW), 'ELOOP', 'O_NOFOLLOW');
  const fd = p.open('/l', O_PATH | O_NOFOLLOW);
  t.equal(p.fstat(fd).mode & 0o170000, S_IFLNK, 'O_PATH|O_NOFOLLOW refers to the link');
  p.close(fd);
  p.mkdir('/d', 0o755);
  p.symlink('/d', '/ld');
  const dfd = p.open('/ld/', O_RDONLY | O_NOFOLLOW);
  t.equal(p.fstat(dfd).mode & 0o170000, S_IFDIR, 'a trailing slash follows even with O_NOFOLLOW (Linux)');
  p.close(dfd);
});

t.test('trailing slashes (Linux fs/namei.c)', async (t) => {
  const { p } = setup();
  put(p, '/f', 'x');
  p.mkdir('/d/', 0o755);
  t.equal(p.stat('/d').mode & 0o170000, S_IFDIR, 'mkdir("d/") creates d');
  errno(t, () => p.open('/f/', O_RDONLY), 'ENOTDIR', 'open("file/")');
  errno(t, () => p.open('/new/', O_CREAT | O_WRONLY, 0o644), 'EISDIR', 'open("new/", O_CREAT)');
  errno(t, () => p.mknod('/n/', S_IFREG | 0o644, 0), 'ENOENT', 'mknod("n/")');
  errno(t, () => p.symlink('x', '/s/'), 'ENOENT', 'symlink(.., "s/")');
  errno(t, () => p.link('/f', '/h/'), 'ENOENT', 'link(.., "h/")');
  errno(t, () => p.mknod('/f/', S_IFREG | 0o644, 0), 'EEXIST', 'mknod("f/") of an existing name');
  errno(t, () => p.unlink('/f/'), 'ENOTDIR', 'unlink("file/")');
  errno(t, () => p.unlink('/d/'), 'EISDIR', 'unlink("dir/")');
  errno(t, () => p.unlink('/d'), 'EISDIR', 'unlink("dir")');
  errno(t, () => p.unlink('/none/'), 'ENOENT', 'unlink("missing/")');
  p.symlink('/d', '/ld');
  p.symlink('/nowhere', '/dangling');
  errno(t, () => p.unlink('/ld/'), 'ENOTDIR', 'unlink("link-to-dir/") looks at the link');
  errno(t, () => p.rmdir('/ld/'), 'ENOTDIR', 'rmdir("link-to-dir/")');
  errno(t, () => p.readlink('/ld/'), 'EINVAL', 'readlink("link/") follows it');
  errno(t, () => p.open('/dangling/', O_RDONLY | O_NOFOLLOW), 'ENOENT', 'dangling/ is followed');
  errno(t, () => p.mkdir('/dangling/', 0o755), 'EEXIST', 'mkdir over a dangling link');
  errno(t, () => p.lstat('/f/'), 'ENOTDIR', 'lstat("file/")');
  t.equal(p.lstat('/ld/').mode & 0o170000, S_IFDIR, 'lstat("link/") follows');
  p.rmdir('/d/');
  errno(t, () => p.stat('/d'), 'ENOENT', 'rmdir("d/") removed d');
});

t.test('O_DIRECTORY on a non-directory is ENOTDIR; O_CREAT|O_DIRECTORY EINVAL (Linux 6.4+)', async (t) => {
  const { p } = setup();
  put(p, '/f', 'x');
  errno(t, () => p.open('/f', O_RDONLY | O_DIRECTORY), 'ENOTDIR', 'O_DIRECTORY');
  errno(t, () => p.open('/g', O_CREAT | O_DIRECTORY | O_WRONLY, 0o644), 'EINVAL', 'O_CREAT|O_DIRECTORY');
  errno(t, () => p.stat('/g'), 'ENOENT', 'nothing created');
});

t.test('.. climbs out of a mount; stepping on a covered directory enters the mount', async (t) => {
  const { vfs, p } = setup();
  p.mkdir('/mnt', 0o755);
  p.mkdir('/mnt/under', 0o755);
  const fs2 = ramfs();
  p.mount('/mnt', fs2);
  t.not(p.stat('/mnt').dev, p.stat('/').dev, 'the mount has its own st_dev');
  errno(t, () => p.stat('/mnt/under'), 'ENOENT', 'the covered tree is hidden');
  p.mkdir('/mnt/x', 0o755);
  t.equal(p.realpath('/mnt/x/..'), '/mnt');
  t.equal(p.realpath('/mnt/x/../..'), '/', '.. out of the mount root goes to the parent of the covered dir');
  t.equal(p.stat('/mnt/..').ino, p.stat('/').ino);
  const q = vfs.process({ cwd: '/mnt/x' });
  t.equal(q.getcwd(), '/mnt/x');
  q.exit();
});

t.test('__proto__ and constructor are ordinary names (memfs/ZenFS regressions)', async (t) => {
  const { p } = setup();
  for (const n of ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf']) {
    put(p, '/' + n, n);
    p.mkdir('/' + n + '.d', 0o755);
  }
  for (const n of ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf']) {
    t.equal(get(p, '/' + n), n, n);
    t.equal(p.stat('/' + n + '.d').mode & 0o170000, S_IFDIR);
  }
  errno(t, () => p.stat('/prototype'), 'ENOENT', 'no phantom names');
  t.equal(p.readdir('/').length, 10);
  p.rename('/__proto__', '/constructor');
  t.equal(get(p, '/constructor'), '__proto__');
  errno(t, () => p.stat('/__proto__'), 'ENOENT', 'the old name is gone');
});

t.test('search permission is needed on every directory of the path (path_resolution(7))', async (t) => {
  const { vfs, p } = setup();
  p.mkdir('/a', 0o755);
  p.mkdir('/a/b', 0o700);
  put(p, '/a/b/f', 'x');
  p.chmod('/a/b/f', 0o644);
  const u = user(vfs, 1000);
  errno(t, () => u.stat('/a/b/f'), 'EACCES', 'no x on /a/b');
  p.chmod('/a/b', 0o711);
  t.equal(u.stat('/a/b/f').size, 1, 'x without r is enough to pass through');
  errno(t, () => u.readdir('/a/b'), 'EACCES', 'but not to list');
  p.chmod('/a', 0o644);
  errno(t, () => u.stat('/a/b'), 'EACCES', 'no x on /a');
  errno(t, () => u.stat('/a/nothing'), 'EACCES', 'EACCES before ENOENT');
  t.ok(p.stat('/a/b/f'), 'root searches anything');
});

t.test('the dentry cache follows renames and removals (no stale names)', async (t) => {
  const { p } = setup();
  p.mkdir('/a', 0o755);
  p.mkdir('/a/b', 0o755);
  put(p, '/a/b/f', '1');
  t.equal(get(p, '/a/b/f'), '1');
  p.rename('/a', '/z');
  errno(t, () => p.stat('/a/b/f'), 'ENOENT', 'old path gone');
  t.equal(get(p, '/z/b/f'), '1', 'new path works');
  p.unlink('/z/b/f');
  errno(t, () => p.stat('/z/b/f'), 'ENOENT', 'unlinked');
  put(p, '/z/b/f', '2');
  t.equal(get(p, '/z/b/f'), '2', 'a new file under an old name');
  p.chdir('/z/b');
  p.rename('/z', '/y');
  t.equal(p.getcwd(), '/y/b', 'cwd follows its directory');
  p.chdir('/');
  p.unlink("/y/b/f");
  p.rmdir("/y/b/../b");
  errno(t, () => p.stat("/y/b"), "ENOENT", "rmdir through .. works");
});

t.test('remembered paths never outlive what made them true (path cache invalidation)', async (t) => {
  const { vfs, p } = setup();
  p.mkdir('/a', 0o755);
  put(p, '/a/f', 'x');
  const u = user(vfs, 1000);
  t.equal(u.stat('/a/f').size, 1, 'resolved once');
  t.equal(u.stat('/a/f').size, 1, 'and again (cached)');
  p.chmod('/a', 0o700);
  errno(t, () => u.stat('/a/f'), 'EACCES', 'chmod of a directory on the path');
  p.chmod('/a', 0o755);
  t.equal(u.stat('/a/f').size, 1);
  p.chown('/a', 5, 5);
  p.chmod('/a', 0o700);
  errno(t, () => u.stat('/a/f'), 'EACCES', 'after chown+chmod');
  t.equal(p.stat('/a/f').size, 1, 'root still resolves');
  p.unlink('/a/f');
  errno(t, () => p.stat('/a/f'), 'ENOENT', 'after unlink');
  p.mkdir('/m', 0o755);
  put(p, '/m/under', 'u');
  t.equal(get(p, '/m/under'), 'u');
  p.mount('/m', ramfs());
  errno(t, () => p.stat('/m/under'), 'ENOENT', 'after mount');
  put(p, '/m/over', 'o');
  t.ok(p.stat('/m/over'));
  p.umount('/m');
  errno(t, () => p.stat('/m/over'), 'ENOENT', 'after umount');
  t.equal(get(p, '/m/under'), 'u');
  p.symlink('/m', '/l');
  t.equal(p.stat('/l/under').size, 1);
  p.rename('/m', '/n');
  errno(t, () => p.stat('/l/under'), 'ENOENT', 'after rename of a directory a link points into');
  p.rmdir('/a');
  errno(t, () => p.stat('/a'), 'ENOENT', 'after rmdir');
});
