// Boot-only costs the machine's profile does not hold: the guest→host exits of device probing and the
// VMM's copy of the kernel into guest RAM. Derived from the machine profile (its clock and copy rate) so
// that a user's profile carries through; each figure has its source beside it.

import type { CostProfile } from '../sim/profile.js';

export interface BootCosts {
  /**
   * One MMIO access that exits to the host (a virtio-mmio register read or write). Dall et al., "ARM
   * Virtualization: Performance and Architectural Implications", ISCA 2016, Table 3, KVM ARM
   * "I/O Latency Out": 6,024 cycles.
   */
  mmioExitNs: number;
  /**
   * MMIO register accesses to bring up one virtio-mmio device with one virtqueue, counted from the
   * virtio 1.1 spec §3.1.1 (driver initialisation) and §4.2.2 (MMIO registers): MagicValue, Version,
   * DeviceID (3); reset, ACKNOWLEDGE, DRIVER (3); DeviceFeaturesSel+DeviceFeatures ×2 (4);
   * DriverFeaturesSel+DriverFeatures ×2 (4); FEATURES_OK and re-read Status (2); QueueSel, QueueNumMax,
   * QueueNum, six queue address halves, QueueReady (10); two config-space words (capacity) (2);
   * DRIVER_OK (1).
   */
  virtioProbeAccesses: number;
  /** The VMM copying the kernel file into guest RAM (host memcpy, host page cache warm): per byte. */
  vmmCopyNsPerByte: number;
  /** Largest request the loader issues when it reads the image from the boot disk (`loader: 'disk'`). */
  diskLoadRequestBytes: number;
}

export function bootCosts(p: CostProfile, override: Partial<BootCosts> = {}): BootCosts {
  return {
    mmioExitNs: 6024 * p.cpu.cycleNs,
    virtioProbeAccesses: 3 + 3 + 4 + 4 + 2 + 10 + 2 + 1,
    // The host's copy runs at the same single-core copy bandwidth as the guest's (the profile's figure).
    vmmCopyNsPerByte: p.cpu.memcpyNsPerByte,
    // Assumption of the model (no measured figure): the loader reads the image in 1 MiB requests.
    diskLoadRequestBytes: 1 << 20,
    ...override,
  };
}
