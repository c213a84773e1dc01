// OSv's early translation tables on AArch64 (arch/aarch64/boot.S: init_cpu, fixup_boot_pt, init_mmu;
// notes/OSV.md §3): TTBR0 identity-maps 0–4 GiB with 2 MiB blocks (descriptor PA|0x411: AttrIndx 4
// Normal WB, AF, EL1 RW) and maps the kernel's link address OSV_KERNEL_VM_BASE (63 GiB + 0x80000) onto the
// 2 MiB-aligned region it was loaded into; MAIR_EL1 = 0xff440c0400, TCR_EL1 = 0x15b5103510,
// SCTLR_EL1 = 0x30d0199d. The tables are built in the machine's RAM and the MMU really walks them.

import type { Cpu } from '../hw/cpu.js';
import type { Mmu } from '../hw/mmu/mmu.js';
import { TranslationTables } from '../hw/mmu/tables.js';
import { AP_RW_EL1, SH_NON } from '../hw/mmu/descriptor.js';
import { makeTtbr } from '../hw/mmu/registers.js';
import { invariant } from '../sim/assert.js';

export const OSV_MAIR_EL1 = 0xff440c0400n;
export const OSV_TCR_EL1 = 0x15b5103510n;
export const OSV_SCTLR_EL1 = 0x30d0199dn;
/** Where the kernel is linked: OSV_KERNEL_VM_BASE (Makefile), 63 GiB + 512 KiB. */
export const OSV_KERNEL_VM_BASE = 0xfc0080000;
/** The 2 MiB region holding it: the kernel sits 0x80000 into it, as the AArch64 Image header asks. */
export const KERNEL_REGION_VA = 0xfc0000000;
export const KERNEL_TEXT_OFFSET = 0x80000;
const BLOCK_2M = 2 << 20;
const IDENT_LIMIT = 4 * 2 ** 30;

export interface EarlyTables {
  tables: TranslationTables;
  /** Descriptors written (one per 2 MiB block). */
  blocks: number;
}

/**
 * Build the boot tables: `kernelPa` is the 2 MiB-aligned PA of the region the kernel was loaded into,
 * `kernelRegionBytes` its size (whole 2 MiB blocks).
 */
export function buildEarlyTables(tables: TranslationTables, kernelPa: number, kernelRegionBytes: number): EarlyTables {
  invariant(kernelPa % BLOCK_2M === 0 && kernelRegionBytes % BLOCK_2M === 0, 'the kernel region is whole 2 MiB blocks');
  // PA|0x411: valid, block, AttrIndx 4, AF; SH 00 and AP 00 as boot.S writes them.
  const attrs = { attrIndx: 4, af: true, ap: AP_RW_EL1, sh: SH_NON };
  let blocks = 0;
  // One call per 2 MiB so that the builder writes 2 MiB blocks at level 2, as boot.S's four L2 tables
  // hold, rather than the 1 GiB level-1 blocks it would choose for a 4 GiB range.
  for (let va = 0; va < IDENT_LIMIT; va += BLOCK_2M, blocks++) tables.map(va, va, BLOCK_2M, attrs);
  for (let off = 0; off < kernelRegionBytes; off += BLOCK_2M, blocks++) tables.map(KERNEL_REGION_VA + off, kernelPa + off, BLOCK_2M, attrs);
  return { tables, blocks };
}

/** init_cpu + init_mmu: TLBI VMALLE1, MAIR/TCR/TTBR0, then SCTLR.M. The CPU runs at EL1 from here. */
export function enableMmu(mmu: Mmu, cpu: Cpu, t: TranslationTables): void {
  mmu.tlbiAll();
  mmu.setRegs({ MAIR_EL1: OSV_MAIR_EL1, TCR_EL1: OSV_TCR_EL1, TTBR0_EL1: makeTtbr(t.root, 0), TTBR1_EL1: 0n, SCTLR_EL1: OSV_SCTLR_EL1 });
  cpu.el = 1;
}
