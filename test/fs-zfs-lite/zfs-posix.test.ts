// The whole POSIX surface on ZFS-lite, through the VFS: the foundation's model-based suite (random call
// sequences against the reference model of Linux rules, src/testing) run with a zfs-lite backend, with
// txgs committing in the middle of sequences; then every final tree must survive export and import
// (sync(2): "causes all pending modifications to filesystem metadata and cached file data to be
// written to the underlying filesystems").
import t from 'tap';
import fc from 'fast-check';
import { PosixModel } from '../../src/testing/posix-model.js';
import { OpRunner, opArb, formatOp, VFSIM_FLAGS, type Op } from '../../src/testing/posix-ops.js';
import { snapshotTree } from '../../src/testing/posix-differential.js';
import { MiB, mountNew, reimport, writeFile, readFile, enc, dec } from './zfs-helpers.js';

interface World { runner: OpRunner }

class OpCommand implements fc.Command<World, World> {
  constructor(readonly op: Op) {}
  check(): boolean { return true; }
  run(model: World, real: World): void {
    const want = model.runner.run(this.op);
    const got = real.runner.run(this.op);
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      throw new Error(`${formatOp(this.op)}: zfs-lite ${JSON.stringify(got)}, model (Linux rules) ${JSON.stringify(want)}`);
    }
  }
  toString(): string { return formatOp(this.op); }
}

const seedFromEnv = process.env.VFSIM_SEED !== undefined ? Number(process.env.VFSIM_SEED) : undefined;

t.test('zfs-lite agrees with the POSIX reference model on random call sequences, and the tree survives import', async (t) => {
  const seed = seedFromEnv ?? 20261125;
  const numRuns = 80;
  fc.assert(
    fc.property(fc.commands([opArb().map((op) => new OpCommand(op))], { maxCommands: 50, size: 'max' }), (cmds) => {
      const model = new PosixModel({ umask: 0o022 });
      // A txg every 300 µs of virtual time: several commit in the middle of each sequence.
      const m = mountNew({ bytes: 2 * MiB, ramBytes: 4 * MiB, txgTimeoutNs: 300_000 });
      const proc = m.vfs.process({ umask: 0o022 });
      const mw: World = { runner: new OpRunner(model, VFSIM_FLAGS, true) };
      const rw: World = { runner: new OpRunner(proc, VFSIM_FLAGS, true) };
      fc.modelRun(() => ({ model: mw, real: rw }), cmds);
      mw.runner.closeAll();
      rw.runner.closeAll();
      const want = JSON.stringify(snapshotTree(model, VFSIM_FLAGS));
      const got = JSON.stringify(snapshotTree(proc, VFSIM_FLAGS));
      if (want !== got) throw new Error(`final tree differs:\nzfs-lite ${got}\nmodel ${want}`);
      proc.sync();
      const r = reimport(m.dev.durableImage());
      const again = JSON.stringify(snapshotTree(r.vfs.process({ umask: 0o022 }), VFSIM_FLAGS));
      if (again !== want) throw new Error(`tree after import differs:\nimported ${again}\nmodel ${want}`);
      proc.exit();
    }),
    { seed, numRuns },
  );
  t.pass(`${numRuns} sequences agree with the model and survive import (seed ${seed})`);
});

t.test('large files: indirect blocks several levels deep, sparse holes, truncate and punch hole (fallocate(2))', async (t) => {
  const m = mountNew({ bytes: 16 * MiB });
  const p = m.p;
  const fd = p.open('/sparse', 0o102, 0o644);
  // Block 70,000 needs three levels of indirection over 4 KiB records (64^2 < 70,000 < 64^3).
  const far = 70_000 * 4096 + 123;
  p.write(fd, enc('far away'), 0, 8, far);
  p.write(fd, enc('near'), 0, 4, 10);
  p.sync();
  t.equal(m.fs.pool.getObject(p.stat('/sparse').ino).dn.nlevels, 4, 'four levels: root, two indirect, data');
  t.equal(p.stat('/sparse').blocks, 2 * 8, 'two data blocks allocated; the rest are holes');
  const r = reimport(m.dev.durableImage());
  const b = new Uint8Array(8);
  const rfd = r.p.open('/sparse', 0, 0);
  r.p.read(rfd, b, 0, 8, far);
  t.equal(dec(b), 'far away');
  r.p.read(rfd, b, 0, 8, 4096 * 5000);
  t.same([...b], [0, 0, 0, 0, 0, 0, 0, 0], 'a hole reads as zeros');
  r.p.close(rfd);
  // Truncate back below the far block: it is freed, and the tail of the last block is zero on growth.
  p.ftruncate(fd, 12);
  p.ftruncate(fd, 9000);
  p.sync();
  const r2 = reimport(m.dev.durableImage());
  const got = readFile(r2.p, '/sparse');
  t.equal(got.length, 9000);
  t.equal(dec(got.subarray(10, 12)), 'ne', 'bytes before the cut survive');
  t.ok(got.subarray(12).every((x) => x === 0), 'bytes past the cut read as zeros after growing back');
  t.equal(r2.p.stat('/sparse').blocks, 8, 'the far block was freed');
  // Punch a hole through a fully written file (PUNCH_HOLE|KEEP_SIZE).
  writeFile(p, '/full', new Uint8Array(5 * 4096).fill(9));
  const ffd = p.open('/full', 2, 0);
  p.fallocate(ffd, 3, 100, 3 * 4096);
  p.close(ffd);
  p.sync();
  const full = readFile(reimport(m.dev.durableImage()).p, '/full');
  t.equal(full.length, 5 * 4096, 'size kept');
  t.ok(full.subarray(100, 100 + 3 * 4096).every((x) => x === 0), 'the punched range reads zeros');
  t.ok(full[99] === 9 && full[100 + 3 * 4096] === 9, 'bytes either side kept');
  p.close(fd);
});

t.test('directories with thousands of names: the ZAP grows its hash table and readdir order is stable across import', async (t) => {
  const m = mountNew({ bytes: 16 * MiB });
  m.p.mkdir('/big', 0o755);
  for (let i = 0; i < 3000; i++) {
    const fd = m.p.open(`/big/entry-with-a-longish-name-${i}`, 0o101, 0o644);
    m.p.close(fd);
  }
  for (let i = 0; i < 3000; i += 3) m.p.unlink(`/big/entry-with-a-longish-name-${i}`);
  m.p.sync();
  const dir = m.fs.pool.getObject(m.p.stat('/big').ino);
  t.ok(dir.dn.zapShift >= 5, `the table grew to ${2 ** dir.dn.zapShift} leaves`);
  const names = m.p.readdir('/big').map((e) => e.name);
  t.equal(names.length, 2000);
  const r = reimport(m.dev.durableImage());
  t.equal(r.p.readdir('/big').map((e) => e.name).join('/'), names.join('/'), 'same tree, same order (readdir(3))');
  t.equal(r.p.stat('/big/entry-with-a-longish-name-1').nlink, 1);
  t.throws(() => r.p.stat('/big/entry-with-a-longish-name-3'), { code: 'ENOENT' });
});

t.test('a file unlinked while open keeps its data until the last close, then its blocks are freed (unlink(2))', async (t) => {
  const m = mountNew();
  writeFile(m.p, '/tmpfile', new Uint8Array(40 * 4096).fill(3));
  m.p.sync();
  const free0 = m.fs.pool.alloc.free;
  const fd = m.p.open('/tmpfile', 0, 0);
  m.p.unlink('/tmpfile');
  m.p.sync();
  const b = new Uint8Array(4096);
  t.equal(m.p.read(fd, b, 0, 4096, 39 * 4096), 4096);
  t.ok(b.every((x) => x === 3), 'still readable through the descriptor');
  // A power cut now: the committed txg holds the nameless, still-open node; import must free it.
  const crashed = reimport(m.dev.durableImage());
  const ino = m.p.fstat(fd).ino;
  t.throws(() => crashed.fs.pool.getObject(ino), { code: 'ENOENT' }, 'the delete queue was drained at import (zfs_unlinked_drain)');
  t.equal(crashed.fs.pool.deleteQueue.zap!.entries.size, 0);
  m.p.close(fd);
  t.equal(m.fs.pool.deleteQueue.zap!.entries.size, 0, 'the last close freed it and took it off the queue');
  for (let i = 0; i < 3; i++) { m.p.mkdir(`/x${i}`, 0o755); m.p.sync(); } // let the deferred frees pass
  t.ok(m.fs.pool.alloc.free >= free0 + 40 - 10, 'the 40 data blocks came back');
});
