// `vfsim fsx` itself (src/cli/fsx.ts): the JSON line users script against ({"ops","seed","opsPerSec",
// "failures"}), --replay of an xfstests log, the two-address-space mode, and bad options as messages.

import t from 'tap';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Command } from 'commander';
import { register } from '../../src/cli/fsx.js';

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => { out += s; return true; }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'vfsim', 'fsx', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

t.test('vfsim fsx --json', async (t) => {
  const j = JSON.parse(await run(['--ops', '300', '--fs', 'store', '--ram-mib', '1', '--json']));
  t.equal(j.ops, 300);
  t.equal(j.seed, 1);
  t.equal(j.failures, 0);
  t.ok(j.opsPerSec > 0 && j.evictions > 0, 'rate and reclaim reported');
  const r = JSON.parse(await run(['--replay', join(import.meta.dirname, '../../../shared/data/fsx/ops/generic-499.fsxops'), '--json']));
  t.equal(r.failures, 0);
  t.equal(r.skipped.collapse_range, 1, 'collapse_range skipped by name');
  const two = JSON.parse(await run(['--two-spaces', '--ops', '500', '--json']));
  t.same([two.mode, two.failures], ['two-spaces', 0]);
  const table = await run(['--ops', '100']);
  t.match(table, /ops\/CPU-second/, 'a table for people without --json');
  await t.rejects(run(['--fs', 'nope']), /unknown --fs 'nope'/);
  await t.rejects(run(['--file-size', '0']), /positive integer/);
});

t.test('vfsim fsx --replay runs #vfsim pressure lines as memory-pressure events (reclaim evicts and writes back)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fsx-'));
  const ops = 'write 0x0 0x8000 0x0\n#vfsim pressure 0x0 0x100 0x8000\nread 0x0 0x8000 0x8000\n';
  writeFileSync(join(dir, 'p.fsxops'), ops);
  const j = JSON.parse(await run(['--fs', 'store', '--ram-mib', '1', '--replay', join(dir, 'p.fsxops'), '--json']));
  t.same([j.ops, j.failures, j.evictions, j.writebacks], [3, 0, 8, 8], 'the 8 dirty pages were written back and evicted, then read back');
  writeFileSync(join(dir, 'q.fsxops'), ops.replace(/#vfsim /, '# '));
  const k = JSON.parse(await run(['--fs', 'store', '--ram-mib', '1', '--replay', join(dir, 'q.fsxops'), '--json']));
  t.same([k.ops, k.evictions], [2, 0], 'as a plain comment the line is no op');
});

t.test('vfsim fsx on a failure writes a replay file (every op, pressure as #vfsim lines) that --replay reproduces at the same op', async (t) => {
  const { FSX_BACKENDS } = await import('../../src/testing/fsx/index.js');
  const { StoreFs, MapStorePager } = await import('../../src/testing/store-fs.js');
  // A store that acknowledges page writes and keeps nothing: data is lost when reclaim evicts a dirty page.
  class DroppingStore extends MapStorePager {
    override writePage(): void { this.writes++; }
  }
  FSX_BACKENDS['dropping-store'] = (ram) => new StoreFs({ ram, store: (ps) => new DroppingStore(ps) });
  const dir = mkdtempSync(join(tmpdir(), 'fsx-'));
  const cwd = process.cwd();
  process.chdir(dir);
  const err = process.stderr.write;
  let errText = '';
  process.stderr.write = ((s: string) => { errText += s; return true; }) as typeof process.stderr.write;
  try {
    const j = JSON.parse(await run(['--fs', 'dropping-store', '--ops', '3000', '--json']));
    t.equal(j.failures, 1, 'the random run fails');
    const file = readFileSync(join(dir, 'fsx-dropping-store-1.fsxops'), 'utf8');
    t.match(file, /^# vfsim fsx --fs dropping-store --ram-mib 64 .* --replay fsx-dropping-store-1\.fsxops\n/, 'the file says how to replay it');
    t.match(file, /\n#vfsim pressure 0x0 0x4000 0x[0-9a-f]+\n/, 'memory pressure is in it as #vfsim ops');
    const op = Number(/FAILED at op (\d+)/.exec(errText)![1]);
    errText = '';
    const again = JSON.parse(await run(['--fs', 'dropping-store', '--replay', 'fsx-dropping-store-1.fsxops', '--json']));
    t.equal(again.failures, 1, 'the replay fails');
    t.equal(Number(/FAILED at op (\d+)/.exec(errText)![1]), op, 'at the same op');
  } finally {
    process.stderr.write = err;
    process.chdir(cwd);
    process.exitCode = 0;
    delete FSX_BACKENDS['dropping-store'];
  }
});
