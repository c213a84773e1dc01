// The contract between a persistent-memory filesystem (pcmfs) and its device: byte-addressable loads and
// stores at device offsets, bulk and non-temporal copies, the cache clean to the point of persistence
// (DC CVAP, FEAT_DPB, Arm ARM "Data cache maintenance instructions") and the barrier that completes it (DSB).

/**
 * What a persistent-memory filesystem needs of its device (pcmfs), at device offsets: loads, stores,
 * bulk copies, DC CVAP and DSB. PcmDevice implements it; a user's own device model can too.
 */
export interface PersistentMemory {
  readonly size: number;
  load8(off: number): number;
  load16(off: number): number;
  load32(off: number): number;
  load64(off: number): number;
  load64Big(off: number): bigint;
  store8(off: number, v: number): void;
  store16(off: number, v: number): void;
  store32(off: number, v: number): void;
  store64(off: number, v: number): void;
  store64Big(off: number, v: bigint): void;
  read(off: number, dst: Uint8Array, dstOff?: number, len?: number): void;
  write(off: number, src: Uint8Array, srcOff?: number, len?: number): void;
  ntWrite(off: number, src: Uint8Array, srcOff?: number, len?: number): void;
  ntStore64(off: number, v: number): void;
  flush(off: number): void;
  flushRange(off: number, len: number): void;
  fence(): void;
}
