// The workloads of `vfsim bench fs`, run on one subject: metadata (create, stat, readSmall, readdir,
// rename, unlink, deepPath) over a tree of small files, and data (seqWrite, seqRead, randRead, randWrite)
// over one big file. Wall time (performance.now) is what is measured: the simulator's own speed.

import { Prng } from '../src/sim/prng.js';
import { threadCpuMs } from './cpu-clock.js';
import type { FsSubject } from './fs-subject.js';
import { WORKLOADS, type FsBenchSizes, type Workload } from './fs-sizes.js';

const MiB = 1024 * 1024;
const now = (): number => performance.now();

/** One repetition: how much work finished (ops, or MiB for the seq workloads) of how much was planned. */
interface Rep {
  work: number;
  planned: number;
  ms: number;
  truncated: boolean;
}

/** The result of one workload on one subject. */
export interface Measured {
  /** Median rate over the measured repetitions, per second of wall time. */
  rate: number;
  /** The same per second of CPU time of the benchmark thread (cpu-clock.ts): robust on a busy machine. */
  cpuRate: number;
  /** Measured repetitions (warm-up excluded). */
  reps: number;
  /** Set when the time budget cut a repetition short: the rate is over `done` of `of`. */
  truncated?: { done: number; of: number };
}

export interface SubjectRun {
  subject: string;
  what: string;
  results: Partial<Record<Workload, Measured>>;
  errors: Partial<Record<Workload, string>>;
  /** process.memoryUsage().rss after seqWrite (with the big file in place), after a full GC. */
  rssMiB: number | null;
  /** The same before any workload ran: the Node process and the subject's empty filesystem. */
  rssBaselineMiB: number;
  /**
   * CPU time of the benchmark thread over wall time, across every measured interval. Near 1 on an idle
   * machine; well below 1 means other processes took the CPU and the wall rates are low by about that
   * factor (cpuRate is not).
   */
  cpuShare: number;
}

/** A tree of small files: file i lives at `${base}/d${dirOf[i]}/f${i}`; `count` of them exist. */
interface Tree {
  base: string;
  count: number;
  dirOf: Uint16Array;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function rssMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  return process.memoryUsage().rss / MiB;
}

/** Runs every workload on `s`, in WORKLOADS order (each depends on the state the previous ones left). */
export class FsWorkloads {
  private readonly trees: Tree[] = [];
  private readonly small: Uint8Array;
  private readonly chunk: Uint8Array;
  private readonly io: Uint8Array;
  private readonly readBuf: Uint8Array;
  private readonly offsets: Float64Array;
  private readonly big: string;
  private deep = '';
  private rss: number | null = null;
  private cpuMs = 0;
  private wallMs = 0;
  /** The clocks at the start of the timed part of a repetition, and its CPU time at the end. */
  private w0 = 0;
  private c0 = 0;
  private repCpuMs = 0;

  /** Start the timed part of a repetition (after its untimed setup). */
  private begin(): void {
    this.c0 = threadCpuMs();
    this.w0 = now();
  }

  /** End it: returns the wall milliseconds and keeps the CPU milliseconds for `measure`. */
  private end(): number {
    const ms = now() - this.w0;
    this.repCpuMs = threadCpuMs() - this.c0;
    return ms;
  }

  constructor(
    private readonly s: FsSubject,
    private readonly z: FsBenchSizes,
    seed: number,
  ) {
    this.small = pattern(z.fileBytes, 1);
    this.chunk = pattern(z.chunkBytes, 2);
    this.io = pattern(z.ioBytes, 3);
    this.readBuf = new Uint8Array(Math.max(z.chunkBytes, z.ioBytes, 4 * z.fileBytes));
    this.big = `${s.root}/big`;
    // The same aligned offsets for every subject (seeded): ioBytes-aligned, within dataBytes.
    const prng = new Prng(seed);
    const slots = Math.floor(z.dataBytes / z.ioBytes);
    this.offsets = new Float64Array(z.randOps);
    for (let i = 0; i < z.randOps; i++) this.offsets[i] = prng.below(slots) * z.ioBytes;
  }

  /** Runs all workloads; `onStep` is called after each one (the progress bar). */
  runAll(onStep: (w: Workload) => void): SubjectRun {
    const run: SubjectRun = {
      subject: this.s.name,
      what: this.s.what,
      results: {},
      errors: {},
      rssMiB: null,
      rssBaselineMiB: rssMiB(),
      cpuShare: 0,
    };
    for (const w of WORKLOADS) {
      try {
        run.results[w] = this.workload(w);
      } catch (e) {
        run.errors[w] = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
      onStep(w);
    }
    run.rssMiB = this.rss;
    run.cpuShare = this.cpuMs / Math.max(this.wallMs, 1e-3);
    return run;
  }

  private workload(w: Workload): Measured {
    switch (w) {
      case 'create':
        return this.measure(this.z.warmup + this.z.reps, (i, dl) => this.create(i, dl));
      case 'stat':
        return this.measureTree0((t, paths, dl) => this.passes(t.count, dl, (n) => this.statPass(paths, n)));
      case 'readSmall':
        return this.measureTree0((t, paths, dl) => this.passes(t.count, dl, (n) => this.readSmallPass(paths, n)));
      case 'readdir':
        return this.measureTree0((t, _p, dl) => {
          const dirPaths: string[] = [];
          for (let d = 0; d < this.z.dirs; d++) dirPaths.push(`${t.base}/d${d}`);
          return this.passes(this.z.readdirCalls, dl, (n) => this.readdirPass(t, dirPaths, n));
        });
      case 'rename':
        return this.measure(this.z.warmup + this.z.reps, (_i, dl) => this.rename(this.tree0(), dl));
      case 'unlink':
        // One repetition per tree that create left (the first one, unmeasured, when there are several).
        return this.measure(this.trees.length, (i, dl) => this.unlink(this.trees[this.trees.length - 1 - i]!, dl));
      case 'seqWrite': {
        const m = this.measure(this.z.warmup + this.z.reps, (_i, dl) => this.seqWrite(dl));
        this.rss = rssMiB();
        return m;
      }
      case 'seqRead':
        return this.measure(this.z.warmup + this.z.reps, (_i, dl) => this.passes(this.z.dataBytes / MiB, dl, (n) => this.seqReadPass(n)));
      case 'randRead':
        return this.measure(this.z.warmup + this.z.reps, (_i, dl) => this.randIo(false, dl));
      case 'randWrite':
        return this.measure(this.z.warmup + this.z.reps, (_i, dl) => this.randIo(true, dl));
      case 'deepPath':
        this.makeDeep();
        return this.measure(this.z.warmup + this.z.reps, (_i, dl) => this.passes(this.z.deepOps, dl, (n) => this.deepPass(n)));
    }
  }

  /**
   * Warm-up, then measured repetitions, each with a deadline of `budgetMs`; stops after `reps` measured
   * ones, once the workload has used its budget (with one measured), or at the first cut-off repetition.
   * A cut-off warm-up is kept as the measurement: a second one would only double the time spent.
   */
  private measure(maxReps: number, rep: (i: number, deadline: number) => Rep): Measured {
    if (maxReps < 1) throw new Error('no state to run on (an earlier workload failed)');
    const rates: number[] = [];
    const cpuRates: number[] = [];
    const t0 = now();
    let truncated: Measured['truncated'];
    for (let i = 0; i < maxReps; i++) {
      const r = rep(i, now() + this.z.budgetMs);
      const warm = i < this.z.warmup && !r.truncated && maxReps > 1;
      if (!warm) {
        rates.push((r.work / Math.max(r.ms, 1e-3)) * 1000);
        cpuRates.push((r.work / Math.max(this.repCpuMs, 1e-3)) * 1000);
        this.wallMs += r.ms;
        this.cpuMs += this.repCpuMs;
      }
      if (r.truncated) {
        truncated = { done: r.work, of: r.planned };
        break;
      }
      if (rates.length >= this.z.reps) break;
      if (rates.length >= 1 && now() - t0 >= this.z.budgetMs) break;
    }
    const m: Measured = { rate: median(rates), cpuRate: median(cpuRates), reps: rates.length };
    if (truncated) m.truncated = truncated;
    return m;
  }

  private tree0(): Tree {
    const t = this.trees[0];
    if (!t) throw new Error('no tree to run on (create failed)');
    return t;
  }

  /** Non-destructive metadata workloads on the first tree, with its paths built outside the timing. */
  private measureTree0(rep: (t: Tree, paths: string[], deadline: number) => Rep): Measured {
    const t = this.tree0();
    const paths = pathsOf(t);
    return this.measure(this.z.warmup + this.z.reps, (_i, dl) => rep(t, paths, dl));
  }

  /**
   * Repeats a pass of `per` operations until minRepMs has passed; `pass(n)` does n operations unless the
   * deadline stops it, and returns how many it did.
   */
  private passes(per: number, deadline: number, pass: (n: number) => number): Rep {
    this.passDeadline = deadline;
    let work = 0;
    let planned = 0;
    this.begin();
    for (;;) {
      planned += per;
      const done = pass(per);
      work += done;
      if (done < per) return { work, planned, ms: this.end(), truncated: true };
      if (now() - this.w0 >= this.z.minRepMs) return { work, planned, ms: this.end(), truncated: false };
    }
  }
  private passDeadline = 0;

  // ---- metadata ----

  private create(i: number, deadline: number): Rep {
    const { files, dirs } = this.z;
    const base = `${this.s.root}/t${i}`;
    this.s.mkdir(base);
    for (let d = 0; d < dirs; d++) this.s.mkdir(`${base}/d${d}`);
    const tree: Tree = { base, count: 0, dirOf: new Uint16Array(files) };
    for (let f = 0; f < files; f++) tree.dirOf[f] = f % dirs;
    const paths = pathsOf({ ...tree, count: files });
    this.trees.push(tree);
    const s = this.s;
    const data = this.small;
    this.begin();
    let n = 0;
    for (; n < files; n++) {
      if ((n & 15) === 15 && now() > deadline) break;
      s.createFile(paths[n]!, data);
    }
    const ms = this.end();
    tree.count = n;
    return { work: n, planned: files, ms, truncated: n < files };
  }

  private statPass(paths: string[], n: number): number {
    const s = this.s;
    const dl = this.passDeadline;
    let sum = 0;
    let i = 0;
    for (; i < n; i++) {
      if ((i & 15) === 15 && now() > dl) break;
      sum += s.stat(paths[i]!);
    }
    this.check(sum === i * this.z.fileBytes, 'stat', `sizes sum ${sum}, expected ${i * this.z.fileBytes}`);
    return i;
  }

  private readSmallPass(paths: string[], n: number): number {
    const s = this.s;
    const buf = this.readBuf;
    const dl = this.passDeadline;
    let sum = 0;
    let i = 0;
    for (; i < n; i++) {
      if ((i & 15) === 15 && now() > dl) break;
      sum += s.readSmall(paths[i]!, buf);
    }
    this.check(sum === i * this.z.fileBytes, 'readSmall', `read ${sum} bytes, expected ${i * this.z.fileBytes}`);
    return i;
  }

  private readdirPass(t: Tree, dirPaths: string[], n: number): number {
    const s = this.s;
    const dl = this.passDeadline;
    const dirs = dirPaths.length;
    let sum = 0;
    let i = 0;
    for (; i < n; i++) {
      if ((i & 15) === 15 && now() > dl) break;
      sum += s.readdir(dirPaths[i % dirs]!);
    }
    this.check(i === 0 || sum > 0 || t.count === 0, 'readdir', 'every directory read back empty');
    return i;
  }

  /** Moves every file of the tree into the next directory (d_j → d_{j+1 mod dirs}). */
  private rename(t: Tree, deadline: number): Rep {
    const dirs = this.z.dirs;
    const from = pathsOf(t);
    const to: string[] = new Array(t.count);
    for (let i = 0; i < t.count; i++) to[i] = `${t.base}/d${(t.dirOf[i]! + 1) % dirs}/f${i}`;
    const s = this.s;
    this.begin();
    let i = 0;
    for (; i < t.count; i++) {
      if ((i & 15) === 15 && now() > deadline) break;
      s.rename(from[i]!, to[i]!);
    }
    const ms = this.end();
    for (let j = 0; j < i; j++) t.dirOf[j] = (t.dirOf[j]! + 1) % dirs;
    return { work: i, planned: t.count, ms, truncated: i < t.count };
  }

  private unlink(t: Tree, deadline: number): Rep {
    const paths = pathsOf(t);
    const s = this.s;
    this.begin();
    let i = 0;
    for (; i < t.count; i++) {
      if ((i & 15) === 15 && now() > deadline) break;
      s.unlink(paths[i]!);
    }
    return { work: i, planned: t.count, ms: this.end(), truncated: i < t.count };
  }

  /** A path of deepComponents components below the root: deepComponents-1 directories and a file. */
  private makeDeep(): void {
    if (this.deep) return;
    let p = `${this.s.root}`;
    for (let i = 1; i < this.z.deepComponents; i++) {
      p += `/p${i}`;
      this.s.mkdir(p);
    }
    p += '/f';
    this.s.createFile(p, this.small);
    this.deep = p;
  }

  private deepPass(n: number): number {
    const s = this.s;
    const p = this.deep;
    const dl = this.passDeadline;
    let sum = 0;
    let i = 0;
    for (; i < n; i++) {
      if ((i & 15) === 15 && now() > dl) break;
      sum += s.stat(p);
    }
    this.check(sum === i * this.z.fileBytes, 'deepPath', `sizes sum ${sum}`);
    return i;
  }

  // ---- data ----

  /**
   * Writes the big file from scratch (O_TRUNC) in chunks through one descriptor. A cut-off repetition
   * finishes the file untimed, so that the read workloads find all of it.
   */
  private seqWrite(deadline: number): Rep {
    const s = this.s;
    const chunk = this.chunk;
    const len = this.z.chunkBytes;
    const chunks = this.z.dataBytes / len;
    this.begin();
    const fd = s.open(this.big, 'w');
    let i = 0;
    for (; i < chunks; i++) {
      if (i > 0 && now() > deadline) break;
      const n = s.write(fd, chunk, 0, len, null);
      this.check(n === len, 'seqWrite', `short write ${n}`);
    }
    const ms = this.end();
    for (let j = i; j < chunks; j++) s.write(fd, chunk, 0, len, null);
    s.close(fd);
    return { work: (i * len) / MiB, planned: this.z.dataBytes / MiB, ms, truncated: i < chunks };
  }

  /** Reads n MiB of the big file from its start in chunks through one descriptor; returns MiB read. */
  private seqReadPass(nMiB: number): number {
    const s = this.s;
    const buf = this.readBuf;
    const len = this.z.chunkBytes;
    const want = nMiB * MiB;
    const dl = this.passDeadline;
    const fd = s.open(this.big, 'r');
    let got = 0;
    let sum = 0;
    while (got < want) {
      if (got > 0 && now() > dl) break;
      const n = s.read(fd, buf, 0, len, null);
      if (n <= 0) break;
      got += n;
      sum += buf[n - 1]!;
    }
    s.close(fd);
    this.check(got === want || now() > dl, 'seqRead', `read ${got} of ${want} bytes`);
    this.check(got === 0 || sum > 0, 'seqRead', 'read back only zeros');
    return got / MiB;
  }

  /**
   * randOps preads (or pwrites) of ioBytes at the seeded aligned offsets, through one descriptor. The
   * deadline is looked at every 64 operations here (every 16 elsewhere): these are the fastest calls,
   * compared with a limit loop that has no clock reads at all.
   */
  private randIo(write: boolean, deadline: number): Rep {
    const s = this.s;
    const io = write ? this.io : this.readBuf;
    const len = this.z.ioBytes;
    const offs = this.offsets;
    const ops = offs.length;
    const fd = s.open(this.big, write ? 'r+' : 'r');
    let work = 0;
    let planned = 0;
    let bytes = 0;
    let truncated = false;
    this.begin();
    do {
      planned += ops;
      let i = 0;
      if (write) {
        for (; i < ops; i++) {
          if ((i & 63) === 63 && now() > deadline) break;
          bytes += s.write(fd, io, 0, len, offs[i]!);
        }
      } else {
        for (; i < ops; i++) {
          if ((i & 63) === 63 && now() > deadline) break;
          bytes += s.read(fd, io, 0, len, offs[i]!);
        }
      }
      work += i;
      if (i < ops) truncated = true;
    } while (!truncated && now() - this.w0 < this.z.minRepMs);
    const ms = this.end();
    s.close(fd);
    this.check(bytes === work * len, write ? 'randWrite' : 'randRead', `moved ${bytes} bytes for ${work} ops`);
    return { work, planned, ms, truncated };
  }

  private check(ok: boolean, w: string, why: string): void {
    if (!ok) throw new Error(`${this.s.name} ${w}: ${why}`);
  }
}

function pathsOf(t: Tree): string[] {
  const out: string[] = new Array(t.count);
  for (let i = 0; i < t.count; i++) out[i] = `${t.base}/d${t.dirOf[i]}/f${i}`;
  return out;
}

/** Non-zero, position-dependent bytes (zero pages could be shared or skipped by a clever store). */
function pattern(len: number, salt: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 31 + salt * 7 + (i >>> 12)) & 0xff || 1;
  return b;
}
