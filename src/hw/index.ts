// `vfsim/hw`: the machine — physical RAM, the AArch64 MMU (registers, descriptors, walk, TLB, faults,
// PAR/AT, table builder) and the CPU's memory accesses through it.

export { Ram, NO_FRAME } from './ram.js';
export type { Frame, Paddr, Shrinker, RamOptions } from './ram.js';
export { Cpu, MAX_RETRIES } from './cpu.js';
export type { CpuOptions, FaultHandler, FaultSignal, MemFault } from './cpu.js';
export { Mmu, MmuError, MMU_COUNTERS, TLBI_OPS, cpuIdRegs, tlbiOperand } from './mmu/mmu.js';
export type { MmuOptions, MmuCounter, TlbiOp } from './mmu/mmu.js';
export * from './mmu/registers.js';
export * from './mmu/descriptor.js';
export * from './mmu/fault.js';
export * from './mmu/par.js';
export { at, atHalves, AT_OPS } from './mmu/at.js';
export type { AtOp } from './mmu/at.js';
export { Tlb, TLB_DBM } from './mmu/tlb.js';
export type { TlbOptions } from './mmu/tlb.js';
export { Walker, WalkResult, ACC_READ, ACC_WRITE, ACC_EXEC, P_R1, P_W1, P_X1, P_R0, P_W0, P_X0, P_ALL, permBit, vaLowBits } from './mmu/walk.js';
export type { AccessType } from './mmu/walk.js';
export { RamPhys, SparseMem } from './mmu/physmem.js';
export type { PhysMem } from './mmu/physmem.js';
export { TranslationTables } from './mmu/tables.js';
export type { TablesOptions, MapOptions } from './mmu/tables.js';
export { dumpTables, formatDump, attrText } from './mmu/dump.js';
export type { DumpOptions, DumpEntry, DumpRange } from './mmu/dump.js';
export { replayLines, Replayer } from './mmu/replay.js';

// The other devices of the machine (their own modules say what they model).
export * from './pcm/index.js';
export * from './block/index.js';
