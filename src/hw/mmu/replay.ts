// Replaying register/memory snapshots and AT queries given as JSON lines, so the model's PAR_EL1 values
// can be compared with QEMU's or a board's. A machine line resets the machine:
//   {"regs":{"TCR_EL1":"0x…",…},"mem":[["0xPADDR","0xU64"],…]}
// (ID registers not given are the default CPU's; the TLB is empty; physical memory is sparse: listed
// words, zero elsewhere, any PA below PAMax). A query line runs one AT instruction:
//   {"op":"S1E1R"|"S1E1W"|"S1E0R"|"S1E0W","va":"0x…"}   →   {"par":"0x…"}

import { AT_OPS, atHalves, type AtOp } from './at.js';
import { Mmu, MmuError } from './mmu.js';
import { SparseMem } from './physmem.js';
import { CPU_PRESETS, DEFAULT_CPU, REG_NAMES, type MmuRegs, type RegName } from './registers.js';

function parseU64(v: unknown, what: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== 'string' || !/^(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/.test(v)) {
    throw new MmuError('EINVAL', `${what}: expected a 64-bit value as "0x…" hex, got ${JSON.stringify(v)}`);
  }
  const b = BigInt(v);
  if (b >> 64n) throw new MmuError('EINVAL', `${what}: ${v} does not fit in 64 bits`);
  return b;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function hex32(v: number): string {
  return HEX[v >>> 24]! + HEX[(v >>> 16) & 255]! + HEX[(v >>> 8) & 255]! + HEX[v & 255]!;
}

export class Replayer {
  mmu: Mmu;
  mem: SparseMem;
  /** Queries answered so far. */
  queries = 0;
  machines = 0;
  private readonly par = new Uint32Array(2);
  private readonly cpu: string;

  constructor(cpu: string = DEFAULT_CPU) {
    this.cpu = cpu;
    this.mem = new SparseMem();
    this.mmu = new Mmu({ mem: this.mem, cpu });
  }

  /** Process one line; returns the output line for a query, null for a machine line or a blank line. */
  line(text: string, lineNo = 0): string | null {
    const t = text.trim();
    if (t === '') return null;
    let o: unknown;
    try {
      o = JSON.parse(t);
    } catch {
      throw new MmuError('EINVAL', `line ${lineNo}: not JSON`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new MmuError('EINVAL', `line ${lineNo}: expected a JSON object`);
    const obj = o as Record<string, unknown>;
    if ('op' in obj) return this.query(obj, lineNo);
    if ('regs' in obj || 'mem' in obj) {
      this.machine(obj, lineNo);
      return null;
    }
    throw new MmuError('EINVAL', `line ${lineNo}: neither a machine line (regs/mem) nor a query (op/va)`);
  }

  private query(obj: Record<string, unknown>, lineNo: number): string {
    const op = obj.op as AtOp;
    if (!AT_OPS.includes(op)) throw new MmuError('EINVAL', `line ${lineNo}: unknown op ${JSON.stringify(obj.op)} (expected ${AT_OPS.join(', ')})`);
    const va = parseU64(obj.va, `line ${lineNo}: va`);
    atHalves(this.mmu, op, Number(va >> 32n), Number(va & 0xffff_ffffn), this.par);
    this.queries++;
    return `{"par":"0x${hex32(this.par[1]!)}${hex32(this.par[0]!)}"}`;
  }

  private machine(obj: Record<string, unknown>, lineNo: number): void {
    const regsIn = (obj.regs ?? {}) as Record<string, unknown>;
    if (typeof regsIn !== 'object' || Array.isArray(regsIn)) throw new MmuError('EINVAL', `line ${lineNo}: regs must be an object`);
    const regs: Partial<MmuRegs> = {};
    for (const [k, v] of Object.entries(regsIn)) {
      if (!REG_NAMES.includes(k as RegName)) throw new MmuError('EINVAL', `line ${lineNo}: unknown register ${k} (known: ${REG_NAMES.join(', ')})`);
      regs[k as RegName] = parseU64(v, `line ${lineNo}: ${k}`);
    }
    const mem = new SparseMem();
    const mmu = new Mmu({ mem, cpu: CPU_PRESETS[this.cpu] ? this.cpu : DEFAULT_CPU });
    try {
      mmu.setRegs(regs);
    } catch (e) {
      throw new MmuError('EINVAL', `line ${lineNo}: ${(e as Error).message}`);
    }
    const limit = 2n ** BigInt(mmu.features.paBits);
    const words = obj.mem ?? [];
    if (!Array.isArray(words)) throw new MmuError('EINVAL', `line ${lineNo}: mem must be an array of [paddr, u64] pairs`);
    for (const w of words) {
      if (!Array.isArray(w) || w.length !== 2) throw new MmuError('EINVAL', `line ${lineNo}: mem entries are [paddr, u64] pairs`);
      const pa = parseU64(w[0], `line ${lineNo}: mem paddr`);
      if (pa % 8n !== 0n || pa + 8n > limit) throw new MmuError('EINVAL', `line ${lineNo}: mem paddr 0x${pa.toString(16)} is not an 8-aligned address below PAMax (${mmu.features.paBits} bits)`);
      const v = parseU64(w[1], `line ${lineNo}: mem value`);
      mem.write64(Number(pa), Number(v & 0xffff_ffffn), Number(v >> 32n));
    }
    this.mem = mem;
    this.mmu = mmu;
    this.machines++;
  }
}

/** Replay a whole text (lines); returns the output lines. */
export function replayLines(text: string, cpu?: string): string[] {
  const r = new Replayer(cpu);
  const out: string[] = [];
  text.split('\n').forEach((l, i) => {
    const o = r.line(l, i + 1);
    if (o !== null) out.push(o);
  });
  return out;
}
