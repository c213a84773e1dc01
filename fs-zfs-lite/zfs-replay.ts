// ZFS-lite's intent-log replay at import (OpenZFS zfs_replay.c): each record of the log chain is applied
// again through the file system's own operations, with logging off, until the first record that does
// not apply (damage past the last good record); then the delete queue is drained and a txg committed.

import { FsError, fsErr } from '../vfs/errno.js';
import type { SetAttr } from '../vfs/backend.js';
import { DELETE_QUEUE_OBJ } from './pool.js';
import type { ZfsLite } from './zfs.js';
import {
  LogReader, records, SA_ATIME, SA_CTIME, SA_GID, SA_MODE, SA_MTIME, SA_UID, TX_CREATE, TX_LINK, TX_MKDIR, TX_PUNCH,
  TX_REMOVE, TX_RENAME, TX_RMDIR, TX_SETATTR, TX_SYMLINK, TX_TRUNCATE, TX_WRITE,
} from './zil.js';

/** Replay `stream` (the log records after the last committed txg) into `fs`, then commit. */
export function replayLog(fs: ZfsLite, stream: Uint8Array): void {
  fs.replaying = true;
  fs.pool.replaying = true;
  try {
    for (const [start, end, type] of records(stream, stream.length)) {
      const r = new LogReader(stream, start, end);
      replayOne(fs, r, type);
      fs.replayed++;
    }
  } catch (e) {
    if (!(e instanceof FsError)) throw e;
    // A record that does not apply is damage past the last good record: replay stops there.
  } finally {
    fs.replaying = false;
    fs.pool.replaying = false;
    fs.pool.replayStream = null;
  }
  fs.pool.stats.zilRecordsReplayed += fs.replayed;
  // Nothing is open after a crash: nodes the log left without names go too (the drain), then commit.
  fs.drainDeleteQueue();
  fs.pool.sync();
}

function replayOne(fs: ZfsLite, r: LogReader, type: number): void {
  switch (type) {
    case TX_CREATE: case TX_MKDIR: case TX_SYMLINK: {
      const dir = r.u64(), ino = r.u64(), mode = r.u32(), uid = r.u32(), gid = r.u32(), rdev = r.u32();
      const timeSec = r.u64(), timeNsec = r.u32(), name = r.str();
      const target = type === TX_SYMLINK ? r.str() : '';
      if (!(ino >= fs.pool.nextObj || !fs.pool.objects.has(ino)) || ino <= DELETE_QUEUE_OBJ) throw fsErr('EIO');
      fs.doCreate(type, dir, name, { mode, uid, gid, rdev, timeSec, timeNsec }, target, ino);
      return;
    }
    case TX_LINK: { const dir = r.u64(), ino = r.u64(); fs.link(dir, r.str(), ino); return; }
    case TX_REMOVE: {
      const dir = r.u64(), name = r.str();
      fs.unlink(dir, name);
      return;
    }
    case TX_RMDIR: {
      const dir = r.u64(), name = r.str();
      fs.rmdir(dir, name);
      return;
    }
    case TX_RENAME: {
      const sd = r.u64(), dd = r.u64(), flags = r.u32(), sn = r.str(), dn = r.str();
      fs.rename(sd, sn, dd, dn, flags);
      return;
    }
    case TX_SETATTR: {
      const ino = r.u64(), mask = r.u32(), mode = r.u32(), uid = r.u32(), gid = r.u32();
      const as = r.u64(), an = r.u32(), ms = r.u64(), mn = r.u32(), cs = r.u64(), cn = r.u32();
      const set: SetAttr = {};
      if (mask & SA_MODE) set.mode = mode;
      if (mask & SA_UID) set.uid = uid;
      if (mask & SA_GID) set.gid = gid;
      if (mask & SA_ATIME) { set.atimeSec = as; set.atimeNsec = an; }
      if (mask & SA_MTIME) { set.mtimeSec = ms; set.mtimeNsec = mn; }
      if (mask & SA_CTIME) { set.ctimeSec = cs; set.ctimeNsec = cn; }
      fs.setattr(ino, set);
      return;
    }
    case TX_WRITE: {
      const ino = r.u64(), pos = r.u64(), data = r.bytes();
      fs.write(ino, pos, data, 0, data.length);
      return;
    }
    case TX_TRUNCATE: { const ino = r.u64(); fs.truncate(ino, r.u64()); return; }
    case TX_PUNCH: { const ino = r.u64(), off = r.u64(); fs.punchHole(ino, off, r.u64()); return; }
    default:
      throw fsErr('EIO', 'zil_replay');
  }
}
