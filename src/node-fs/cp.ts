// fs.cpSync: Node 20's recursive copy (lib/internal/fs/cp/cp-sync.js) step by step — the same checks in
// the same order (same file, directory onto non-directory, copying into its own subtree), the same
// ERR_FS_CP_* SystemErrors, symlinks recreated (made absolute unless verbatimSymlinks), modes copied,
// timestamps on request. Relative paths resolve against the VFS process's cwd, not the host's.

import { posix } from 'node:path';
import * as V from '../../vfs/constants.js';
import type { Stat } from '../../vfs/syscalls.js';
import { toPath, validateBoolean, validateFunction, validateInteger, validateObject } from './args.js';
import { nodeError, SystemError, uvError } from './errors.js';
import type { Ctx } from './sync.js';

export interface CpOptions {
  dereference?: boolean;
  errorOnExist?: boolean;
  filter?: (src: string, dest: string) => boolean;
  force?: boolean;
  preserveTimestamps?: boolean;
  recursive?: boolean;
  verbatimSymlinks?: boolean;
  mode?: number;
}

type Full = Required<Omit<CpOptions, 'filter'>> & { filter?: CpOptions['filter'] };

const fmt = (s: Stat): number => s.mode & V.S_IFMT;

export function validateCpOptions(options: unknown): Full {
  if (options === undefined) options = {};
  validateObject(options, 'options');
  const o = {
    dereference: false, errorOnExist: false, force: true, preserveTimestamps: false, recursive: false,
    verbatimSymlinks: false, mode: 0, ...(options as CpOptions),
  } as Full;
  validateBoolean(o.dereference, 'options.dereference');
  validateBoolean(o.errorOnExist, 'options.errorOnExist');
  validateBoolean(o.force, 'options.force');
  validateBoolean(o.preserveTimestamps, 'options.preserveTimestamps');
  validateBoolean(o.recursive, 'options.recursive');
  validateBoolean(o.verbatimSymlinks, 'options.verbatimSymlinks');
  validateInteger(o.mode, 'mode', 0, 7);
  if (o.dereference && o.verbatimSymlinks) {
    throw nodeError(TypeError, 'ERR_INCOMPATIBLE_OPTION_PAIR', 'Option "dereference" cannot be used in combination with option "verbatimSymlinks"');
  }
  if (o.filter !== undefined) validateFunction(o.filter, 'options.filter');
  return o;
}

/** The calls cp uses, from the face's own sync functions (so their errors are node:fs's). */
export interface CpDeps {
  copyFileSync(src: string, dest: string, mode?: number): void;
  mkdirSync(path: string, options?: { recursive?: boolean }): unknown;
  chmodSync(path: string, mode: number): void;
  utimesSync(path: string, atime: number, mtime: number): void;
  symlinkSync(target: string, path: string): void;
  unlinkSync(path: string): void;
  readlinkSync(path: string): string | Buffer;
}

export function makeCp(ctx: Ctx, deps: CpDeps) {
  const sys = ctx.sys;
  const resolve = (p: string) => posix.resolve(sys.getcwd(), p);

  const cpErr = (code: string, errCode: string, errno: number, message: string, path: string) =>
    new SystemError(code, { message, path, syscall: 'cp', errno, code: errCode });

  function statOf(p: string, deref: boolean): Stat {
    try { return deref ? sys.stat(p) : sys.lstat(p); } catch (e) { throw uvError(e, deref ? 'stat' : 'lstat', p); }
  }
  function tryStat(p: string, deref: boolean): Stat | null {
    try { return deref ? sys.stat(p) : sys.lstat(p); } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return null;
      throw uvError(e, deref ? 'stat' : 'lstat', p);
    }
  }
  const identical = (a: Stat, b: Stat) => b.ino !== 0 && b.ino === a.ino && b.dev === a.dev;
  function isSrcSubdir(src: string, dest: string): boolean {
    const s = resolve(src).split('/').filter(Boolean), d = resolve(dest).split('/').filter(Boolean);
    return s.every((c, i) => d[i] === c);
  }

  function checkPaths(src: string, dest: string, o: Full): { srcStat?: Stat; destStat: Stat | null; skipped: boolean } {
    if (o.filter && !o.filter(src, dest)) return { destStat: null, skipped: true };
    const srcStat = statOf(src, o.dereference);
    const destStat = tryStat(dest, o.dereference);
    if (destStat) {
      if (identical(srcStat, destStat)) throw cpErr('ERR_FS_CP_EINVAL', 'EINVAL', 22, 'src and dest cannot be the same', dest);
      if (fmt(srcStat) === V.S_IFDIR && fmt(destStat) !== V.S_IFDIR) {
        throw cpErr('ERR_FS_CP_DIR_TO_NON_DIR', 'EISDIR', 21, `cannot overwrite non-directory ${dest} with directory ${src}`, dest);
      }
      if (fmt(srcStat) !== V.S_IFDIR && fmt(destStat) === V.S_IFDIR) {
        throw cpErr('ERR_FS_CP_NON_DIR_TO_DIR', 'ENOTDIR', 20, `cannot overwrite directory ${dest} with non-directory ${src}`, dest);
      }
    }
    if (fmt(srcStat) === V.S_IFDIR && isSrcSubdir(src, dest)) {
      throw cpErr('ERR_FS_CP_EINVAL', 'EINVAL', 22, `cannot copy ${src} to a subdirectory of self ${dest}`, dest);
    }
    return { srcStat, destStat, skipped: false };
  }

  function checkParentPaths(src: string, srcStat: Stat, dest: string): void {
    const srcParent = resolve(posix.dirname(src)), destParent = resolve(posix.dirname(dest));
    if (destParent === srcParent || destParent === '/') return;
    const st = tryStat(destParent, true);
    if (st === null) return;
    if (identical(srcStat, st)) throw cpErr('ERR_FS_CP_EINVAL', 'EINVAL', 22, `cannot copy ${src} to a subdirectory of self ${dest}`, dest);
    checkParentPaths(src, srcStat, destParent);
  }

  function setDestMode(dest: string, mode: number) { deps.chmodSync(dest, mode & 0o7777); }

  function onFile(srcStat: Stat, destStat: Stat | null, src: string, dest: string, o: Full): void {
    if (destStat) {
      if (o.force) deps.unlinkSync(dest);
      else if (o.errorOnExist) throw cpErr('ERR_FS_CP_EEXIST', 'EEXIST', 17, `${dest} already exists`, dest);
      else return;
    }
    deps.copyFileSync(src, dest, o.mode);
    if (o.preserveTimestamps) {
      if ((srcStat.mode & 0o200) === 0) deps.chmodSync(dest, (srcStat.mode | 0o200) & 0o7777);
      const s = statOf(src, true);
      deps.utimesSync(dest, s.atimeSec + s.atimeNsec / 1e9, s.mtimeSec + s.mtimeNsec / 1e9);
    }
    setDestMode(dest, srcStat.mode);
  }

  function copyDir(src: string, dest: string, o: Full): void {
    let entries;
    try { entries = sys.readdir(src); } catch (e) { throw uvError(e, 'opendir'); } // Node's opendir errors carry no path
    for (const { name } of entries) {
      const srcItem = posix.join(src, name), destItem = posix.join(dest, name);
      const { destStat, skipped } = checkPaths(srcItem, destItem, o);
      if (!skipped) getStats(destStat, srcItem, destItem, o);
    }
  }

  function onLink(destStat: Stat | null, src: string, dest: string, o: Full): void {
    let resolvedSrc = String(deps.readlinkSync(src));
    if (!o.verbatimSymlinks && !posix.isAbsolute(resolvedSrc)) resolvedSrc = posix.resolve(resolve(posix.dirname(src)), resolvedSrc);
    if (!destStat) return deps.symlinkSync(resolvedSrc, dest);
    let resolvedDest: string;
    try {
      resolvedDest = String(deps.readlinkSync(dest));
    } catch (e) {
      if ((e as { code?: string }).code === 'EINVAL') return deps.symlinkSync(resolvedSrc, dest);
      throw e;
    }
    if (!posix.isAbsolute(resolvedDest)) resolvedDest = posix.resolve(resolve(posix.dirname(dest)), resolvedDest);
    if (isSrcSubdir(resolvedSrc, resolvedDest)) {
      throw cpErr('ERR_FS_CP_EINVAL', 'EINVAL', 22, `cannot copy ${resolvedSrc} to a subdirectory of self ${resolvedDest}`, dest);
    }
    const st = statOf(src, true);
    if (fmt(st) === V.S_IFDIR && isSrcSubdir(resolvedDest, resolvedSrc)) {
      throw cpErr('ERR_FS_CP_SYMLINK_TO_SUBDIRECTORY', 'EINVAL', 22, `cannot overwrite ${resolvedDest} with ${resolvedSrc}`, dest);
    }
    deps.unlinkSync(dest);
    deps.symlinkSync(resolvedSrc, dest);
  }

  function getStats(destStat: Stat | null, src: string, dest: string, o: Full): void {
    const srcStat = statOf(src, o.dereference);
    const t = fmt(srcStat);
    if (t === V.S_IFDIR && o.recursive) {
      if (!destStat) {
        deps.mkdirSync(dest);
        copyDir(src, dest, o);
        setDestMode(dest, srcStat.mode);
      } else copyDir(src, dest, o);
      return;
    }
    if (t === V.S_IFDIR) throw cpErr('ERR_FS_EISDIR', 'EISDIR', 22, `${src} is a directory (not copied)`, src);
    if (t === V.S_IFREG || t === V.S_IFCHR || t === V.S_IFBLK) return onFile(srcStat, destStat, src, dest, o);
    if (t === V.S_IFLNK) return onLink(destStat, src, dest, o);
    if (t === V.S_IFSOCK) throw cpErr('ERR_FS_CP_SOCKET', 'EINVAL', 22, `cannot copy a socket file: ${dest}`, dest);
    if (t === V.S_IFIFO) throw cpErr('ERR_FS_CP_FIFO_PIPE', 'EINVAL', 22, `cannot copy a FIFO pipe: ${dest}`, dest);
    throw cpErr('ERR_FS_CP_UNKNOWN', 'EINVAL', 22, `cannot copy an unknown file type: ${dest}`, dest);
  }

  return {
    cpSync(src: unknown, dest: unknown, options?: unknown): void {
      const o = validateCpOptions(options);
      const s = toPath(src, 'src'), d = toPath(dest, 'dest');
      const { srcStat, destStat, skipped } = checkPaths(s, d, o);
      if (skipped) return;
      checkParentPaths(s, srcStat!, d);
      const parent = posix.dirname(d);
      let parentExists = true;
      try { sys.access(parent, V.F_OK); } catch { parentExists = false; }
      if (!parentExists) deps.mkdirSync(parent, { recursive: true });
      getStats(destStat, s, d, o);
    },
  };
}
