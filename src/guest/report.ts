// The boot comparison: the same image and application booted with each root filesystem over several
// seeds (the seed shapes which pages the application touches), averaged phase by phase in virtual
// time, with the ratio of each root's total to ramfs's. Renders as an aligned table, JSON, or a
// self-contained HTML page with an inline-SVG stacked bar per root.

import { Guest, PHASES, ROOTS, type BootResult, type GuestOptions, type RootFs } from './guest.js';
import { jvmImage, type BootImage } from './image.js';

export interface RootSummary {
  /** Mean total virtual ns over the seeds, and the extremes. */
  totalNs: number;
  minNs: number;
  maxNs: number;
  /** Mean virtual ns per phase. */
  phases: Record<string, number>;
  /** Mean counters per phase. */
  counters: Record<string, Record<string, number>>;
  appLoad: 'mmap' | 'read';
  seeds: number;
}

export interface Comparison {
  image: string;
  seeds: number[];
  roots: Partial<Record<RootFs, RootSummary>>;
  /** Each root's mean total over ramfs's. */
  ratios: Partial<Record<RootFs, number>>;
}

export interface CompareOptions extends Omit<GuestOptions, 'root' | 'seed' | 'image'> {
  roots?: readonly RootFs[];
  seeds?: number[];
  image?: BootImage;
  /** Called after each boot (progress). */
  onBoot?: (root: RootFs, seed: number, r: BootResult) => void;
}

/** Boot every root with every seed (in this thread) and summarise. */
export async function compareBoots(opts: CompareOptions = {}): Promise<Comparison> {
  const roots = opts.roots ?? ROOTS, seeds = opts.seeds ?? [1, 2, 3];
  const image = opts.image ?? jvmImage();
  const results: Partial<Record<RootFs, BootResult[]>> = {};
  for (const root of roots) {
    const list: BootResult[] = (results[root] = []);
    for (const seed of seeds) {
      const { roots: _r, seeds: _s, onBoot: _o, ...g } = opts;
      const r = await new Guest({ ...g, root, seed, image }).boot();
      list.push(r);
      opts.onBoot?.(root, seed, r);
    }
  }
  return summarise(image.name, seeds, results);
}

/** Means over seeds, and ratios to ramfs. */
export function summarise(image: string, seeds: number[], results: Partial<Record<RootFs, BootResult[]>>): Comparison {
  const roots: Comparison['roots'] = {};
  for (const root of ROOTS) {
    const list = results[root];
    if (list === undefined || list.length === 0) continue;
    const phases: Record<string, number> = {}, counters: Record<string, Record<string, number>> = {};
    for (const p of PHASES) {
      phases[p] = 0;
      counters[p] = {};
    }
    for (const r of list) {
      for (const ph of r.phases) {
        phases[ph.name] = phases[ph.name]! + ph.ns / list.length;
        const c = counters[ph.name]!;
        for (const [k, v] of Object.entries(ph.counters)) c[k] = (c[k] ?? 0) + v / list.length;
      }
    }
    const totals = list.map((r) => r.totalNs);
    roots[root] = {
      totalNs: totals.reduce((a, b) => a + b, 0) / list.length, minNs: Math.min(...totals), maxNs: Math.max(...totals),
      phases, counters, appLoad: list[0]!.appLoad, seeds: list.length,
    };
  }
  const ratios: Comparison['ratios'] = {};
  const base = roots.ramfs?.totalNs;
  if (base !== undefined) for (const r of ROOTS) if (roots[r]) ratios[r] = roots[r]!.totalNs / base;
  return { image, seeds, roots, ratios };
}

const ms = (ns: number): string => (ns / 1e6).toFixed(3);

/** Phases as rows, roots as columns, virtual milliseconds; totals; ratios to ramfs; key counters. */
export function formatTable(c: Comparison): string {
  const roots = ROOTS.filter((r) => c.roots[r] !== undefined);
  const rows: string[][] = [['phase (virtual ms)', ...roots]];
  for (const p of PHASES) rows.push([p, ...roots.map((r) => ms(c.roots[r]!.phases[p]!))]);
  rows.push(['total (mean)', ...roots.map((r) => ms(c.roots[r]!.totalNs))]);
  rows.push(['total min..max', ...roots.map((r) => `${ms(c.roots[r]!.minNs)}..${ms(c.roots[r]!.maxNs)}`)]);
  rows.push(['ratio to ramfs', ...roots.map((r) => (c.ratios[r] === undefined ? '-' : `${c.ratios[r]!.toFixed(2)}x`))]);
  rows.push(['app binaries via', ...roots.map((r) => c.roots[r]!.appLoad)]);
  const sum = (r: RootFs, k: string): number => PHASES.reduce((a, p) => a + (c.roots[r]!.counters[p]![k] ?? 0), 0);
  for (const k of ['blockReads', 'blockBytesRead', 'pcmBytesRead', 'tlbMisses', 'pageFaults', 'arcHits', 'arcMisses', 'mmioExits']) {
    rows.push([`  ${k}`, ...roots.map((r) => Math.round(sum(r, k)).toLocaleString('en-US'))]);
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((s, i) => (i === 0 ? s.padEnd(w[i]!) : s.padStart(w[i]!))).join('  ');
  return [`image ${c.image}, seeds ${c.seeds.join(',')}`, line(rows[0]!), ...rows.slice(1).map(line)].join('\n');
}

/** The JSON shape `vfsim boot --compare --json` prints. */
export function toJson(c: Comparison): object {
  const roots: Record<string, object> = {};
  for (const [r, s] of Object.entries(c.roots)) roots[r] = { totalNs: s.totalNs, minNs: s.minNs, maxNs: s.maxNs, appLoad: s.appLoad, phases: s.phases, counters: s.counters };
  return { image: c.image, seeds: c.seeds, roots, ratios: c.ratios };
}

const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A self-contained page: a stacked bar per root (phases in virtual ms), the table, the published figures. */
export function toHtml(c: Comparison): string {
  const roots = ROOTS.filter((r) => c.roots[r] !== undefined);
  const max = Math.max(...roots.map((r) => c.roots[r]!.totalNs));
  const W = 640, barH = 34, left = 90, top = 30;
  const H = top + roots.length * (barH + 20) + 60;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W + left + 120}" height="${H}" role="img" aria-label="boot time by phase">`;
  roots.forEach((r, i) => {
    const y = top + i * (barH + 20);
    svg += `<text x="${left - 8}" y="${y + barH / 2 + 5}" text-anchor="end" font-size="14">${r}</text>`;
    let x = left;
    PHASES.forEach((p, j) => {
      const w = (c.roots[r]!.phases[p]! / max) * W;
      if (w > 0) svg += `<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${barH}" fill="${COLORS[j]}"><title>${r} ${p}: ${ms(c.roots[r]!.phases[p]!)} ms</title></rect>`;
      x += w;
    });
    svg += `<text x="${x + 6}" y="${y + barH / 2 + 5}" font-size="13">${ms(c.roots[r]!.totalNs)} ms</text>`;
  });
  const ly = top + roots.length * (barH + 20) + 10;
  PHASES.forEach((p, j) => {
    const lx = left + j * 110;
    svg += `<rect x="${lx}" y="${ly}" width="12" height="12" fill="${COLORS[j]}"/><text x="${lx + 16}" y="${ly + 11}" font-size="12">${p}</text>`;
  });
  svg += '</svg>';
  const head = `<tr><th>phase (virtual ms)</th>${roots.map((r) => `<th>${r}</th>`).join('')}</tr>`;
  const body = PHASES.map((p) => `<tr><td>${p}</td>${roots.map((r) => `<td>${ms(c.roots[r]!.phases[p]!)}</td>`).join('')}</tr>`).join('') +
    `<tr class="t"><td>total</td>${roots.map((r) => `<td>${ms(c.roots[r]!.totalNs)}</td>`).join('')}</tr>` +
    `<tr><td>ratio to ramfs</td>${roots.map((r) => `<td>${c.ratios[r] === undefined ? '-' : c.ratios[r]!.toFixed(2) + 'x'}</td>`).join('')}</tr>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>vfsim boot comparison</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-top:1em}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}td:first-child,th:first-child{text-align:left}tr.t{font-weight:bold}</style>
</head><body><h1>vfsim boot comparison</h1><p>Image ${esc(c.image)}; seeds ${c.seeds.join(', ')}; virtual time of the modelled guest (OSv on AArch64/KVM profile), not wall time.</p>
${svg}<table>${head}${body}</table>
<h2>Published OSv figures (real machines, for scale)</h2><ul>
<li>~5 ms boot with ROFS, networking off, on Firecracker (OSv README; blog.osv.io 2019-04-19)</li>
<li>~40 ms with a ZFS image on Firecracker; ~200 ms with ZFS on regular QEMU (OSv README)</li>
<li>51.69 ms default ZFS image on Firecracker, v0.54 (OSv issue #1054); ~50–60 ms initialising ZFS alone (maintainer, same issue)</li>
</ul></body></html>\n`;
}
