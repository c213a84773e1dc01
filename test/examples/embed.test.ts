// examples/embed.mjs runs as a user runs it (node, importing the built package by its name 'vfsim'):
// a guest boots with each root, the workload runs, and the counters are printed. Needs `npm run build`
// (npm ci runs it through `prepare`).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const example = fileURLToPath(new URL('../../examples/embed.mjs', import.meta.url));

for (const root of ['ramfs', 'pcmfs', 'zfs-lite']) {
  t.test(`embed example boots ${root} and prints its counters`, async (t) => {
    const out = execFileSync(process.execPath, [example, root], { encoding: 'utf8' });
    t.match(out, new RegExp(`^${root}: booted jvm-app\\(seed=1,scale=0.1\\) in [0-9.]+ virtual ms`, 'm'));
    for (const p of ['load-kernel', 'mmu-on', 'memory-init', 'probe-devices', 'mount-root', 'start-app']) t.match(out, new RegExp(`^  ${p} +[0-9.]+ ms`, 'm'));
    t.match(out, /read \d+ bytes of a class/);
    // pcmfs maps with DAX since issue 6 (src/mm/dax.ts): every root's mapped log reads through the MMU.
    t.match(out, /first bytes through the MMU: sta/, 'the mapped log reads what was written');
    t.match(out, /counters during the workload: \{.*\}/);
  });
}
