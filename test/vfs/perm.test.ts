// Credentials and mode bits: generic_permission() with root's overrides, chmod(2), chown(2),
// utimensat(2), access(2), the sticky bit, set-group-ID directories, umask(2) — Linux behaviour as
// measured on the host kernel (6.18) where the man pages leave room.
import t from 'tap';
import { setup, errno, put, get, user, enc, ramfs } from './helpers.js';
import { Vfs } from '../../vfs/vfs.js';
import {
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, R_OK, W_OK, X_OK, F_OK, UTIME_NOW, UTIME_OMIT, S_IFCHR, S_IFBLK,
  S_IFIFO, S_IFDIR, AT_SYMLINK_NOFOLLOW,
} from '../../vfs/constants.js';

t.test('owner class decides alone: owner bits, else group, else other (generic_permission)', async (t) => {
  const { vfs, p } = setup();
  put(p, '/f', 'x');
  p.chown('/f', 1000, 100);
  p.chmod('/f', 0o074); // owner nothing, group rwx, other r
  const owner = user(vfs, 1000, 100);
  const member = user(vfs, 2000, 2000, [100]);
  const other = user(vfs, 3000);
  errno(t, () => owner.open('/f', O_RDONLY), 'EACCES', 'the owner gets owner bits only, even if group/other allow');
  t.doesNotThrow(() => member.close(member.open('/f', O_RDWR)), 'supplementary group grants group bits');
  t.doesNotThrow(() => other.close(other.open('/f', O_RDONLY)), 'other may read');
  errno(t, () => other.open('/f', O_WRONLY), 'EACCES', 'other may not write');
  errno(t, () => other.access('/f', W_OK), 'EACCES', 'access(W_OK)');
  t.doesNotThrow(() => other.access('/f', R_OK | F_OK));
  errno(t, () => other.access('/f', 8), 'EINVAL', 'access with a bad mode');
});

t.test('root: read/write always, execute only if some x bit, directories always searchable', async (t) => {
  const { p } = setup();
  put(p, '/f', 'x');
  p.chmod('/f', 0o000);
  t.doesNotThrow(() => p.close(p.open('/f', O_RDWR)), 'root opens a 000 file rw');
  errno(t, () => p.access('/f', X_OK), 'EACCES', 'no x bit anywhere: root cannot execute');
  p.chmod('/f', 0o001);
  t.doesNotThrow(() => p.access('/f', X_OK), 'one x bit is enough for root');
  p.mkdir('/d', 0o000);
  put(p, '/d/in', 'y');
  t.equal(get(p, '/d/in'), 'y', 'root searches and writes a 000 directory');
});

t.test('create and remove need write+search on the directory (may_create, may_delete)', async (t) => {
  const { vfs, p } = setup();
  p.mkdir('/d', 0o755);
  put(p, '/d/f', 'x');
  const u = user(vfs, 1000);
  errno(t, () => u.open('/d/new', O_CREAT | O_WRONLY, 0o644), 'EACCES', 'create');
  errno(t, () => u.mkdir('/d/sub', 0o755), 'EACCES', 'mkdir');
  errno(t, () => u.unlink('/d/f'), 'EACCES', 'unlink');
  errno(t, () => u.symlink('x', '/d/l'), 'EACCES', 'symlink');
  errno(t, () => u.mkdir('/d/f', 0o755), 'EEXIST', 'EEXIST comes before EACCES');
  errno(t, () => u.unlink('/d/none'), 'ENOENT', 'ENOENT before EACCES');
  p.chmod('/d', 0o733);
  put(u, '/d/mine', 'm');
  t.equal(p.stat('/d/mine').uid, 1000, 'new file owned by the caller');
  t.equal(p.stat('/d/mine').gid, 1000, 'group is the caller\'s gid');
});

t.test('chmod: owner or root (EPERM); S_ISGID dropped for a caller outside the group (setattr_prepare)', async (t) => {
  const { vfs, p } = setup();
  put(p, '/f', 'x');
  p.chown('/f', 1000, 500);
  const owner = user(vfs, 1000, 1000);
  const stranger = user(vfs, 2000);
  errno(t, () => stranger.chmod('/f', 0o777), 'EPERM', 'non-owner');
  owner.chmod('/f', 0o2755);
  t.equal(p.stat('/f').mode & 0o7777, 0o755, 'S_ISGID silently cleared: owner not in group 500');
  const inGroup = user(vfs, 1000, 1000, [500]);
  inGroup.chmod('/f', 0o2755);
  t.equal(p.stat('/f').mode & 0o7777, 0o2755, 'kept for a member');
  p.chmod('/f', 0o4755);
  t.equal(p.stat('/f').mode & 0o7777, 0o4755, 'root sets anything');
  owner.chmod('/f', 0o1644);
  t.equal(p.stat('/f').mode & 0o7777, 0o1644, 'sticky on a file is allowed on Linux');
  p.chmod('/f', 0o170644);
  t.equal(p.stat('/f').mode, 0o100644, 'type bits in the argument are ignored');
});

t.test('chown rules (chown(2), setattr_prepare, setattr_should_drop_sgid) — measured on Linux 6.18', async (t) => {
  const { vfs, p } = setup();
  put(p, '/f', 'x');
  p.chown('/f', 1000, 1000);
  const owner = user(vfs, 1000, 1000, [1001]);
  const stranger = user(vfs, 2000);
  errno(t, () => owner.chown('/f', 2000, -1), 'EPERM', 'only root changes the owner');
  owner.chown('/f', 1000, -1);
  t.pass('changing the owner to itself is allowed');
  owner.chown('/f', -1, 1001);
  t.equal(p.stat('/f').gid, 1001, 'owner may change to a group it belongs to');
  errno(t, () => owner.chown('/f', -1, 3000), 'EPERM', 'not to another group');
  errno(t, () => stranger.chown('/f', -1, 2000), 'EPERM', 'a non-owner may not chgrp');
  stranger.chown('/f', -1, -1);
  t.pass('chown(-1, -1) by anyone who can reach it succeeds (Linux)...');
  p.chmod('/f', 0o2000);
  errno(t, () => stranger.chown('/f', -1, -1), 'EPERM', '...unless set-ID bits would drop: a mode change (setattr_prepare)');
  t.equal(p.stat('/f').mode & 0o7777, 0o2000, 'and the mode is unchanged');
  p.chmod('/f', 0o644);
  for (const [before, after] of [[0o6755, 0o755], [0o2755, 0o755], [0o2745, 0o2745], [0o4755, 0o755]] as const) {
    p.chmod('/f', before);
    p.chown('/f', 1000, 1000);
    t.equal(p.stat('/f').mode & 0o7777, after, `root chown: ${before.toString(8)} -> ${after.toString(8)}`);
  }
  p.chown('/f', 1000, 3000);
  p.chmod('/f', 0o2745);
  user(vfs, 1000, 1000).chown('/f', -1, -1);
  t.equal(p.stat('/f').mode & 0o7777, 0o745, 'S_ISGID without g+x dropped when the caller is not in the group');
  p.mkdir('/d', 0o755);
  p.chmod('/d', 0o6755);
  p.chown('/d', 5, 5);
  t.equal(p.stat('/d').mode & 0o7777, 0o6755, 'directories keep their set-ID bits');
  p.symlink('/f', '/l');
  p.lchown('/l', 7, 7);
  t.equal(p.lstat('/l').uid, 7, 'lchown changes the link');
  t.equal(p.stat('/l').uid, 1000, 'not its target');
  errno(t, () => p.chown('/f', 1.5, 0), 'EINVAL', 'fractional id');
});

t.test('utimensat permissions and values (utimensat(2)) — measured on Linux 6.18', async (t) => {
  const { vfs, p } = setup();
  put(p, '/f', 'x');
  p.chown('/f', 1000, 1000);
  p.chmod('/f', 0o666);
  const writer = user(vfs, 2000);
  const now = { sec: 0, nsec: UTIME_NOW };
  const omit = { sec: 0, nsec: UTIME_OMIT };
  const fixed = { sec: 1000, nsec: 5 };
  errno(t, () => writer.utimensat('/f', fixed, fixed), 'EPERM', 'explicit times: owner or root');
  errno(t, () => writer.utimensat('/f', now, omit), 'EPERM', 'NOW+OMIT counts as explicit (ATTR_TIMES_SET)');
  writer.utimensat('/f', now, now);
  t.pass('NOW for both: write permission suffices');
  writer.utimensat('/nonexistent', omit, omit);
  t.pass('OMIT for both returns before the lookup');
  p.chmod('/f', 0o644);
  errno(t, () => writer.utimensat('/f', now, now), 'EACCES', 'NOW without write permission');
  user(vfs, 1000).utimensat('/f', fixed, { sec: 2000, nsec: 999_999_999 });
  const s = p.stat('/f');
  t.same([s.atimeSec, s.atimeNsec, s.mtimeSec, s.mtimeNsec], [1000, 5, 2000, 999_999_999], 'owner sets exact times');
  const c0 = s.ctimeSec * 1e9 + s.ctimeNsec;
  p.utimensat('/f', omit, { sec: -5, nsec: 0 });
  const s2 = p.stat('/f');
  t.equal(s2.atimeSec, 1000, 'OMIT leaves atime');
  t.equal(s2.mtimeSec, -5, 'times before 1970 are allowed');
  t.ok(s2.ctimeSec * 1e9 + s2.ctimeNsec > c0, 'ctime moves');
  errno(t, () => p.utimensat('/f', { sec: 0, nsec: 1e9 }, omit), 'EINVAL', 'nsec out of range');
  errno(t, () => p.utimensat('/f', { sec: 0, nsec: -1 }, omit), 'EINVAL', 'negative nsec');
  errno(t, () => p.utimensat('/f', now, now, 0x4000), 'EINVAL', 'unknown flag');
  p.symlink('/f', '/l');
  p.utimensat('/l', fixed, fixed, AT_SYMLINK_NOFOLLOW);
  t.equal(p.lstat('/l').mtimeSec, 1000, 'AT_SYMLINK_NOFOLLOW sets the link\'s times');
  t.equal(p.stat('/f').mtimeSec, -5, 'not the target\'s');
  const fd = p.open('/f', O_RDONLY);
  p.futimens(fd, fixed, fixed);
  t.equal(p.fstat(fd).mtimeSec, 1000, 'futimens');
  p.close(fd);
});

t.test('sticky directories: only the file owner, the directory owner or root removes (unlink(2) EPERM)', async (t) => {
  const { vfs, p } = setup();
  p.mkdir('/tmp', 0o777);
  p.chmod('/tmp', 0o1777);
  p.chown('/tmp', 3000, 3000);
  const a = user(vfs, 1000);
  const b = user(vfs, 2000);
  const dirOwner = user(vfs, 3000);
  put(a, '/tmp/a1', '');
  put(a, '/tmp/a2', '');
  put(a, '/tmp/a3', '');
  errno(t, () => b.unlink('/tmp/a1'), 'EPERM', 'another user');
  a.unlink('/tmp/a1');
  dirOwner.unlink('/tmp/a2');
  p.unlink('/tmp/a3');
  t.same(p.readdir('/tmp'), [], 'owner, directory owner and root could');
});

t.test('set-group-ID directories: new nodes take the directory\'s group, subdirectories the bit (inode_init_owner)', async (t) => {
  const { vfs, p } = setup();
  p.mkdir('/g', 0o777);
  p.chown('/g', 0, 500);
  p.chmod('/g', 0o2777);
  const u = user(vfs, 1000);
  put(u, '/g/f', '');
  u.mkdir('/g/sub', 0o755);
  t.equal(p.stat('/g/f').gid, 500, 'file gid from the directory');
  t.equal(p.stat('/g/sub').gid, 500);
  t.equal(p.stat('/g/sub').mode & 0o2000, 0o2000, 'subdirectory inherits S_ISGID');
  u.close(u.open('/g/x', O_CREAT | O_WRONLY, 0o2775));
  t.equal(p.stat('/g/x').mode & 0o2000, 0, 'S_ISGID|S_IXGRP stripped for a non-member (mode_strip_sgid)');
});

t.test('writes and truncates by non-root drop S_ISUID, and S_ISGID when g+x (file_remove_privs)', async (t) => {
  const { vfs, p } = setup();
  put(p, '/f', 'x');
  p.chown('/f', 1000, 1000);
  const u = user(vfs, 1000);
  p.chmod('/f', 0o6775);
  let fd = u.open('/f', O_WRONLY);
  u.write(fd, enc('y'), 0, 1, null);
  u.close(fd);
  t.equal(p.stat('/f').mode & 0o7777, 0o775, 'both dropped');
  p.chmod('/f', 0o6765);
  fd = u.open('/f', O_WRONLY);
  u.write(fd, enc('y'), 0, 1, null);
  u.close(fd);
  t.equal(p.stat('/f').mode & 0o7777, 0o2765, 'S_ISGID without g+x kept for a group member');
  const stranger = user(vfs, 1001, 1000);
  p.chown('/f', 1000, 500);
  p.chmod('/f', 0o7767);
  fd = stranger.open('/f', O_WRONLY);
  stranger.write(fd, enc('s'), 0, 1, null);
  stranger.close(fd);
  t.equal(p.stat('/f').mode & 0o7777, 0o1767, 'a caller outside the group loses S_ISGID even without g+x (setattr_should_drop_sgid)');
  p.chmod('/f', 0o4755);
  u.truncate('/f', 0);
  t.equal(p.stat('/f').mode & 0o7777, 0o755, 'truncate drops S_ISUID');
  p.chmod('/f', 0o6777);
  fd = p.open('/f', O_WRONLY);
  p.write(fd, enc('r'), 0, 1, null);
  p.close(fd);
  t.equal(p.stat('/f').mode & 0o7777, 0o6777, 'root keeps them');
});

t.test('mknod: device nodes need root; S_IFDIR is EPERM; bad types EINVAL (mknod(2))', async (t) => {
  const { vfs, p } = setup();
  p.mkdir('/d', 0o777);
  p.chmod('/d', 0o777);
  const u = user(vfs, 1000);
  errno(t, () => u.mknod('/d/c', S_IFCHR | 0o644, 0x0103), 'EPERM', 'char device by a user');
  p.mknod('/d/c', S_IFCHR | 0o644, 0x0103);
  p.mknod('/d/b', S_IFBLK | 0o600, 0x0800);
  t.equal(p.stat('/d/c').rdev, 0x0103, 'rdev stored');
  t.equal(p.stat('/d/b').mode, S_IFBLK | 0o600);
  u.mknod('/d/p', S_IFIFO | 0o666, 0);
  t.equal(p.stat('/d/p').mode, S_IFIFO | 0o644, 'fifo by a user, umask applied');
  t.equal(p.stat('/d/p').rdev, 0, 'rdev only for devices');
  u.mknod('/d/r', 0o644, 0);
  t.equal(p.stat('/d/r').mode, 0o100644, 'type 0 is a regular file');
  errno(t, () => p.mknod('/d/x', S_IFDIR | 0o755, 0), 'EPERM', 'S_IFDIR');
  errno(t, () => p.mknod('/d/y', 0o170644, 0), 'EINVAL', 'unknown type');
  errno(t, () => p.open('/d/c', O_RDONLY), 'ENXIO', 'no driver behind a device node');
});

t.test('fs.protected_hardlinks=1: a non-owner links only regular, non-set-ID files it can read and write (may_linkat) — measured on Linux 6.18', async (t) => {
  const fs = ramfs();
  const vfs = new Vfs({ root: fs, protectedHardlinks: true });
  const p = vfs.root;
  p.chmod('/', 0o777);
  put(p, '/mine', '');
  p.chmod('/mine', 0o644);
  put(p, '/rw', '');
  p.chmod('/rw', 0o666);
  put(p, '/suid', '');
  p.chmod('/suid', 0o4777);
  p.symlink('x', '/sl');
  const u = user(vfs, 1000);
  errno(t, () => u.link('/mine', '/l1'), 'EPERM', 'not writable by the caller');
  u.link('/rw', '/l2');
  t.equal(p.stat('/l2').nlink, 2, 'readable and writable: allowed');
  errno(t, () => u.link('/suid', '/l3'), 'EPERM', 'set-user-ID');
  errno(t, () => u.link('/sl', '/l4'), 'EPERM', 'not a regular file');
  errno(t, () => u.link('/mine', '/rw'), 'EEXIST', 'EEXIST comes first');
  put(u, '/own', '');
  u.chmod('/own', 0o400);
  u.link('/own', '/own2');
  t.pass('the owner links anything');
  const lax = new Vfs({ root: ramfs() });
  lax.root.chmod('/', 0o777);
  put(lax.root, '/f', '');
  lax.root.chmod('/f', 0o600);
  user(lax, 1000).link('/f', '/g');
  t.equal(lax.root.stat('/g').nlink, 2, 'by default (the kernel default, sysctl 0) it is allowed');
});
