// Whole-file calls: readFile, writeFile, appendFile and copyFile, built from open/fstat/read/write/close
// the way Node's readFileSync and libuv's uv_fs_copyfile are (lib/fs.js, src/unix/fs.c), so the same
// failure surfaces under the same syscall name (`open` for a missing file, `read` for a directory,
// `copyfile` for everything copyFile does).

import { Buffer } from 'node:buffer';
import * as V from '../../vfs/constants.js';
import {
  asBytes, getOptions, parseFlags, parseMode, toPath, validateFd, validMode, type BufferEncodingOrBuffer,
} from './args.js';
import { invalidArgType, nodeError, uvError, uvNew } from './errors.js';
import type { Ctx } from './sync.js';

/** COPYFILE_FICLONE_FORCE: a reflink is required; ramfs has none, as tmpfs has none (ENOTSUP on Linux). */
const COPYFILE_FICLONE_FORCE = 4;
const COPYFILE_EXCL = 1;
const COPYFILE_FICLONE = 2;
/** The largest single read Node does: 2 GiB - 1 (kIoMaxLength). */
const K_IO_MAX_LENGTH = 2 ** 31 - 1;

interface ReadFileOptions { encoding?: BufferEncodingOrBuffer; flag?: unknown }
interface WriteFileOptions { encoding?: BufferEncodingOrBuffer; mode?: unknown; flag?: unknown; flush?: unknown }

const WRITE_DEFAULTS: WriteFileOptions = Object.freeze({ encoding: 'utf8', mode: 0o666, flag: 'w' });
const APPEND_DEFAULTS: WriteFileOptions = Object.freeze({ encoding: 'utf8', mode: 0o666, flag: 'a' });

// Node's isFd is isInt32: a negative number is a (bad) descriptor too, reported as EBADF.
const isFd = (p: unknown): p is number => typeof p === 'number' && (p | 0) === p;

export function makeFiles(ctx: Ctx) {
  const sys = ctx.sys;
  /** Scratch for copyFile and unknown-size reads; the face is single-threaded, so one buffer serves all calls. */
  const scratch = new Uint8Array(64 * 1024);

  /** Read the rest of an open file from its offset; `size` from fstat when it is a regular file. */
  function readAll(fd: number, size: number): Buffer {
    if (size > 0) {
      const buf = Buffer.allocUnsafe(size);
      let pos = 0;
      while (pos < size) {
        const n = sys.read(fd, buf, pos, size - pos, null);
        if (n === 0) break;
        pos += n;
      }
      // Like Node, a file that grew since fstat is read up to its fstat size only.
      if (pos === size) return buf;
      return buf.subarray(0, pos);
    }
    const parts: Buffer[] = [];
    for (;;) {
      const n = sys.read(fd, scratch, 0, scratch.length, null);
      if (n === 0) break;
      parts.push(Buffer.from(scratch.subarray(0, n)));
    }
    return Buffer.concat(parts);
  }

  function writeAll(fd: number, bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.byteLength) off += sys.write(fd, bytes, off, bytes.byteLength - off, null);
  }

  function dataBytes(data: unknown, encoding: BufferEncodingOrBuffer): Uint8Array {
    if (typeof data === 'string') return Buffer.from(data, (encoding && encoding !== 'buffer' ? encoding : 'utf8') as BufferEncoding);
    if (ArrayBuffer.isView(data)) return asBytes(data);
    throw invalidArgType('data', ['string', 'Buffer', 'TypedArray', 'DataView'], data);
  }

  function writeFileImpl(path: unknown, data: unknown, options: unknown, defFlag: string): void {
    const o = getOptions(options, defFlag === 'a' ? APPEND_DEFAULTS : WRITE_DEFAULTS);
    const bytes = dataBytes(data, o.encoding);
    if (isFd(path)) {
      try { writeAll(path, bytes); } catch (e) { throw uvError(e, 'write'); }
      return;
    }
    const p = toPath(path);
    const flags = parseFlags(o.flag ?? defFlag);
    const mode = parseMode(o.mode, 'mode', 0o666);
    let fd: number;
    try { fd = sys.open(p, flags, mode); } catch (e) { throw uvError(e, 'open', p); }
    try {
      writeAll(fd, bytes);
      if (o.flush === true) sys.fsync(fd);
    } catch (e) {
      throw uvError(e, 'write');
    } finally {
      sys.close(fd);
    }
  }

  return {
    readFileSync(path: unknown, options?: unknown): string | Buffer {
      const o = options === undefined ? undefined : getOptions(options, { flag: 'r' } as ReadFileOptions);
      let fd: number, own: boolean;
      if (isFd(path)) { fd = validateFd(path); own = false; } // readFile checks the fd (C++); writeFile lets write(2) say EBADF
      else {
        const p = toPath(path);
        const flags = o === undefined ? V.O_RDONLY : parseFlags(o.flag ?? 'r');
        try { fd = sys.open(p, flags, 0o666); } catch (e) { throw uvError(e, 'open', p); }
        own = true;
      }
      let buf: Buffer;
      try {
        const st = sys.fstat(fd);
        const size = (st.mode & V.S_IFMT) === V.S_IFREG ? st.size : 0;
        // kIoMaxLength: Node refuses before allocating (lib/internal/fs/utils.js).
        if (size > K_IO_MAX_LENGTH) throw nodeError(RangeError, 'ERR_FS_FILE_TOO_LARGE', `File size (${size}) is greater than 2 GiB`);
        buf = readAll(fd, size);
      } catch (e) {
        throw uvError(e, 'read');
      } finally {
        if (own) sys.close(fd);
      }
      const enc = o?.encoding;
      return enc && enc !== 'buffer' ? buf.toString(enc) : buf;
    },

    writeFileSync(path: unknown, data: unknown, options?: unknown): void {
      writeFileImpl(path, data, options, 'w');
    },

    appendFileSync(path: unknown, data: unknown, options?: unknown): void {
      const o = getOptions(options, APPEND_DEFAULTS);
      // Node forces an append flag unless the caller gave one (lib/fs.js appendFileSync).
      const opts = o.flag === undefined || o.flag === null ? { ...o, flag: 'a' } : o;
      writeFileImpl(path, data, opts, 'a');
    },

    copyFileSync(src: unknown, dest: unknown, mode?: unknown): void {
      const s = toPath(src, 'src'), d = toPath(dest, 'dest');
      const m = validMode(mode, 0);
      // libuv's uv__fs_copyfile, step by step: open the source, fstat, open/create the destination with
      // the source's mode, skip a copy onto itself, truncate, fchmod, try a reflink (FICLONE), copy
      // st_size bytes; on any failure after the destination was opened, unlink it.
      let sfd = -1, dfd = -1;
      try {
        sfd = sys.open(s, V.O_RDONLY, 0);
        const st = sys.fstat(sfd);
        dfd = sys.open(d, V.O_WRONLY | V.O_CREAT | (m & COPYFILE_EXCL ? V.O_EXCL : 0), st.mode & 0o7777);
        if ((m & COPYFILE_EXCL) === 0) {
          const dt = sys.fstat(dfd);
          if (dt.dev === st.dev && dt.ino === st.ino) return;
        }
        sys.ftruncate(dfd, 0);
        sys.fchmod(dfd, st.mode & 0o7777);
        if (m & (COPYFILE_FICLONE | COPYFILE_FICLONE_FORCE)) {
          // ioctl(FICLONE): a directory source is EISDIR; ramfs, like tmpfs, has no reflinks.
          if ((st.mode & V.S_IFMT) === V.S_IFDIR) throw uvNew('EISDIR', 'copyfile');
          if (m & COPYFILE_FICLONE_FORCE) throw uvNew('ENOTSUP', 'copyfile');
        }
        let pos = 0;
        while (pos < st.size) {
          const n = sys.read(sfd, scratch, 0, Math.min(scratch.length, st.size - pos), pos);
          if (n === 0) break;
          writeAll(dfd, scratch.subarray(0, n));
          pos += n;
        }
      } catch (e) {
        if (dfd >= 0) {
          sys.close(dfd);
          dfd = -1;
          try { sys.unlink(d); } catch { /* already gone: nothing to undo */ }
        }
        throw uvError(e, 'copyfile', s, d);
      } finally {
        if (dfd >= 0) sys.close(dfd);
        if (sfd >= 0) sys.close(sfd);
      }
    },
  };
}
