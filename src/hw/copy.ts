// Bulk copies through the MMU, the CPU's copy_from_user / copy_to_user (Linux arch/arm64/lib/copy_*_user.S
// in effect): every page of the range is translated — walked on a TLB miss, an exception taken on a
// fault — before its bytes move, and physically contiguous runs move in one copy. A pending run is
// copied before any exception is taken, so a fault handler never sees a copy that has not happened.
// Persistent memory on the bus (a DAX mapping) is reached through the device, a page at a time.

import type { Cpu } from './cpu.js';
import { ACC_READ, ACC_WRITE } from './mmu/walk.js';

/** Cpu.resolve() encodes a PCM device offset `d` as PCM_OFF - d (always below -1, the signal value). */
export const PCM_OFF = -2;

/**
 * Copy `len` bytes from VA `va` into dst[dstOff..]. Returns the bytes copied: `len`, or fewer when a
 * fault ended in a signal (the copy stops at the first byte that could not be read).
 */
export function copyFromVa(cpu: Cpu, va: number, dst: Uint8Array, dstOff: number, len: number): number {
  const mmu = cpu.mmu, bytes = cpu.bytes, ramBase = cpu.ramBase, ramSize = cpu.ramSize;
  let done = 0;
  // Physically contiguous runs are copied in one go; every page is still translated (and walked on a
  // miss) before its bytes move, and a pending run is copied before any exception is taken, so a fault
  // handler never sees a copy that has not happened yet.
  let runSrc = 0, runDst = 0, runLen = 0;
  while (done < len) {
    const cur = va + done;
    let o: number, span: number;
    mmu.vaIn[0] = cur;
    const ok = mmu.translateIn(ACC_READ, cpu.elNow);
    if (ok && mmu.pa - ramBase >= 0 && mmu.pa - ramBase < ramSize) {
      o = mmu.pa - ramBase;
      span = mmu.spanLeft;
    } else {
      if (runLen > 0) {
        dst.set(bytes.subarray(runSrc, runSrc + runLen), runDst);
        runLen = 0;
      }
      o = cpu.resolve(cur, ACC_READ, ok);
      if (o === -1) break;
      span = mmu.spanLeft;
      if (o < 0) {
        // PCM: this page's bytes come through the device (its cache model), never as part of a run.
        const n = Math.min(len - done, span, 4096 - (cur & 4095));
        cpu.pcmDevice!.read(PCM_OFF - o, dst, dstOff + done, n);
        mmu.clock.now += n * cpu.copyNsPerByte;
        done += n;
        continue;
      }
    }
    const n = Math.min(len - done, span, ramSize - o);
    if (runLen > 0 && o === runSrc + runLen) runLen += n;
    else {
      if (runLen > 0) dst.set(bytes.subarray(runSrc, runSrc + runLen), runDst);
      runSrc = o;
      runDst = dstOff + done;
      runLen = n;
    }
    mmu.clock.now += n * cpu.copyNsPerByte;
    done += n;
  }
  if (runLen > 0) dst.set(bytes.subarray(runSrc, runSrc + runLen), runDst);
  return done;
}

/** Copy `src` to VA `va`. Returns the bytes written (fewer if a fault ended in a signal). */
export function copyToVa(cpu: Cpu, va: number, src: Uint8Array): number {
  const mmu = cpu.mmu, bytes = cpu.bytes, ramBase = cpu.ramBase, ramSize = cpu.ramSize;
  const len = src.length;
  let done = 0;
  // As readInto: contiguous runs move in one copy, flushed before any exception is taken.
  let runDst = 0, runSrc = 0, runLen = 0;
  while (done < len) {
    const cur = va + done;
    let o: number;
    mmu.vaIn[0] = cur;
    const ok = mmu.translateIn(ACC_WRITE, cpu.elNow);
    if (ok && mmu.pa - ramBase >= 0 && mmu.pa - ramBase < ramSize) {
      o = mmu.pa - ramBase;
    } else {
      if (runLen > 0) {
        bytes.set(src.subarray(runSrc, runSrc + runLen), runDst);
        runLen = 0;
      }
      o = cpu.resolve(cur, ACC_WRITE, ok);
      if (o === -1) break;
      if (o < 0) {
        // PCM: the stores go through the device (cached, not durable until flushed and fenced).
        const n = Math.min(len - done, mmu.spanLeft, 4096 - (cur & 4095));
        cpu.pcmDevice!.write(PCM_OFF - o, src, done, n);
        mmu.clock.now += n * cpu.copyNsPerByte;
        done += n;
        continue;
      }
    }
    const n = Math.min(len - done, mmu.spanLeft, ramSize - o);
    if (runLen > 0 && o === runDst + runLen) runLen += n;
    else {
      if (runLen > 0) bytes.set(src.subarray(runSrc, runSrc + runLen), runDst);
      runDst = o;
      runSrc = done;
      runLen = n;
    }
    mmu.clock.now += n * cpu.copyNsPerByte;
    done += n;
  }
  if (runLen > 0) bytes.set(src.subarray(runSrc, runSrc + runLen), runDst);
  return done;
}
