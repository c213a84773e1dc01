// pcmfs inodes in DRAM and the log entries that describe them. The volatile side is what NOVA rebuilds at
// mount (FAST 2016 §3.3): attributes, a directory's name index (a Map, NOVA's radix tree / hash), a file's
// page index (page number → block). The encoders write entries into a transaction part; `replay` applies
// one read back from the media, checking every field (a corrupt entry is EIO, never a crash).

import type { Attr } from '../vfs/backend.js';
import { S_IFMT, S_IFDIR, S_IFREG, S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK } from '../vfs/constants.js';
import { fsErr } from '../vfs/errno.js';
import type { LogPosition, TxPart } from './log.js';
import { ATTR_LEN, E, EH, INIT_LEN, LINK_LEN, PUNCH_LEN, TRUNC_LEN, WRITE_LEN, dentLen, BLOCK } from './layout.js';

export class PInode implements LogPosition {
  readonly ino: number;
  readonly attr: Attr;
  pages: number[] = [];
  tailUsed = 0;
  /** Directories: name → ino, in insertion order (readdir order). */
  entries: Map<string, number> | null = null;
  /** Regular files: file page → block. */
  map: Map<number, number> | null = null;
  target = '';
  /** Log entries appended since the log was last written compactly (compaction trigger). */
  entriesSinceCompact = 0;

  constructor(ino: number) {
    this.ino = ino;
    this.attr = {
      ino, mode: 0, nlink: 0, uid: 0, gid: 0, rdev: 0, size: 0, blocks: 0, blksize: BLOCK,
      atimeSec: 0, atimeNsec: 0, mtimeSec: 0, mtimeNsec: 0, ctimeSec: 0, ctimeNsec: 0, birthtimeSec: 0, birthtimeNsec: 0,
    };
  }

  get isDir(): boolean {
    return (this.attr.mode & S_IFMT) === S_IFDIR;
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

function put64(v: DataView, off: number, x: number): void {
  const hi = Math.floor(x / 4294967296);
  v.setUint32(off, x - hi * 4294967296, true);
  v.setInt32(off + 4, hi, true);
}
function get64(v: DataView, off: number): number {
  return v.getInt32(off + 4, true) * 4294967296 + v.getUint32(off, true);
}

// ---- encoders ----

export function encInit(p: TxPart, a: Attr, target: string): void {
  const t = enc.encode(target);
  const o = p.entry(E.Init, (INIT_LEN + t.length + 7) & ~7) + EH;
  const v = p.view;
  v.setUint32(o, a.mode, true);
  v.setUint32(o + 4, a.uid, true);
  v.setUint32(o + 8, a.gid, true);
  v.setUint32(o + 12, a.rdev, true);
  v.setUint32(o + 16, a.nlink, true);
  v.setUint32(o + 20, a.birthtimeNsec, true);
  put64(v, o + 24, a.birthtimeSec);
  v.setUint32(o + 32, t.length, true);
  p.buf.set(t, o + 40);
}

export function encAttr(p: TxPart, a: Attr): void {
  const o = p.entry(E.Attr, ATTR_LEN) + EH;
  const v = p.view;
  v.setUint32(o, a.mode, true);
  v.setUint32(o + 4, a.uid, true);
  v.setUint32(o + 8, a.gid, true);
  v.setUint32(o + 12, a.atimeNsec, true);
  put64(v, o + 16, a.atimeSec);
  v.setUint32(o + 24, a.mtimeNsec, true);
  put64(v, o + 32, a.mtimeSec);
  v.setUint32(o + 40, a.ctimeNsec, true);
  put64(v, o + 48, a.ctimeSec);
}

export function encLink(p: TxPart, nlink: number): void {
  p.view.setUint32(p.entry(E.Link, LINK_LEN) + EH, nlink, true);
}

export function encDentAdd(p: TxPart, name: Uint8Array, ino: number): void {
  const o = p.entry(E.DentAdd, dentLen(name.length)) + EH;
  p.view.setUint32(o, ino, true);
  p.view.setUint16(o + 4, name.length, true);
  p.buf.set(name, o + 8);
}

export function encDentDel(p: TxPart, name: Uint8Array): void {
  const o = p.entry(E.DentDel, dentLen(name.length)) + EH;
  p.view.setUint16(o + 4, name.length, true);
  p.buf.set(name, o + 8);
}

export function encWrite(p: TxPart, pgoff: number, n: number, block: number, size: number): void {
  const o = p.entry(E.Write, WRITE_LEN) + EH;
  put64(p.view, o, pgoff);
  p.view.setUint32(o + 8, n, true);
  p.view.setUint32(o + 12, block, true);
  put64(p.view, o + 16, size);
}

export function encTrunc(p: TxPart, size: number): void {
  put64(p.view, p.entry(E.Trunc, TRUNC_LEN) + EH, size);
}

export function encPunch(p: TxPart, pgoff: number, n: number): void {
  const o = p.entry(E.Punch, PUNCH_LEN) + EH;
  put64(p.view, o, pgoff);
  put64(p.view, o + 8, n);
}

// ---- replay (mount) ----

const VALID_TYPES = new Set([S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK]);
const bad = (): never => {
  throw fsErr('EIO', 'mount');
};

/** Limits replay checks entries against. */
export interface ReplayLimits {
  readonly blocks: number;
  readonly dataStart: number;
  readonly inodes: number;
  readonly maxFileSize: number;
}

/** Apply one entry read from the media to `n`; EIO if it is malformed or does not fit the inode. */
export function replay(n: PInode, kind: number, page: Uint8Array, v: DataView, off: number, len: number, lim: ReplayLimits): void {
  const o = off + EH;
  const a = n.attr;
  const first = n.attr.mode === 0;
  if (first !== (kind === E.Init)) bad();
  switch (kind) {
    case E.Init: {
      if (len < INIT_LEN) bad();
      a.mode = v.getUint32(o, true);
      if (!VALID_TYPES.has(a.mode & S_IFMT) || a.mode > 0o177777) bad();
      a.uid = v.getUint32(o + 4, true);
      a.gid = v.getUint32(o + 8, true);
      a.rdev = v.getUint32(o + 12, true);
      a.nlink = v.getUint32(o + 16, true);
      a.birthtimeNsec = a.atimeNsec = a.mtimeNsec = a.ctimeNsec = v.getUint32(o + 20, true);
      a.birthtimeSec = a.atimeSec = a.mtimeSec = a.ctimeSec = get64(v, o + 24);
      const tl = v.getUint32(o + 32, true);
      if (INIT_LEN + tl > len) bad();
      const type = a.mode & S_IFMT;
      if (type === S_IFLNK) {
        try {
          n.target = dec.decode(page.subarray(o + 40, o + 40 + tl));
        } catch {
          bad();
        }
        a.size = tl;
      } else if (tl !== 0) bad();
      if (type === S_IFDIR) n.entries = new Map();
      if (type === S_IFREG) n.map = new Map();
      return;
    }
    case E.Attr: {
      if (len !== ATTR_LEN) bad();
      const mode = v.getUint32(o, true);
      if ((mode & S_IFMT) !== (a.mode & S_IFMT) || mode > 0o177777) bad();
      a.mode = mode;
      a.uid = v.getUint32(o + 4, true);
      a.gid = v.getUint32(o + 8, true);
      a.atimeNsec = v.getUint32(o + 12, true);
      a.atimeSec = get64(v, o + 16);
      a.mtimeNsec = v.getUint32(o + 24, true);
      a.mtimeSec = get64(v, o + 32);
      a.ctimeNsec = v.getUint32(o + 40, true);
      a.ctimeSec = get64(v, o + 48);
      return;
    }
    case E.Link:
      if (len !== LINK_LEN) bad();
      a.nlink = v.getUint32(o, true);
      return;
    case E.DentAdd:
    case E.DentDel: {
      if (n.entries === null) bad();
      const nl = v.getUint16(o + 4, true);
      if (nl === 0 || nl > 255 || dentLen(nl) !== len) bad();
      let name = '';
      try {
        name = dec.decode(page.subarray(o + 8, o + 8 + nl));
      } catch {
        bad();
      }
      if (name === '.' || name === '..' || name.includes('/') || name.includes('\0')) bad();
      if (kind === E.DentDel) {
        if (!n.entries!.delete(name)) bad();
        return;
      }
      const ino = v.getUint32(o, true);
      if (ino < 1 || ino > lim.inodes) bad();
      n.entries!.set(name, ino);
      return;
    }
    case E.Write: {
      if (n.map === null || len !== WRITE_LEN) bad();
      const pg = get64(v, o), cnt = v.getUint32(o + 8, true), b = v.getUint32(o + 12, true), size = get64(v, o + 16);
      if (pg < 0 || cnt < 1 || b < lim.dataStart || b + cnt > lim.blocks || size < 0 || size > lim.maxFileSize) bad();
      for (let i = 0; i < cnt; i++) n.map!.set(pg + i, b + i);
      a.size = size;
      return;
    }
    case E.Trunc: {
      if (n.map === null || len !== TRUNC_LEN) bad();
      const size = get64(v, o);
      if (size < 0 || size > lim.maxFileSize) bad();
      const keep = Math.ceil(size / BLOCK);
      for (const pg of n.map!.keys()) if (pg >= keep) n.map!.delete(pg);
      a.size = size;
      return;
    }
    case E.Punch: {
      if (n.map === null || len !== PUNCH_LEN) bad();
      const pg = get64(v, o), cnt = get64(v, o + 8);
      if (pg < 0 || cnt < 1) bad();
      if (cnt < n.map!.size) {
        for (let i = 0; i < cnt; i++) n.map!.delete(pg + i);
      } else {
        for (const k of n.map!.keys()) if (k >= pg && k < pg + cnt) n.map!.delete(k);
      }
      return;
    }
    default:
      bad();
  }
}
