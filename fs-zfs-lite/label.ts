// Vdev labels and the uberblock ring (ZFS On-Disk Specification §1: four labels, L0 and L1 at the front
// of the device and L2 and L3 at the back, so that a damaged region at either end leaves two). Each
// label here is a config block plus a ring of UB_SLOTS uberblocks; txg t goes to slot t mod UB_SLOTS
// of every label. Config blocks and uberblocks carry their own Fletcher-4 (zio_eck_t); import takes
// the newest uberblock, over all labels, whose checksum verifies and whose pool guid matches.

import { fsErr } from '../vfs/errno.js';
import type { Vdev } from './vdev.js';
import {
  BLOCK, BP_SIZE, ECK_OFF, LABEL_MAGIC, UB_MAGIC, UB_SLOTS, VERSION, labelBlocks, rd32, rd64, wr32, wr64,
} from './layout.js';

export interface LabelConfig {
  guid: number;
  blocks: number;
  name: string;
}

export interface Uberblock {
  txg: number;
  guid: number;
  timestamp: number;
  /** Pointer to the objset block. */
  rootbp: Uint8Array;
}

const UB_TXG = 8, UB_GUID = 16, UB_TIME = 24, UB_BP = 64;

function seal(b: Uint8Array, vdev: Vdev): void {
  const ck = new Uint32Array(8);
  vdev.checksum(b, 0, ck, 0, ECK_OFF);
  for (let i = 0; i < 8; i++) wr32(b, ECK_OFF + 4 * i, ck[i]!);
}

function verify(b: Uint8Array, vdev: Vdev): boolean {
  const ck = new Uint32Array(8);
  vdev.checksum(b, 0, ck, 0, ECK_OFF);
  for (let i = 0; i < 8; i++) if (ck[i] !== rd32(b, ECK_OFF + 4 * i)) return false;
  return true;
}

/** Write the four label config blocks (pool creation). */
export function writeLabels(vdev: Vdev, cfg: LabelConfig): void {
  const b = new Uint8Array(BLOCK);
  wr32(b, 0, LABEL_MAGIC);
  wr32(b, 4, VERSION);
  wr64(b, 8, cfg.guid);
  wr32(b, 16, cfg.blocks);
  const name = new TextEncoder().encode(cfg.name).subarray(0, 255);
  b[20] = name.length;
  b.set(name, 21);
  seal(b, vdev);
  for (const l of labelBlocks(vdev.blocks)) vdev.writeRaw(l, b);
}

/** Read the labels: the config of the verified ones (they must agree), or EIO if none verifies. */
export function readLabels(vdev: Vdev): LabelConfig {
  const b = new Uint8Array(BLOCK);
  let found: LabelConfig | null = null;
  for (const l of labelBlocks(vdev.blocks)) {
    try {
      vdev.readRaw(l, b);
    } catch {
      continue;
    }
    if (rd32(b, 0) !== LABEL_MAGIC || !verify(b, vdev)) continue;
    if (rd32(b, 4) !== VERSION) throw fsErr('EINVAL', 'vdev_label_read'); // a version we do not speak
    const blocks = rd32(b, 16);
    if (blocks !== vdev.blocks) continue; // a label of another device size: not this pool's
    const n = b[20]!;
    let name = '';
    try {
      name = new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(21, 21 + n));
    } catch {
      continue;
    }
    const cfg = { guid: rd64(b, 8), blocks, name };
    if (found === null) found = cfg;
    else if (found.guid !== cfg.guid) throw fsErr('EINVAL', 'vdev_label_read'); // labels of two pools
  }
  if (found === null) throw fsErr('EIO', 'vdev_label_read');
  return found;
}

/** Write uberblock `ub` to its ring slot in all four labels (vdev_uberblock_sync). */
export function writeUberblock(vdev: Vdev, ub: Uberblock): void {
  const b = new Uint8Array(BLOCK);
  wr32(b, 0, UB_MAGIC);
  wr32(b, 4, VERSION);
  wr64(b, UB_TXG, ub.txg);
  wr64(b, UB_GUID, ub.guid);
  wr64(b, UB_TIME, ub.timestamp);
  b.set(ub.rootbp, UB_BP);
  seal(b, vdev);
  const slot = 1 + (ub.txg % UB_SLOTS);
  for (const l of labelBlocks(vdev.blocks)) vdev.writeRaw(l + slot, b);
}

/**
 * Every verified uberblock of the pool `guid`, newest first (vdev_uberblock_load reads all the rings).
 */
export function readUberblocks(vdev: Vdev, guid: number): Uberblock[] {
  const b = new Uint8Array(BLOCK);
  const out: Uberblock[] = [];
  const seen = new Set<number>();
  for (const l of labelBlocks(vdev.blocks)) {
    for (let s = 1; s <= UB_SLOTS; s++) {
      try {
        vdev.readRaw(l + s, b);
      } catch {
        continue;
      }
      if (rd32(b, 0) !== UB_MAGIC || !verify(b, vdev)) continue;
      const txg = rd64(b, UB_TXG);
      if (rd64(b, UB_GUID) !== guid || !(txg >= 1 && txg < 2 ** 32) || 1 + (txg % UB_SLOTS) !== s || seen.has(txg)) continue;
      seen.add(txg);
      out.push({ txg, guid, timestamp: rd64(b, UB_TIME), rootbp: b.slice(UB_BP, UB_BP + BP_SIZE) });
    }
  }
  out.sort((a, b2) => b2.txg - a.txg);
  return out;
}
