// The sizes of `vfsim bench fs`: the full run issue 3 specifies, the --quick run `npm start` uses, and
// the names and units of the workloads (in the order they run and are printed).

export const WORKLOADS = [
  'create',
  'stat',
  'readSmall',
  'readdir',
  'rename',
  'unlink',
  'seqWrite',
  'seqRead',
  'randRead',
  'randWrite',
  'deepPath',
] as const;
export type Workload = (typeof WORKLOADS)[number];

export type Unit = 'ops/s' | 'MiB/s';
export const UNIT: Record<Workload, Unit> = {
  create: 'ops/s',
  stat: 'ops/s',
  readSmall: 'ops/s',
  readdir: 'ops/s',
  rename: 'ops/s',
  unlink: 'ops/s',
  seqWrite: 'MiB/s',
  seqRead: 'MiB/s',
  randRead: 'ops/s',
  randWrite: 'ops/s',
  deepPath: 'ops/s',
};

/**
 * Which limit a data workload is compared with in the table (metadata workloads have none): seqRead
 * with the read shape of the stream (fs-limits.ts); issue 3's targets use memcpyMiBs for both.
 */
export const LIMIT_OF: Partial<Record<Workload, 'memcpyMiBs' | 'memcpyReadMiBs' | 'randCopyOpsPerSec'>> = {
  seqWrite: 'memcpyMiBs',
  seqRead: 'memcpyReadMiBs',
  randRead: 'randCopyOpsPerSec',
  randWrite: 'randCopyOpsPerSec',
};

export interface FsBenchSizes {
  /** Small files created (and then stat'ed, read, renamed, unlinked), `fileBytes` each. */
  files: number;
  fileBytes: number;
  /** Directories they are spread over (file i lives in directory i mod dirs). */
  dirs: number;
  /** readdir calls per pass (cycling over the directories). */
  readdirCalls: number;
  /** The big file of the data workloads, written and read in `chunkBytes` pieces through one descriptor. */
  dataBytes: number;
  chunkBytes: number;
  /** Random preads/pwrites of `ioBytes` at `ioBytes`-aligned offsets of the big file. */
  randOps: number;
  ioBytes: number;
  /** Components of the deepPath path (directories plus the final file name) and stats per pass. */
  deepComponents: number;
  deepOps: number;
  /** Measured repetitions (the median is reported) after `warmup` unmeasured ones. */
  reps: number;
  warmup: number;
  /** A non-destructive repetition repeats its pass until it has run this long (steadier rates). */
  minRepMs: number;
  /** Wall-time budget of one subject on one workload; a repetition is cut off at it (footnoted). */
  budgetMs: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** Issue 3's sizes: 10,000 × 1 KiB files in 100 dirs, 256 MiB, 100,000 × 4 KiB, a 32-component path. */
export const FULL_SIZES: FsBenchSizes = {
  files: 10_000,
  fileBytes: KiB,
  dirs: 100,
  readdirCalls: 1_000,
  dataBytes: 256 * MiB,
  chunkBytes: MiB,
  randOps: 100_000,
  ioBytes: 4 * KiB,
  deepComponents: 32,
  deepOps: 100_000,
  reps: 3,
  warmup: 1,
  minRepMs: 50,
  budgetMs: 2_000,
};

/** `--quick`: the same shapes, smaller (100 entries per directory still), for `npm start` in seconds. */
export const QUICK_SIZES: FsBenchSizes = {
  ...FULL_SIZES,
  files: 2_000,
  dirs: 20,
  readdirCalls: 200,
  dataBytes: 32 * MiB,
  randOps: 20_000,
  deepOps: 20_000,
  // 40 ms: ten scheduler ticks, so the CPU-time rates (bench/cpu-clock.ts) are within about 10%.
  minRepMs: 40,
  budgetMs: 400,
};
