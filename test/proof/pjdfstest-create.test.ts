// Our own conformance cases, in pjdfstest's command language, for the calls that create names: open,
// create, mkdir, mkfifo, mknod, bind, symlink, link. Each test names the pjdfstest file whose rule it
// checks (github.com/pjd/pjdfstest tests/<call>/<nn>.t) and the Linux man page; the cases are ours.

import t from 'tap';
import { Driver, CREATE, remove } from './pjdfstest-driver.js';

const fresh = (): Driver => {
  const d = new Driver();
  d.run('mkdir w 0755');
  d.cwd = '/w';
  return d;
};

const TYPES = ['regular', 'dir', 'fifo', 'block', 'char', 'socket', 'symlink'];

t.test('open O_CREAT applies the mode through the umask; the owner is the caller (open/00.t, open(2))', async (t) => {
  const d = fresh();
  d.run('chmod . 0777');
  d.script(t, [
    ['0', 'open a O_CREAT,O_WRONLY 0640'],
    ['regular,0640,1', 'lstat a type,mode,nlink'],
    ['0', '-U 027 open b O_CREAT,O_RDWR 0777'],
    ['0750', 'stat b mode'],
    ['0', '-U 0777 open c O_CREAT,O_RDONLY 0777'],
    ['00', 'stat c mode'],
    ['0', '-u 1234 -g 4321,99 open e O_CREAT,O_WRONLY 0600'],
    ['1234,4321', 'stat e uid,gid'],
    // An existing file is opened, not re-created: mode and owner stay.
    ['0', '-U 077 open a O_CREAT,O_RDONLY 0777'],
    ['0640,0,0', 'stat a mode,uid,gid'],
  ]);
});

t.test('open creates with mode 0 and root can still open it; others cannot (open/26.t, open(2))', async (t) => {
  const d = fresh();
  d.run('chmod . 0777');
  d.script(t, [
    ['0', '-u 65534 -g 65534 open z O_CREAT,O_WRONLY 0'],
    ['00', 'stat z mode'],
    ['0', 'open z O_RDWR'],
    ['EACCES', '-u 65534 -g 65534 open z O_RDONLY'],
  ]);
});

t.test('O_CREAT|O_EXCL on any existing name, a dangling symlink included, is EEXIST (open/22.t, open(2))', async (t) => {
  const d = fresh();
  for (const type of TYPES) {
    d.run(CREATE[type]!('n'));
    d.expect(t, 'EEXIST', 'open n O_CREAT,O_EXCL,O_RDONLY 0644');
    d.run(remove(type, 'n'));
  }
  d.run('symlink nowhere s');
  d.expect(t, 'EEXIST', 'open s O_CREAT,O_EXCL,O_WRONLY 0644');
  d.expect(t, 'ENOENT', 'stat nowhere type');
  // Without O_EXCL the dangling symlink is followed and its target created.
  d.expect(t, '0', 'open s O_CREAT,O_WRONLY 0644');
  d.expect(t, 'regular', 'stat nowhere type');
});

t.test('open needs the permission its access mode asks for; O_TRUNC asks for write (open/06.t, open/07.t, open(2) EACCES)', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.run('chown f 65534 65534');
  const cases: [string, string, string, string][] = [
    // mode, O_RDONLY, O_WRONLY, O_RDWR as the owner 65534
    ['0600', '0', '0', '0'],
    ['0400', '0', 'EACCES', 'EACCES'],
    ['0200', 'EACCES', '0', 'EACCES'],
    ['0000', 'EACCES', 'EACCES', 'EACCES'],
    ['0066', 'EACCES', 'EACCES', 'EACCES'], // owner bits decide for the owner, not group/other
  ];
  for (const [mode, r, w, rw] of cases) {
    d.run(`chmod f ${mode}`);
    d.script(t, [
      [r, '-u 65534 -g 65534 open f O_RDONLY'],
      [w, '-u 65534 -g 65534 open f O_WRONLY'],
      [rw, '-u 65534 -g 65534 open f O_RDWR'],
    ]);
  }
  // Group and other classes.
  d.run('chmod f 0040');
  d.expect(t, '0', '-u 1000 -g 65534 open f O_RDONLY');
  d.expect(t, 'EACCES', '-u 1000 -g 1000 open f O_RDONLY');
  d.expect(t, '0', '-u 1000 -g 1000,65534 open f O_RDONLY'); // a supplementary group counts
  d.run('chmod f 0004');
  d.expect(t, 'EACCES', '-u 1000 -g 65534 open f O_RDONLY'); // the group class applies, and denies
  d.expect(t, '0', '-u 1000 -g 1000 open f O_RDONLY');
  // O_TRUNC without write permission.
  d.run('chmod f 0444');
  d.expect(t, 'EACCES', '-u 65534 -g 65534 open f O_RDONLY,O_TRUNC');
});

t.test('open O_CREAT in a directory without write permission is EACCES; search is needed on the prefix (open/05.t, open/08.t)', async (t) => {
  const d = fresh();
  d.script(t, [
    ['0', 'mkdir p 0755'],
    ['0', 'chown p 65534 65534'],
    ['0', '-u 65534 -g 65534 create p/a 0644'],
    ['0', 'chmod p 0555'],
    ['EACCES', '-u 65534 -g 65534 open p/b O_CREAT,O_WRONLY 0644'],
    ['0', '-u 65534 -g 65534 open p/a O_WRONLY'],
    ['0', 'chmod p 0644'],
    ['EACCES', '-u 65534 -g 65534 open p/a O_RDONLY'],
    ['0', 'open p/a O_RDONLY'], // root passes the search check
  ]);
});

t.test('open of a directory for writing, or with O_TRUNC, is EISDIR (open/13.t, open(2) EISDIR)', async (t) => {
  const d = fresh();
  d.run('mkdir dd 0755');
  d.script(t, [
    ['0', 'open dd O_RDONLY'],
    ['EISDIR', 'open dd O_WRONLY'],
    ['EISDIR', 'open dd O_RDWR'],
    ['EISDIR', 'open dd O_RDONLY,O_TRUNC'],
    ['EISDIR', 'open dd O_WRONLY,O_TRUNC'],
  ]);
});

t.test('O_NOFOLLOW on a symlink is ELOOP on Linux; O_DIRECTORY on a non-directory is ENOTDIR (open/16.t, open(2))', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.run('symlink f s');
  d.script(t, [
    ['ELOOP', 'open s O_RDONLY,O_NOFOLLOW'],
    ['ELOOP', 'open s O_WRONLY,O_NOFOLLOW'],
    ['ELOOP', 'open s O_RDONLY,O_CREAT,O_NOFOLLOW 0644'],
    ['0', 'open s O_RDONLY'],
    ['ENOTDIR', 'open f O_RDONLY,O_DIRECTORY'],
    ['ENOTDIR', 'open f/ O_RDONLY'],
    ['0', 'open . O_RDONLY,O_DIRECTORY'],
  ]);
});

t.test('a fifo opened write-only and non-blocking with no reader is ENXIO; a socket cannot be opened: ENXIO (open/17.t, open/24.t, fifo(7), unix(7))', async (t) => {
  const d = fresh();
  d.script(t, [
    ['0', 'mkfifo p 0644'],
    ['ENXIO', 'open p O_WRONLY,O_NONBLOCK'],
    ['0', 'open p O_RDONLY,O_NONBLOCK'],
    ['0', 'bind s'],
    ['ENXIO', 'open s O_RDONLY'],
    ['ENXIO', 'open s O_WRONLY'],
    ['ENXIO', 'open s O_RDWR'],
  ]);
});

t.test('open of a name too long is ENAMETOOLONG; of a missing name without O_CREAT ENOENT; through a file ENOTDIR (open/01.t, open/02.t, open/04.t)', async (t) => {
  const d = fresh();
  const n255 = 'x'.repeat(255), n256 = 'x'.repeat(256);
  d.script(t, [
    ['0', `open ${n255} O_CREAT,O_WRONLY 0644`],
    ['0', `unlink ${n255}`],
    ['ENAMETOOLONG', `open ${n256} O_CREAT,O_WRONLY 0644`],
    ['ENOENT', 'open missing O_RDONLY'],
    ['ENOENT', 'open missing/x O_CREAT,O_RDONLY 0644'],
    ['0', 'create f 0644'],
    ['ENOTDIR', 'open f/x O_CREAT,O_RDONLY 0644'],
    ['ENOTDIR', 'open f/x O_RDONLY'],
  ]);
});

t.test('a path of PATH_MAX bytes is ENAMETOOLONG; one byte less resolves (open/03.t, path_resolution(7))', async (t) => {
  const d = fresh();
  // Build nested directories of 127-byte names until the path is 4095 bytes long (from /w).
  const comp = 'y'.repeat(127);
  let p = '';
  while (p.length + comp.length + 1 < 4095 - 3) {
    p = p === '' ? comp : `${p}/${comp}`;
    d.run(`mkdir ${p} 0755`);
  }
  const leaf = 'z'.repeat(4095 - p.length - 1);
  const full = `${p}/${leaf}`;
  t.equal(full.length, 4095);
  d.expect(t, '0', `create ${full} 0644`);
  d.expect(t, 'regular', `stat ${full} type`);
  d.expect(t, 'ENAMETOOLONG', `stat ${full}z type`);
  d.expect(t, 'ENAMETOOLONG', `create ${full}z 0644`);
});

t.test('open of a symlink loop is ELOOP (open/12.t, path_resolution(7), 40 links)', async (t) => {
  const d = fresh();
  d.script(t, [
    ['0', 'symlink a b'],
    ['0', 'symlink b a'],
    ['ELOOP', 'open a O_RDONLY'],
    ['ELOOP', 'open a/x O_CREAT,O_RDONLY 0644'],
    ['ELOOP', 'stat b type'],
    ['symlink', 'lstat b type'],
  ]);
});

t.test('O_RDONLY|O_RDWR style combinations are accepted or EINVAL, never a crash (open/23.t)', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.expect(t, '0|EINVAL', 'open f O_RDONLY,O_RDWR');
  d.expect(t, '0|EINVAL', 'open f O_WRONLY,O_RDWR');
  d.expect(t, '0|EINVAL', 'open f O_RDONLY,O_WRONLY,O_RDWR');
});

t.test('files past 2 GiB: pwrite at 2^31+1, pread it back, size follows (open/25.t, LFS)', async (t) => {
  const d = fresh();
  const off = 2 * 1024 * 1024 * 1024 + 1;
  d.expect(t, '0', `open big O_CREAT,O_WRONLY 0755 : pwrite 0 a ${off}`);
  d.expect(t, 'a', `open big O_RDONLY : pread 0 1 ${off}`);
  d.expect(t, String(off + 1), 'stat big size');
});

t.test('mkdir: mode through the umask, sticky kept, owner the caller; parent nlink grows (mkdir/00.t, mkdir(2))', async (t) => {
  const d = fresh();
  d.run('chmod . 0777');
  d.script(t, [
    ['0', 'mkdir a 01755'],
    ['dir,01755,2', 'lstat a type,mode,nlink'],
    ['0', '-U 077 mkdir b 0777'],
    ['0700', 'stat b mode'],
    ['4', 'stat . nlink'],
    ['0', '-u 65534 -g 65534 mkdir c 0755'],
    ['65534,65534', 'stat c uid,gid'],
    ['0', 'rmdir c'],
    ['4', 'stat . nlink'],
  ]);
});

t.test('a set-group-ID directory passes its group on, and its bit to subdirectories (mkdir(2), inode_init_owner)', async (t) => {
  const d = fresh();
  d.script(t, [
    ['0', 'mkdir g 02777'],
    ['0777', 'stat g mode'], // mkdir(2) keeps only the permission bits and the sticky bit
    ['0', 'chown g 0 4242'],
    ['0', 'chmod g 02777'],
    ['0', '-u 1000 -g 1000 mkdir g/sub 0755'],
    ['02755,1000,4242', 'stat g/sub mode,uid,gid'],
    ['0', '-u 1000 -g 1000 create g/file 0644'],
    ['0644,4242', 'stat g/file mode,gid'],
  ]);
});

t.test('create calls on an existing name of any type are EEXIST (mkdir/10.t, mkfifo/09.t, mknod/08.t, symlink/08.t, link/10.t)', async (t) => {
  const d = fresh();
  d.run('create src 0644');
  for (const type of TYPES) {
    d.run(CREATE[type]!('n'));
    d.script(t, [
      ['EEXIST', 'mkdir n 0755'],
      ['EEXIST', 'mkfifo n 0644'],
      ['EEXIST', 'mknod n c 0644 1 2'],
      ['EEXIST', 'symlink test n'],
      ['EEXIST', 'link src n'],
      ['EADDRINUSE', 'bind n'],
    ]);
    d.run(remove(type, 'n'));
  }
  d.expect(t, 'EEXIST', 'mkdir . 0755');
  d.expect(t, 'EEXIST', 'mkdir .. 0755');
});

t.test('creating needs write and search permission on the parent (mkdir/05.t, mkdir/06.t, mkfifo/06.t, mknod/06.t, symlink/06.t, link/07.t)', async (t) => {
  const d = fresh();
  d.run('mkdir p 0755');
  d.run('chown p 65534 65534');
  d.run('create src 0644');
  d.run('chmod . 0777');
  const u = '-u 65534 -g 65534';
  d.script(t, [
    ['0', `${u} mkdir p/a 0755`],
    ['0', 'chmod p 0555'],
    ['EACCES', `${u} mkdir p/b 0755`],
    ['EACCES', `${u} mkfifo p/b 0644`],
    ['EACCES', `${u} symlink x p/b`],
    ['EACCES', `${u} link src p/b`],
    ['EACCES', `${u} bind p/b`],
    ['0', 'chmod p 0666'],
    ['EACCES', `${u} mkdir p/a/x 0755`],
    ['EACCES', `${u} stat p/a type`],
    ['0', 'mkdir p/b 0755'], // root overrides
  ]);
});

t.test('mkfifo and mknod make inodes of the right type with the given numbers (mkfifo/00.t, mknod/00.t, mknod/11.t, mknod(2))', async (t) => {
  const d = fresh();
  d.script(t, [
    ['0', 'mkfifo f 0640'],
    ['fifo,0640', 'lstat f type,mode'],
    ['0', 'mknod p f 0644 0 0'],
    ['fifo,0644', 'lstat p type,mode'],
    ['0', 'mknod c c 0620 4 64'],
    ['char,0620,4,64', 'lstat c type,mode,major,minor'],
    ['0', 'mknod b b 0660 8 1'],
    ['block,0660,8,1', 'lstat b type,mode,major,minor'],
    ['0', 'mknod big c 0600 4095 1048575'], // 12-bit major, 20-bit minor (new-style numbers)
    ['4095,1048575', 'lstat big major,minor'],
    ['0', '-U 022 mknod u c 0777 1 3'],
    ['0755', 'lstat u mode'],
    ['0', 'mknod r o 0644 0 0'], // S_IFREG through mknod is a regular file
    ['regular', 'lstat r type'],
    ['EPERM', 'mknod dd d 0755 0 0'], // mknod(2): EPERM for S_IFDIR
  ]);
});

t.test('mknod of a device needs privilege; a fifo does not (mknod(2) EPERM, CAP_MKNOD)', async (t) => {
  const d = fresh();
  d.run('chmod . 0777');
  d.script(t, [
    ['EPERM', '-u 65534 -g 65534 mknod c c 0644 1 2'],
    ['EPERM', '-u 65534 -g 65534 mknod b b 0644 1 2'],
    ['0', '-u 65534 -g 65534 mknod p f 0644 0 0'],
    ['0', '-u 65534 -g 65534 mkfifo q 0644'],
    ['65534', 'stat q uid'],
  ]);
});

t.test('bind makes a socket inode with 0777 through the umask; connect to it is refused (unix(7))', async (t) => {
  const d = fresh();
  d.script(t, [
    ['0', '-U 022 bind s'],
    ['socket,0755', 'lstat s type,mode'],
    ['ECONNREFUSED', 'connect s'],
    ['ENOENT', 'connect nothere'],
    ['0', 'create f 0644'],
    ['ECONNREFUSED', 'connect f'],
  ]);
});

t.test('symlink stores the target verbatim; lstat sees the link, stat the target (symlink/00.t, symlink(2))', async (t) => {
  const d = fresh();
  d.script(t, [
    ['0', 'create f 0644'],
    ['0', 'symlink f s'],
    ['symlink,1', 'lstat s type,size'],
    ['regular', 'stat s type'],
    ['0', 'symlink ../w/./f s2'],
    ['symlink,8', 'lstat s2 type,size'],
    ['regular', 'stat s2 type'],
  ]);
  // An empty target is ENOENT (symlink(2)); a space-split line cannot carry an empty word, so pass argv.
  t.equal(d.runArgv(['symlink', '', 's3']), 'ENOENT');
  d.expect(t, 'ENOENT', 'lstat s3 type');
});

t.test('link adds a name to the same inode; nlink and ctime follow; a directory is EPERM (link/00.t, link/11.t, link(2))', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  const ino = d.run('stat f inode');
  const ctime = d.run('stat f ctime');
  d.sleep(1);
  d.script(t, [
    ['0', 'link f g'],
    [`regular,${ino},2`, 'lstat g type,inode,nlink'],
    ['2', 'stat f nlink'],
    ['0', 'unlink f'],
    ['1', 'stat g nlink'],
    ['0', 'mkdir dd 0755'],
    ['EPERM', 'link dd e'],
    ['ENOENT', 'link nothere e'],
    ['EEXIST', 'link g dd'],
  ]);
  t.ok(Number(d.run('stat g ctime')) > Number(ctime), 'link(2) updates the inode ctime');
  // link does not follow a symlink (Linux): the new name is a second link to the symlink itself.
  d.run('symlink g s');
  d.expect(t, '0', 'link s s2');
  d.expect(t, 'symlink,2', 'lstat s2 type,nlink');
});
