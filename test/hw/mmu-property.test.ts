// Differential property: random ID registers, TCR/MAIR/TTBR/SCTLR values, random translation tables
// (valid and invalid descriptors at every level, blocks, pages, garbage, addresses beyond the output
// size) and random VAs give the same PAR_EL1 from the fast walker (through the AT instructions and the
// replay format) as from the independent reference walk written from the Arm ARM pseudo-code
// (test/hw/mmu-ref-walk.ts). Fixed seeds; a failure prints the seed fast-check can replay.
import t from 'tap';
import fc from 'fast-check';
import { Prng } from '../../src/sim/prng.js';
import { Mmu } from '../../src/hw/mmu/mmu.js';
import { SparseMem } from '../../src/hw/mmu/physmem.js';
import { at, AT_OPS } from '../../src/hw/mmu/at.js';
import { ACC_EXEC } from '../../src/hw/mmu/walk.js';
import { FaultKind, faultStatusCode } from '../../src/hw/mmu/fault.js';
import { CPU_PRESETS } from '../../src/hw/mmu/registers.js';
import { Replayer } from '../../src/hw/mmu/replay.js';
import { refAt, refTranslate, type RefRegs } from './mmu-ref-walk.js';

const MAIR_BYTES = [0x00, 0x04, 0x0c, 0x44, 0x40, 0xbb, 0xff, 0xee, 0x4f, 0xf4];

interface Case {
  regs: RefRegs;
  mem: Map<bigint, bigint>;
  vas: bigint[];
}

function u64(p: Prng): bigint {
  return (BigInt(p.u32()) << 32n) | BigInt(p.u32());
}

/** One random machine and the VAs to query, with descriptors planted along those VAs' walks. */
function genCase(seed: number): Case {
  const p = new Prng(seed);
  let mmfr0: bigint, mmfr1: bigint, mmfr2: bigint;
  if (p.chance(0.5)) {
    const c = CPU_PRESETS[p.pick(['cortex-a53', 'cortex-a57', 'max'])]!;
    [mmfr0, mmfr1, mmfr2] = [c.ID_AA64MMFR0_EL1, c.ID_AA64MMFR1_EL1, c.ID_AA64MMFR2_EL1];
  } else {
    let t4 = p.chance(0.8) ? 0 : 0xf, t16 = p.chance(0.5) ? 1 : 0, t64 = p.chance(0.7) ? 0 : 0xf;
    if (t4 === 0xf && t16 === 0 && t64 === 0xf) t64 = 0;
    mmfr0 = BigInt(p.range(0, 5) | (p.pick([0, 2]) << 4) | (t16 << 20) | (t64 << 24)) | (BigInt(t4) << 28n);
    mmfr1 = BigInt(p.range(0, 2) | (p.range(0, 2) << 12));
    mmfr2 = BigInt(p.range(0, 1)) << 28n;
  }
  const parange = Number(mmfr0 & 0xfn);
  const paBits = [32, 36, 40, 42, 44, 48][parange]!;
  const st = (mmfr2 >> 28n) === 1n;
  const txsz = (): number => p.chance(0.12) ? p.range(0, 63) : p.range(16, st && p.chance(0.3) ? 48 : 39);
  const field = (v: number, pos: number) => BigInt(v) << BigInt(pos);
  const tcr = field(txsz(), 0) | field(p.chance(0.05) ? 1 : 0, 7) | field(p.range(0, 3), 14) |
    field(txsz(), 16) | field(p.range(0, 1), 22) | field(p.chance(0.1) ? 1 : 0, 23) | field(p.range(0, 3), 30) |
    field(p.chance(0.8) ? p.range(0, 5) : p.range(0, 7), 32) | field(p.range(0, 1), 36) | field(p.chance(0.3) ? 1 : 0, 37) |
    field(p.chance(0.3) ? 1 : 0, 38) | field(p.range(0, 1), 39) | field(p.range(0, 1), 40) | field(p.chance(0.3) ? 1 : 0, 41) |
    field(p.chance(0.3) ? 1 : 0, 42);
  let mair = 0n;
  for (let i = 0; i < 8; i++) mair |= BigInt(p.chance(0.9) ? p.pick(MAIR_BYTES) : p.range(0, 255)) << BigInt(8 * i);
  const tablePa = (): bigint => {
    // 64K-aligned (so aligned for every granule), usually below PAMax, sometimes beyond the OA size.
    const limitBits = p.chance(0.9) ? Math.min(paBits, 40) : 48;
    return BigInt(Math.floor(p.float() * 2 ** (limitBits - 16))) << 16n;
  };
  const regs: RefRegs = {
    TCR_EL1: tcr, MAIR_EL1: mair,
    TTBR0_EL1: (BigInt(p.range(0, 0xffff)) << 48n) | tablePa() | BigInt(p.chance(0.1) ? 1 : 0),
    TTBR1_EL1: (BigInt(p.range(0, 0xffff)) << 48n) | tablePa(),
    SCTLR_EL1: (p.chance(0.92) ? 1n : 0n) | (p.chance(0.2) ? 1n << 19n : 0n),
    ID_AA64MMFR0_EL1: mmfr0, ID_AA64MMFR1_EL1: mmfr1, ID_AA64MMFR2_EL1: mmfr2,
  };
  const mem = new Map<bigint, bigint>();
  const vas: bigint[] = [];
  for (let n = 0; n < 6; n++) {
    const select = p.chance(0.35) ? 1 : 0;
    const tsz = Math.min(48, Math.max(16, Number((tcr >> (select ? 16n : 0n)) & 63n)));
    const inputsize = 64 - tsz;
    let va = u64(p) & ((1n << BigInt(inputsize)) - 1n);
    if (select) va |= ~((1n << BigInt(inputsize)) - 1n) & ((1n << 64n) - 1n);
    if (p.chance(0.15)) va ^= 1n << BigInt(p.range(inputsize, 63)); // perhaps outside the ranges, or a tag
    if (p.chance(0.15)) va = (va & 0x00ff_ffff_ffff_ffffn) | (BigInt(p.range(0, 255)) << 56n);
    vas.push(va);
    // Plant descriptors on the walk of va for each granule the generator might face.
    const ttbr = select ? regs.TTBR1_EL1 : regs.TTBR0_EL1;
    for (const gb of [12, 14, 16]) {
      const stride = gb - 3;
      let level = 4 - Math.ceil((inputsize - gb) / stride);
      if (level < 0) continue;
      const first = inputsize - (gb + (3 - level) * stride);
      let base = (ttbr & 0xffff_ffff_ffffn) >> BigInt(first + 3) << BigInt(first + 3);
      while (level <= 3) {
        const lsb = gb + (3 - level) * stride, nb = level === 4 - Math.ceil((inputsize - gb) / stride) ? first : stride;
        const idx = (va >> BigInt(lsb)) & ((1n << BigInt(nb)) - 1n);
        const at = base + idx * 8n;
        const r = p.float();
        const attrs = BigInt(p.range(0, 7) << 2 | p.range(0, 3) << 6 | p.range(0, 3) << 8 | (p.chance(0.8) ? 1 << 10 : 0) | (p.chance(0.3) ? 1 << 11 : 0)) |
          (BigInt(p.range(0, 0x3ff)) << 50n) & ~(0x7n << 59n) | (p.chance(0.1) ? BigInt(p.range(0, 31)) << 59n : 0n);
        const oa = (): bigint => (p.chance(0.9) ? BigInt(Math.floor(p.float() * 2 ** (Math.min(paBits, 40) - gb))) : BigInt(Math.floor(p.float() * 2 ** (48 - gb)))) << BigInt(gb);
        if (level < 3 && r < 0.62) {
          const next = tablePa();
          const tattr = p.chance(0.3) ? BigInt(p.range(0, 31)) << 59n : 0n;
          mem.set(at, next | 3n | tattr);
          base = next;
          level++;
          continue;
        }
        if (r < 0.82) mem.set(at, oa() | attrs | (level === 3 ? 3n : 1n)); // block or page
        else if (r < 0.9) mem.set(at, p.chance(0.5) ? 0n : u64(p) & ~1n); // invalid
        else mem.set(at, u64(p) | 1n); // garbage with the valid bit
        break;
      }
    }
  }
  return { regs, mem, vas };
}

function fastMachine(c: Case): Mmu {
  const mem = new SparseMem();
  for (const [pa, v] of c.mem) mem.write64(Number(pa), Number(v & 0xffff_ffffn), Number(v >> 32n));
  const mmu = new Mmu({ mem });
  mmu.setRegs(c.regs);
  return mmu;
}

t.test('AT S1E1R/W and S1E0R/W: fast walker == reference walk on random machines (fast-check, fixed seed)', async (t) => {
  let total = 0, successes = 0;
  const faults = new Map<string, number>();
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
      const c = genCase(seed);
      const mmu = fastMachine(c);
      for (const va of c.vas) {
        for (const op of AT_OPS) {
          const want = refAt(c.regs, c.mem, op, va), got = at(mmu, op, va);
          if (got !== want) {
            throw new Error(`seed ${seed} ${op} va=0x${va.toString(16)}: fast 0x${got.toString(16)} ref 0x${want.toString(16)}`);
          }
          total++;
          if ((want & 1n) === 0n) successes++;
          else {
            const k = `fst=${((want >> 1n) & 0x3fn).toString(16)}`;
            faults.set(k, (faults.get(k) ?? 0) + 1);
          }
        }
      }
    }),
    { seed: 20261125, numRuns: 1000 },
  );
  // The generator must reach every outcome, or agreement would prove little.
  t.ok(successes > total * 0.08, `successful translations: ${successes} of ${total}`);
  for (const [kind, levels] of [[FaultKind.Translation, [0, 1, 2, 3]], [FaultKind.AddressSize, [0, 1, 2, 3]], [FaultKind.AccessFlag, [2, 3]], [FaultKind.Permission, [2, 3]]] as const) {
    for (const l of levels) {
      const k = `fst=${faultStatusCode(kind, l).toString(16)}`;
      t.ok((faults.get(k) ?? 0) > 0, `reached ${k} (${faults.get(k) ?? 0} times)`);
    }
  }
});

t.test('instruction fetch permissions: fast walker == reference on random machines (UXN/PXN/WXN, tables, HPD)', async (t) => {
  let checked = 0;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
      const c = genCase(seed);
      const mmu = fastMachine(c);
      for (const va of c.vas) {
        for (const el of [0, 1]) {
          const want = refTranslate(c.regs, c.mem, el, 'X', va);
          const r = mmu.doWalk(Number(va >> 32n), Number(va & 0xffff_ffffn), ACC_EXEC, el, false);
          const got = r.fault === FaultKind.None ? 0n : 1n | (BigInt(faultStatusCode(r.fault, r.level)) << 1n);
          const wantF = (want & 1n) === 0n ? 0n : want & 0x7fn;
          if (got !== wantF) throw new Error(`seed ${seed} EL${el} fetch va=0x${va.toString(16)}: fast ${got} ref ${wantF}`);
          checked++;
        }
      }
    }),
    { seed: 424242, numRuns: 500 },
  );
  t.ok(checked > 0);
});

t.test('the replay format gives the same PARs as AT on the machine it describes', async (t) => {
  const lines: string[] = [];
  const expected: string[] = [];
  for (let seed = 1; seed <= 40; seed++) {
    const c0 = genCase(seed * 7919);
    // A machine line may only name PAs below PAMax; the walk never reads above it anyway.
    const paBits = [32, 36, 40, 42, 44, 48][Number(c0.regs.ID_AA64MMFR0_EL1 & 0xfn)]!;
    const c = { ...c0, mem: new Map([...c0.mem].filter(([pa]) => pa + 8n <= 1n << BigInt(paBits))) };
    const regs = Object.fromEntries(Object.entries(c.regs).map(([k, v]) => [k, '0x' + v.toString(16)]));
    const mem = [...c.mem].map(([pa, v]) => ['0x' + pa.toString(16), '0x' + v.toString(16)]);
    lines.push(JSON.stringify({ regs, mem }));
    for (const va of c.vas) {
      for (const op of AT_OPS) {
        lines.push(JSON.stringify({ op, va: '0x' + va.toString(16) }));
        expected.push(`{"par":"0x${refAt(c.regs, c.mem, op, va).toString(16).padStart(16, '0')}"}`);
      }
    }
  }
  const r = new Replayer();
  const out = lines.map((l, i) => r.line(l, i + 1)).filter((x): x is string => x !== null);
  t.same(out, expected);
  t.equal(r.machines, 40);
});
