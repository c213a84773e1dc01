// Directories: mkdir(2), rmdir(2) and their errors, '..' after moves, RENAME_EXCHANGE of directories,
// getdents across a mount root, O_PATH descriptors with fchdir, dup2 past the table's end.
import t from 'tap';
import { setup, errno, put, get, ramfs } from './helpers.js';
import { O_PATH, O_RDONLY, O_DIRECTORY, RENAME_EXCHANGE } from '../../vfs/constants.js';

t.test('rmdir: ENOTEMPTY, ENOTDIR, EINVAL for ".", ENOTEMPTY for "..", EBUSY for "/" (rmdir(2), do_rmdir)', async (t) => {
  const { p } = setup();
  p.mkdir('/d', 0o755);
  put(p, '/d/f', 'x');
  errno(t, () => p.rmdir('/d'), 'ENOTEMPTY', 'non-empty', 'rmdir');
  errno(t, () => p.rmdir('/d/f'), 'ENOTDIR', 'a file');
  errno(t, () => p.rmdir('/d/.'), 'EINVAL', '"."');
  errno(t, () => p.rmdir('/d/..'), 'ENOTEMPTY', '".."');
  errno(t, () => p.rmdir('/'), 'EBUSY', '"/"');
  errno(t, () => p.rmdir('/none'), 'ENOENT', 'missing');
  errno(t, () => p.mkdir('/d', 0o755), 'EEXIST', 'mkdir of an existing name');
  errno(t, () => p.mkdir('/', 0o755), 'EEXIST', 'mkdir("/")');
  errno(t, () => p.mkdir('/d/..', 0o755), 'EEXIST', 'mkdir("d/..")');
  t.equal(p.stat('/d').nlink, 2, 'an empty-of-directories directory has nlink 2');
  p.mkdir('/d/s1', 0o755);
  p.mkdir('/d/s2', 0o755);
  t.equal(p.stat('/d').nlink, 4, 'each subdirectory adds one (its "..")');
  p.rmdir('/d/s1');
  t.equal(p.stat('/d').nlink, 3);
});

t.test('RENAME_EXCHANGE of two directories in different parents: names, ".." and nlink follow', async (t) => {
  const { p } = setup();
  p.mkdir('/a', 0o755);
  p.mkdir('/b', 0o755);
  p.mkdir('/a/x', 0o755);
  put(p, '/a/x/inx', 'x');
  put(p, '/b/y', 'file y');
  p.rename('/a/x', '/b/y', RENAME_EXCHANGE);
  t.equal(get(p, '/b/y/inx'), 'x', 'the directory moved to b');
  t.equal(get(p, '/a/x'), 'file y', 'the file moved to a');
  t.equal(p.stat('/b/y/..').ino, p.stat('/b').ino, '".." of the moved directory is its new parent');
  t.equal(p.stat('/a').nlink, 2, 'a lost a subdirectory');
  t.equal(p.stat('/b').nlink, 3, 'b gained one');
  t.equal(p.realpath('/b/y/../../a/x'), '/a/x');
});

t.test('getdents at a mount root: ".." is the directory above the mount point', async (t) => {
  const { p } = setup();
  p.mkdir('/top', 0o755);
  p.mkdir('/top/m', 0o755);
  p.mount('/top/m', ramfs());
  const fd = p.open('/top/m', O_RDONLY | O_DIRECTORY);
  const ents = p.getdents(fd);
  p.close(fd);
  t.equal(ents[0]!.name, '.');
  t.equal(ents[1]!.name, '..');
  t.equal(ents[1]!.ino, p.stat('/top').ino, '".." crosses out of the mount');
  t.equal(ents[0]!.ino, p.stat('/top/m').ino, '"." is the mounted root');
});

t.test('O_PATH descriptors: fchdir and fstat work, data calls are EBADF (open(2) O_PATH)', async (t) => {
  const { p } = setup();
  p.mkdir('/d', 0o711);
  const fd = p.open('/d', O_PATH);
  p.fchdir(fd);
  t.equal(p.getcwd(), '/d');
  errno(t, () => p.getdents(fd), 'EBADF', 'getdents');
  errno(t, () => p.lseek(fd, 0, 0), 'EBADF', 'lseek');
  errno(t, () => p.fsync(fd), 'EBADF', 'fsync');
  errno(t, () => p.fchown(fd, 1, 1), 'EBADF', 'fchown');
  t.equal(p.fstat(fd).mode & 0o777, 0o711);
  const d2 = p.dup(fd);
  t.equal(p.fcntlGetfl(d2) & O_PATH, O_PATH, 'dup keeps O_PATH');
  p.close(fd);
  p.close(d2);
});

t.test('dup2 to a number past the end of the table; the table shrinks and reuses low numbers', async (t) => {
  const { p } = setup();
  put(p, '/f', 'x');
  const fd = p.open('/f', O_RDONLY);
  t.equal(p.dup2(fd, 1000), 1000);
  t.equal(p.fstat(1000).size, 1);
  const next = p.open('/f', O_RDONLY);
  t.equal(next, fd + 1, 'lowest free, not after 1000');
  p.close(1000);
  errno(t, () => p.fstat(1000), 'EBADF', 'closed');
  errno(t, () => p.dup2(fd, 1 << 30), 'EBADF', 'beyond RLIMIT_NOFILE');
});

t.test('a directory can be removed while it is a cwd; its own ".." still works (Linux)', async (t) => {
  const { vfs, p } = setup();
  p.mkdir('/a', 0o755);
  p.mkdir('/a/b', 0o755);
  const q = vfs.process({ cwd: '/a/b' });
  p.rmdir('/a/b');
  errno(t, () => q.getcwd(), 'ENOENT', 'getcwd of a removed cwd');
  errno(t, () => q.mkdir('x', 0o755), 'ENOENT', 'creating in it');
  errno(t, () => q.stat('x'), 'ENOENT', 'looking up in it');
  q.chdir('..');
  t.equal(q.getcwd(), '/a', '".." leads back to the old parent');
  q.exit();
});
