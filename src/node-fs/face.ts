// The node:fs-shaped object over one process (any `Syscalls`): the sync core, the callback forms, the
// promises, constants, classes, streams and memfs's fromJSON/toJSON, all sharing one context. It names
// no backend; create.ts assembles a default machine for it.

import type * as NodeFsModule from 'node:fs';
import type { Syscalls } from '../../vfs/syscalls.js';
import { makeCallbacks } from './callback.js';
import { constants } from './constants.js';
import { makeCp } from './cp.js';
import { Dir, makeDir } from './dir.js';
import { makeFiles } from './files.js';
import { makeJson, type DirectoryJSON } from './json.js';
import { FileHandle, makePromises } from './promises.js';
import { BigIntStats, Dirent, StatFs, Stats } from './stats.js';
import { ReadStream, WriteStream } from './streams.js';
import { makeSync, type Ctx } from './sync.js';
import { makeTree } from './tree.js';

function buildSync(ctx: Ctx, seed: number | undefined) {
  const core = makeSync(ctx);
  const files = makeFiles(ctx);
  const tree = makeTree(ctx, seed);
  const dir = makeDir(ctx);
  const base = { ...core, ...files, ...tree, ...dir };
  const cp = makeCp(ctx, base as Parameters<typeof makeCp>[1]);
  // fs.ReadStream/fs.WriteStream of this face: `new fs.ReadStream(path, options)` works as with node:fs.
  class FaceReadStream extends ReadStream {
    constructor(path: unknown, options?: unknown) { super(all, path, options); }
  }
  class FaceWriteStream extends WriteStream {
    constructor(path: unknown, options?: unknown) { super(all, path, options); }
  }
  const all = {
    ...base,
    ...cp,
    createReadStream(path: unknown, options?: unknown): ReadStream { return new FaceReadStream(path, options); },
    createWriteStream(path: unknown, options?: unknown): WriteStream { return new FaceWriteStream(path, options); },
    ReadStream: FaceReadStream as new (path: unknown, options?: unknown) => ReadStream,
    WriteStream: FaceWriteStream as new (path: unknown, options?: unknown) => WriteStream,
  };
  return all;
}

/** The synchronous half of the face (plus streams): what the callback and promise forms wrap. */
export type SyncFs = ReturnType<typeof buildSync>;

type CallbackFn = (...args: any[]) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
export interface CallbackFs {
  access: CallbackFn; appendFile: CallbackFn; chmod: CallbackFn; chown: CallbackFn; close: CallbackFn;
  copyFile: CallbackFn; cp: CallbackFn; exists: CallbackFn; fchmod: CallbackFn; fchown: CallbackFn;
  fdatasync: CallbackFn; fstat: CallbackFn; fsync: CallbackFn; ftruncate: CallbackFn; futimes: CallbackFn;
  lchown: CallbackFn; link: CallbackFn; lstat: CallbackFn; lutimes: CallbackFn; mkdir: CallbackFn;
  mkdtemp: CallbackFn; open: CallbackFn; opendir: CallbackFn; read: CallbackFn; readdir: CallbackFn;
  readFile: CallbackFn; readlink: CallbackFn; readv: CallbackFn; realpath: CallbackFn & { native: CallbackFn };
  rename: CallbackFn; rm: CallbackFn; rmdir: CallbackFn; stat: CallbackFn; statfs: CallbackFn;
  symlink: CallbackFn; truncate: CallbackFn; unlink: CallbackFn; utimes: CallbackFn; write: CallbackFn;
  writev: CallbackFn; writeFile: CallbackFn;
}

type N = typeof NodeFsModule;
/** The node:fs functions the face provides, typed as @types/node types them, so code written for node:fs type-checks. */
type FsNames =
  | 'access' | 'accessSync' | 'appendFile' | 'appendFileSync' | 'chmod' | 'chmodSync' | 'chown' | 'chownSync'
  | 'close' | 'closeSync' | 'copyFile' | 'copyFileSync' | 'cp' | 'cpSync' | 'exists' | 'existsSync'
  | 'fchmod' | 'fchmodSync' | 'fchown' | 'fchownSync' | 'fdatasync' | 'fdatasyncSync' | 'fstat' | 'fstatSync'
  | 'fsync' | 'fsyncSync' | 'ftruncate' | 'ftruncateSync' | 'futimes' | 'futimesSync' | 'lchown' | 'lchownSync'
  | 'link' | 'linkSync' | 'lstat' | 'lstatSync' | 'lutimes' | 'lutimesSync' | 'mkdir' | 'mkdirSync'
  | 'mkdtemp' | 'mkdtempSync' | 'open' | 'openSync' | 'opendir' | 'opendirSync' | 'read' | 'readSync'
  | 'readdir' | 'readdirSync' | 'readFile' | 'readFileSync' | 'readlink' | 'readlinkSync' | 'readv' | 'readvSync'
  | 'realpath' | 'realpathSync' | 'rename' | 'renameSync' | 'rm' | 'rmSync' | 'rmdir' | 'rmdirSync'
  | 'stat' | 'statSync' | 'statfs' | 'statfsSync' | 'symlink' | 'symlinkSync' | 'truncate' | 'truncateSync'
  | 'unlink' | 'unlinkSync' | 'utimes' | 'utimesSync' | 'write' | 'writeSync' | 'writev' | 'writevSync'
  | 'writeFile' | 'writeFileSync' | 'createReadStream' | 'createWriteStream' | 'constants'
  | 'Stats' | 'Dirent' | 'Dir' | 'ReadStream' | 'WriteStream';
type PromiseNames =
  | 'access' | 'appendFile' | 'chmod' | 'chown' | 'copyFile' | 'cp' | 'lchown' | 'link' | 'lstat' | 'lutimes'
  | 'mkdir' | 'mkdtemp' | 'open' | 'opendir' | 'readdir' | 'readFile' | 'readlink' | 'realpath' | 'rename'
  | 'rm' | 'rmdir' | 'stat' | 'statfs' | 'symlink' | 'truncate' | 'unlink' | 'utimes' | 'writeFile' | 'constants';

/** What createFs returns: node:fs's names with node:fs's types, plus memfs's snapshots and the process. */
export type NodeFsFace = Pick<N, FsNames> & {
  promises: Pick<N['promises'], PromiseNames>;
  F_OK: number; R_OK: number; W_OK: number; X_OK: number;
  BigIntStats: typeof BigIntStats;
  StatFs: typeof StatFs;
  FileHandle: typeof FileHandle;
  /** memfs Volume.fromJSON: strings/bytes are files, null is a directory; relative keys against `cwd`. */
  fromJSON(json: DirectoryJSON, cwd?: string): void;
  /** memfs Volume.toJSON: {path: utf-8 content | null (empty directory)}. */
  toJSON(paths?: string | string[], json?: Record<string, string | Buffer | null>, isRelative?: boolean, asBuffer?: boolean): Record<string, string | Buffer | null>;
  /** The process whose syscalls this face makes (umask, chdir, mount, ...). */
  sys: Syscalls;
};

/** The face over `sys`; `seed` seeds mkdtemp's names. */
export function buildFace(sys: Syscalls, seed?: number): NodeFsFace {
  const ctx: Ctx = { sys };
  const sync = buildSync(ctx, seed);
  const callbacks = makeCallbacks(sync) as unknown as CallbackFs;
  const json = makeJson(ctx, sync as Parameters<typeof makeJson>[1]);
  const promises = makePromises(sync);
  const face = {
    ...sync,
    ...callbacks,
    ...json,
    promises,
    constants,
    F_OK: constants.F_OK,
    R_OK: constants.R_OK,
    W_OK: constants.W_OK,
    X_OK: constants.X_OK,
    Stats,
    BigIntStats,
    StatFs,
    Dirent,
    Dir,
    FileHandle,
    sys,
  };
  // The implementation is checked against Node's behaviour by the differential tests; the types are
  // Node's own declarations, which the untyped-argument implementation satisfies at run time.
  return face as unknown as NodeFsFace;
}
