// The foundation's POSIX suites on pcmfs (issue 6: "the model-based and Linux-differential suites run
// against it too"): random call sequences (open flags, read/write/pwrite, lseek, truncate, rename with
// flags, link, symlink, unlink, rmdir, chmod, chown, readdir...) agree with the reference model (Linux's
// fs/namei.c order of checks) and with Linux tmpfs through node:fs; after each sequence pcmfs' fsck is
// clean and a remount (recovery) gives the same tree.

import t from 'tap';
import fc from 'fast-check';
import { Vfs } from '../../vfs/vfs.js';
import { PcmFs, fsckPcm } from '../../fs-nvm/index.js';
import { PosixModel } from '../../src/testing/posix-model.js';
import { OpRunner, opArb, formatOp, VFSIM_FLAGS, type Op, type Outcome } from '../../src/testing/posix-ops.js';
import { snapshotTree, runDifferential, linuxSide, targetSide, type SideFactory } from '../../src/testing/posix-differential.js';
import { knownVfsDifference } from '../proof/known-bugs.js';

class OpCommand implements fc.Command<{ r: OpRunner }, { r: OpRunner }> {
  constructor(readonly op: Op) {}
  check(): boolean { return true; }
  run(model: { r: OpRunner }, real: { r: OpRunner }): void {
    const want = model.r.run(this.op), got = real.r.run(this.op);
    if (JSON.stringify(want) !== JSON.stringify(got) && knownVfsDifference(this.op, got, want) === undefined) {
      throw new Error(`${formatOp(this.op)}: pcmfs ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
    }
  }
  toString(): string { return formatOp(this.op); }
}

t.test('pcmfs agrees with the POSIX reference model; fsck clean and remount identical after each sequence', async (t) => {
  let seqs = 0;
  fc.assert(
    fc.property(fc.commands([opArb().map((op) => new OpCommand(op))], { maxCommands: 50, size: 'max' }), (cmds) => {
      const model = new PosixModel({ umask: 0o022 });
      const fs = PcmFs.create(2 << 20);
      const vfs = new Vfs({ root: fs });
      const proc = vfs.process({ umask: 0o022 });
      const m = { r: new OpRunner(model, VFSIM_FLAGS, true) }, r = { r: new OpRunner(proc, VFSIM_FLAGS, true) };
      fc.modelRun(() => ({ model: m, real: r }), cmds);
      m.r.closeAll();
      r.r.closeAll();
      const want = JSON.stringify(snapshotTree(model, VFSIM_FLAGS)), got = JSON.stringify(snapshotTree(proc, VFSIM_FLAGS));
      if (want !== got) throw new Error(`final tree differs:\npcmfs ${got}\nmodel ${want}`);
      const problems = fsckPcm(fs).problems;
      if (problems.length > 0) throw new Error(`fsck: ${problems.join('; ')}`);
      const again = new Vfs({ root: PcmFs.mount(fs.dev) }).process({ umask: 0o022 });
      const after = JSON.stringify(snapshotTree(again, VFSIM_FLAGS));
      if (after !== got) throw new Error(`remount differs:\n${after}\n${got}`);
      seqs++;
    }),
    { seed: 611, numRuns: 150 },
  );
  t.equal(seqs, 150, 'sequences agreed');
});

const pcmfsSide: SideFactory = (layout) => {
  const vfs = new Vfs({ root: PcmFs.create(2 << 20) });
  const p = vfs.process({ umask: layout.umask });
  const others: { exit(): void }[] = [];
  return targetSide('pcmfs', p, VFSIM_FLAGS, layout, () => { p.exit(); for (const o of others) o.exit(); }, (cred) => {
    const q = vfs.process({ cred, umask: layout.umask, cwd: layout.cwd });
    others.push(q);
    return q;
  });
};

t.test('pcmfs agrees with Linux tmpfs on every result, errno and the final tree (fixed seed)', async (t) => {
  const tolerate = (op: Op, a: Outcome, b: Outcome): boolean => knownVfsDifference(op, a, b) !== undefined;
  const r = runDifferential({ seed: 77, ops: 40, sequences: 80, tolerate }, pcmfsSide, (l) => linuxSide(l));
  t.ok(r.ops > 1000, `ran ${r.ops} operations`);
  const shown = r.minimal ? `\n${r.minimal.ops.map(formatOp).join('\n')}` : '';
  t.equal(r.disagreements.length, 0, `disagreements: ${r.disagreements.map((d) => d.what).join('; ')}${shown}`);
});
