// Issue 3's speed targets for vfsim through createFs(), checked against one run of `vfsim bench fs`:
// metadata ≥ 2× memfs and ≥ tmpfs; seqRead/seqWrite ≥ memfs and ≥ 50% of memcpy; randRead/randWrite
// ≥ 90% of the random-copy limit; resident memory after seqWrite ≤ 1.25× the file plus 64 MiB.

import type { Limits } from './fs-limits.js';
import type { SubjectName } from './fs-subject.js';
import type { Workload } from './fs-sizes.js';

export interface TargetCheck {
  /** What is required, in words. */
  target: string;
  /** What was measured, in words (ratios and percentages). */
  measured: string;
  met: boolean;
}

const METADATA: Workload[] = ['create', 'stat', 'readSmall', 'readdir', 'rename', 'unlink', 'deepPath'];
const SEQ: Workload[] = ['seqWrite', 'seqRead'];
const RAND: Workload[] = ['randRead', 'randWrite'];

type Rates = Record<Workload, Record<SubjectName, number | null>>;

const x = (v: number): string => `${v.toFixed(2)}×`;
const pct = (v: number): string => `${Math.round(100 * v)}%`;

/**
 * The targets over `rates` (wall or CPU-time rates, with the limits of the same kind). A target whose
 * figures are missing (a subject unavailable or failed) is reported as not met, saying why.
 */
export function checkTargets(rates: Rates, limits: Limits, rssMiB: number | null, dataMiB: number): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const w of METADATA) {
    const { vfsim, memfs, tmpfs } = rates[w];
    if (vfsim == null || memfs == null || tmpfs == null) {
      out.push({ target: `${w} ≥ 2× memfs and ≥ tmpfs`, measured: 'not measured', met: false });
      continue;
    }
    out.push({
      target: `${w} ≥ 2× memfs and ≥ tmpfs`,
      measured: `${x(vfsim / memfs)} memfs, ${x(vfsim / tmpfs)} tmpfs`,
      met: vfsim >= 2 * memfs && vfsim >= tmpfs,
    });
  }
  for (const w of SEQ) {
    const { vfsim, memfs } = rates[w];
    if (vfsim == null || memfs == null) {
      out.push({ target: `${w} ≥ memfs and ≥ 50% of memcpy`, measured: 'not measured', met: false });
      continue;
    }
    out.push({
      target: `${w} ≥ memfs and ≥ 50% of memcpy`,
      measured: `${x(vfsim / memfs)} memfs, ${pct(vfsim / limits.memcpyMiBs)} of memcpy`,
      met: vfsim >= memfs && vfsim >= 0.5 * limits.memcpyMiBs,
    });
  }
  for (const w of RAND) {
    const { vfsim } = rates[w];
    out.push({
      target: `${w} ≥ 90% of the random copy`,
      measured: vfsim == null ? 'not measured' : `${pct(vfsim / limits.randCopyOpsPerSec)} of the random copy`,
      met: vfsim != null && vfsim >= 0.9 * limits.randCopyOpsPerSec,
    });
  }
  const bound = 1.25 * dataMiB + 64;
  out.push({
    target: `rss after seqWrite ≤ 1.25 × ${dataMiB} + 64 = ${bound} MiB`,
    measured: rssMiB == null ? 'not measured' : `${rssMiB} MiB`,
    met: rssMiB != null && rssMiB <= bound,
  });
  return out;
}
