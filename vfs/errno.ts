// The POSIX layers' errno and FsError. Defined once in src/sim/errno.ts, the bottom layer, so that the
// machine (RAM, devices, MMU) reports errors in the same shape without importing upward.
export * from '../src/sim/errno.js';
