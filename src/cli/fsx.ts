// `vfsim fsx`: xfstests' fsx against a vfsim backend, through the VFS, the page cache and the MMU
// (src/testing/fsx). Prints a summary table, or JSON with --json; on a failure prints the op log
// around it and writes a replay file (.fsxops) holding every op from the start, memory-pressure events
// as `#vfsim pressure` lines (src/testing/fsx/oplog.ts), so that --replay reclaims what the run did.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { Fsx, FSX_BACKENDS, parseFsxOps, runTwoSpaces } from '../testing/fsx/index.js';
import { FSX_ZFS_ARC_KIB, FSX_ZFS_TXG_MS, zfsLiteBackend } from '../testing/fsx/backends.js';

export function register(program: Command): void {
  program
    .command('fsx')
    .description('fsx (xfstests) on one file: read/write/mapread/mapwrite/truncate/punch hole/reopen/memory pressure, every byte checked')
    .option('--fs <name>', `backend: ${Object.keys(FSX_BACKENDS).join(', ')}`, 'ramfs')
    .option('--ops <n>', 'operations', '10000')
    .option('--seed <n>', 'PRNG seed', '1')
    .option('--file-size <bytes>', 'largest file size (fsx -l)', '262144')
    .option('--op-len <bytes>', 'longest read/write (fsx -o)', '65536')
    .option('--ram-mib <n>', 'machine RAM in MiB (small forces reclaim with store and zfs-lite)', '64')
    .option('--replay <file>', 'replay an .fsxops op log (xfstests format; vfsim\'s "#vfsim pressure" lines are memory-pressure events) instead of random ops')
    .option('--hardware-dirty', 'MMU manages access and dirty flags (TCR HA/HD, DBM) instead of software faults', false)
    .option('--two-spaces', 'second mode: two address spaces, one shared and one private map of one file', false)
    .option('--zfs-mmap <mode>', 'zfs-lite: double (page cache copies ARC buffers) or shared (pages are the ARC buffers, OSv arc_share_buf)')
    .option('--txg-ms <ms>', `zfs-lite: virtual ms between txg commits (default ${FSX_ZFS_TXG_MS}; OpenZFS's zfs_txg_timeout is 5000). fsx's ops are far denser in virtual time than a real workload's, so a short txg models it better: blocks reach disk and are read back through the ARC, which shared mode then lends to the page cache`)
    .option('--arc-kib <KiB>', `zfs-lite: ARC c_max in KiB (zfs_arc_max; c_min is half; default ${FSX_ZFS_ARC_KIB}, half of the default file, so that the ARC evicts and shrinks under pressure as the page cache does)`)
    .option('--json', 'print JSON', false)
    .action((o: { fs: string; ops: string; seed: string; fileSize: string; opLen: string; ramMib: string; replay?: string; hardwareDirty: boolean; twoSpaces: boolean; json: boolean; zfsMmap?: string; txgMs?: string; arcKib?: string }) => {
      if (o.zfsMmap !== undefined && (o.fs !== 'zfs-lite' || (o.zfsMmap !== 'double' && o.zfsMmap !== 'shared'))) throw new Error('--zfs-mmap takes double or shared, with --fs zfs-lite');
      if ((o.txgMs !== undefined || o.arcKib !== undefined) && o.fs !== 'zfs-lite') throw new Error('--txg-ms and --arc-kib apply to --fs zfs-lite only');
      const txgMs = o.txgMs !== undefined ? Number(o.txgMs) : FSX_ZFS_TXG_MS;
      if (!(txgMs > 0) || !Number.isFinite(txgMs)) throw new Error('--txg-ms must be a positive number of milliseconds');
      const arcKiB = o.arcKib !== undefined ? Number(o.arcKib) : FSX_ZFS_ARC_KIB;
      if (!Number.isSafeInteger(arcKiB) || arcKiB < 4) throw new Error('--arc-kib must be an integer of at least 4 (one page)');
      const backend = o.fs === 'zfs-lite' ? zfsLiteBackend((o.zfsMmap ?? 'double') as 'double' | 'shared', { txgMs, arcKiB }) : FSX_BACKENDS[o.fs];
      if (backend === undefined) throw new Error(`unknown --fs '${o.fs}' (known: ${Object.keys(FSX_BACKENDS).join(', ')})`);
      const ops = Number(o.ops), seed = Number(o.seed), fileSize = Number(o.fileSize), ramMiB = Number(o.ramMib), maxOpLen = Number(o.opLen);
      for (const [k, v] of [['--ops', ops], ['--seed', seed]] as const) {
        if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${k} must be a non-negative integer`);
      }
      for (const [k, v] of [['--file-size', fileSize], ['--op-len', maxOpLen]] as const) {
        if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${k} must be a positive integer`);
      }
      if (!(ramMiB >= 0.25)) throw new Error('--ram-mib must be at least 0.25 (64 frames)');
      if (o.twoSpaces) {
        const r = runTwoSpaces(backend, { seed, ops, ramMiB, hardwareDirty: o.hardwareDirty });
        if (o.json) process.stdout.write(JSON.stringify({ mode: 'two-spaces', ops: r.ops, seed, failures: r.failures.length, details: r.failures }) + '\n');
        else process.stdout.write(`two address spaces (shared + private) on ${o.fs}: ${r.ops} ops, ${r.failures.length} failures\n${r.failures.join('\n')}\n`);
        if (r.failures.length > 0) process.exitCode = 1;
        return;
      }
      const replay = o.replay !== undefined ? parseFsxOps(readFileSync(o.replay, 'utf8')) : undefined;
      // A run of 200k ops or more takes seconds: a bar on stderr when it is a terminal (stdout stays JSON).
      const total = replay ? replay.length : ops;
      const bar = total >= 200000 && process.stderr.isTTY ? new SingleBar({ stream: process.stderr, etaBuffer: 50 }, Presets.shades_classic) : null;
      bar?.start(total, 0);
      const fsx = new Fsx({
        backend, fsName: o.fs, ops, seed, fileSize, maxOpLen, ramMiB, hardwareDirty: o.hardwareDirty,
        ...(replay ? { replay } : {}), ...(bar ? { progress: (n: number) => bar.update(n) } : {}),
      });
      const r = fsx.run();
      bar?.update(r.ops);
      bar?.stop();
      const opsPerSec = Math.round(r.ops / r.seconds);
      const cpuOpsPerSec = Math.round(r.ops / r.cpuSeconds);
      if (r.failures.length > 0) {
        const f = r.failures[0]!;
        const file = `fsx-${o.fs}-${seed}.fsxops`;
        const again = `vfsim fsx --fs ${o.fs} --ram-mib ${o.ramMib} --file-size ${fileSize} --op-len ${maxOpLen} --seed ${seed}${o.hardwareDirty ? ' --hardware-dirty' : ''}${o.zfsMmap !== undefined ? ` --zfs-mmap ${o.zfsMmap}` : ''}${o.fs === 'zfs-lite' ? ` --txg-ms ${txgMs} --arc-kib ${arcKiB}` : ''} --replay ${file}`;
        writeFileSync(file, `# ${again}\n# ${r.fs} failed at op ${f.op}: ${f.what}\n# '#vfsim pressure 0x0 FRAMES SIZE' lines are memory-pressure events (vfsim's extension; xfstests' fsx reads them as comments)\n${f.replay}`);
        process.stderr.write(`fsx: FAILED at op ${f.op}: ${f.what}\nLOG DUMP (last ${f.log.length} ops)\n${f.log.join('\n')}\nreplay file: ${file} (ops 1..${f.op}, memory pressure included)\nreplay it:   ${again}\n`);
        process.exitCode = 1;
      }
      if (o.json) {
        process.stdout.write(JSON.stringify({ ops: r.ops, seed, opsPerSec, failures: r.failures.length, cpuOpsPerSec, fs: r.fs, checkedBytes: r.checkedBytes, faults: r.faults, evictions: r.evictions, writebacks: r.writebacks, skipped: r.skipped, ...(r.sharing ? { txgMs, arcKiB, sharing: r.sharing } : {}) }) + '\n');
        return;
      }
      const rows: [string, string][] = [
        ['fs', r.fs], ['ops', String(r.ops)], ['seed', String(seed)], ['ops/s (wall)', String(opsPerSec)], ['ops/CPU-second', String(cpuOpsPerSec)],
        ['bytes checked', String(r.checkedBytes)], ['page faults', String(r.faults)], ['evictions', String(r.evictions)],
        ['writebacks', String(r.writebacks)], ['failures', String(r.failures.length)],
        ...(r.sharing ? ([
          ['txg interval (ms)', String(txgMs)], ['ARC max (KiB)', String(arcKiB)], ['ARC borrows', String(r.sharing.borrows)], ['share breaks', String(r.sharing.shareBreaks)], ['ARC unshares', String(r.sharing.unshared)],
          ['revocations', String(r.sharing.revocations)], ['ARC refusals', String(r.sharing.refused)],
        ] as [string, string][]) : []),
        ...Object.entries(r.counts).map(([k, v]) => [`  ${k}`, String(v)] as [string, string]),
        ...Object.entries(r.skipped).map(([k, v]) => [`  skipped ${k}`, String(v)] as [string, string]),
      ];
      for (const [k, v] of rows) process.stdout.write(`${k.padEnd(18)} ${v.padStart(12)}\n`);
    });
}
