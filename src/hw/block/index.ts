// The block device (virtio-blk over a drive with a volatile write cache) and its crash machinery.

export { BlockDevice, REQ_FUA } from './block-device.js';
export type { BlockIo, BlockDeviceOptions, BlockCounter, BlockPowerFailChoice } from './block-device.js';
export { BlockCrashStates, BlockCrashReplayer } from './crash.js';
export type { WriteAtomicity, MediaSectorSink } from './crash.js';
export { BlockTrace, BlockEvent, TRACE_FORCED, TRACE_THROUGH } from './trace.js';
export { BlockFaults } from './faults.js';
