// Our own conformance cases, in pjdfstest's command language, for the calls that remove or move names:
// unlink, rmdir, rename. Each test names the pjdfstest file whose rule it checks (tests/<call>/<nn>.t)
// and the Linux man page; the cases are ours.

import t from 'tap';
import { Driver, CREATE, remove } from './pjdfstest-driver.js';

const fresh = (): Driver => {
  const d = new Driver();
  d.run('mkdir w 0755');
  d.cwd = '/w';
  return d;
};

const NONDIR = ['regular', 'fifo', 'block', 'char', 'socket', 'symlink'];
const u = '-u 65534 -g 65534';

t.test('unlink removes every non-directory type and updates the parent\'s mtime and ctime (unlink/00.t, unlink(2))', async (t) => {
  const d = fresh();
  for (const type of NONDIR) {
    d.run(CREATE[type]!('n'));
    const m = d.run('stat . mtime'), c = d.run('stat . ctime');
    d.sleep(1);
    d.expect(t, '0', 'unlink n');
    d.expect(t, 'ENOENT', 'lstat n type');
    t.ok(Number(d.run('stat . mtime')) > Number(m) && Number(d.run('stat . ctime')) > Number(c), `${type}: parent times move`);
  }
});

t.test('unlink of one of several links drops nlink and updates the file\'s ctime (unlink/00.t)', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.run('link f g');
  const c = d.run('stat f ctime');
  d.sleep(1);
  d.expect(t, '0', 'unlink g');
  d.expect(t, '1', 'stat f nlink');
  t.ok(Number(d.run('stat f ctime')) > Number(c));
});

t.test('unlink of a directory is EISDIR on Linux (unlink/08.t allows EPERM; unlink(2) Linux)', async (t) => {
  const d = fresh();
  d.run('mkdir dd 0755');
  d.expect(t, 'EISDIR', 'unlink dd');
  d.expect(t, 'dir', 'stat dd type');
});

t.test('unlink needs write permission on the parent (unlink/06.t) and respects the sticky bit (unlink/11.t)', async (t) => {
  const d = fresh();
  d.run('mkdir p 0755');
  d.run('chown p 65534 65534');
  d.run('create p/f 0644');
  d.run('chmod p 0555');
  d.expect(t, 'EACCES', `${u} unlink p/f`);
  d.run('chmod p 0755');
  d.expect(t, '0', `${u} unlink p/f`);
  // Sticky directory owned by root: only the file's owner, the directory's owner or root may remove.
  d.run('mkdir s 01777');
  d.run('chmod s 01777');
  d.run('create s/mine 0644');
  d.run('chown s/mine 65534 65534');
  d.run('create s/other 0666');
  d.run('chown s/other 65533 65533');
  d.expect(t, 'EPERM', `${u} unlink s/other`);
  d.expect(t, '0', `${u} unlink s/mine`);
  d.run('chown s 65534 65534');
  d.expect(t, '0', `${u} unlink s/other`); // the directory's owner may
});

t.test('an open file keeps its data after unlink until the last close (unlink/14.t, unlink(2))', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.expect(t, 'Hello', 'open f O_RDWR : write 0 Hello : unlink f : fstat 0 nlink : pread 0 5 0');
  d.run('create f 0644');
  d.expect(t, '0', 'open f O_RDWR : unlink f : fstat 0 nlink');
  d.expect(t, 'ENOENT', 'stat f type');
});

t.test('rmdir removes an empty directory; the parent loses a link (rmdir/00.t, rmdir(2))', async (t) => {
  const d = fresh();
  d.script(t, [
    ['0', 'mkdir a 0755'],
    ['3', 'stat . nlink'],
    ['0', 'rmdir a'],
    ['2', 'stat . nlink'],
    ['ENOENT', 'rmdir a'],
  ]);
});

t.test('rmdir of a non-empty directory is ENOTEMPTY; of a non-directory ENOTDIR (rmdir/06.t, rmdir/01.t)', async (t) => {
  const d = fresh();
  d.run('mkdir a 0755');
  for (const type of ['regular', 'dir', 'fifo', 'socket', 'symlink']) {
    d.run(CREATE[type]!('a/x'));
    d.expect(t, 'ENOTEMPTY', 'rmdir a');
    d.run(remove(type, 'a/x'));
  }
  d.run('create f 0644');
  d.run('symlink a s');
  d.script(t, [
    ['ENOTDIR', 'rmdir f'],
    ['ENOTDIR', 'rmdir s'], // rmdir does not follow a final symlink
    ['ENOTDIR', 'rmdir f/x'],
    ['0', 'rmdir a'],
  ]);
});

t.test('rmdir of "." is EINVAL, of ".." ENOTEMPTY on Linux (rmdir/12.t, rmdir(2))', async (t) => {
  const d = fresh();
  d.run('mkdir a 0755');
  d.script(t, [
    ['EINVAL', 'rmdir a/.'],
    ['EINVAL', 'rmdir .'],
    ['ENOTEMPTY|EEXIST', 'rmdir a/..'],
    ['dir', 'stat a type'],
  ]);
});

t.test('rmdir needs write permission on the parent and respects its sticky bit (rmdir/08.t, rmdir/11.t)', async (t) => {
  const d = fresh();
  d.run('mkdir p 0755');
  d.run('mkdir p/a 0755');
  d.run('chown p 65534 65534');
  d.run('chmod p 0555');
  d.expect(t, 'EACCES', `${u} rmdir p/a`);
  d.run('chmod p 01777');
  d.run('chown p 0 0');
  d.expect(t, 'EPERM', `${u} rmdir p/a`);
  d.run('chown p/a 65534 65534');
  d.expect(t, '0', `${u} rmdir p/a`);
});

t.test('rename keeps the inode, moves the name, works for every type (rename/00.t, rename(2))', async (t) => {
  const d = fresh();
  for (const type of ['regular', 'dir', 'fifo', 'block', 'char', 'socket', 'symlink']) {
    d.run(CREATE[type]!('a'));
    const ino = d.run('lstat a inode');
    d.script(t, [
      ['0', 'rename a b'],
      ['ENOENT', 'lstat a type'],
      [`${type},${ino}`, 'lstat b type,inode'],
    ]);
    d.run(remove(type, 'b'));
  }
});

t.test('rename of a symlink moves the link, not its target (rename/00.t)', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.run('symlink f s');
  const fino = d.run('stat f inode'), sino = d.run('lstat s inode');
  d.script(t, [
    ['0', 'rename s s2'],
    [`symlink,${sino}`, 'lstat s2 type,inode'],
    [`regular,${fino}`, 'stat s2 type,inode'],
    [`regular,${fino}`, 'lstat f type,inode'],
  ]);
});

t.test('rename onto another link of the same file does nothing (rename(2): "if oldpath and newpath are existing hard links to the same file, rename() does nothing")', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.run('link f g');
  d.script(t, [
    ['0', 'rename f g'],
    ['2', 'stat f nlink'],
    ['2', 'stat g nlink'],
  ]);
});

t.test('rename over a multiply linked file drops one link of it (rename/23.t)', async (t) => {
  const d = fresh();
  d.run('create src 0644');
  d.run('create dst 0644');
  d.run('link dst dstlnk');
  d.script(t, [
    ['0', 'rename src dst'],
    ['regular,1', 'lstat dstlnk type,nlink'],
  ]);
});

t.test('rename type rules: dir onto non-dir ENOTDIR, non-dir onto dir EISDIR, onto a non-empty dir ENOTEMPTY (rename/13.t, rename/14.t, rename/20.t)', async (t) => {
  const d = fresh();
  d.run('mkdir dd 0755');
  d.run('mkdir full 0755');
  d.run('create full/x 0644');
  d.run('mkdir empty 0755');
  for (const type of NONDIR) {
    d.run(CREATE[type]!('n'));
    d.expect(t, 'ENOTDIR', 'rename dd n');
    d.expect(t, 'EISDIR', 'rename n dd');
    d.run(remove(type, 'n'));
  }
  d.script(t, [
    ['ENOTEMPTY|EEXIST', 'rename dd full'],
    ['0', 'rename dd empty'],
    ['ENOENT', 'stat dd type'],
    ['dir', 'stat empty type'],
  ]);
});

t.test('rename of a directory into its own subtree is EINVAL; "." and ".." cannot be renamed (rename/18.t, rename/19.t)', async (t) => {
  const d = fresh();
  d.run('mkdir a 0755');
  d.run('mkdir a/b 0755');
  d.script(t, [
    ['EINVAL', 'rename a a/b/c'],
    ['EINVAL', 'rename a a/c'],
    ['EINVAL|EBUSY', 'rename a/. x'],
    ['EINVAL|EBUSY', 'rename a/.. x'],
    ['dir', 'stat a/b type'],
  ]);
});

t.test('a directory moved to another parent needs write permission on itself (for ".."); a file does not (rename/21.t, Linux vfs_rename)', async (t) => {
  const d = fresh();
  d.run('mkdir p 0777');
  d.run('mkdir q 0777');
  d.run('mkdir p/a 0700');
  d.script(t, [
    ['0', `${u} rename p/a p/b`], // same parent: no check on the directory itself
    ['EACCES', `${u} rename p/b q/c`],
    ['0', 'create p/f 0644'],
    ['0', `${u} rename p/f q/f`],
  ]);
});

t.test('rename updates ".." of a moved directory and both parents\' link counts (rename/24.t)', async (t) => {
  const d = fresh();
  d.run('mkdir src 0755');
  d.run('mkdir dst 0755');
  d.run('mkdir src/x 0755');
  const dstIno = d.run('stat dst inode');
  d.script(t, [
    ['3', 'lstat src nlink'],
    ['2', 'lstat dst nlink'],
    ['0', 'rename src/x dst/y'],
    ['2', 'lstat src nlink'],
    ['3', 'lstat dst nlink'],
    [dstIno, 'lstat dst/y/.. inode'],
  ]);
});

t.test('rename in a sticky directory: only the owner of the file or the directory, or root (rename/09.t, rename/10.t)', async (t) => {
  const d = fresh();
  d.run('mkdir s 0755');
  d.run('chmod s 01777');
  d.run('mkdir t 0777');
  d.run('create s/theirs 0644');
  d.run('chown s/theirs 65533 65533');
  d.run('create s/mine 0644');
  d.run('chown s/mine 65534 65534');
  d.script(t, [
    ['EACCES|EPERM', `${u} rename s/theirs t/x`],
    ['0', `${u} rename s/mine t/x`],
    ['0', `${u} rename t/x s/mine`],
    // Replacing someone else's file in a sticky directory is refused as well (rename/10.t).
    ['0', 'create t/y 0644'],
    ['0', 'chown t/y 65534 65534'],
    ['EACCES|EPERM', `${u} rename t/y s/theirs`],
    ['0', 'rename t/y s/theirs'],
  ]);
});

t.test('rename updates the ctime of the renamed inode on Linux (rename/22.t, tmpfs shmem_rename2)', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  const c = d.run('stat f ctime');
  d.sleep(1);
  d.expect(t, '0', 'rename f g');
  t.ok(Number(d.run('stat g ctime')) > Number(c));
});

t.test('unsuccessful calls do not change times (rename/00.t, unlink/00.t and others: "unsuccessful ... does not update ctime")', async (t) => {
  const d = fresh();
  d.run('create f 0644');
  d.run('mkdir dd 0755');
  const c = d.run('stat f ctime'), dc = d.run('stat dd ctime');
  d.sleep(1);
  d.script(t, [
    ['EISDIR', 'rename f dd'],
    ['EEXIST', 'link f dd'],
    ['EACCES', `${u} unlink f`],
  ]);
  d.expect(t, c, 'stat f ctime');
  d.expect(t, dc, 'stat dd ctime');
});
