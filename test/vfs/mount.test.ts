// Mounting (mount(2), umount(2)): any directory, EBUSY while in use, statfs per mount, sync of all,
// read-only backends (EROFS before the backend is called).
import t from 'tap';
import { setup, errno, put, get, ramfs, user, tree } from './helpers.js';
import { Vfs } from '../../vfs/vfs.js';
import { O_RDONLY, O_WRONLY, O_CREAT, S_IFREG } from '../../vfs/constants.js';
import type { Backend } from '../../vfs/backend.js';

t.test('mount at a directory, work inside, umount restores the covered tree', async (t) => {
  const { p } = setup();
  p.mkdir('/m', 0o755);
  put(p, '/m/hidden', 'h');
  const fs2 = ramfs();
  p.mount('/m', fs2);
  put(p, '/m/new', 'n');
  t.equal(get(p, '/m/new'), 'n');
  t.same(p.readdir('/m').map((e) => e.name), ['new']);
  t.equal(p.statfs('/m').type, fs2.statfs().type, 'statfs of the mounted fs');
  p.umount('/m');
  t.same(p.readdir('/m').map((e) => e.name), ['hidden'], 'the covered tree is back');
  errno(t, () => p.umount('/m'), 'EINVAL', 'not a mount point');
});

t.test('umount is EBUSY while a descriptor, a cwd or a submount is inside (umount(2))', async (t) => {
  const { vfs, p } = setup();
  p.mkdir('/m', 0o755);
  p.mount('/m', ramfs());
  put(p, '/m/f', 'x');
  const fd = p.open('/m/f', O_RDONLY);
  errno(t, () => p.umount('/m'), 'EBUSY', 'open descriptor');
  p.close(fd);
  const q = vfs.process({ cwd: '/m' });
  errno(t, () => p.umount('/m'), 'EBUSY', 'a cwd inside');
  q.chdir('/');
  p.mkdir('/m/sub', 0o755);
  p.mount('/m/sub', ramfs());
  errno(t, () => p.umount('/m'), 'EBUSY', 'a mount below');
  p.umount('/m/sub');
  p.umount('/m');
  t.pass('umount once idle');
  errno(t, () => p.umount('/'), 'EBUSY', 'umount of "/" (the root is always busy)');
});

t.test('mount errors: EBUSY on a mount root or an already mounted backend, ENOTDIR, EPERM for users', async (t) => {
  const { vfs, p } = setup();
  p.mkdir('/a', 0o755);
  p.mkdir('/b', 0o755);
  put(p, '/f', '');
  const fs2 = ramfs();
  p.mount('/a', fs2);
  errno(t, () => p.mount('/a', ramfs()), 'EBUSY', 'something is mounted there');
  errno(t, () => p.mount('/b', fs2), 'EBUSY', 'backend already mounted');
  errno(t, () => p.mount('/', ramfs()), 'EBUSY', 'the root');
  errno(t, () => p.mount('/f', ramfs()), 'ENOTDIR', 'a file');
  errno(t, () => user(vfs, 1000).mount('/b', ramfs()), 'EPERM', 'CAP_SYS_ADMIN');
  errno(t, () => p.rmdir('/a'), 'EBUSY', 'rmdir of a mount point');
  errno(t, () => p.mount('/nope', ramfs()), 'ENOENT', 'missing directory');
});

t.test('sync(2) reaches every mounted backend; fsync reaches the file\'s', async (t) => {
  const { p, fs } = setup();
  let synced = 0;
  let fsynced = 0;
  const origSync = fs.sync.bind(fs);
  fs.sync = () => { synced++; origSync(); };
  const fs2 = ramfs();
  fs2.sync = () => { synced++; };
  const origFsync = fs2.fsync.bind(fs2);
  fs2.fsync = (ino, dataOnly) => { fsynced += dataOnly ? 10 : 1; origFsync(ino, dataOnly); };
  p.mkdir('/m', 0o755);
  p.mount('/m', fs2);
  p.sync();
  t.equal(synced, 2, 'both filesystems');
  const fd = p.open('/m/f', O_CREAT | O_WRONLY, 0o644);
  p.fsync(fd);
  p.fdatasync(fd);
  t.equal(fsynced, 11, 'fsync then fdatasync on the mounted fs');
  p.close(fd);
});

t.test('a read-only backend: EROFS for every mutation, nothing reaches the backend', async (t) => {
  const inner = ramfs();
  const pre = new Vfs({ root: inner });
  put(pre.root, '/f', 'data');
  pre.root.mkdir('/d', 0o755);
  pre.root.exit();
  const calls: string[] = [];
  const ro = new Proxy(inner as Backend, {
    get(target, prop, recv) {
      if (prop === 'capabilities') return { ...target.capabilities, readOnly: true };
      const v = Reflect.get(target, prop, recv);
      if (typeof v === 'function') {
        return (...args: unknown[]) => {
          if (['create', 'mkdir', 'symlink', 'link', 'unlink', 'rmdir', 'rename', 'write', 'truncate', 'setattr'].includes(String(prop))) calls.push(String(prop));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return v;
    },
  });
  const vfs = new Vfs({ root: ramfs() });
  const p = vfs.root;
  p.mkdir('/ro', 0o755);
  p.mount('/ro', ro);
  t.equal(get(p, '/ro/f'), 'data', 'reads work');
  errno(t, () => p.open('/ro/f', O_WRONLY), 'EROFS', 'open for writing');
  errno(t, () => p.open('/ro/g', O_CREAT | O_WRONLY, 0o644), 'EROFS', 'create');
  errno(t, () => p.mkdir('/ro/x', 0o755), 'EROFS', 'mkdir');
  errno(t, () => p.unlink('/ro/f'), 'EROFS', 'unlink');
  errno(t, () => p.rmdir('/ro/d'), 'EROFS', 'rmdir');
  errno(t, () => p.rename('/ro/f', '/ro/g'), 'EROFS', 'rename');
  errno(t, () => p.chmod('/ro/f', 0o600), 'EROFS', 'chmod');
  errno(t, () => p.chown('/ro/f', 1, 1), 'EROFS', 'chown');
  errno(t, () => p.truncate('/ro/f', 0), 'EROFS', 'truncate');
  errno(t, () => p.utimensat('/ro/f', { sec: 1, nsec: 0 }, { sec: 1, nsec: 0 }), 'EROFS', 'utimensat');
  errno(t, () => p.access('/ro/f', 2), 'EROFS', 'access(W_OK)');
  errno(t, () => p.mkdir('/ro/f', 0o755), 'EEXIST', 'EEXIST before EROFS');
  t.same(calls, [], 'no mutating backend call (reads set no atime on a read-only mount)');
});

t.test('st_dev differs per mount and is stable; inode numbers are the backend\'s', async (t) => {
  const { p } = setup();
  p.mkdir('/m', 0o755);
  const fs2 = ramfs();
  p.mount('/m', fs2);
  const d1 = p.stat('/').dev, d2 = p.stat('/m').dev;
  t.not(d1, d2);
  t.equal(p.stat('/m').ino, fs2.rootIno);
  put(p, '/m/x', '');
  t.equal(p.stat('/m/x').dev, d2);
  t.equal(p.stat('/m/x').mode & 0o170000, S_IFREG);
  t.ok(tree(p).includes('/m/x 100644 0 0 0 1 '), 'tree sees inside mounts');
});

t.test('O_DSYNC and O_SYNC writes reach fsync before returning (open(2): synchronized I/O)', async (t) => {
  const { p, fs } = setup();
  const seen: boolean[] = [];
  const orig = fs.fsync.bind(fs);
  fs.fsync = (ino, dataOnly) => { seen.push(dataOnly); orig(ino, dataOnly); };
  const a = p.open('/a', O_CREAT | O_WRONLY | 0o10000, 0o644); // O_DSYNC
  p.write(a, new Uint8Array(4), 0, 4, null);
  const b = p.open('/b', O_CREAT | O_WRONLY | 0o4010000, 0o644); // O_SYNC
  p.write(b, new Uint8Array(4), 0, 4, null);
  const c = p.open('/c', O_CREAT | O_WRONLY, 0o644);
  p.write(c, new Uint8Array(4), 0, 4, null);
  t.same(seen, [true, false], 'O_DSYNC: data only; O_SYNC: data and metadata; neither: no fsync');
});

t.test('mount({ readOnly: true }) (MS_RDONLY): EROFS for mutations of a writable backend', async (t) => {
  const { p } = setup();
  p.mkdir('/m', 0o755);
  const fs2 = ramfs();
  const pre = new Vfs({ root: fs2 }); // fill it first (unmounting a ramfs discards it, as tmpfs)
  put(pre.root, '/f', 'data');
  pre.root.exit();
  p.mount('/m', fs2, { readOnly: true });
  t.equal(get(p, '/m/f'), 'data', 'reads work');
  errno(t, () => p.open('/m/f', O_WRONLY), 'EROFS', 'open for writing');
  errno(t, () => p.unlink('/m/f'), 'EROFS', 'unlink');
  errno(t, () => p.mkdir('/m/d', 0o755), 'EROFS', 'mkdir');
  const a0 = p.stat('/m/f').atimeNsec;
  get(p, '/m/f');
  t.equal(p.stat('/m/f').atimeNsec, a0, 'no atime updates');
  t.doesNotThrow(() => put(p, '/outside', 'x'), 'the rest of the namespace stays writable');
  const vfs2 = new Vfs({ root: ramfs(), rootReadOnly: true });
  errno(t, () => vfs2.root.mkdir('/x', 0o755), 'EROFS', 'a read-only root (VfsOptions.rootReadOnly)');
});
