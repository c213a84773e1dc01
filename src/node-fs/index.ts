// vfsim/node-fs: a node:fs-compatible face over any vfsim VFS, for memfs users.
//
//   import { createFs } from 'vfsim/node-fs';
//   const fs = createFs();                 // 1 GiB RAM, ramfs root, root credentials
//   fs.fromJSON({ '/etc/hosts': '127.0.0.1 localhost\n', '/tmp': null });
//   fs.readFileSync('/etc/hosts', 'utf8'); await fs.promises.stat('/tmp');

export { createFs, createDefaultVfs, DEFAULT_RAM_BYTES } from './create.js';
export type { NodeFs, CreateFsOptions, ProcessFactory } from './create.js';
export { buildFace } from './face.js';
export type { SyncFs, CallbackFs, NodeFsFace } from './face.js';
export { constants } from './constants.js';
export { Stats, BigIntStats, StatFs, Dirent } from './stats.js';
export { Dir } from './dir.js';
export { FileHandle } from './promises.js';
export { ReadStream, WriteStream } from './streams.js';
export { SystemError } from './errors.js';
export type { DirectoryJSON } from './json.js';
export type { PathLike } from './args.js';
