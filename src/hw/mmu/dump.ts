// A readable view of an address space: the translation tables the registers point at, walked from
// TTBR0/TTBR1 through physical memory, each valid descriptor shown with its VA range and decoded
// attributes (the form `vfsim mmu dump` prints). Read-only: it never sets AF or touches the TLB.

import { blockAllowed, decodeDescriptor, type DecodedDescriptor } from './descriptor.js';
import type { Mmu } from './mmu.js';
import { MAIR_ATTR } from './registers.js';

export interface DumpOptions {
  /** Stop after this many entries (default 2000). */
  maxEntries?: number;
}

export interface DumpEntry {
  /** 0 or 1: which TTBR's tree. */
  select: number;
  level: number;
  index: number;
  /** First VA the entry translates (64-bit, as a bigint). */
  va: bigint;
  /** log2 of the VA span the entry covers. */
  spanShift: number;
  /** Where the descriptor is. */
  descPa: number;
  desc: DecodedDescriptor;
  /** MAIR attribute byte for leaves. */
  attr: number;
  /** For a table whose address was already shown (a loop or shared table): not descended again. */
  repeated: boolean;
}

export interface DumpRange {
  select: number;
  disabled: string | null;
  ttbr: bigint;
  granuleShift: number;
  vaBits: number;
  startLevel: number;
  entries: DumpEntry[];
  truncated: boolean;
}

/** Walk both ranges' tables (or say why a range is not walked). */
export function dumpTables(mmu: Mmu, opts: DumpOptions = {}): DumpRange[] {
  const max = opts.maxEntries ?? 2000;
  const g = mmu.regime;
  const out: DumpRange[] = [];
  const buf = new Uint32Array(2);
  for (const select of [0, 1] as const) {
    const p = g.r[select]!;
    const ttbr = select ? mmu.regs.TTBR1_EL1 : mmu.regs.TTBR0_EL1;
    const range: DumpRange = {
      select, ttbr, granuleShift: p.granuleShift, vaBits: 64 - p.tsz, startLevel: p.startLevel,
      entries: [], truncated: false,
      disabled: !g.mmuOn ? 'SCTLR_EL1.M=0 (MMU off)' : p.epd ? `TCR_EL1.EPD${select}=1` : p.tszOob ? `T${select}SZ out of range`
        : p.baseTooBig ? `TTBR${select} base beyond the output size` : null,
    };
    out.push(range);
    if (range.disabled) continue;
    const seen = new Set<number>();
    const vaStart = select ? -(2 ** (64 - p.tsz)) : 0;
    const visit = (table: number, level: number, va: number): void => {
      const lsb = p.granuleShift + p.stride * (3 - level);
      const n = 2 ** (level === p.startLevel ? p.startBits : p.stride);
      for (let i = 0; i < n; i++) {
        if (range.entries.length >= max) { range.truncated = true; return; }
        const descPa = table + i * 8;
        if (!mmu.mem.read64(descPa, buf)) return;
        const d = decodeDescriptor(buf[0]!, buf[1]!, level, p.granuleShift);
        if (d.kind === 'invalid') continue;
        const eva = va + i * 2 ** lsb;
        const repeated = d.kind === 'table' && seen.has(d.address);
        range.entries.push({
          select, level, index: i, va: BigInt.asUintN(64, BigInt(eva)), spanShift: lsb, descPa, desc: d,
          attr: g.mair[d.attrIndx]!, repeated,
        });
        if (d.kind === 'table' && !repeated && level < 3) {
          seen.add(d.address);
          visit(d.address, level + 1, eva);
        }
      }
    };
    seen.add(p.base);
    visit(p.base, p.startLevel, vaStart);
  }
  return out;
}

const hex = (v: bigint | number, w: number): string => '0x' + BigInt(v).toString(16).padStart(w, '0');

function sizeText(shift: number): string {
  return shift >= 30 ? `${2 ** (shift - 30)}G` : shift >= 20 ? `${2 ** (shift - 20)}M` : `${2 ** (shift - 10)}K`;
}

/** A MAIR attribute byte in words. */
export function attrText(a: number): string {
  const named = Object.entries(MAIR_ATTR).find(([, v]) => v === a);
  if (named) return named[0].replace('_', '-');
  if ((a & 0xf0) === 0) return `Device(0x${a.toString(16).padStart(2, '0')})`;
  return `Normal(0x${a.toString(16).padStart(2, '0')})`;
}

const AP_TEXT = ['EL1:rw EL0:--', 'EL1:rw EL0:rw', 'EL1:r- EL0:--', 'EL1:r- EL0:r-'];
const SH_TEXT = ['non-sh', 'sh?', 'outer-sh', 'inner-sh'];

/** The dump as a tree of text lines. */
export function formatDump(ranges: DumpRange[]): string[] {
  const lines: string[] = [];
  for (const r of ranges) {
    lines.push(`TTBR${r.select}_EL1 = ${hex(r.ttbr, 16)}  (${2 ** (r.granuleShift - 10)}K granule, ${r.vaBits}-bit VA, start level ${r.startLevel})`);
    if (r.disabled) {
      lines.push(`  not walked: ${r.disabled}`);
      continue;
    }
    if (r.entries.length === 0) lines.push('  (no valid descriptors)');
    for (const e of r.entries) {
      const ind = '  '.repeat(e.level - r.startLevel + 1);
      const d = e.desc;
      const head = `${ind}L${e.level}[${String(e.index).padStart(3, '0')}] ${hex(e.va, 16)} +${sizeText(e.spanShift)}`;
      if (d.kind === 'table') {
        const t: string[] = [];
        if (d.apTable) t.push(`APTable=${d.apTable.toString(2).padStart(2, '0')}`);
        if (d.uxnTable) t.push('UXNTable');
        if (d.pxnTable) t.push('PXNTable');
        lines.push(`${head} table -> ${hex(d.address, 12)}${t.length ? '  ' + t.join(' ') : ''}${e.repeated ? '  (shown above)' : ''}`);
      } else if (d.kind === 'reserved') {
        lines.push(`${head} reserved encoding (${e.level === 3 || !blockAllowed(r.granuleShift, e.level) ? 'block not allowed here' : '?'})`);
      } else {
        const f: string[] = [attrText(e.attr), AP_TEXT[d.ap]!, SH_TEXT[d.sh]!];
        if (!d.af) f.push('AF=0');
        if (d.nG) f.push('nG');
        if (d.uxn) f.push('UXN');
        if (d.pxn) f.push('PXN');
        if (d.dbm) f.push('DBM');
        if (d.contiguous) f.push('CONT');
        lines.push(`${head} ${d.kind} -> ${hex(d.address, 12)}  ${f.join(' ')}`);
      }
    }
    if (r.truncated) lines.push('  ... (truncated)');
  }
  return lines;
}
