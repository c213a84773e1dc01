// Test fixture: a small machine (RAM, tables for TTBR0 and optionally TTBR1, MMU, CPU) with the MMU on,
// configured the way OSv's boot.S does (MAIR Attr4 = Normal WB, Attr0 = Device-nGnRnE, 48-bit VAs, 4K).

import { Ram } from '../../src/hw/ram.js';
import { Mmu } from '../../src/hw/mmu/mmu.js';
import { Cpu } from '../../src/hw/cpu.js';
import { TranslationTables } from '../../src/hw/mmu/tables.js';
import { RamPhys } from '../../src/hw/mmu/physmem.js';
import { makeMair, makeTcr, makeTtbr, MAIR_ATTR, SCTLR_M, type TcrField } from '../../src/hw/mmu/registers.js';
import type { TlbOptions } from '../../src/hw/mmu/tlb.js';

export interface MachineOptions {
  granule?: 4096 | 16384 | 65536;
  vaBits?: number;
  ramBytes?: number;
  cpu?: string;
  tcr?: Partial<Record<TcrField, number>>;
  asid?: number;
  tlb?: TlbOptions;
  ttbr1?: boolean;
  sctlr?: bigint;
}

export const ATTR_NORMAL = 4, ATTR_DEVICE = 0;

export function machine(o: MachineOptions = {}) {
  const granule = o.granule ?? 4096;
  const ram = new Ram({ bytes: o.ramBytes ?? 8 << 20, frameSize: granule });
  const t0 = new TranslationTables({ ram, granule, vaBits: o.vaBits ?? 48 });
  const t1 = o.ttbr1 ? new TranslationTables({ ram, granule, vaBits: o.vaBits ?? 48, select: 1 }) : null;
  const mmu = new Mmu({ mem: new RamPhys(ram), cpu: o.cpu ?? 'max', tlb: o.tlb });
  const tcr = makeTcr({ ...t0.tcrFields(), ...(t1 ? t1.tcrFields() : { EPD1: 1, TG1: 2 }), IPS: 2, AS: 1, ...o.tcr });
  mmu.setRegs({
    TCR_EL1: tcr,
    MAIR_EL1: makeMair([MAIR_ATTR.DEVICE_nGnRnE, MAIR_ATTR.DEVICE_nGnRE, MAIR_ATTR.DEVICE_GRE, MAIR_ATTR.NORMAL_NC, MAIR_ATTR.NORMAL_WB]),
    TTBR0_EL1: makeTtbr(t0.root, o.asid ?? 0),
    TTBR1_EL1: t1 ? makeTtbr(t1.root) : 0n,
    SCTLR_EL1: o.sctlr ?? SCTLR_M,
  });
  const cpu = new Cpu({ mmu, ram });
  /** A fresh data frame's PA. */
  const frame = (): number => ram.frameToPaddr(ram.allocFrame());
  return { ram, t0, t1, mmu, cpu, frame };
}
