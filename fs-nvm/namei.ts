// pcmfs directory operations, after NOVA's fs/nova/namei.c (Xu & Swanson, FAST 2016 §3.4): a new inode's
// log is written and its slot set before the parent's dentry entry commits it; link, unlink, rmdir and
// rename append to every inode they change and commit all of them at once (one transaction of log.ts, the
// undo journal when it spans inodes). The DRAM side (names, link counts) follows only after the commit.

import type { Ino, NewNode } from '../vfs/backend.js';
import { S_IFMT, S_IFDIR, S_IFLNK, RENAME_EXCHANGE } from '../vfs/constants.js';
import { fsErr } from '../vfs/errno.js';
import { invariant } from '../src/sim/assert.js';
import type { PcmFs } from './pcmfs.js';
import { TxPart, writeChain } from './log.js';
import { PInode, encDentAdd, encDentDel, encInit, encLink } from './inode.js';
import { BLOCK, slotOffset } from './layout.js';

const enc = new TextEncoder();

export class PcmNamei {
  private readonly fs: PcmFs;

  constructor(fs: PcmFs) {
    this.fs = fs;
  }

  /**
   * create, mkdir, symlink: write the new inode's log (its init entry, a symlink's target inline), point
   * a free slot at it, then commit the parent's dentry (and, for a directory, its new link count).
   */
  makeNode(dir: Ino, name: string, node: NewNode, target: string): Ino {
    const fs = this.fs, dev = fs.dev;
    const d = fs.node(dir);
    const slot = fs.allocSlot();
    const ino = slot + 1;
    const n = new PInode(ino);
    const isDir = (node.mode & S_IFMT) === S_IFDIR;
    Object.assign(n.attr, {
      mode: node.mode, uid: node.uid, gid: node.gid, rdev: node.rdev, nlink: isDir ? 2 : 1,
      size: (node.mode & S_IFMT) === S_IFLNK ? enc.encode(target).length : isDir ? BLOCK : 0,
      blocks: isDir ? BLOCK / 512 : 0,
      atimeSec: node.timeSec, atimeNsec: node.timeNsec, mtimeSec: node.timeSec, mtimeNsec: node.timeNsec,
      ctimeSec: node.timeSec, ctimeNsec: node.timeNsec, birthtimeSec: node.timeSec, birthtimeNsec: node.timeNsec,
    });
    const page = fs.alloc.allocRun(1);
    const p = new TxPart();
    p.reset(n);
    encInit(p, n.attr, target);
    p.seal();
    // The new inode's log: unreachable until the parent's entry commits (after the commit's fence).
    writeChain(dev, p.buf, p.starts, p.len, [page]);
    const so = slotOffset(slot);
    dev.store64(so, page * BLOCK);
    dev.flush(so);
    fs.tx.begin();
    const pp = fs.tx.part(d);
    encDentAdd(pp, enc.encode(name), ino);
    if (isDir) encLink(pp, d.attr.nlink + 1);
    try {
      fs.commit();
    } catch (e) {
      fs.alloc.release(page);
      dev.store64(so, 0);
      dev.flush(so);
      throw e;
    }
    n.pages = [page];
    n.tailUsed = 8 + p.len;
    if (isDir) {
      n.entries = new Map();
      d.attr.nlink++;
    } else if ((node.mode & S_IFMT) === S_IFLNK) n.target = target;
    else n.map = new Map();
    fs.adopt(n);
    d.entries!.set(name, ino);
    fs.appended(d, isDir ? 2 : 1);
    return ino;
  }

  link(dir: Ino, name: string, ino: Ino): void {
    const fs = this.fs;
    const d = fs.node(dir), n = fs.node(ino);
    fs.tx.begin();
    encDentAdd(fs.tx.part(d), enc.encode(name), ino);
    encLink(fs.tx.part(n), n.attr.nlink + 1);
    fs.commit();
    d.entries!.set(name, ino);
    n.attr.nlink++;
    fs.appended(d, 1);
    fs.appended(n, 1);
  }

  unlink(dir: Ino, name: string): void {
    const fs = this.fs;
    const d = fs.node(dir);
    const ino = d.entries!.get(name);
    if (ino === undefined) throw fsErr('ENOENT');
    const n = fs.node(ino);
    fs.tx.begin();
    encDentDel(fs.tx.part(d), enc.encode(name));
    encLink(fs.tx.part(n), n.attr.nlink - 1);
    fs.commit();
    d.entries!.delete(name);
    n.attr.nlink--;
    fs.appended(d, 1);
    fs.appended(n, 1);
  }

  rmdir(dir: Ino, name: string): void {
    const fs = this.fs;
    const d = fs.node(dir);
    const ino = d.entries!.get(name);
    if (ino === undefined) throw fsErr('ENOENT');
    const c = fs.node(ino);
    if (!c.isDir) throw fsErr('ENOTDIR');
    if (c.entries!.size > 0) throw fsErr('ENOTEMPTY');
    fs.tx.begin();
    const p = fs.tx.part(d);
    encDentDel(p, enc.encode(name));
    encLink(p, d.attr.nlink - 1);
    fs.commit();
    d.entries!.delete(name);
    d.attr.nlink--;
    c.attr.nlink = 0;
    fs.appended(d, 2);
  }

  /** rename and RENAME_EXCHANGE: both parents' dentries, the link counts they change, one commit. */
  rename(srcDir: Ino, srcName: string, dstDir: Ino, dstName: string, flags: number): void {
    const fs = this.fs, tx = fs.tx;
    const sd = fs.node(srcDir), dd = fs.node(dstDir);
    const sIno = sd.entries!.get(srcName);
    if (sIno === undefined) throw fsErr('ENOENT');
    const s = fs.node(sIno);
    const dIno = dd.entries!.get(dstName);
    const d = dIno === undefined ? undefined : fs.node(dIno);
    if (d === s) return; // two names of one file: rename(2) does nothing
    const sn = enc.encode(srcName), dn = enc.encode(dstName);
    const moveDir = sd !== dd;
    // nlink deltas of the two parents.
    let sdDelta = 0, ddDelta = 0;
    tx.begin();
    if (flags & RENAME_EXCHANGE) {
      invariant(d !== undefined, 'RENAME_EXCHANGE target exists');
      encDentAdd(tx.part(sd), sn, d.ino);
      encDentAdd(tx.part(dd), dn, s.ino);
      if (moveDir && s.isDir !== d.isDir) {
        sdDelta = s.isDir ? -1 : 1;
        ddDelta = -sdDelta;
      }
    } else {
      if (d !== undefined && d.isDir && d.entries!.size > 0) throw fsErr('ENOTEMPTY');
      encDentDel(tx.part(sd), sn);
      encDentAdd(tx.part(dd), dn, s.ino);
      if (s.isDir && moveDir) {
        sdDelta--;
        ddDelta++;
      }
      if (d !== undefined) {
        if (d.isDir) ddDelta--;
        else encLink(tx.part(d), d.attr.nlink - 1);
      }
    }
    if (sd === dd) {
      if (sdDelta + ddDelta !== 0) encLink(tx.part(sd), sd.attr.nlink + sdDelta + ddDelta);
    } else {
      if (sdDelta !== 0) encLink(tx.part(sd), sd.attr.nlink + sdDelta);
      if (ddDelta !== 0) encLink(tx.part(dd), dd.attr.nlink + ddDelta);
    }
    fs.commit();
    // The volatile side follows the committed log.
    if (flags & RENAME_EXCHANGE) {
      sd.entries!.set(srcName, d!.ino);
      dd.entries!.set(dstName, s.ino);
    } else {
      sd.entries!.delete(srcName);
      dd.entries!.set(dstName, s.ino);
      if (d !== undefined) {
        if (d.isDir) d.attr.nlink = 0;
        else d.attr.nlink--;
      }
    }
    sd.attr.nlink += sdDelta;
    dd.attr.nlink += ddDelta;
    fs.appended(sd, 2);
    if (dd !== sd) fs.appended(dd, 2);
    if (d !== undefined) fs.appended(d, 1);
  }
}
