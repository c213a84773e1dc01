// Same calls, same outcomes: each script runs on real node:fs in /dev/shm (Linux tmpfs) and on
// createFs() (VFS + ramfs) at the same absolute path; every step's result or error must agree —
// error class, code, negative errno, syscall, path, dest and message (Node's uvException format).

import t from 'tap';
import { runBoth, type Script } from './oracle.js';

const cases: Record<string, Script> = {
  'open/read/write/close and their errors (open(2), read(2), write(2))': (fs, R, step) => {
    step(() => fs.openSync(`${R}/nope`));
    step(() => fs.openSync(Buffer.from(`${R}/nope`)));
    step(() => fs.openSync(new URL(`file://${R}/nope`)));
    step(() => fs.writeFileSync(`${R}/f`, 'hello world'));
    step(() => fs.openSync(`${R}/f`, 'wx'));
    step(() => fs.openSync(`${R}/f/x`, 'r'));
    step(() => { fs.mkdirSync(`${R}/d`); return fs.openSync(`${R}/d`, 'w'); });
    step(() => { const fd = fs.openSync(`${R}/f`, 'r'); const b = Buffer.alloc(5); const n = fs.readSync(fd, b, 0, 5, 6); fs.closeSync(fd); return [n, b]; });
    step(() => { const fd = fs.openSync(`${R}/f`, 'r'); const b = Buffer.alloc(20); const n = fs.readSync(fd, b); fs.closeSync(fd); return [n, b]; });
    step(() => { const fd = fs.openSync(`${R}/f`, 'r'); try { return fs.writeSync(fd, 'x'); } finally { fs.closeSync(fd); } });
    step(() => { const fd = fs.openSync(`${R}/f`, 'r+'); fs.writeSync(fd, 'HE'); fs.writeSync(fd, Buffer.from('XY'), 0, 2, 9); fs.closeSync(fd); return fs.readFileSync(`${R}/f`, 'utf8'); });
    step(() => { const fd = fs.openSync(`${R}/f`, 'a'); fs.writeSync(fd, '!', 0); fs.closeSync(fd); return fs.readFileSync(`${R}/f`, 'latin1'); });
    step(() => { const fd = fs.openSync(`${R}/f`, 'r'); const a = Buffer.alloc(3), b = Buffer.alloc(4); const n = fs.readvSync(fd, [a, b], 1); fs.closeSync(fd); return [n, a, b]; });
    step(() => { const fd = fs.openSync(`${R}/v`, 'w+'); const n = fs.writevSync(fd, [Buffer.from('ab'), Buffer.from('cd')]); fs.closeSync(fd); return [n, fs.readFileSync(`${R}/v`)]; });
    step(() => fs.closeSync(999));
    step(() => fs.fstatSync(999));
    step(() => fs.readSync(999, Buffer.alloc(4)));
    step(() => fs.fsyncSync(999));
    step(() => fs.ftruncateSync(999));
    step(() => fs.futimesSync(999, 1, 1));
    step(() => fs.fchmodSync(999, 0o644));
    step(() => fs.fchownSync(999, 0, 0));
    step(() => fs.readvSync(999, [Buffer.alloc(1)]));
    step(() => fs.writevSync(999, [Buffer.alloc(1)]));
  },

  'stat/lstat/fstat and throwIfNoEntry (stat(2))': (fs, R, step) => {
    step(() => fs.statSync(`${R}/nope`));
    step(() => fs.lstatSync(`${R}/nope`));
    step(() => fs.statSync(`${R}/nope`, { throwIfNoEntry: false }));
    step(() => fs.statSync(''));
    step(() => { fs.writeFileSync(`${R}/f`, 'abc', { mode: 0o640 }); return fs.statSync(`${R}/f`); });
    step(() => fs.statSync(`${R}/f/x`));
    step(() => fs.statSync(`${R}/f`, { bigint: true }));
    step(() => { fs.symlinkSync('f', `${R}/l`); return [fs.statSync(`${R}/l`), fs.lstatSync(`${R}/l`)]; });
    step(() => { fs.symlinkSync('nothing', `${R}/dangling`); return fs.statSync(`${R}/dangling`); });
    step(() => fs.lstatSync(`${R}/dangling`));
    step(() => { const fd = fs.openSync(`${R}/f`, 'r'); try { return fs.fstatSync(fd); } finally { fs.closeSync(fd); } });
    step(() => fs.existsSync(`${R}/f`));
    step(() => fs.existsSync(`${R}/nope`));
    step(() => fs.existsSync(5));
    step(() => fs.existsSync('a\0b'));
    step(() => fs.accessSync(`${R}/nope`));
    step(() => fs.accessSync(`${R}/f`, fs.constants.R_OK | fs.constants.W_OK));
  },

  'mkdir, recursive mkdir and rmdir (mkdir(2), rmdir(2), Node MKDirpSync)': (fs, R, step) => {
    step(() => fs.mkdirSync(`${R}/d`));
    step(() => fs.mkdirSync(`${R}/d`));
    step(() => fs.mkdirSync(`${R}/d`, { recursive: true }));
    step(() => fs.mkdirSync(`${R}/a/b/c`, { recursive: true }));
    step(() => fs.mkdirSync(`${R}/a/b/c/`, { recursive: true }));
    step(() => fs.mkdirSync(`${R}/x/y`));
    step(() => { fs.writeFileSync(`${R}/f`, ''); return fs.mkdirSync(`${R}/f/a/b`, { recursive: true }); });
    step(() => fs.mkdirSync(`${R}/f`, { recursive: true }));
    step(() => fs.mkdirSync(`${R}/f/q`));
    step(() => fs.mkdirSync(`${R}/m`, 0o700));
    step(() => fs.statSync(`${R}/m`));
    step(() => fs.mkdirSync(`${R}/m2`, { mode: '750' }));
    step(() => fs.statSync(`${R}/m2`));
    step(() => fs.rmdirSync(`${R}/a`));
    step(() => fs.rmdirSync(`${R}/f`));
    step(() => fs.rmdirSync(`${R}/nope`));
    step(() => fs.rmdirSync(`${R}/a/b/c`));
    step(() => fs.readdirSync(`${R}/a/b`));
  },

  'unlink, rename and link with their dest (unlink(2), rename(2), link(2))': (fs, R, step) => {
    step(() => { fs.mkdirSync(`${R}/d/sub`, { recursive: true }); fs.writeFileSync(`${R}/f`, 'hi'); fs.writeFileSync(`${R}/d/x`, 'y'); });
    step(() => fs.unlinkSync(`${R}/d`));
    step(() => fs.unlinkSync(`${R}/nope`));
    step(() => fs.renameSync(`${R}/nope`, `${R}/z`));
    step(() => fs.renameSync(`${R}/d`, `${R}/d/sub/q`));
    step(() => fs.renameSync(`${R}/f`, `${R}/d`));
    step(() => fs.renameSync(`${R}/d`, `${R}/f`));
    step(() => { fs.mkdirSync(`${R}/e`); fs.writeFileSync(`${R}/e/k`, ''); return fs.renameSync(`${R}/d`, `${R}/e`); });
    step(() => fs.renameSync(`${R}/f`, `${R}/g`));
    step(() => fs.readdirSync(R));
    step(() => fs.linkSync(`${R}/g`, `${R}/d`));
    step(() => fs.linkSync(`${R}/nope`, `${R}/zz`));
    step(() => fs.linkSync(`${R}/d`, `${R}/dd`));
    step(() => { fs.linkSync(`${R}/g`, `${R}/h`); return [fs.statSync(`${R}/g`).nlink, fs.readFileSync(`${R}/h`, 'utf8')]; });
    step(() => { fs.renameSync(`${R}/g`, `${R}/h`); return fs.readdirSync(R); });
  },

  'symlink, readlink, realpath (symlink(2), readlink(2), realpath(3))': (fs, R, step) => {
    step(() => { fs.mkdirSync(`${R}/d`); fs.writeFileSync(`${R}/f`, 'x'); });
    step(() => fs.symlinkSync('x', `${R}/d`));
    step(() => fs.symlinkSync(`${R}/f`, `${R}/l`));
    step(() => fs.symlinkSync('f', `${R}/l`));
    step(() => fs.symlinkSync('f', `${R}/bad`, 'bogus'));
    step(() => fs.readlinkSync(`${R}/l`));
    step(() => fs.readlinkSync(`${R}/l`, 'buffer'));
    step(() => fs.readlinkSync(`${R}/f`));
    step(() => fs.readlinkSync(`${R}/nope`));
    step(() => fs.realpathSync(`${R}/l`));
    step(() => fs.realpathSync(`${R}/nope`));
    step(() => fs.realpathSync(`${R}/nope/a/b`));
    step(() => fs.realpathSync(`${R}/f/a`));
    step(() => fs.realpathSync.native(`${R}/nope`));
    step(() => { fs.symlinkSync('loop2', `${R}/loop1`); fs.symlinkSync('loop1', `${R}/loop2`); return fs.realpathSync(`${R}/loop1`); });
    step(() => fs.realpathSync.native(`${R}/loop1`));
    step(() => fs.statSync(`${R}/loop1`));
    step(() => { fs.symlinkSync('d', `${R}/ld`); return fs.realpathSync(`${R}/ld/../f`); });
  },

  'readdir: names, withFileTypes, recursive, encodings (getdents64; libuv scandir sorts)': (fs, R, step) => {
    step(() => { for (const n of ['zeta', 'alpha', 'Beta', 'm1', 'm10', 'm2']) fs.writeFileSync(`${R}/${n}`, n); });
    step(() => { fs.mkdirSync(`${R}/dir/sub/deeper`, { recursive: true }); fs.writeFileSync(`${R}/dir/x`, ''); fs.symlinkSync('dir', `${R}/ldir`); });
    step(() => fs.readdirSync(R));
    step(() => fs.readdirSync(R, { withFileTypes: true }));
    step(() => fs.readdirSync(R, 'buffer'));
    step(() => fs.readdirSync(`${R}/dir`, { recursive: true }));
    step(() => fs.readdirSync(`${R}/dir`, { recursive: true, withFileTypes: true }));
    step(() => fs.readdirSync(`${R}/nope`));
    step(() => fs.readdirSync(`${R}/zeta`));
    step(() => fs.readdirSync(`${R}/ldir`));
    // strcmp order is UTF-8 byte order: an astral name sorts after U+FFFD, unlike UTF-16 code units.
    step(() => { for (const n of ['\u{1F600}', '\uFFFD', 'z', 'é', 'e', 'E']) fs.writeFileSync(`${R}/dir/sub/${n}`, ''); return fs.readdirSync(`${R}/dir/sub`); });
  },

  'readFile, writeFile, appendFile, truncate (Node lib/fs.js built on open/read/write)': (fs, R, step) => {
    step(() => fs.readFileSync(`${R}/nope`));
    step(() => { fs.mkdirSync(`${R}/d`); return fs.readFileSync(`${R}/d`); });
    step(() => fs.readFileSync(`${R}/d`, 'utf8'));
    step(() => fs.writeFileSync(`${R}/d`, 'x'));
    step(() => fs.writeFileSync(`${R}/nope/q`, 'x'));
    step(() => fs.appendFileSync(`${R}/nope/x`, 'x'));
    step(() => { fs.writeFileSync(`${R}/f`, 'héllo', 'latin1'); return fs.readFileSync(`${R}/f`); });
    step(() => { fs.writeFileSync(`${R}/f`, new Uint16Array([0x4142, 0x4344])); return fs.readFileSync(`${R}/f`, { encoding: 'hex' }); });
    step(() => { fs.appendFileSync(`${R}/f`, 'tail'); fs.appendFileSync(`${R}/a`, 'new'); return [fs.readFileSync(`${R}/f`, 'utf8'), fs.readFileSync(`${R}/a`, 'utf8')]; });
    step(() => fs.writeFileSync(`${R}/f`, 'x', { flag: 'wx' }));
    step(() => { const fd = fs.openSync(`${R}/f`, 'a'); fs.appendFileSync(fd, '+'); fs.writeFileSync(fd, '-'); fs.closeSync(fd); return fs.readFileSync(`${R}/f`, 'utf8'); });
    step(() => { const fd = fs.openSync(`${R}/f`, 'r'); const b = fs.readFileSync(fd, 'utf8'); const c = fs.readFileSync(fd, 'utf8'); fs.closeSync(fd); return [b, c]; });
    step(() => { fs.truncateSync(`${R}/f`, 2); return fs.readFileSync(`${R}/f`, 'utf8'); });
    step(() => { fs.truncateSync(`${R}/f`, 5); return fs.readFileSync(`${R}/f`); });
    step(() => { fs.truncateSync(`${R}/f`); return fs.statSync(`${R}/f`).size; });
    step(() => fs.truncateSync(`${R}/nope`, 1));
    step(() => fs.truncateSync(`${R}/d`, 1));
    step(() => { fs.writeFileSync(`${R}/f`, 'abc'); fs.truncateSync(`${R}/f`, -1); return fs.statSync(`${R}/f`).size; });
    step(() => { const fd = fs.openSync(`${R}/f`, 'r+'); try { fs.ftruncateSync(fd, -1); } finally { fs.closeSync(fd); } });
    step(() => { const fd = fs.openSync(`${R}/f`, 'r+'); fs.ftruncateSync(fd, 1); fs.closeSync(fd); return fs.readFileSync(`${R}/f`, 'utf8'); });
  },

  'copyFile (libuv uv_fs_copyfile; COPYFILE_EXCL; FICLONE_FORCE on tmpfs)': (fs, R, step) => {
    step(() => { fs.mkdirSync(`${R}/d`); fs.writeFileSync(`${R}/f`, 'content', { mode: 0o600 }); fs.writeFileSync(`${R}/d/x`, 'y'); });
    step(() => fs.copyFileSync(`${R}/nope`, `${R}/q`));
    step(() => fs.copyFileSync(`${R}/f`, `${R}/d/x`, fs.constants.COPYFILE_EXCL));
    step(() => fs.copyFileSync(`${R}/d`, `${R}/q`));
    step(() => fs.copyFileSync(`${R}/f`, `${R}/nope/q`));
    step(() => fs.copyFileSync(`${R}/f`, `${R}/fc`, fs.constants.COPYFILE_FICLONE_FORCE));
    step(() => { fs.copyFileSync(`${R}/f`, `${R}/g`, fs.constants.COPYFILE_FICLONE); return [fs.readFileSync(`${R}/g`, 'utf8'), fs.statSync(`${R}/g`)]; });
    step(() => { fs.copyFileSync(`${R}/f`, `${R}/d/x`); return fs.readFileSync(`${R}/d/x`, 'utf8'); });
    step(() => { fs.copyFileSync(`${R}/f`, `${R}/f`); return fs.readFileSync(`${R}/f`, 'utf8'); });
  },

  'chmod, chown, utimes, lutimes (chmod(2), chown(2), utimensat(2))': (fs, R, step) => {
    step(() => { fs.writeFileSync(`${R}/f`, ''); fs.symlinkSync('f', `${R}/l`); });
    step(() => fs.chmodSync(`${R}/nope`, 0o644));
    step(() => { fs.chmodSync(`${R}/f`, '600'); return fs.statSync(`${R}/f`).mode; });
    step(() => { fs.chmodSync(`${R}/f`, 0o100755); return fs.statSync(`${R}/f`).mode; });
    step(() => fs.chownSync(`${R}/nope`, 0, 0));
    step(() => fs.lchownSync(`${R}/nope`, 0, 0));
    step(() => { fs.chownSync(`${R}/f`, 1000, 1001); const s = fs.statSync(`${R}/f`); return [s.uid, s.gid]; });
    step(() => { fs.lchownSync(`${R}/l`, 7, 8); const s = fs.lstatSync(`${R}/l`); return [s.uid, s.gid, fs.statSync(`${R}/f`).uid]; });
    step(() => { fs.chownSync(`${R}/f`, -1, 5); const s = fs.statSync(`${R}/f`); return [s.uid, s.gid]; });
    step(() => fs.utimesSync(`${R}/nope`, 1, 1));
    step(() => fs.lutimesSync(`${R}/nope`, 1, 1));
    step(() => { fs.utimesSync(`${R}/f`, 1000.5, new Date(2000e3)); const s = fs.statSync(`${R}/f`); return [s.atimeMs, s.mtimeMs, s.atime.getTime()]; });
    step(() => { fs.utimesSync(`${R}/f`, '12', 13); const s = fs.statSync(`${R}/f`, { bigint: true }); return [s.atimeNs, s.mtimeNs, s.mtimeMs]; });
    step(() => { fs.lutimesSync(`${R}/l`, 5, 6); return [fs.lstatSync(`${R}/l`).mtimeMs, fs.statSync(`${R}/f`).mtimeMs]; });
    step(() => { const fd = fs.openSync(`${R}/f`, 'r'); fs.futimesSync(fd, 3, 4); fs.fchmodSync(fd, 0o444); fs.closeSync(fd); const s = fs.statSync(`${R}/f`); return [s.mtimeMs, s.mode]; });
  },

  'rm: force, recursive and ERR_FS_EISDIR (Node 20 rimraf-style rmSync)': (fs, R, step) => {
    step(() => { fs.mkdirSync(`${R}/d/a/b`, { recursive: true }); fs.writeFileSync(`${R}/d/a/f`, ''); fs.writeFileSync(`${R}/f`, ''); fs.symlinkSync('d', `${R}/l`); });
    step(() => fs.rmSync(`${R}/nope`));
    step(() => fs.rmSync(`${R}/nope`, { force: true }));
    step(() => fs.rmSync(`${R}/d`));
    step(() => fs.rmSync(`${R}/d`, { force: true }));
    step(() => fs.rmSync(`${R}/l`));
    step(() => fs.readdirSync(`${R}/d`));
    step(() => fs.rmSync(`${R}/d`, { recursive: true }));
    step(() => fs.rmSync(`${R}/f`, { recursive: true }));
    step(() => fs.readdirSync(R));
    step(() => { fs.mkdirSync(`${R}/e/x`, { recursive: true }); return fs.rmdirSync(`${R}/e`, { recursive: true }); });
    step(() => { fs.writeFileSync(`${R}/g`, ''); return fs.rmdirSync(`${R}/g`, { recursive: true }); });
    step(() => fs.readdirSync(R));
  },

  'cp: recursive copy and ERR_FS_CP_* (Node 20 cp-sync.js)': (fs, R, step) => {
    step(() => { fs.mkdirSync(`${R}/d/sub`, { recursive: true }); fs.writeFileSync(`${R}/d/x`, 'y', { mode: 0o640 }); fs.writeFileSync(`${R}/f`, 'hi'); fs.symlinkSync('x', `${R}/d/lx`); });
    step(() => fs.cpSync(`${R}/d`, `${R}/e`));
    step(() => fs.cpSync(`${R}/nope`, `${R}/e`, { recursive: true }));
    step(() => fs.cpSync(`${R}/d`, `${R}/d/sub/k`, { recursive: true }));
    step(() => fs.cpSync(`${R}/d`, `${R}/d`, { recursive: true }));
    step(() => fs.cpSync(`${R}/d`, `${R}/f`, { recursive: true }));
    step(() => fs.cpSync(`${R}/f`, `${R}/d`, { recursive: true }));
    step(() => fs.cpSync(`${R}/f`, `${R}/d/x`, { errorOnExist: true, force: false }));
    step(() => { fs.cpSync(`${R}/d`, `${R}/e`, { recursive: true }); return [fs.readdirSync(`${R}/e`, { recursive: true }), fs.statSync(`${R}/e/x`), fs.readlinkSync(`${R}/e/lx`)]; });
    step(() => { fs.cpSync(`${R}/d`, `${R}/v`, { recursive: true, verbatimSymlinks: true }); return fs.readlinkSync(`${R}/v/lx`); });
    step(() => { fs.cpSync(`${R}/f`, `${R}/new/deep/f2`); return fs.readFileSync(`${R}/new/deep/f2`, 'utf8'); });
    step(() => { fs.cpSync(`${R}/d`, `${R}/flt`, { recursive: true, filter: (s: string) => !s.endsWith('x') }); return fs.readdirSync(`${R}/flt`); });
    step(() => fs.cpSync(`${R}/f`, `${R}/cpf`, { filter: 5 }));
    step(() => fs.cpSync(`${R}/f`, `${R}/cpf`, 5));
    step(() => fs.cpSync(`${R}/f`, `${R}/cpf`, { dereference: true, verbatimSymlinks: true }));
    step(() => fs.cpSync(`${R}/f`, `${R}/cpf`, { mode: 9 }));
  },

  'mkdtemp and opendir (mkdtemp(3), opendir(3))': (fs, R, step) => {
    step(() => fs.mkdtempSync(`${R}/nope/x`));
    step(() => { const p = fs.mkdtempSync(`${R}/t-`); return [p.length, p.startsWith(`${R}/t-`), fs.statSync(p).mode]; });
    step(() => fs.opendirSync(`${R}/nope`));
    step(() => { fs.mkdirSync(`${R}/d`); fs.writeFileSync(`${R}/d/a`, ''); fs.mkdirSync(`${R}/d/b`); const d = fs.opendirSync(`${R}/d`); const out = []; let e; while ((e = d.readSync()) !== null) out.push(e); d.closeSync(); return [d.path, out.sort((x: { name: string }, y: { name: string }) => (x.name < y.name ? -1 : 1))]; });
    step(() => { const d = fs.opendirSync(`${R}/d`); d.closeSync(); return d.readSync(); });
    step(() => fs.opendirSync(R, { bufferSize: 0 }));
  },

  'statfs (statfs(2)): shape and errors': (fs, R, step) => {
    step(() => fs.statfsSync(`${R}/nope`));
    step(() => { const s = fs.statfsSync(R); return [Object.keys(s), typeof s.bsize]; });
    step(() => { const s = fs.statfsSync(R, { bigint: true }); return typeof s.blocks; });
  },

  'bugs memfs/ZenFS users meet: same outcome as Linux (rename(2), open(2), unlink(2), pwrite(2) BUGS)': (fs, R, step) => {
    step(() => { fs.mkdirSync(`${R}/a/b`, { recursive: true }); return fs.renameSync(`${R}/a`, `${R}/a/b/c`); });
    step(() => { fs.mkdirSync(`${R}/full/x`, { recursive: true }); fs.mkdirSync(`${R}/empty`); return fs.renameSync(`${R}/empty`, `${R}/full`); });
    step(() => { fs.writeFileSync(`${R}/t`, 'target'); fs.symlinkSync('t', `${R}/s`); fs.renameSync(`${R}/s`, `${R}/s2`); return [fs.readlinkSync(`${R}/s2`), fs.lstatSync(`${R}/t`).isFile()]; });
    step(() => { fs.linkSync(`${R}/t`, `${R}/t2`); fs.renameSync(`${R}/t`, `${R}/t2`); return [fs.readdirSync(R), fs.statSync(`${R}/t2`).nlink]; });
    step(() => { const fd = fs.openSync(`${R}/t2`, 'r'); try { return fs.writeSync(fd, 'x'); } finally { fs.closeSync(fd); } });
    step(() => { fs.writeFileSync(`${R}/gone`, 'still here'); const fd = fs.openSync(`${R}/gone`, 'r'); fs.unlinkSync(`${R}/gone`); const b = Buffer.alloc(10); const n = fs.readSync(fd, b, 0, 10, 0); fs.closeSync(fd); return [n, b, fs.existsSync(`${R}/gone`)]; });
    step(() => { fs.writeFileSync(`${R}/ap`, 'abc'); const fd = fs.openSync(`${R}/ap`, 'a'); fs.writeSync(fd, Buffer.from('Z'), 0, 1, 0); fs.closeSync(fd); return fs.readFileSync(`${R}/ap`, 'utf8'); });
    step(() => { fs.symlinkSync('nowhere', `${R}/dang`); return fs.openSync(`${R}/dang`, 'wx'); });
    step(() => fs.existsSync(`${R}/nowhere`));
    step(() => { for (const n of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) fs.writeFileSync(`${R}/${n}`, n); return [fs.readdirSync(R), fs.readFileSync(`${R}/__proto__`, 'utf8'), fs.statSync(`${R}/constructor`).size]; });
    step(() => fs.mkdirSync(`${R}/${'n'.repeat(256)}`));
    step(() => fs.writeFileSync(`${R}/${'n'.repeat(255)}`, ''));
    step(() => fs.statSync(`${R}/${'d/'.repeat(2100)}`));
    step(() => { fs.mkdirSync(`${R}/tr`); return [fs.statSync(`${R}/tr/`).isDirectory(), fs.readdirSync(`${R}/tr/`)]; });
    step(() => fs.statSync(`${R}/t2/`));
    step(() => fs.openSync(`${R}/t2/`, 'r'));
    step(() => fs.writeFileSync(`${R}/newfile/`, 'x'));
    step(() => fs.mkdirSync(`${R}/tr2/`));
    step(() => fs.rmdirSync(`${R}/tr/.`));
    step(() => fs.renameSync(`${R}/tr`, `${R}/tr/..`));
  },

  'withFileTypes with buffer names, opendir recursive (Node 20 Dir, Dirent)': (fs, R, step) => {
    step(() => { fs.mkdirSync(`${R}/d/e/f`, { recursive: true }); fs.writeFileSync(`${R}/d/x`, ''); fs.writeFileSync(`${R}/d/e/y`, ''); });
    step(() => fs.readdirSync(`${R}/d`, { withFileTypes: true, encoding: 'buffer' }));
    step(() => { const d = fs.opendirSync(`${R}/d`, { recursive: true }); const out = []; let e; while ((e = d.readSync()) !== null) out.push(`${e.parentPath}/${e.name}`); d.closeSync(); return out.sort(); });
    step(() => { const d = fs.opendirSync(`${R}/d`, { encoding: 'buffer' }); const e = d.readSync(); d.closeSync(); return Buffer.isBuffer(e.name); });
  },

  'relative paths resolve against the cwd (path_resolution(7))': (fs, R, step) => {
    const chdir = (p: string) => ('sys' in fs ? fs.sys.chdir(p) : process.chdir(p));
    step(() => { chdir(R); fs.writeFileSync('rel', 'r'); return fs.readFileSync(`${R}/rel`, 'utf8'); });
    step(() => fs.mkdirSync('q1/q2', { recursive: true }));
    step(() => fs.realpathSync('q1'));
    step(() => fs.statSync('nope'));
    step(() => fs.renameSync('rel', 'q1/rel2'));
    step(() => fs.readdirSync('q1'));
  },
};

for (const [name, script] of Object.entries(cases)) {
  t.test(name, async (t) => {
    const [node, ours, R] = runBoth(script);
    t.equal(ours.length, node.length, 'same number of steps');
    for (let i = 0; i < node.length; i++) t.same(ours[i], node[i], `step ${i} agrees with node:fs (${R})`);
  });
}
