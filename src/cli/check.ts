// `vfsim check posix`: the differential check against Linux. The same seeded random operation sequences
// run on vfsim (a fresh ramfs per sequence) and on the host kernel through node:fs in a fresh directory
// on tmpfs; every result, errno and the final tree are compared, and the first disagreement is shrunk
// to a short sequence that `--replay` runs again.

import type { Command } from 'commander';
import * as fs from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { Vfs } from '../../vfs/vfs.js';
import { createRamFs } from '../../fs-ram/index.js';
import type { Op, Outcome } from '../testing/posix-ops.js';
import { VFSIM_FLAGS, formatOp } from '../testing/posix-ops.js';
import { PosixModel } from '../testing/posix-model.js';
import {
  compareSequence, linuxSide, runDifferential, targetSide, hostCanSwitchUsers, hostProtectedHardlinks, DEFAULT_LAYOUT, EXCLUSIONS,
  type Disagreement, type SideFactory,
} from '../testing/posix-differential.js';
import { hostScratchDir } from '../testing/node-target.js';

/** vfsim on a fresh ramfs, with the host's fs.protected_hardlinks, and a process per user (see EXCLUSIONS). */
export const vfsimSide: SideFactory = (layout) => {
  const vfs = new Vfs({ root: createRamFs({ ramBytes: 4 << 20 }), protectedHardlinks: hostProtectedHardlinks() });
  const p = vfs.process({ umask: layout.umask });
  const others: { exit(): void }[] = [];
  return targetSide('vfsim', p, VFSIM_FLAGS, layout, () => { p.exit(); for (const o of others) o.exit(); }, (cred) => {
    const q = vfs.process({ cred, umask: layout.umask, cwd: layout.cwd });
    others.push(q);
    return q;
  });
};

/** The reference model (src/testing/posix-model.ts), to check the model itself against Linux. */
export const modelSide: SideFactory = (layout) => {
  const m = new PosixModel({ umask: layout.umask });
  return targetSide('model', m, VFSIM_FLAGS, layout, undefined, (cred) => m.withCred(cred));
};

const show = (o: unknown): string => {
  if (o !== null && typeof o === 'object' && 'ok' in o) {
    const r = o as Outcome;
    return r.ok ? (r.value === undefined ? 'ok' : `ok ${JSON.stringify(r.value)}`) : r.error;
  }
  return JSON.stringify(o);
};

function describe(d: Disagreement, a: string): string {
  const lines = [
    `sequence ${d.sequence}, step ${d.step + 1}: ${d.what}`,
    `  ${a.padEnd(6)} ${show(d.a)}`,
    `  linux  ${show(d.b)}`,
  ];
  return lines.join('\n');
}

function readReplay(file: string): Op[] {
  const j = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  const ops = Array.isArray(j) ? j : (j as { ops?: unknown }).ops;
  if (!Array.isArray(ops)) throw new Error(`${file}: expected a JSON array of ops or {"ops":[...]}`);
  return ops as Op[];
}

interface Opts { seed: string; ops: string; sequences: string; json: boolean; replay?: string; save?: string; subject: string; times: boolean; tickMs: string }

export function register(program: Command): void {
  const check = program.command('check').description('checks of vfsim against references');
  check
    .command('posix')
    .description('run the same random POSIX operation sequences on vfsim and on Linux (node:fs on tmpfs) and compare')
    .option('--seed <n>', 'seed for the sequences', '1')
    .option('--ops <n>', 'longest sequence, in operations', '40')
    .option('--sequences <n>', 'how many sequences', '200')
    .option('--json', 'print JSON {"sequences":…,"ops":…,"disagreements":[…]}', false)
    .option('--replay <file>', 'run one saved sequence (a JSON array of ops, or {"ops":[…]}) and show every step')
    .option('--save <file>', 'write the shrunk first disagreement as a replayable JSON file')
    .option('--subject <name>', 'what to compare with Linux: vfsim, or model (the reference model itself)', 'vfsim')
    .option('--times', 'also compare which calls move mtime and ctime (stamp ops; the host side waits a clock tick before each call)', false)
    .option('--tick-ms <ms>', 'with --times: the wait, at least one kernel clock tick (1000/HZ)', '10')
    .addHelpText('after', `
Operations run as root and as uid 1000 and 1001 (seteuid around each node:fs call on the host; a
process per user, with its own descriptors, in vfsim), so the permission rules are compared too.
Without root on the host, only root's operations are generated.
Not compared, with the reason:
${Object.entries(EXCLUSIONS).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`)
    .action((o: Opts) => {
      const subject = o.subject === 'model' ? modelSide : vfsimSide;
      const name = o.subject === 'model' ? 'model' : 'vfsim';
      const host = hostScratchDir();
      const times = o.times && o.subject !== 'model';
      const linux: SideFactory = (l) => linuxSide(l, host, times || o.replay !== undefined ? Number(o.tickMs) : 0);
      if (o.replay !== undefined) {
        const ops = readReplay(o.replay);
        const d = compareSequence(ops, subject, linux, DEFAULT_LAYOUT, 0, (i, op, a, b) => {
          const same = JSON.stringify(a) === JSON.stringify(b);
          process.stdout.write(`${String(i + 1).padStart(3)}. ${formatOp(op).padEnd(56)} ${name}: ${show(a).padEnd(18)} linux: ${show(b)}${same ? '' : '   <-- differs'}\n`);
        });
        process.stdout.write(d === undefined ? 'no difference\n' : `first difference:\n${describe(d, name)}\n`);
        if (d) process.exitCode = 1;
        return;
      }
      const seed = Number(o.seed), maxOps = Number(o.ops), sequences = Number(o.sequences);
      if (![seed, maxOps, sequences].every((n) => Number.isInteger(n) && n >= 0) || maxOps < 1) {
        throw new Error('--seed, --ops and --sequences take non-negative integers (--ops at least 1)');
      }
      const bar = o.json || !process.stderr.isTTY || sequences < 50 ? undefined : new SingleBar({ format: 'check posix {bar} {value}/{total} sequences' }, Presets.shades_classic);
      bar?.start(sequences, 0);
      const r = runDifferential({ seed, ops: maxOps, sequences, progress: (n) => bar?.update(n), times, userLinks: o.subject !== 'model' }, subject, linux);
      bar?.stop();
      if (r.minimal && o.save) fs.writeFileSync(o.save, JSON.stringify({ seed, ops: r.minimal.ops }, null, 1) + '\n');
      if (o.json) {
        process.stdout.write(JSON.stringify({
          subject: name, host, seed, sequences: r.sequences, ops: r.ops, disagreements: r.disagreements, minimal: r.minimal, excluded: r.excluded,
        }) + '\n');
      } else {
        const out: string[] = [
          `vfsim check posix: ${name} against Linux (node:fs in ${host}), seed ${seed}: ${r.sequences} sequences, ${r.ops} operations`,
          hostCanSwitchUsers() ? 'compared as root and as uid 1000 and 1001 (seteuid around each call on the host; a process per user in vfsim)'
            : 'compared as root only (this process cannot seteuid: not root)',
          'not compared:',
          ...Object.entries(r.excluded).map(([k, v]) => `  ${k.padEnd(42)} ${v}`),
          '',
          `disagreements: ${r.disagreements.length} of ${r.sequences} sequences`,
        ];
        if (r.disagreements.length > 0) {
          out.push('first:', describe(r.disagreements[0]!, name));
        }
        if (r.minimal) {
          out.push('', `shrunk to ${r.minimal.ops.length} operation(s):`);
          r.minimal.ops.forEach((op, i) => out.push(`  ${String(i + 1).padStart(3)}. ${formatOp(op)}`));
          out.push(`  ${name}: ${show(r.minimal.a)}`, `  linux: ${show(r.minimal.b)}`);
          out.push(`replay: save ${JSON.stringify(r.minimal.ops)} to a file and run vfsim check posix --replay FILE` +
            (o.save ? ` (written to ${o.save})` : ' (or pass --save FILE)'));
        }
        process.stdout.write(out.join('\n') + '\n');
      }
      if (r.disagreements.length > 0) process.exitCode = 1;
    });
}
