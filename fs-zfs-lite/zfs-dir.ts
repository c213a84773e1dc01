// ZFS-lite's name operations (OpenZFS zfs_vnops.c zfs_create/zfs_link/zfs_remove/zfs_rmdir over
// zfs_dir.c's zfs_link_create/zfs_link_destroy): the checks in Linux's errno order, a space reservation,
// the ZAP edit (ZfsLite.addEntry/removeEntry) and one intent-log record each. rename is zfs-rename.ts.

import { fsErr } from '../vfs/errno.js';
import type { Ino, NewNode } from '../vfs/backend.js';
import { S_IFMT, S_IFCHR, S_IFBLK, NAME_MAX } from '../vfs/constants.js';
import type { DmuObject } from './dmu.js';
import { ZapDir } from './zap.js';
import { BLOCK } from './layout.js';
import { TX_LINK, TX_MKDIR, TX_REMOVE, TX_RMDIR, TX_SYMLINK } from './zil.js';
import { META_OP_BLOCKS, type ZfsLite } from './zfs.js';

/**
 * create/mkdir/symlink's common part (zfs_create/zfs_mkdir/zfs_symlink → zfs_mknode, zfs_link_create):
 * the new object, its name, and a TX_CREATE/TX_MKDIR/TX_SYMLINK record; replay passes the logged `ino`.
 */
export function zfsCreate(fs: ZfsLite, tx: number, dir: Ino, name: string, node: NewNode, target: string, ino: Ino | undefined): Ino {
  const d = freeName(fs, dir, name);
  const tb = tx === TX_SYMLINK ? new TextEncoder().encode(target) : null;
  fs.pool.reserve(META_OP_BLOCKS + (tb !== null ? 2 : 0));
  const isDir = tx === TX_MKDIR;
  const obj = fs.pool.newObject(node, isDir ? 2 : 1, ino);
  const n = obj.dn;
  if ((n.mode & S_IFMT) !== S_IFCHR && (n.mode & S_IFMT) !== S_IFBLK) n.rdev = 0;
  if (isDir) {
    obj.zap = new ZapDir(0);
    n.parent = d.dn.ino;
    n.size = 2;
    d.dn.nlink++;
  }
  if (tb !== null) {
    obj.target = target;
    n.size = tb.length;
    for (let i = 0; i * BLOCK < tb.length; i++) fs.pool.dmu.setBlock(obj, i, tb, i * BLOCK, Math.min(BLOCK, tb.length - i * BLOCK));
  }
  fs.addEntry(d, name, n.ino, n.mode);
  if (!fs.replaying) {
    const l = fs.pool.itx.begin(tx).u64(dir).u64(n.ino).u32(n.mode).u32(n.uid).u32(n.gid).u32(n.rdev)
      .u64(n.birthtimeSec).u32(n.birthtimeNsec).str(name);
    if (tx === TX_SYMLINK) l.str(target);
    l.end();
  }
  return n.ino;
}

/** link(2) (zfs_link): a new name for a non-directory that still has one; TX_LINK. */
export function zfsLink(fs: ZfsLite, dir: Ino, name: string, ino: Ino): void {
  fs.begin();
  const obj = fs.obj(ino);
  if (obj.zap !== null) throw fsErr('EPERM');
  if (obj.dn.nlink === 0) throw fsErr('ENOENT');
  const d = freeName(fs, dir, name);
  fs.pool.reserve(META_OP_BLOCKS);
  fs.addEntry(d, name, ino, obj.dn.mode);
  obj.dn.nlink++;
  fs.pool.touch(obj);
  if (!fs.replaying) fs.pool.itx.begin(TX_LINK).u64(dir).u64(ino).str(name).end();
}

/** unlink(2) (zfs_remove): the name goes; with the last one the node joins the delete queue; TX_REMOVE. */
export function zfsRemove(fs: ZfsLite, dir: Ino, name: string): void {
  fs.begin();
  const d = fs.dir(dir);
  const e = d.zap!.entries.get(name);
  if (e === undefined) throw fsErr('ENOENT');
  const obj = fs.obj(e.ino);
  if (obj.zap !== null) throw fsErr('EISDIR');
  fs.pool.reserve(META_OP_BLOCKS);
  fs.removeEntry(d, name);
  obj.dn.nlink--;
  fs.pool.touch(obj);
  if (obj.dn.nlink === 0) fs.pool.deleteQueueAdd(obj.dn.ino);
  if (!fs.replaying) fs.pool.itx.begin(TX_REMOVE).u64(dir).str(name).end();
}

/** rmdir(2) (zfs_rmdir): an empty directory's name goes and the node joins the delete queue; TX_RMDIR. */
export function zfsRmdir(fs: ZfsLite, dir: Ino, name: string): void {
  fs.begin();
  const d = fs.dir(dir);
  const e = d.zap!.entries.get(name);
  if (e === undefined) throw fsErr('ENOENT');
  const obj = fs.obj(e.ino);
  if (obj.zap === null) throw fsErr('ENOTDIR');
  if (obj.zap.entries.size !== 0) throw fsErr('ENOTEMPTY');
  fs.pool.reserve(META_OP_BLOCKS);
  fs.removeEntry(d, name);
  d.dn.nlink--;
  obj.dn.nlink = 0;
  fs.pool.touch(obj);
  fs.pool.deleteQueueAdd(obj.dn.ino);
  if (!fs.replaying) fs.pool.itx.begin(TX_RMDIR).u64(dir).str(name).end();
}

/** The directory `dir` where `name` may be created (EEXIST, ENOENT for a removed directory, ENAMETOOLONG). */
function freeName(fs: ZfsLite, dir: Ino, name: string): DmuObject {
  const d = fs.dir(dir);
  if (d.zap!.entries.has(name)) throw fsErr('EEXIST');
  if (d.dn.nlink === 0) throw fsErr('ENOENT');
  if (Buffer.byteLength(name, 'utf8') > NAME_MAX) throw fsErr('ENAMETOOLONG');
  return d;
}
