// `vfsim mmu`: look at and exercise the AArch64 MMU model. `dump` prints the translation tables of a
// sample address space (or of a replay file's machine line) as a tree with decoded attributes; `replay`
// answers AT queries from JSON lines (the format in src/hw/mmu/replay.ts) for comparison with QEMU.

import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { Ram } from '../hw/ram.js';
import { Mmu } from '../hw/mmu/mmu.js';
import { RamPhys } from '../hw/mmu/physmem.js';
import { TranslationTables } from '../hw/mmu/tables.js';
import { AP_RO_ALL, AP_RO_EL1, AP_RW_ALL, AP_RW_EL1 } from '../hw/mmu/descriptor.js';
import { CPU_PRESETS, DEFAULT_CPU, makeMair, makeTcr, makeTtbr, MAIR_ATTR, SCTLR_M } from '../hw/mmu/registers.js';
import { dumpTables, formatDump } from '../hw/mmu/dump.js';
import { Replayer } from '../hw/mmu/replay.js';

/**
 * A sample address space in the manner of OSv on QEMU `virt`: RAM identity-mapped with 2 MiB blocks,
 * the PL011 UART as Device memory, a user program (text, data with the contiguous hint, a DBM stack),
 * and the kernel's linear map of RAM in the TTBR1 range.
 */
export function sampleMachine(cpu = DEFAULT_CPU): Mmu {
  const ram = new Ram({ bytes: 64 << 20 });
  const t0 = new TranslationTables({ ram, vaBits: 48 });
  const t1 = new TranslationTables({ ram, vaBits: 48, select: 1 });
  const NORMAL = 4, DEVICE = 0;
  t0.map(ram.base, ram.base, 64 << 20, { attrIndx: NORMAL, ap: AP_RW_EL1, uxn: true });
  t0.map(0x0900_0000, 0x0900_0000, 4096, { attrIndx: DEVICE, ap: AP_RW_EL1, pxn: true, uxn: true, sh: 0 });
  const frame = (): number => ram.frameToPaddr(ram.allocFrame());
  for (let i = 0; i < 4; i++) t0.map(0x40_0000 + i * 4096, frame(), 4096, { attrIndx: NORMAL, ap: AP_RO_ALL, nG: true, pxn: true });
  const data = ram.base + (48 << 20); // 64 KiB-aligned run of frames for one contiguous group
  t0.map(0x60_0000, data, 16 * 4096, { attrIndx: NORMAL, ap: AP_RW_ALL, nG: true, pxn: true, uxn: true, contiguous: true });
  for (let i = 0; i < 4; i++) {
    t0.map(0x7fff_fff0_0000 + i * 4096, frame(), 4096, { attrIndx: NORMAL, ap: AP_RO_ALL, dbm: true, nG: true, pxn: true, uxn: true, af: i < 2 });
  }
  t1.map(-(2 ** 47), ram.base, 64 << 20, { attrIndx: NORMAL, ap: AP_RO_EL1 }, { table: { uxnTable: true } });
  const mmu = new Mmu({ mem: new RamPhys(ram), cpu });
  mmu.setRegs({
    TCR_EL1: makeTcr({ ...t0.tcrFields(), ...t1.tcrFields(), IPS: 5, AS: 1, HA: 1, HD: 1 }),
    MAIR_EL1: makeMair([MAIR_ATTR.DEVICE_nGnRnE, MAIR_ATTR.DEVICE_nGnRE, MAIR_ATTR.DEVICE_GRE, MAIR_ATTR.NORMAL_NC, MAIR_ATTR.NORMAL_WB]),
    TTBR0_EL1: makeTtbr(t0.root, 1),
    TTBR1_EL1: makeTtbr(t1.root),
    SCTLR_EL1: SCTLR_M,
  });
  return mmu;
}

/** The machine described by the `nth` machine line (1-based) of a replay file. */
async function machineFromReplay(file: string, nth: number, cpu: string): Promise<Mmu> {
  const r = new Replayer(cpu);
  const rl = createInterface({ input: file === '-' ? process.stdin : createReadStream(file), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of rl) {
    lineNo++;
    if (!/"regs"|"mem"/.test(line)) continue;
    r.line(line, lineNo);
    if (r.machines === nth) {
      rl.close();
      return r.mmu;
    }
  }
  throw new Error(`${file}: has ${r.machines} machine line(s), not ${nth}`);
}

async function replay(file: string, cpu: string): Promise<void> {
  const input = file === '-' ? process.stdin : createReadStream(file);
  const total = file !== '-' ? statSync(file).size : 0;
  const bar = total > 4 << 20 && process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: 'replay {bar} {percentage}% {value}/{total} bytes', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(total, 0);
  const r = new Replayer(cpu);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let out: string[] = [];
  let lineNo = 0, bytes = 0;
  const flush = async (): Promise<void> => {
    if (out.length === 0) return;
    const chunk = out.join('\n') + '\n';
    out = [];
    if (!process.stdout.write(chunk)) await new Promise<void>((res) => process.stdout.once('drain', () => res()));
  };
  try {
    for await (const line of rl) {
      lineNo++;
      bytes += line.length + 1;
      const o = r.line(line, lineNo);
      if (o !== null) out.push(o);
      if (out.length >= 8192) {
        await flush();
        bar?.update(Math.min(bytes, total));
      }
    }
    await flush();
  } finally {
    bar?.stop();
  }
}

export function register(program: Command): void {
  const mmu = program.command('mmu').description('the AArch64 MMU model: dump translation tables, replay AT queries');
  mmu
    .command('dump')
    .description('print translation tables as a tree with decoded attributes (a sample address space by default)')
    .option('--from <file>', 'use the machine of a replay file (JSON lines) instead of the sample; - for stdin')
    .option('--machine <n>', 'which machine line of --from (1-based)', '1')
    .option('--cpu <name>', `CPU preset (${Object.keys(CPU_PRESETS).join(', ')})`, DEFAULT_CPU)
    .option('--max <n>', 'stop after this many descriptors per range', '2000')
    .option('--json', 'print JSON for machines', false)
    .action(async (o: { from?: string; machine: string; cpu: string; max: string; json: boolean }) => {
      const nth = Number(o.machine), max = Number(o.max);
      if (!Number.isInteger(nth) || nth < 1) throw new Error(`--machine ${o.machine}: expected a positive integer`);
      if (!Number.isInteger(max) || max < 1) throw new Error(`--max ${o.max}: expected a positive integer`);
      if (!CPU_PRESETS[o.cpu]) throw new Error(`unknown CPU '${o.cpu}' (known: ${Object.keys(CPU_PRESETS).join(', ')})`);
      const m = o.from ? await machineFromReplay(o.from, nth, o.cpu) : sampleMachine(o.cpu);
      const ranges = dumpTables(m, { maxEntries: max });
      if (o.json) {
        const j = JSON.stringify(ranges, (_k, v: unknown) => (typeof v === 'bigint' ? '0x' + v.toString(16) : v));
        process.stdout.write(j + '\n');
        return;
      }
      const regs = m.regs;
      process.stdout.write(
        `TCR_EL1=0x${regs.TCR_EL1.toString(16)} MAIR_EL1=0x${regs.MAIR_EL1.toString(16)} SCTLR_EL1=0x${regs.SCTLR_EL1.toString(16)} ` +
          `ASID=${m.regime.asid} OA=${m.regime.oaBits} bits HA=${+m.regime.ha} HD=${+m.regime.hd}\n`,
      );
      process.stdout.write(formatDump(ranges).join('\n') + '\n');
    });
  mmu
    .command('replay')
    .description('run AT queries from JSON lines: machine lines {"regs":{…},"mem":[[pa,u64],…]} and query lines {"op":"S1E1R","va":"0x…"} → {"par":"0x…"}')
    .argument('<file>', 'JSON-lines file, or - for standard input')
    .option('--cpu <name>', `CPU whose ID registers fill those a machine line omits (${Object.keys(CPU_PRESETS).join(', ')})`, DEFAULT_CPU)
    .action(async (file: string, o: { cpu: string }) => {
      if (!CPU_PRESETS[o.cpu]) throw new Error(`unknown CPU '${o.cpu}' (known: ${Object.keys(CPU_PRESETS).join(', ')})`);
      await replay(file, o.cpu);
    });
}
