// open(2) flags, read(2)/write(2)/pread/pwrite, lseek(2), dup(2), descriptors and open file
// descriptions, unlink-while-open, sparse files, getdents64 — each case names the rule it checks.
import t from 'tap';
import { setup, errno, put, get, enc, dec, user } from './helpers.js';
import { O_DIRECTORY } from '../../vfs/constants.js';
import {
  O_APPEND, O_CREAT, O_EXCL, O_NOATIME, O_NOFOLLOW, O_NONBLOCK, O_PATH, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, S_IFIFO,
  SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET, DT_DIR, DT_REG, DT_LNK, FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE, S_IFSOCK,
} from '../../vfs/constants.js';

t.test('O_CREAT, O_EXCL, O_TRUNC (open(2))', async (t) => {
  const { p } = setup();
  const fd = p.open('/f', O_CREAT | O_WRONLY, 0o640);
  t.equal(fd, 0, 'lowest free descriptor');
  t.equal(p.fstat(fd).mode, 0o100640, 'mode & ~umask(022)');
  p.close(fd);
  errno(t, () => p.open('/f', O_CREAT | O_EXCL | O_WRONLY, 0o644), 'EEXIST', 'O_CREAT|O_EXCL on an existing file');
  put(p, '/f', 'hello');
  p.close(p.open('/f', O_WRONLY | O_TRUNC));
  t.equal(p.stat('/f').size, 0, 'O_TRUNC empties');
  put(p, '/f', 'hello');
  p.close(p.open('/f', O_RDONLY | O_TRUNC));
  t.equal(p.stat('/f').size, 0, 'O_RDONLY|O_TRUNC truncates a writable file (Linux)');
  errno(t, () => p.open('/missing', O_RDONLY), 'ENOENT', 'no O_CREAT');
  p.umask(0o077);
  p.close(p.creat('/g', 0o666));
  t.equal(p.stat('/g').mode & 0o777, 0o600, 'umask applies');
  t.equal(p.umask(0o022), 0o077, 'umask returns the old mask');
});

t.test('O_CREAT|O_EXCL on a dangling symlink is EEXIST; O_CREAT through it creates the target (Linux)', async (t) => {
  const { p } = setup();
  p.symlink('/target', '/dl');
  errno(t, () => p.open('/dl', O_CREAT | O_EXCL | O_WRONLY, 0o644), 'EEXIST', 'O_EXCL does not follow');
  errno(t, () => p.stat('/target'), 'ENOENT', 'nothing created by the failed call');
  p.close(p.open('/dl', O_CREAT | O_WRONLY, 0o644));
  t.equal(p.stat('/target').size, 0, 'target created through the link');
  errno(t, () => p.open('/dl', O_CREAT | O_NOFOLLOW | O_WRONLY, 0o644), 'ELOOP', 'O_CREAT|O_NOFOLLOW on a link');
});

t.test('O_RDONLY/O_WRONLY enforced: EBADF (read(2), write(2)) — memfs/ZenFS regression', async (t) => {
  const { p } = setup();
  put(p, '/f', 'abc');
  const r = p.open('/f', O_RDONLY);
  errno(t, () => p.write(r, enc('x'), 0, 1, null), 'EBADF', 'write on O_RDONLY', 'write');
  errno(t, () => p.write(r, enc('x'), 0, 1, 0), 'EBADF', 'pwrite on O_RDONLY');
  errno(t, () => p.ftruncate(r, 0), 'EINVAL', 'ftruncate on O_RDONLY (Linux: EINVAL)');
  t.equal(get(p, '/f'), 'abc', 'unchanged');
  const w = p.open('/f', O_WRONLY);
  errno(t, () => p.read(w, new Uint8Array(3), 0, 3, null), 'EBADF', 'read on O_WRONLY');
  const path = p.open('/f', O_PATH);
  errno(t, () => p.read(path, new Uint8Array(3), 0, 3, null), 'EBADF', 'read on O_PATH');
  errno(t, () => p.fchmod(path, 0o600), 'EBADF', 'fchmod on O_PATH');
  t.equal(p.fstat(path).size, 3, 'fstat on O_PATH works');
  const acc3 = p.open('/f', 3);
  errno(t, () => p.read(acc3, new Uint8Array(1), 0, 1, null), 'EBADF', 'access mode 3 neither reads');
  errno(t, () => p.write(acc3, enc('x'), 0, 1, null), 'EBADF', '... nor writes');
  for (const fd of [r, w, path, acc3]) p.close(fd);
  errno(t, () => p.close(r), 'EBADF', 'double close');
  errno(t, () => p.read(-1, new Uint8Array(1), 0, 1, null), 'EBADF', 'negative fd');
  errno(t, () => p.read(1.5, new Uint8Array(1), 0, 1, null), 'EBADF', 'fractional fd');
});

t.test('directories: EISDIR for write access, read(2) EISDIR (open(2), read(2))', async (t) => {
  const { p } = setup();
  p.mkdir('/d', 0o755);
  errno(t, () => p.open('/d', O_WRONLY), 'EISDIR', 'O_WRONLY');
  errno(t, () => p.open('/d', O_RDWR), 'EISDIR', 'O_RDWR');
  errno(t, () => p.open('/d', O_RDONLY | O_TRUNC), 'EISDIR', 'O_TRUNC on a directory');
  errno(t, () => p.open('/d', O_CREAT | O_RDONLY, 0o644), 'EISDIR', 'O_CREAT on an existing directory');
  errno(t, () => p.open('/d', O_CREAT | O_EXCL | O_RDONLY, 0o644), 'EEXIST', 'O_CREAT|O_EXCL: EEXIST first');
  errno(t, () => p.open('/', O_CREAT | O_RDONLY, 0o644), 'EISDIR', 'O_CREAT on "/"');
  const fd = p.open('/d', O_RDONLY);
  errno(t, () => p.read(fd, new Uint8Array(4), 0, 4, null), 'EISDIR', 'read(2) of a directory');
  p.close(fd);
});

t.test('O_APPEND: every write at the end, pwrite too (Linux BUGS in pwrite(2)) — memfs regression', async (t) => {
  const { p } = setup();
  put(p, '/f', 'abc');
  const fd = p.open('/f', O_WRONLY | O_APPEND);
  t.equal(p.write(fd, enc('ZZ'), 0, 2, 0), 2);
  t.equal(get(p, '/f'), 'abcZZ', 'pwrite at 0 appended');
  t.equal(p.lseek(fd, 0, SEEK_CUR), 0, 'pwrite left the offset alone');
  p.lseek(fd, 0, SEEK_SET);
  p.write(fd, enc('!'), 0, 1, null);
  t.equal(get(p, '/f'), 'abcZZ!', 'write after lseek(0) still appends');
  t.equal(p.lseek(fd, 0, SEEK_CUR), 6, 'offset is the new end');
  t.equal(p.fcntlGetfl(fd) & O_APPEND, O_APPEND, 'F_GETFL shows O_APPEND');
  p.close(fd);
});

t.test('read/write/pread/pwrite offsets; sparse files read zeros in holes (lseek(2), truncate(2))', async (t) => {
  const { p } = setup();
  const fd = p.open('/s', O_CREAT | O_RDWR, 0o644);
  p.write(fd, enc('end'), 0, 3, 1 << 20);
  t.equal(p.fstat(fd).size, (1 << 20) + 3, 'size past the hole');
  const b = new Uint8Array(16).fill(7);
  t.equal(p.read(fd, b, 0, 16, 4096), 16);
  t.same([...b], new Array(16).fill(0), 'hole reads zeros');
  t.equal(p.read(fd, b, 0, 16, (1 << 20) + 1), 2, 'short read at EOF');
  t.equal(dec(b.subarray(0, 2)), 'nd');
  t.equal(p.read(fd, b, 0, 16, 1 << 30), 0, 'read past EOF is 0');
  t.equal(p.lseek(fd, 0, SEEK_CUR), 0, 'pread/pwrite do not move the offset');
  t.equal(p.write(fd, enc('ab'), 0, 2, null), 2);
  t.equal(p.lseek(fd, 0, SEEK_CUR), 2, 'write moves it');
  t.equal(p.lseek(fd, -1, SEEK_END), (1 << 20) + 2);
  errno(t, () => p.lseek(fd, -1, SEEK_SET), 'EINVAL', 'negative result');
  errno(t, () => p.lseek(fd, 0, 99), 'EINVAL', 'bad whence');
  t.equal(p.lseek(fd, 10, SEEK_DATA), 10, 'SEEK_DATA inside the file');
  t.equal(p.lseek(fd, 10, SEEK_HOLE), (1 << 20) + 3, 'SEEK_HOLE: the implicit hole at EOF');
  errno(t, () => p.lseek(fd, (1 << 20) + 3, SEEK_DATA), 'ENXIO', 'SEEK_DATA at EOF');
  errno(t, () => p.lseek(fd, (1 << 20) + 3, SEEK_HOLE), 'ENXIO', 'SEEK_HOLE at EOF');
  t.equal(p.lseek(fd, 1 << 30, SEEK_SET), 1 << 30, 'seeking past EOF is allowed');
  p.ftruncate(fd, 5);
  t.equal(p.fstat(fd).size, 5);
  p.ftruncate(fd, 100);
  t.equal(p.read(fd, b, 0, 16, 50), 16, 'extended by truncate');
  t.same([...b], new Array(16).fill(0), 'extension reads zeros');
  p.write(fd, enc('xyz'), 0, 3, 0);
  p.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 2);
  t.equal(p.read(fd, b, 0, 3, 0), 3);
  t.same([...b.subarray(0, 3)], [0, 0, 'z'.charCodeAt(0)], 'punched hole reads zeros, size kept');
  t.equal(p.fstat(fd).size, 100);
  p.fallocate(fd, 0, 0, 200);
  t.equal(p.fstat(fd).size, 200, 'fallocate mode 0 extends');
  p.fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 400);
  t.equal(p.fstat(fd).size, 200, 'KEEP_SIZE keeps it');
  errno(t, () => p.fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 1), 'EOPNOTSUPP', 'PUNCH_HOLE without KEEP_SIZE');
  errno(t, () => p.fallocate(fd, 0, -1, 1), 'EINVAL', 'negative offset');
  errno(t, () => p.fallocate(fd, 0, 0, 0), 'EINVAL', 'zero length');
  p.close(fd);
});

t.test('bad offsets and lengths leave the file unchanged (EINVAL, EFAULT, EFBIG)', async (t) => {
  const { p } = setup();
  put(p, '/f', 'abc');
  const fd = p.open('/f', O_RDWR);
  const b = new Uint8Array(4);
  errno(t, () => p.read(fd, b, 0, 4, -1), 'EINVAL', 'negative pread offset');
  errno(t, () => p.write(fd, b, 0, 4, -1), 'EINVAL', 'negative pwrite offset');
  errno(t, () => p.write(fd, b, 0, 4, NaN), 'EINVAL', 'NaN offset');
  errno(t, () => p.write(fd, b, 0, -1, null), 'EINVAL', 'negative length');
  errno(t, () => p.write(fd, b, 2, 4, null), 'EFAULT', 'range past the buffer');
  errno(t, () => p.write(fd, b, 0, 4, 2 ** 53), 'EFBIG', 'past the maximum file size');
  errno(t, () => p.ftruncate(fd, -1), 'EINVAL', 'negative ftruncate');
  errno(t, () => p.ftruncate(fd, 2 ** 60), 'EFBIG', 'ftruncate past the maximum size');
  errno(t, () => p.truncate('/f', -5), 'EINVAL', 'negative truncate');
  errno(t, () => p.lseek(fd, NaN, SEEK_SET), 'EINVAL', 'NaN lseek');
  t.equal(p.write(fd, b, 0, 0, 10), 0, 'zero-length write does nothing');
  t.equal(get(p, '/f'), 'abc', 'unchanged');
  t.equal(p.stat('/f').size, 3);
  p.close(fd);
});

t.test('dup/dup2 share one open file description (offset, flags) (dup(2))', async (t) => {
  const { p } = setup();
  put(p, '/f', 'abcdef');
  const a = p.open('/f', O_RDONLY);
  const b = p.dup(a);
  t.equal(b, a + 1);
  const buf = new Uint8Array(2);
  p.read(a, buf, 0, 2, null);
  p.read(b, buf, 0, 2, null);
  t.equal(dec(buf), 'cd', 'offset shared');
  t.equal(p.dup2(a, 10), 10);
  t.equal(p.lseek(10, 0, SEEK_CUR), 4);
  p.close(a);
  t.equal(p.read(b, buf, 0, 2, null), 2, 'description lives while a descriptor does');
  t.equal(dec(buf), 'ef');
  const c = p.open('/f', O_RDONLY);
  t.equal(c, a, 'the freed number is reused (lowest first)');
  t.equal(p.dup2(c, c), c, 'dup2 onto itself');
  put(p, '/g', 'zz');
  const g = p.open('/g', O_RDONLY);
  p.dup2(g, b);
  t.equal(p.read(b, buf, 0, 2, null), 2);
  t.equal(dec(buf), 'zz', 'dup2 closed the old description silently');
  errno(t, () => p.dup2(99, 3), 'EBADF', 'dup2 of a closed fd');
  errno(t, () => p.dup2(g, -1), 'EBADF', 'dup2 to a negative fd');
  errno(t, () => p.dup(77), 'EBADF', 'dup of a closed fd');
});

t.test('a file unlinked while open keeps its data until the last close (unlink(2)) — ZenFS regression', async (t) => {
  const { p, fs } = setup();
  put(p, '/f', 'still here');
  const fd = p.open('/f', O_RDWR);
  const ino = p.fstat(fd).ino;
  const fd2 = p.dup(fd);
  p.unlink('/f');
  errno(t, () => p.stat('/f'), 'ENOENT', 'the name is gone');
  t.equal(p.fstat(fd).nlink, 0, 'nlink 0');
  const b = new Uint8Array(10);
  t.equal(p.read(fd, b, 0, 10, 0), 10);
  t.equal(dec(b), 'still here', 'data readable');
  p.write(fd, enc('!'), 0, 1, 10);
  t.equal(p.fstat(fd).size, 11, 'and writable');
  t.notOk(fs.inactivated.includes(ino), 'not freed while open');
  p.close(fd);
  t.notOk(fs.inactivated.includes(ino), 'not freed while a dup is open');
  p.close(fd2);
  t.ok(fs.inactivated.includes(ino), 'freed at the last close (backend.inactive)');
  put(p, '/g', 'x');
  const gi = p.stat('/g').ino;
  p.unlink('/g');
  t.ok(fs.inactivated.includes(gi), 'a closed file is freed at unlink');
});

t.test('hard links share the inode; nlink counts names (link(2))', async (t) => {
  const { p, fs } = setup();
  put(p, '/a', 'same');
  p.link('/a', '/b');
  t.equal(p.stat('/a').nlink, 2);
  t.equal(p.stat('/a').ino, p.stat('/b').ino);
  put(p, '/b', 'changed');
  t.equal(get(p, '/a'), 'changed', 'one file');
  const ino = p.stat('/a').ino;
  p.unlink('/a');
  t.equal(p.stat('/b').nlink, 1);
  t.notOk(fs.inactivated.includes(ino), 'still named');
  p.unlink('/b');
  t.ok(fs.inactivated.includes(ino));
  p.mkdir('/d', 0o755);
  errno(t, () => p.link('/d', '/d2'), 'EPERM', 'link to a directory');
  p.symlink('/nowhere', '/dl');
  p.link('/dl', '/dl2');
  t.equal(p.readlink('/dl2'), '/nowhere', 'link(2) does not follow a final symlink');
  errno(t, () => p.link('/d', '/dl'), 'EEXIST', 'existing new name');
});

t.test('getdents: ".", "..", entries with d_type, stable order; rewind (getdents64(2))', async (t) => {
  const { p } = setup();
  p.mkdir('/d', 0o755);
  put(p, '/d/b', '');
  p.mkdir('/d/a', 0o755);
  p.symlink('x', '/d/c');
  const fd = p.open('/d', O_RDONLY);
  const first = p.getdents(fd, 2);
  t.same(first.map((e) => e.name), ['.', '..']);
  t.equal(first[1]!.ino, p.stat('/').ino, '.. is the parent');
  const rest = p.getdents(fd);
  t.same(rest.map((e) => e.name).sort(), ['a', 'b', 'c']);
  const types = Object.fromEntries(rest.map((e) => [e.name, e.type]));
  t.same(types, { a: DT_DIR, b: DT_REG, c: DT_LNK }, 'd_type');
  t.same(p.getdents(fd), [], 'end');
  p.lseek(fd, 0, SEEK_SET);
  t.equal(p.getdents(fd).length, 5, 'rewinddir');
  t.same(p.readdir('/d').map((e) => e.name), rest.map((e) => e.name), 'readdir gives the same order');
  t.same(p.readdir('/d'), p.readdir('/d'), 'stable');
  errno(t, () => p.lseek(fd, 0, SEEK_END), 'EINVAL', 'SEEK_END on a directory (dcache_dir_lseek)');
  p.close(fd);
  const f = p.open('/d/b', O_RDONLY);
  errno(t, () => p.getdents(f), 'ENOTDIR', 'getdents on a file');
  errno(t, () => p.readdir('/d/b'), 'ENOTDIR', 'readdir on a file');
});

t.test('getdents on a removed directory is ENOENT; fchdir; getcwd of a removed cwd ENOENT', async (t) => {
  const { p } = setup();
  p.mkdir('/d', 0o755);
  const fd = p.open('/d', O_RDONLY);
  p.fchdir(fd);
  t.equal(p.getcwd(), '/d');
  p.rmdir('/d');
  errno(t, () => p.getdents(fd), 'ENOENT', 'getdents');
  errno(t, () => p.getcwd(), 'ENOENT', 'getcwd');
  errno(t, () => p.open('new', O_CREAT | O_WRONLY, 0o644), 'ENOENT', 'create in a removed cwd');
  t.equal(p.stat('.').nlink, 0, 'stat(".") still works');
  p.chdir('/');
  p.close(fd);
});

t.test('FIFOs: mknod S_IFIFO, non-blocking open, data through (fifo(7)); sockets ENXIO', async (t) => {
  const { p } = setup();
  p.mknod('/ff', S_IFIFO | 0o644, 0);
  t.equal(p.stat('/ff').mode, S_IFIFO | 0o644);
  errno(t, () => p.open('/ff', O_WRONLY | O_NONBLOCK), 'ENXIO', 'O_WRONLY|O_NONBLOCK without a reader');
  const r = p.open('/ff', O_RDONLY | O_NONBLOCK);
  const w = p.open('/ff', O_WRONLY);
  errno(t, () => p.read(r, new Uint8Array(1), 0, 1, null), 'EAGAIN', 'empty with a writer');
  p.write(w, enc('pipe'), 0, 4, null);
  const b = new Uint8Array(8);
  t.equal(p.read(r, b, 0, 8, null), 4);
  t.equal(dec(b.subarray(0, 4)), 'pipe');
  errno(t, () => p.lseek(r, 0, SEEK_SET), 'ESPIPE', 'lseek on a FIFO');
  errno(t, () => p.read(r, b, 0, 1, 0), 'ESPIPE', 'pread on a FIFO');
  p.close(w);
  t.equal(p.read(r, b, 0, 8, null), 0, 'EOF with no writer');
  p.close(r);
  p.mknod('/sock', S_IFSOCK | 0o644, 0);
  errno(t, () => p.open('/sock', O_RDONLY), 'ENXIO', 'open of a socket');
});

t.test('O_NOATIME needs owner or root (EPERM); reads set atime by relatime', async (t) => {
  const { vfs, p } = setup();
  put(p, '/f', 'abc');
  p.chmod('/f', 0o644);
  const u = user(vfs, 1000);
  errno(t, () => u.open('/f', O_RDONLY | O_NOATIME), 'EPERM', 'O_NOATIME by a non-owner');
  const fd = p.open('/f', O_RDONLY | O_NOATIME);
  const before = p.stat('/f');
  p.read(fd, new Uint8Array(3), 0, 3, null);
  t.equal(p.stat('/f').atimeNsec, before.atimeNsec, 'O_NOATIME: atime unchanged');
  p.close(fd);
});

t.test('EMFILE when the table is full; open checks it before creating', async (t) => {
  const { vfs } = setup();
  const q = vfs.process({});
  (q.fds as { max: number }).max;
  const small = new (q.fds.constructor as new (max: number) => typeof q.fds)(2);
  Object.defineProperty(q, 'fds', { value: small });
  q.open('/', O_RDONLY);
  q.open('/', O_RDONLY);
  errno(t, () => q.open('/new', O_CREAT | O_WRONLY, 0o644), 'EMFILE', 'no free descriptor');
  errno(t, () => q.stat('/new'), 'ENOENT', 'nothing created');
});

t.test('do_open order: O_EXCL before EISDIR on dots; O_DIRECTORY before O_NOFOLLOW\'s ELOOP (Linux fs/namei.c)', async (t) => {
  const { p } = setup();
  p.mkdir('/b', 0o755);
  errno(t, () => p.open('/b/.', O_RDONLY | O_CREAT | O_EXCL, 0o644), 'EEXIST', '"b/." with O_CREAT|O_EXCL');
  errno(t, () => p.open('.', O_RDONLY | O_CREAT | O_EXCL, 0o644), 'EEXIST', '"." with O_CREAT|O_EXCL');
  errno(t, () => p.open('/', O_RDONLY | O_CREAT | O_EXCL, 0o644), 'EEXIST', '"/" with O_CREAT|O_EXCL');
  errno(t, () => p.open('/b/', O_RDONLY | O_CREAT | O_EXCL, 0o644), 'EISDIR', '"b/": the trailing slash is checked first');
  p.symlink('x', '/l');
  errno(t, () => p.open('/l', O_RDONLY | O_DIRECTORY | O_NOFOLLOW), 'ENOTDIR', 'symlink with O_DIRECTORY|O_NOFOLLOW');
});

t.test('a Symbol or prototype-less object as a path is EFAULT, not a crash', async (t) => {
  const { p } = setup();
  errno(t, () => p.stat(Symbol.iterator as unknown as string), 'EFAULT', 'Symbol');
  errno(t, () => p.stat(Object.create(null) as string), 'EFAULT', 'prototype-less object');
  errno(t, () => p.rename('/x', Symbol('y') as unknown as string), 'EFAULT', 'rename: both names are checked (getname) before any lookup');
  errno(t, () => p.symlink(Symbol('t') as unknown as string, '/s'), 'EFAULT', 'symlink target');
});
