// Permission errors through the face agree with Linux: the same script runs as uid/gid 1000 in a child
// node process on /dev/shm (the host tmpfs enforces the mode bits, sticky bit and ownership rules of
// path_resolution(7), chmod(2), chown(2), utimensat(2), unlink(2)) and in a vfsim process with the same
// credentials over a tree that root set up identically.

import t from 'tap';
import * as realFs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDefaultVfs, createFs } from '../../src/node-fs/index.js';

type Step = (f: () => unknown) => void;
type Script = (fs: typeof realFs, R: string, step: Step) => void;

const R = `/dev/shm/vfsim-perms-${process.pid}`;
const CRED = { uid: 1000, gid: 1000, groups: [] as number[] };

const setup = (fs: typeof realFs, R: string): void => {
  fs.mkdirSync(R, { recursive: true });
  fs.chmodSync(R, 0o755);
  fs.writeFileSync(`${R}/f`, 'root data');
  fs.chmodSync(`${R}/f`, 0o644);
  fs.mkdirSync(`${R}/private`, 0o700);
  fs.writeFileSync(`${R}/private/secret`, 's');
  fs.mkdirSync(`${R}/sticky`);
  fs.chmodSync(`${R}/sticky`, 0o1777);
  fs.writeFileSync(`${R}/sticky/roots`, 'r');
  fs.mkdirSync(`${R}/open`);
  fs.chmodSync(`${R}/open`, 0o777);
  fs.writeFileSync(`${R}/mine`, 'm');
  fs.chownSync(`${R}/mine`, 1000, 1000);
};

const script: Script = (fs, R, step) => {
  step(() => fs.readFileSync(`${R}/f`, 'utf8'));
  step(() => fs.openSync(`${R}/f`, 'r+'));
  step(() => fs.writeFileSync(`${R}/f`, 'x'));
  step(() => fs.accessSync(`${R}/f`, fs.constants.W_OK));
  step(() => fs.writeFileSync(`${R}/new`, 'x'));
  step(() => fs.readdirSync(`${R}/private`));
  step(() => fs.statSync(`${R}/private/secret`));
  step(() => fs.unlinkSync(`${R}/f`));
  step(() => fs.unlinkSync(`${R}/sticky/roots`));
  step(() => fs.renameSync(`${R}/sticky/roots`, `${R}/sticky/moved`));
  step(() => { fs.writeFileSync(`${R}/sticky/own`, 'o'); fs.unlinkSync(`${R}/sticky/own`); return fs.readdirSync(`${R}/sticky`); });
  step(() => fs.chmodSync(`${R}/f`, 0o666));
  step(() => fs.chownSync(`${R}/mine`, 0, 0));
  step(() => fs.chownSync(`${R}/mine`, 1000, 0));
  step(() => { fs.chmodSync(`${R}/mine`, 0o600); return fs.statSync(`${R}/mine`).mode; });
  step(() => fs.utimesSync(`${R}/f`, 1, 1));
  step(() => fs.mkdirSync(`${R}/d`));
  step(() => { fs.mkdirSync(`${R}/open/d`); return fs.statSync(`${R}/open/d`).uid; });
  step(() => fs.rmSync(`${R}/private`, { recursive: true }));
  step(() => fs.cpSync(`${R}/private`, `${R}/open/copy`, { recursive: true }));
  step(() => fs.symlinkSync('f', `${R}/l`));
  step(() => fs.truncateSync(`${R}/f`, 0));
};

/** The outcome of one step as plain JSON (errors by class, code, errno, syscall, path, dest, message). */
const childPrelude = `
const describe = (v) => {
  if (v instanceof Error) {
    const o = { class: v.constructor.name === 'FsError' ? 'Error' : v.constructor.name, message: v.message };
    for (const k of ['code', 'errno', 'syscall', 'path', 'dest']) if (k in v) o[k] = v[k];
    return { err: o };
  }
  return { ok: v === undefined ? null : v };
};
`;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const describeHere = new Function(`${childPrelude}; return describe;`)() as (v: unknown) => unknown;

function runOurs(): unknown[] {
  const vfs = createDefaultVfs(32 << 20);
  setup(createFs(vfs) as unknown as typeof realFs, R);
  const fs = createFs(vfs, { cred: CRED, umask: 0o022 }) as unknown as typeof realFs;
  const out: unknown[] = [];
  script(fs, R, (f) => { let r; try { r = describeHere(f()); } catch (e) { r = describeHere(e); } out.push(JSON.parse(JSON.stringify(r))); });
  return out;
}

function runLinux(): unknown[] {
  realFs.rmSync(R, { recursive: true, force: true });
  setup(realFs, R);
  const code = `${childPrelude}
const fs = require('node:fs'); const out = [];
const step = (f) => { let r; try { r = describe(f()); } catch (e) { r = describe(e); } out.push(r); };
(${script.toString()})(fs, ${JSON.stringify(R)}, step);
process.stdout.write(JSON.stringify(out));`;
  try {
    // A clean environment; the runner's process-info hook still follows the child and fails to write its
    // record as uid 1000 at exit (harmless), so the child's stderr is dropped.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const stdout = execFileSync(process.execPath, ['-e', code], { uid: CRED.uid, gid: CRED.gid, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] });
    return JSON.parse(stdout) as unknown[];
  } finally {
    realFs.rmSync(R, { recursive: true, force: true });
  }
}

/** Linux's outcomes recorded by this test as root, with the directory written as <R>; used when not root. */
const FIXTURE = fileURLToPath(new URL('./perms.linux.json', import.meta.url));
const generic = (steps: unknown[]): unknown[] => JSON.parse(JSON.stringify(steps).split(R).join('<R>')) as unknown[];

t.test('as uid 1000: EACCES/EPERM exactly as Linux tmpfs reports them through node:fs', async (t) => {
  const ours = generic(runOurs());
  let linux: unknown[];
  if (process.getuid?.() === 0) {
    linux = generic(runLinux());
    if (process.env.VFSIM_RECORD_FIXTURES === '1') writeFileSync(FIXTURE, `${JSON.stringify(linux, null, 1)}\n`);
    t.same(JSON.parse(readFileSync(FIXTURE, 'utf8')), linux, 'the recorded Linux outcomes are still what Linux does');
  } else {
    // Starting a uid-1000 child needs root; compare with what Linux did when recorded as root.
    linux = JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown[];
  }
  t.equal(ours.length, linux.length);
  for (let i = 0; i < linux.length; i++) t.same(ours[i], linux[i], `step ${i}`);
});

t.test('known VFS differences found through the face (TAP todo: filed, passes once fixed)', async (t) => {
  // fs.protected_hardlinks=1 (the default on Linux distributions; 1 on the host): an unprivileged
  // caller may hard-link only files it owns or can read and write (may_linkat, fs/namei.c) — EPERM.
  const vfs = createDefaultVfs(16 << 20);
  const root = createFs(vfs);
  root.mkdirSync('/open', { mode: 0o777 });
  root.chmodSync('/open', 0o777);
  root.writeFileSync('/f', 'x', { mode: 0o644 });
  const user = createFs(vfs, { cred: CRED });
  let code = 'ok';
  try { user.linkSync('/f', '/open/hard'); } catch (e) { code = (e as { code: string }).code; }
  t.equal(code, 'EPERM', 'link(2) to a root-owned 0644 file as uid 1000 is EPERM', { todo: 'vfs: protected_hardlinks not modelled (reported by node-fs)' });
  // open(2) with every flag bit set: Linux 6.18 keeps only O_PATH's flags (build_open_flags) and opens a
  // directory as an O_PATH descriptor (ENOTDIR on a file); the VFS checks O_CREAT|O_DIRECTORY first: EINVAL.
  let openCode = 'ok';
  try { root.closeSync(root.openSync('/open', -1)); } catch (e) { openCode = (e as { code: string }).code; }
  t.equal(openCode, 'ok', 'open(dir, -1) succeeds as on Linux 6.18', { todo: 'vfs: O_PATH masking comes after the O_CREAT|O_DIRECTORY check (reported by node-fs)' });
});
