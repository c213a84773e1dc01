// `vfsim bench <name>`: the benchmarks, each in bench/<name>.ts exporting `run(opts)`.
// Wall time is what they measure (the simulator's own speed), never the model's virtual time.

import type { Command } from 'commander';

export interface BenchOptions {
  json: boolean;
  quick: boolean;
  seed: number;
}

type BenchModule = { run(opts: BenchOptions): Promise<void> };

// One line per benchmark (lazy, so one bench's peers are not loaded for another).
const benches: Record<string, { what: string; load: () => Promise<BenchModule> }> = {
  arc: { what: 'ARC get/put ops/s against lru-cache on one Zipf key stream', load: () => import('../../bench/arc.js') },
  fs: { what: 'filesystem workloads on vfsim, memfs, ZenFS and Linux tmpfs', load: () => import('../../bench/fs.js') },
  zfs: { what: 'ZFS-lite: cached read (page cache, ARC) vs memcpy, ARC vs lru-cache, import of 10,000 files', load: () => import('../../bench/zfs.js') },
  pcm: { what: 'PCM: DAX read/write on pcmfs vs memcpy, crash states checked/s, virtual-time and wear figures', load: () => import('../../bench/pcm.js') },
  mm: { what: 'mmap: first-touch faults/s on a 256 MiB map, mapped read vs read() vs memcpy', load: () => import('../../bench/mm.js') },
  mmu: { what: 'MMU: TLB-hit loads/s, 4-level walks/s, bulk read through 4 KiB pages vs memcpy', load: () => import('../../bench/mmu.js') },
};

export function register(program: Command): void {
  const names = Object.keys(benches).sort();
  program
    .command('bench')
    .description('benchmarks, side by side with peers and the raw copy limit')
    .argument('<name>', `one of: ${names.join(', ') || '(none yet)'}`)
    .option('--json', 'print JSON for machines', false)
    .option('--quick', 'a smaller run (seconds, not minutes)', false)
    .option('--seed <n>', 'seed for randomised workloads', '1')
    .addHelpText('after', '\n' + names.map((n) => `  ${n.padEnd(6)} ${benches[n]!.what}`).join('\n'))
    .action(async (name: string, o: { json: boolean; quick: boolean; seed: string }) => {
      const b = benches[name];
      if (!b) throw new Error(`unknown benchmark '${name}' (known: ${names.join(', ')})`);
      const mod = await b.load();
      await mod.run({ json: o.json, quick: o.quick, seed: Number(o.seed) });
    });
}
