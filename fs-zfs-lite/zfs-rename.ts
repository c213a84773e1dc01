// rename(2) on ZFS-lite (OpenZFS zfs_rename): the checks in the order Linux makes them (fs/namei.c
// do_renameat2, then vfs_rename), then the ZAP edits, which cannot fail once space is reserved; one
// TX_RENAME record logs it.

import { fsErr } from '../vfs/errno.js';
import type { Ino } from '../vfs/backend.js';
import { RENAME_EXCHANGE, RENAME_NOREPLACE } from '../vfs/constants.js';
import { TX_RENAME } from './zil.js';
import { META_OP_BLOCKS, type ZfsLite } from './zfs.js';

/** Rename srcDir/srcName to dstDir/dstName with RENAME_* `flags`, as Backend.rename. */
export function zfsRename(fs: ZfsLite, srcDir: Ino, srcName: string, dstDir: Ino, dstName: string, flags: number): void {
  fs.begin();
  if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) !== 0 || flags === (RENAME_NOREPLACE | RENAME_EXCHANGE)) throw fsErr('EINVAL');
  const sd = fs.dir(srcDir);
  const dd = fs.dir(dstDir);
  const se = sd.zap!.entries.get(srcName);
  if (se === undefined) throw fsErr('ENOENT');
  const src = fs.obj(se.ino);
  const de = dd.zap!.entries.get(dstName);
  const dst = de === undefined ? undefined : fs.obj(de.ino);
  // The checks in the order Linux makes them (fs/namei.c do_renameat2, then vfs_rename).
  if (flags === RENAME_EXCHANGE && dst === undefined) throw fsErr('ENOENT');
  if (flags === RENAME_NOREPLACE && dst !== undefined) throw fsErr('EEXIST');
  if (sd !== dd) {
    if (src.zap !== null && isAncestor(fs, src.dn.ino, dstDir)) throw fsErr('EINVAL');
    if (dst !== undefined && dst.zap !== null && isAncestor(fs, dst.dn.ino, srcDir)) {
      throw fsErr(flags === RENAME_EXCHANGE ? 'EINVAL' : 'ENOTEMPTY');
    }
  }
  // rename(2): hard links to the same file: nothing to do, success.
  if (dst === src) return;
  if (flags !== RENAME_EXCHANGE && dst !== undefined) {
    if (src.zap !== null && dst.zap === null) throw fsErr('ENOTDIR');
    if (src.zap === null && dst.zap !== null) throw fsErr('EISDIR');
    if (dst.zap !== null && dst.zap.entries.size !== 0) throw fsErr('ENOTEMPTY');
  }
  fs.pool.reserve(2 * META_OP_BLOCKS);
  // From here on nothing can fail.
  if (flags === RENAME_EXCHANGE) {
    const d2 = dst!;
    fs.removeEntry(sd, srcName);
    fs.removeEntry(dd, dstName);
    fs.addEntry(sd, srcName, d2.dn.ino, d2.dn.mode);
    fs.addEntry(dd, dstName, src.dn.ino, src.dn.mode);
    if (sd !== dd) {
      const srcIsDir = src.zap !== null, dstIsDir = d2.zap !== null;
      if (srcIsDir) { src.dn.parent = dd.dn.ino; fs.pool.touch(src); }
      if (dstIsDir) { d2.dn.parent = sd.dn.ino; fs.pool.touch(d2); }
      if (srcIsDir && !dstIsDir) { sd.dn.nlink--; dd.dn.nlink++; }
      else if (!srcIsDir && dstIsDir) { dd.dn.nlink--; sd.dn.nlink++; }
    }
  } else {
    if (dst !== undefined) {
      if (dst.zap !== null) { dst.dn.nlink = 0; dd.dn.nlink--; }
      else dst.dn.nlink--;
      fs.pool.touch(dst);
      if (dst.dn.nlink === 0) fs.pool.deleteQueueAdd(dst.dn.ino);
      fs.removeEntry(dd, dstName);
    }
    fs.removeEntry(sd, srcName);
    fs.addEntry(dd, dstName, src.dn.ino, src.dn.mode);
    if (src.zap !== null && sd !== dd) {
      src.dn.parent = dd.dn.ino;
      sd.dn.nlink--;
      dd.dn.nlink++;
      fs.pool.touch(src);
    }
  }
  if (!fs.replaying) fs.pool.itx.begin(TX_RENAME).u64(srcDir).u64(dstDir).u32(flags).str(srcName).str(dstName).end();
}

/** Whether `a` is `b` or one of its ancestors (a rename must not move a directory under itself). */
function isAncestor(fs: ZfsLite, a: Ino, b: Ino): boolean {
  for (let i = b, n = 0; n <= fs.pool.nextObj; n++) {
    if (i === a) return true;
    const p = fs.obj(i).dn.parent;
    if (p === i) return false;
    i = p;
  }
  throw fsErr('EIO'); // a parent chain that loops: damage
}
