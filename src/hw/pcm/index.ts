// The PCM device and its crash machinery, for `vfsim` and `vfsim/hw`.

export { PcmDevice, PCM_DEFAULT_BASE } from './pcm.js';
export type { PcmOptions, PcmCounter, PowerFailChoice, PersistentMemory } from './pcm.js';
export { CpuCache } from './cache.js';
export type { CpuCacheOptions } from './cache.js';
export { PcmCrashStates, PcmCrashReplayer } from './crash.js';
export type { MediaWordSink } from './crash.js';
export { PcmTrace, PcmEvent } from './trace.js';
export { PcmWear, XPLINE_BYTES, summarize as summarizeWear } from './wear.js';
export type { WearReport, WearSummary } from './wear.js';
export { SubsetCursor, ALL_SUBSETS_DEFAULT_MAX } from './subsets.js';
export type { SubsetMode } from './subsets.js';
