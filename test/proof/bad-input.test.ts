// Bad input, fuzzed (issue 3, "Proof"): NUL in paths, empty paths, non-string paths, 256-byte names,
// 4097-byte paths, negative/NaN/huge offsets and lengths, unknown flags, modes and descriptors.
// Through the VFS every one gets an FsError with the errno Linux gives (path_resolution(7), open(2),
// read(2), lseek(2), truncate(2), rename(2), mknod(2), access(2), utimensat(2), fallocate(2)); through
// createFs() every one gets exactly what node:fs gives on the host for the same call (TypeError or
// RangeError for a wrong argument, the errno otherwise). In both cases the tree, the descriptor and its
// offset are snapshotted before and after: a rejected call changes nothing.

import t from 'tap';
import fc from 'fast-check';
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { Vfs } from '../../vfs/vfs.js';
import { createRamFs } from '../../fs-ram/index.js';
import type { Process } from '../../vfs/process.js';
import { FsError } from '../../vfs/errno.js';
import * as C from '../../vfs/constants.js';
import { createFs } from '../../src/node-fs/index.js';
import { snapshotTree } from '../../src/testing/posix-differential.js';
import { VFSIM_FLAGS } from '../../src/testing/posix-ops.js';
import { hostScratchDir } from '../../src/testing/node-target.js';

const seed = process.env.VFSIM_SEED !== undefined ? Number(process.env.VFSIM_SEED) : 31337;

// ---- the bad values ----

const badPath = fc.oneof(
  fc.constantFrom('/d/f\0', '\0', '/d\0/f', '/d/f\0x/y'),
  fc.constant(''),
  fc.constant('/d/' + 'n'.repeat(256)),
  fc.constant('/d/' + 'é'.repeat(128)), // 256 bytes in UTF-8: the limit counts bytes
  fc.constant('/' + 'd/'.repeat(2048) + 'f'), // 4097 bytes
  fc.constant('/' + 'x'.repeat(5000)),
);
const nonString = fc.constantFrom<unknown>(5, undefined, null, {}, [], true, Symbol.iterator, 1n, Object.create(null));
const badNumber = fc.constantFrom(-1, -4096, NaN, Infinity, -Infinity, 2 ** 63, -(2 ** 53), 0.5);
const badFd = fc.constantFrom(-1, NaN, 1.5, 2 ** 31, 9999);

/** Which errno Linux gives each kind of bad path (an existing directory /d holds f). */
function pathErrno(p: string): string[] {
  if (p === '') return ['ENOENT'];
  if (p.includes('\0')) return ['EINVAL']; // cannot reach a kernel; vfsim's documented choice
  return ['ENAMETOOLONG'];
}

interface VfsWorld { vfs: Vfs; p: Process; fd: number }

function vfsWorld(): VfsWorld {
  const vfs = new Vfs({ root: createRamFs({ ramBytes: 4 << 20 }) });
  const p = vfs.process({ umask: 0o022 });
  p.mkdir('/d', 0o755);
  const fd = p.open('/d/f', C.O_RDWR | C.O_CREAT, 0o644);
  const data = new TextEncoder().encode('hello, world');
  p.write(fd, data, 0, data.length, null);
  p.lseek(fd, 3, C.SEEK_SET);
  p.symlink('f', '/d/s');
  return { vfs, p, fd };
}

function vfsState(w: VfsWorld): string {
  const st = w.p.fstat(w.fd);
  return JSON.stringify({ tree: snapshotTree(w.p, VFSIM_FLAGS), size: st.size, mode: st.mode, pos: w.p.lseek(w.fd, 0, C.SEEK_CUR) });
}

type BadCall = { what: string; run: (w: VfsWorld) => unknown; errnos: string[]; value?: unknown };

const u8 = (): Uint8Array => new Uint8Array(16);

const vfsBadCall: fc.Arbitrary<BadCall> = fc.oneof(
  badPath.chain((bp) => fc.constantFrom<BadCall>(
    { what: `stat(${JSON.stringify(bp).slice(0, 40)})`, run: (w) => w.p.stat(bp), errnos: pathErrno(bp) },
    { what: 'lstat', run: (w) => w.p.lstat(bp), errnos: pathErrno(bp) },
    { what: 'open O_CREAT', run: (w) => w.p.open(bp, C.O_CREAT | C.O_RDWR, 0o644), errnos: pathErrno(bp) },
    { what: 'mkdir', run: (w) => w.p.mkdir(bp, 0o755), errnos: pathErrno(bp) },
    { what: 'unlink', run: (w) => w.p.unlink(bp), errnos: pathErrno(bp) },
    { what: 'rmdir', run: (w) => w.p.rmdir(bp), errnos: pathErrno(bp) },
    { what: 'rename from', run: (w) => w.p.rename(bp, '/d/g'), errnos: pathErrno(bp) },
    { what: 'rename to', run: (w) => w.p.rename('/d/f', bp), errnos: pathErrno(bp) },
    { what: 'link to', run: (w) => w.p.link('/d/f', bp), errnos: pathErrno(bp) },
    { what: 'symlink at', run: (w) => w.p.symlink('f', bp), errnos: pathErrno(bp) },
    { what: 'chmod', run: (w) => w.p.chmod(bp, 0o600), errnos: pathErrno(bp) },
    { what: 'truncate', run: (w) => w.p.truncate(bp, 0), errnos: pathErrno(bp) },
    { what: 'readdir', run: (w) => w.p.readdir(bp), errnos: pathErrno(bp) },
    { what: 'mknod', run: (w) => w.p.mknod(bp, C.S_IFIFO | 0o644, 0), errnos: pathErrno(bp) },
  )),
  nonString.map<BadCall>((v) => ({ what: `stat(${String(typeof v)})`, run: (w) => w.p.stat(v as string), errnos: ['EFAULT'], value: v })),
  nonString.map<BadCall>((v) => ({ what: 'mkdir(non-string)', run: (w) => w.p.mkdir(v as string, 0o755), errnos: ['EFAULT'], value: v })),
  nonString.map<BadCall>((v) => ({ what: 'rename(f, non-string)', run: (w) => w.p.rename('/d/f', v as string), errnos: ['EFAULT'], value: v })),
  badNumber.chain((n) => fc.constantFrom<BadCall>(
    // pread(2)/pwrite(2): a negative offset is EINVAL; NaN and fractions are not offsets either.
    ...(n < 0 || !Number.isFinite(n) || !Number.isInteger(n) ? [
      { what: `pread pos ${n}`, run: (w: VfsWorld) => w.p.read(w.fd, u8(), 0, 4, n), errnos: ['EINVAL'] },
      { what: `pwrite pos ${n}`, run: (w: VfsWorld) => w.p.write(w.fd, u8(), 0, 4, n), errnos: n === Infinity ? ['EINVAL', 'EFBIG'] : ['EINVAL'] },
      { what: `lseek SEEK_SET ${n}`, run: (w: VfsWorld) => w.p.lseek(w.fd, n, C.SEEK_SET), errnos: ['EINVAL'] },
      { what: `truncate ${n}`, run: (w: VfsWorld) => w.p.truncate('/d/f', n), errnos: n === Infinity ? ['EINVAL', 'EFBIG'] : ['EINVAL'] },
      { what: `ftruncate ${n}`, run: (w: VfsWorld) => w.p.ftruncate(w.fd, n), errnos: n === Infinity ? ['EINVAL', 'EFBIG'] : ['EINVAL'] },
      { what: `read len ${n}`, run: (w: VfsWorld) => w.p.read(w.fd, u8(), 0, n, 0), errnos: ['EINVAL', 'EFAULT'] },
      { what: `write off ${n}`, run: (w: VfsWorld) => w.p.write(w.fd, u8(), n, 1, 0), errnos: ['EINVAL', 'EFAULT'] },
    ] : [
      // 2^63: past the largest file (s_maxbytes): write and truncate are EFBIG (truncate(2) allows EINVAL).
      { what: `pwrite pos ${n}`, run: (w: VfsWorld) => w.p.write(w.fd, u8(), 0, 4, n), errnos: ['EFBIG', 'EINVAL'] },
      { what: `truncate ${n}`, run: (w: VfsWorld) => w.p.truncate('/d/f', n), errnos: ['EFBIG', 'EINVAL'] },
      { what: `read len ${n} > buffer`, run: (w: VfsWorld) => w.p.read(w.fd, u8(), 0, n, 0), errnos: ['EFAULT', 'EINVAL'] },
    ]),
  )),
  badFd.chain((fd) => fc.constantFrom<BadCall>(
    { what: `close(${fd})`, run: (w) => w.p.close(fd), errnos: ['EBADF'] },
    { what: `read(${fd})`, run: (w) => w.p.read(fd, u8(), 0, 4, null), errnos: ['EBADF'] },
    { what: `fstat(${fd})`, run: (w) => w.p.fstat(fd), errnos: ['EBADF'] },
    // dup2 to 9999 is legal where RLIMIT_NOFILE allows it; negative, fractional and > INT_MAX are not descriptors.
    ...(fd === 9999 ? [] : [{ what: `dup2(fd, ${fd})`, run: (w: VfsWorld) => w.p.dup2(w.fd, fd), errnos: ['EBADF'] }]),
  )),
  fc.constantFrom<BadCall>(
    { what: 'rename flags 64', run: (w) => w.p.rename('/d/f', '/d/g', 64), errnos: ['EINVAL'] },
    { what: 'rename NOREPLACE|EXCHANGE', run: (w) => w.p.rename('/d/f', '/d/s', C.RENAME_NOREPLACE | C.RENAME_EXCHANGE), errnos: ['EINVAL'] },
    { what: 'lseek whence 99', run: (w) => w.p.lseek(w.fd, 0, 99), errnos: ['EINVAL'] },
    { what: 'access mode 8', run: (w) => w.p.access('/d/f', 8), errnos: ['EINVAL'] },
    { what: 'mknod type 0170000', run: (w) => w.p.mknod('/d/m', 0o170644, 0), errnos: ['EINVAL'] },
    { what: 'mknod directory', run: (w) => w.p.mknod('/d/m', C.S_IFDIR | 0o755, 0), errnos: ['EPERM'] },
    { what: 'open O_CREAT|O_DIRECTORY', run: (w) => w.p.open('/d/n', C.O_CREAT | C.O_DIRECTORY | C.O_RDWR, 0o644), errnos: ['EINVAL'] },
    { what: 'utimensat nsec 2e9', run: (w) => w.p.utimensat('/d/f', { sec: 0, nsec: 2e9 }, { sec: 0, nsec: 0 }), errnos: ['EINVAL'] },
    { what: 'utimensat nsec -1', run: (w) => w.p.utimensat('/d/f', { sec: 0, nsec: -1 }, { sec: 0, nsec: 0 }), errnos: ['EINVAL'] },
    { what: 'utimensat flags 1', run: (w) => w.p.utimensat('/d/f', { sec: 0, nsec: 0 }, { sec: 0, nsec: 0 }, 1), errnos: ['EINVAL'] },
    { what: 'fallocate mode 0x100', run: (w) => w.p.fallocate(w.fd, 0x100, 0, 10), errnos: ['EOPNOTSUPP', 'EINVAL'] },
    { what: 'fallocate len 0', run: (w) => w.p.fallocate(w.fd, 0, 0, 0), errnos: ['EINVAL'] },
    { what: 'chown uid NaN', run: (w) => w.p.chown('/d/f', NaN, 0), errnos: ['EINVAL'] },
    { what: 'mkdir mode NaN', run: (w) => w.p.mkdir('/d/x', NaN), errnos: ['EINVAL'] },
    { what: 'read into a non-buffer', run: (w) => w.p.read(w.fd, 'xx' as unknown as Uint8Array, 0, 1, 0), errnos: ['EFAULT'] },
    { what: 'symlink to an empty target', run: (w) => w.p.symlink('', '/d/e'), errnos: ['ENOENT'] },
    { what: 'symlink to a 4096-byte target', run: (w) => w.p.symlink('t'.repeat(4096), '/d/e'), errnos: ['ENAMETOOLONG'] },
  ),
);

t.test('bad input through the VFS: the errno Linux gives, and nothing changes (fuzzed)', async (t) => {
  let n = 0;
  fc.assert(fc.property(fc.array(vfsBadCall, { minLength: 1, maxLength: 8 }), (calls) => {
    const w = vfsWorld();
    const before = vfsState(w);
    for (const c of calls) {
      let err: unknown;
      try { c.run(w); } catch (e) { err = e; }
      if (!(err instanceof FsError)) throw new Error(`${c.what}: expected an FsError, got ${err === undefined ? 'success' : String(err)}`);
      if (!c.errnos.includes(err.code)) throw new Error(`${c.what}: ${err.code}, expected ${c.errnos.join(' or ')}`);
      n++;
    }
    const after = vfsState(w);
    if (after !== before) throw new Error(`state changed:\nbefore ${before}\nafter  ${after}`);
    w.p.exit();
  }), { seed, numRuns: 300 });
  t.ok(n > 600, `${n} bad calls, each with its errno, none changing the tree`);
});

t.test('unknown open flags are ignored, as Linux ignores them (open(2): "unknown bits in flags are ignored")', async (t) => {
  const w = vfsWorld();
  const fd = w.p.open('/d/f', C.O_RDONLY | (1 << 30), 0);
  t.equal(w.p.fstat(fd).size, 12);
  t.equal(w.p.read(fd, u8(), 0, 5, 0), 5);
});

// ---- through createFs(): what node:fs itself does ----

type NodeLike = typeof nodefs;
interface FaceCall { what: string; run: (fs: NodeLike, R: string, fd: number) => unknown }

const facePath = fc.oneof(
  fc.constantFrom('/d/f\0', '/\0', '/d/' + 'n'.repeat(256), '/' + 'x'.repeat(5000), '/d/nope/f'),
);

const faceBadCall: fc.Arbitrary<FaceCall> = fc.oneof(
  facePath.chain((bp) => fc.constantFrom<FaceCall>(
    { what: `statSync(${JSON.stringify(bp).slice(0, 30)})`, run: (fs, R) => fs.statSync(R + bp) },
    { what: 'lstatSync', run: (fs, R) => fs.lstatSync(R + bp) },
    { what: 'mkdirSync', run: (fs, R) => fs.mkdirSync(R + bp) },
    { what: 'mkdirSync recursive', run: (fs, R) => fs.mkdirSync(R + bp, { recursive: true }) },
    { what: 'rmdirSync', run: (fs, R) => fs.rmdirSync(R + bp) },
    { what: 'unlinkSync', run: (fs, R) => fs.unlinkSync(R + bp) },
    { what: 'renameSync from', run: (fs, R) => fs.renameSync(R + bp, R + '/d/g') },
    { what: 'renameSync to', run: (fs, R) => fs.renameSync(R + '/d/f', R + bp) },
    { what: 'linkSync', run: (fs, R) => fs.linkSync(R + '/d/f', R + bp) },
    { what: 'symlinkSync', run: (fs, R) => fs.symlinkSync('f', R + bp) },
    { what: 'readlinkSync', run: (fs, R) => fs.readlinkSync(R + bp) },
    { what: 'openSync w', run: (fs, R) => fs.openSync(R + bp, 'w') },
    { what: 'writeFileSync', run: (fs, R) => fs.writeFileSync(R + bp, 'x') },
    { what: 'readFileSync', run: (fs, R) => fs.readFileSync(R + bp) },
    { what: 'truncateSync', run: (fs, R) => fs.truncateSync(R + bp, 0) },
    { what: 'chmodSync', run: (fs, R) => fs.chmodSync(R + bp, 0o600) },
    { what: 'readdirSync', run: (fs, R) => fs.readdirSync(R + bp) },
    { what: 'accessSync', run: (fs, R) => fs.accessSync(R + bp) },
    { what: 'existsSync', run: (fs, R) => fs.existsSync(R + bp) },
  )),
  nonString.map<FaceCall>((v) => ({ what: `statSync(${typeof v})`, run: (fs) => fs.statSync(v as string) })),
  nonString.map<FaceCall>((v) => ({ what: `openSync(${typeof v})`, run: (fs) => fs.openSync(v as string, 'r') })),
  nonString.map<FaceCall>((v) => ({ what: `renameSync(f, ${typeof v})`, run: (fs, R) => fs.renameSync(R + '/d/f', v as string) })),
  fc.constantFrom<FaceCall>(
    { what: 'statSync("")', run: (fs) => fs.statSync('') },
    { what: 'openSync flags xyz', run: (fs, R) => fs.openSync(R + '/d/f', 'xyz') },
    { what: 'openSync mode abc', run: (fs, R) => fs.openSync(R + '/d/n', 'w', 'abc' as unknown as number) },
    { what: 'chmodSync mode -1', run: (fs, R) => fs.chmodSync(R + '/d/f', -1) },
    { what: 'chmodSync mode 2^32', run: (fs, R) => fs.chmodSync(R + '/d/f', 2 ** 32) },
    { what: 'truncateSync len NaN', run: (fs, R) => fs.truncateSync(R + '/d/f', NaN) },
    { what: 'truncateSync len 1.5', run: (fs, R) => fs.truncateSync(R + '/d/f', 1.5) },
    { what: 'ftruncateSync len -1 (node:fs clamps it to 0)', run: (fs, R, fd) => fs.ftruncateSync(fd, -1) },
  ),
  badNumber.chain((n) => fc.constantFrom<FaceCall>(
    { what: `readSync position ${n}`, run: (fs, R, fd) => fs.readSync(fd, Buffer.alloc(4), 0, 4, n) },
    { what: `readSync length ${n}`, run: (fs, R, fd) => fs.readSync(fd, Buffer.alloc(4), 0, n, 0) },
    { what: `readSync offset ${n}`, run: (fs, R, fd) => fs.readSync(fd, Buffer.alloc(4), n, 1, 0) },
    { what: `writeSync position ${n}`, run: (fs, R, fd) => fs.writeSync(fd, Buffer.from('ab'), 0, 2, n) },
    { what: `writeSync length ${n}`, run: (fs, R, fd) => fs.writeSync(fd, Buffer.from('ab'), 0, n, 0) },
    { what: `fstatSync(${n})`, run: (fs) => fs.fstatSync(n) },
    { what: `closeSync(${n})`, run: (fs) => fs.closeSync(n) },
  )),
);

/** What a call did: its error's class and code, or its (small) result. */
function outcome(f: () => unknown): string {
  try {
    const r = f();
    return `ok ${typeof r === 'number' || typeof r === 'boolean' ? String(r) : typeof r}`;
  } catch (e) {
    const err = e as { name?: string; code?: string };
    return `${err.name ?? 'Error'}:${err.code ?? '?'}`;
  }
}

t.test('bad input through createFs(): the same TypeError/RangeError or errno as node:fs on the host, and nothing changes (fuzzed)', async (t) => {
  const scratch = nodefs.mkdtempSync(path.join(hostScratchDir(), 'vfsim-badinput-'));
  let n = 0;
  try {
    fc.assert(fc.property(fc.array(faceBadCall, { minLength: 1, maxLength: 6 }), (calls) => {
      // vfsim: /d/f through the face; the host: the same under a fresh directory.
      const vfs = new Vfs({ root: createRamFs({ ramBytes: 4 << 20 }) });
      const face = createFs(vfs) as unknown as NodeLike;
      const host = nodefs.mkdtempSync(path.join(scratch, 'r-'));
      for (const fs of [face, nodefs]) {
        const R = fs === face ? '' : host;
        fs.mkdirSync(R + '/d');
        fs.writeFileSync(R + '/d/f', 'hello, world');
      }
      const fdV = face.openSync('/d/f', 'r+'), fdH = nodefs.openSync(host + '/d/f', 'r+');
      const probe = vfs.process({});
      const snap = (): string => JSON.stringify(snapshotTree(probe, VFSIM_FLAGS));
      try {
        for (const c of calls) {
          const before = snap();
          const got = outcome(() => c.run(face, '', fdV));
          const want = outcome(() => c.run(nodefs, host, fdH));
          if (got !== want) throw new Error(`${c.what}: createFs ${got}, node:fs ${want}`);
          n++;
          // A call node:fs rejects must change nothing. (Some node:fs accepts: ftruncateSync(fd, -1)
          // clamps to 0, existsSync answers false; those are not bad input to Node, and may change the tree.)
          const after = snap();
          if (!got.startsWith('ok') && after !== before) throw new Error(`${c.what} failed but changed the tree:\nbefore ${before}\nafter  ${after}`);
        }
      } finally {
        face.closeSync(fdV);
        nodefs.closeSync(fdH);
        probe.exit();
      }
    }), { seed, numRuns: 150 });
  } finally {
    nodefs.rmSync(scratch, { recursive: true, force: true });
  }
  t.ok(n > 200, `${n} bad calls answered as node:fs answers them, none changing the tree`);
});
