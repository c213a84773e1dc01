// The subjects of `vfsim bench fs`: one small interface that every filesystem under test is driven
// through, and an adapter for anything shaped like `node:fs` (vfsim's createFs(), memfs, ZenFS, node:fs
// itself). Each subject runs alone in its own child process, so every call site here stays monomorphic.

/** The names the table, the JSON and `--subjects` use. */
export const SUBJECTS = ['vfsim', 'vfsim-vfs', 'memfs', 'zenfs', 'tmpfs'] as const;
export type SubjectName = (typeof SUBJECTS)[number];

/**
 * What a workload calls. Paths are absolute below `root` (the empty string for in-memory filesystems,
 * a fresh directory for tmpfs). Methods return a number so the caller can fold results into a sink
 * and no engine can drop a call as dead code.
 */
export interface FsSubject {
  readonly name: SubjectName;
  /** One-line description of what is measured (library version, backend, mount point). */
  readonly what: string;
  readonly root: string;
  mkdir(path: string): void;
  /** Create (or truncate) a file and write `data` into it: writeFileSync, or open+write+close. */
  createFile(path: string, data: Uint8Array): void;
  /** Read a whole small file (readFileSync, or open + read to EOF + close); returns the byte count. */
  readSmall(path: string, buf: Uint8Array): number;
  /** stat(2); returns st_size. */
  stat(path: string): number;
  /** The number of entries of a directory. */
  readdir(path: string): number;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  /** open(2) with O_WRONLY|O_CREAT|O_TRUNC ('w'), O_RDONLY ('r') or O_RDWR ('r+'). */
  open(path: string, mode: 'w' | 'r' | 'r+'): number;
  /** read(2) when pos is null, pread(2) otherwise. */
  read(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number;
  /** write(2) when pos is null, pwrite(2) otherwise. */
  write(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number;
  close(fd: number): void;
  /** Release everything (tmpfs removes its directory). */
  dispose(): void;
}

/** The part of `node:fs` the benchmark uses; vfsim's createFs(), memfs and ZenFS all provide it. */
export interface NodeFsLike {
  mkdirSync(path: string, options?: unknown): unknown;
  writeFileSync(path: string, data: Uint8Array): void;
  readFileSync(path: string): Uint8Array;
  statSync(path: string): { size: number | bigint } | undefined;
  readdirSync(path: string): unknown[];
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  openSync(path: string, flags: string, mode?: number): number;
  readSync(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number;
  writeSync(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number;
  closeSync(fd: number): void;
}

/** Drives a `node:fs`-shaped object the way its users call it (the *Sync forms). */
export class NodeShapedSubject implements FsSubject {
  constructor(
    readonly name: SubjectName,
    readonly what: string,
    private readonly fs: NodeFsLike,
    readonly root: string,
    private readonly onDispose: () => void = () => {},
  ) {}

  mkdir(path: string): void {
    this.fs.mkdirSync(path);
  }
  createFile(path: string, data: Uint8Array): void {
    this.fs.writeFileSync(path, data);
  }
  readSmall(path: string): number {
    return this.fs.readFileSync(path).length;
  }
  stat(path: string): number {
    return Number(this.fs.statSync(path)!.size);
  }
  readdir(path: string): number {
    return this.fs.readdirSync(path).length;
  }
  rename(from: string, to: string): void {
    this.fs.renameSync(from, to);
  }
  unlink(path: string): void {
    this.fs.unlinkSync(path);
  }
  open(path: string, mode: 'w' | 'r' | 'r+'): number {
    return this.fs.openSync(path, mode, 0o644);
  }
  read(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number {
    return this.fs.readSync(fd, buf, off, len, pos);
  }
  write(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number {
    return this.fs.writeSync(fd, buf, off, len, pos);
  }
  close(fd: number): void {
    this.fs.closeSync(fd);
  }
  dispose(): void {
    this.onDispose();
  }
}

/** Thrown by a loader when a peer is not installed or not built; the table says "not installed". */
export class SubjectUnavailable extends Error {}
