#!/usr/bin/env node
// The `vfsim` command. Each subcommand lives in its own file and registers itself here.

import { Command } from 'commander';
import { register as arc } from './arc.js';
import { register as bench } from './bench.js';
import { register as boot } from './boot.js';
import { register as check } from './check.js';
import { register as crash } from './crash.js';
import { register as fsx } from './fsx.js';
import { register as image } from './image.js';
import { register as mmu } from './mmu.js';
import { register as pcm } from './pcm.js';
import { register as pjdfstest } from './pjdfstest.js';
import { register as zfs } from './zfs.js';

// `vfsim … | head` closes the pipe early: that ends the command quietly, as it does for cat or ls.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command();
program
  .name('vfsim')
  .description('A deterministic model of a unikernel guest\'s storage and memory stack (OSv on AArch64/KVM).')
  .version('0.1.0')
  .showHelpAfterError();

// ---- subcommands (one line each; keep sorted) ----
arc(program);
bench(program);
boot(program);
check(program);
crash(program);
fsx(program);
image(program);
mmu(program);
pcm(program);
pjdfstest(program);
zfs(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`vfsim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
