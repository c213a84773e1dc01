// Our own conformance cases, in pjdfstest's command language, for the calls that change attributes:
// chmod/fchmod, chown/lchown/fchown, truncate/ftruncate, utimensat, and the stat fields they show.
// Each test names the pjdfstest file whose rule it checks (tests/<call>/<nn>.t) and the man page.

import t from 'tap';
import { Driver, CREATE, remove } from './pjdfstest-driver.js';

const fresh = (): Driver => {
  const d = new Driver();
  d.run('mkdir w 0755');
  d.cwd = '/w';
  return d;
};

const u = '-u 65534 -g 65534';

t.test('chmod sets the permission bits of every type, following a symlink (chmod/00.t, chmod(2))', async (t) => {
  const d = fresh();
  for (const type of ['regular', 'dir', 'fifo', 'block', 'char', 'socket']) {
    d.run(CREATE[type]!('n'));
    d.script(t, [
      ['0', 'chmod n 0111'],
      [`${type},0111`, 'stat n type,mode'],
      ['0', 'symlink n s'],
      ['0', 'chmod s 0222'],
      ['0222', 'stat n mode'],
      ['0777', 'lstat s mode'], // a symlink's own mode is 0777 on Linux and chmod does not touch it
      ['0', 'unlink s'],
    ]);
    d.run(remove(type, 'n'));
  }
});

t.test('chmod updates ctime; a failed chmod does not (chmod/00.t)', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  const c = d.run('stat f ctime');
  d.sleep(1);
  d.expect(t, '0', 'chmod f 0600');
  const c2 = d.run('stat f ctime');
  t.ok(Number(c2) > Number(c));
  d.sleep(1);
  d.expect(t, 'EPERM', `${u} chmod f 0644`);
  d.expect(t, c2, 'stat f ctime');
});

t.test('only the owner or root may chmod (chmod/07.t, chmod(2) EPERM)', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.run('chown f 65534 65534');
  d.script(t, [
    ['0', `${u} chmod f 0642`],
    ['0642', 'stat f mode'],
    ['EPERM', '-u 65533 -g 65533 chmod f 0777'],
    ['EPERM', '-u 65533 -g 65534 chmod f 0777'], // group membership is not ownership
    ['0', 'chmod f 0777'],
  ]);
});

t.test('fchmod works on the open descriptor; lchmod does not exist on Linux (chmod/00.t, fchmod(2))', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.expect(t, '0640', 'open f O_RDONLY : fchmod 0 0640 : fstat 0 mode');
  const r = new Driver().run('lchmod x 0644');
  t.equal(r, '', 'lchmod is not in the Linux build: the program prints nothing on stdout and exits 1');
});

t.test('a non-root chmod of a file\'s group it is not in drops S_ISGID; the sticky bit on a file is kept on Linux (chmod/11.t, chmod(2))', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.run('chown f 65534 0');
  d.script(t, [
    ['0', `${u} chmod f 02755`],
    ['0755', 'stat f mode'],
    ['0', `-u 65534 -g 65534,0 chmod f 02755`],
    ['02755', 'stat f mode'],
    ['0', `${u} chmod f 01644`],
    ['01644', 'stat f mode'],
  ]);
});

t.test('writing as non-root clears set-user-ID and set-group-ID (chmod/12.t, write(2), file_remove_privs)', async (t) => {
  const d = fresh();
  for (const mode of ['04777', '02777', '06777']) {
    d.run(`create f ${mode}`);
    d.script(t, [
      ['0777', `${u} open f O_WRONLY : write 0 x : fstat 0 mode`],
      ['0777', 'stat f mode'],
    ]);
    d.run('unlink f');
  }
  // Root keeps them (CAP_FSETID).
  d.run('create g 06777');
  d.expect(t, '06777', 'open g O_WRONLY : write 0 x : fstat 0 mode');
});

t.test('chown: root may give any owner; -1 leaves a field; the owner may change the group to one of its groups only (chown/00.t, chown/07.t, chown(2))', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.script(t, [
    ['0', 'chown f 123 456'],
    ['123,456', 'stat f uid,gid'],
    ['0', 'chown f -1 789'],
    ['123,789', 'stat f uid,gid'],
    ['0', 'chown f 65534 -1'],
    ['65534,789', 'stat f uid,gid'],
    ['0', '-u 65534 -g 65533,65532 chown f -1 65532'],
    ['65534,65532', 'stat f uid,gid'],
    ['EPERM', '-u 65534 -g 65533,65532 chown f -1 100'],
    ['EPERM', '-u 65534 -g 65534 chown f 65533 -1'],
    ['EPERM', '-u 65533 -g 65532 chown f -1 65532'], // not the owner
    ['0', '-u 65534 -g 65533 chown f 65534 65533'], // "changing" the uid to itself is allowed
  ]);
});

t.test('chown clears set-user-ID, and set-group-ID when group-executable, of a non-directory (chown/00.t Linux, chown(2))', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.script(t, [
    ['0', 'chmod f 06555'],
    ['0', 'chown f 65534 65533'],
    ['0555', 'stat f mode'],
    ['0', 'chmod f 06545'], // S_ISGID without group execute is mandatory locking: kept
    ['0', 'chown f 65533 65533'],
    ['02545', 'stat f mode'],
    ['0', 'mkdir dd 0755'],
    ['0', 'chmod dd 06755'],
    ['0', 'chown dd 65534 65534'],
    ['06755', 'stat dd mode'], // directories keep them
  ]);
});

t.test('chown follows symlinks, lchown does not; chown updates ctime (chown/00.t)', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.run('symlink f s');
  d.script(t, [
    ['0', 'chown s 11 22'],
    ['11,22', 'stat f uid,gid'],
    ['0,0', 'lstat s uid,gid'],
    ['0', 'lchown s 33 44'],
    ['33,44', 'lstat s uid,gid'],
    ['11,22', 'stat f uid,gid'],
  ]);
  const c = d.run('stat f ctime');
  d.sleep(1);
  d.expect(t, '0', 'chown f 1 1');
  t.ok(Number(d.run('stat f ctime')) > Number(c));
});

t.test('truncate grows with a hole and shrinks; size, mtime and ctime follow (truncate/00.t, ftruncate/00.t, truncate(2))', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  const m = d.run('stat f mtime');
  d.sleep(1);
  d.script(t, [
    ['0', 'truncate f 1234567'],
    ['1234567', 'stat f size'],
    ['0', 'truncate f 567'],
    ['567', 'stat f size'],
    ['0', 'open f O_RDWR : ftruncate 0 23456'],
    ['23456', 'stat f size'],
    ['0', 'open f O_WRONLY : ftruncate 0 1'],
    ['1', 'stat f size'],
  ]);
  t.ok(Number(d.run('stat f mtime')) > Number(m));
  // A hole reads as zeros: pread prints up to the first NUL, so nothing.
  d.expect(t, '0', 'truncate f 0');
  d.expect(t, '', 'open f O_RDWR : pwrite 0 abc 10 : pread 0 5 0');
  d.expect(t, 'abc', 'open f O_RDONLY : pread 0 3 10');
});

t.test('truncate needs write permission, refuses directories and negative lengths (truncate/06.t, truncate/09.t, truncate/13.t)', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.run('mkdir dd 0755');
  d.script(t, [
    ['EACCES', `${u} truncate f 0`],
    ['EISDIR', 'truncate dd 0'],
    ['EINVAL', 'truncate f -1'],
    ['EINVAL', 'open f O_RDWR : ftruncate 0 -1'],
    ['EINVAL', 'open f O_RDONLY : ftruncate 0 0'], // ftruncate(2): EINVAL (or EBADF) without write access
    ['EFBIG|EINVAL', 'truncate f 999999999999999999'],
    ['0', 'stat f size'],
  ]);
});

t.test('ftruncate works on a descriptor opened for writing even after chmod 0 (ftruncate/00.t)', async (t) => {
  const d = fresh();
  d.run('chmod . 0777');
  d.expect(t, '0', `${u} open f O_CREAT,O_RDWR 0644 : fchmod 0 0 : ftruncate 0 10`);
  d.expect(t, '10,00', 'stat f size,mode');
});

t.test('utimensat sets both times with nanoseconds, follows or not, UTIME_OMIT and UTIME_NOW (utimensat/00.t, 01.t, 02.t, 05.t, 08.t)', async (t) => {
  const d = fresh();
  const D1 = 1900000000, D2 = 1950000000;
  d.run('create f 0644');
  d.run('symlink f s');
  d.script(t, [
    ['0', `open . O_RDONLY : utimensat 0 f ${D1} 123 ${D2} 456789 0`],
    [`${D1},123,${D2},456789`, 'stat f atime,atime_ns,mtime,mtime_ns'],
    ['0', `open . O_RDONLY : utimensat 0 s ${D2} 0 ${D1} 0 AT_SYMLINK_NOFOLLOW`],
    [`${D2},${D1}`, 'lstat s atime,mtime'],
    [`${D1},${D2}`, 'stat f atime,mtime'],
    ['0', `open . O_RDONLY : utimensat 0 f 0 UTIME_OMIT ${D1} 0 0`],
    [`${D1},${D1}`, 'stat f atime,mtime'],
    ['0', `utimensat AT_FDCWD f 0 UTIME_NOW 0 UTIME_OMIT 0`],
  ]);
  const now = Number(d.run('stat f atime'));
  t.ok(now < D1 && now > 1_700_000_000, 'UTIME_NOW is the model clock\'s now');
  d.expect(t, String(D1), 'stat f mtime');
});

t.test('utimensat: y2038 and times before 1970 (utimensat/09.t)', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.script(t, [
    ['0', 'utimensat AT_FDCWD f 2147483648 0 4294967296 0 0'],
    ['2147483648,4294967296', 'stat f atime,mtime'],
    ['0', 'utimensat AT_FDCWD f -1 0 -100000 0 0'],
    ['-1,-100000', 'stat f atime,mtime'],
  ]);
});

t.test('utimensat permissions: UTIME_NOW with write permission; explicit times only for owner or root (utimensat/06.t, utimensat/07.t)', async (t) => {
  const d = fresh();
  d.run('chmod . 0777');
  d.run('create f 0666');
  d.script(t, [
    ['0', `${u} utimensat AT_FDCWD f 0 UTIME_NOW 0 UTIME_NOW 0`],
    ['EPERM', `${u} utimensat AT_FDCWD f 1900000000 0 1900000000 0 0`],
    ['0', 'chmod f 0644'],
    ['EACCES', `${u} utimensat AT_FDCWD f 0 UTIME_NOW 0 UTIME_NOW 0`],
    ['0', 'chown f 65534 65534'],
    ['0', `${u} utimensat AT_FDCWD f 1900000000 0 1900000000 0 0`],
    ['EINVAL', 'utimensat AT_FDCWD f 0 1000000000 0 0 0'], // tv_nsec out of range
    ['EBADF', 'utimensat BADFD f 0 0 0 0 0'],
  ]);
});

t.test('stat fields print as pjdfstest prints them (pjdfstest.c show_stat)', async (t) => {
  const d = fresh();
  d.script(t, [
    ['0', 'create f 0'],
    ['00', 'stat f mode'],
    ['regular,1,0,0,0,0', 'stat f type,nlink,uid,gid,size,blocks'],
    ['unknown,unknown,unknown', 'stat f birthtime,flags,nosuchfield'],
    ['0', 'open f O_WRONLY : pwrite 0 x 5000'],
    ['5001', 'stat f size'],
  ]);
  t.ok(Number(d.run('stat f blocks')) > 0, 'a written page counts in st_blocks');
});
