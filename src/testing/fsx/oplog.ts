// fsx operation records and xfstests' `.fsxops` replay format (ltp/fsx.c read_op(); described in
// shared/data/fsx/README.md): `[skip] NAME OFF LEN SIZE [keep_size] [close_open] [unshare] [*]`, four
// numbers for the range-to-range ops, `#` comments. Numbers are strtoul(s, 0): hex with 0x, decimal.
//
// vfsim extension: a line whose first token is `#vfsim` carries an op xfstests' fsx does not have, in
// the same syntax after that token. xfstests' parser skips it as a comment (its first token starts with
// `#`), so a log vfsim writes still replays there; vfsim replays it as an op. One such op exists:
// `#vfsim pressure 0x0 FRAMES SIZE` — a memory-pressure event asking reclaim to free FRAMES frames
// (Shrinker.shrink(FRAMES)), in the place of an op number as it ran.

import { fsErr } from '../../sim/errno.js';

/** fsx's op names, in its enum order. */
export const FSX_OPS = [
  'read', 'read_dontcache', 'write', 'write_dontcache', 'write_atomic', 'mapread', 'mapwrite', 'truncate',
  'fallocate', 'punch_hole', 'zero_range', 'collapse_range', 'insert_range', 'clone_range', 'dedupe_range',
  'copy_range', 'exchange_range', 'fsync',
] as const;
/** Ops only vfsim has, written behind `#vfsim` (see the header). */
export const VFSIM_OPS = ['pressure'] as const;
export type FsxOpName = (typeof FSX_OPS)[number] | (typeof VFSIM_OPS)[number];
/** Every op name, by a small number (fsx's enum order, then vfsim's): the op log stores these. */
export const FSX_OP_NAMES: readonly FsxOpName[] = [...FSX_OPS, ...VFSIM_OPS];

/** Op name → its number in FSX_OP_NAMES. */
export const FSX_OP_CODE: ReadonlyMap<string, number> = new Map(FSX_OP_NAMES.map((n, i) => [n, i]));

/** The first token of a vfsim extension line. */
export const VFSIM_MARK = '#vfsim';

const FOUR = new Set(['clone_range', 'dedupe_range', 'copy_range', 'exchange_range']);

export interface FsxOp {
  op: FsxOpName;
  /** Offset (for truncate and pressure: 0). */
  off: number;
  /** Length (for truncate: the new size; for pressure: the frames reclaim is asked to free). */
  len: number;
  /** Destination offset of the range-to-range ops. */
  dst: number;
  keepSize: boolean;
  closeOpen: boolean;
  /** Logged but not run (`skip`). */
  skip: boolean;
}

/** Parse an `.fsxops` text; EINVAL (with the line number in `path`) for a line fsx would reject. */
export function parseFsxOps(text: string): FsxOp[] {
  const out: FsxOp[] = [];
  const lines = text.split('\n');
  for (let ln = 0; ln < lines.length; ln++) {
    const tok = lines[ln]!.trim().split(/[ \t]+/).filter((t) => t !== '');
    if (tok.length === 0) continue;
    let i = 0;
    const ext = tok[0] === VFSIM_MARK;
    if (ext) i++;
    else if (tok[0]!.startsWith('#')) continue;
    const skip = tok[i] === 'skip';
    if (skip) i++;
    const name = tok[i++];
    const known = ext ? (VFSIM_OPS as readonly string[]) : (FSX_OPS as readonly string[]);
    if (name === undefined || !known.includes(name)) throw fsErr('EINVAL', 'fsxops', `line ${ln + 1}: unknown op ${name}`);
    const nnum = FOUR.has(name) ? 4 : name === 'fsync' ? 0 : 3;
    const nums: number[] = [];
    for (let k = 0; k < nnum; k++) {
      const t = tok[i++];
      const v = t === undefined ? NaN : Number(t);
      if (!Number.isSafeInteger(v) || v < 0) throw fsErr('EINVAL', 'fsxops', `line ${ln + 1}: bad number ${t}`);
      nums.push(v);
    }
    const op: FsxOp = { op: name as FsxOpName, off: nums[0] ?? 0, len: nums[1] ?? 0, dst: nnum === 4 ? nums[2]! : 0, keepSize: false, closeOpen: false, skip };
    for (; i < tok.length; i++) {
      const t = tok[i]!;
      if (t === 'keep_size') op.keepSize = true;
      else if (t === 'close_open') op.closeOpen = true;
      else if (t === 'unshare' || t === '*') continue;
      else throw fsErr('EINVAL', 'fsxops', `line ${ln + 1}: unexpected ${t}`);
    }
    out.push(op);
  }
  return out;
}

/** One op as an `.fsxops` line (the recorded size last, as fsx writes it; vfsim's ops behind `#vfsim`). */
export function formatFsxOp(o: FsxOp, sizeBefore: number): string {
  const h = (n: number): string => '0x' + n.toString(16);
  const nums = FOUR.has(o.op) ? [o.off, o.len, o.dst, sizeBefore] : o.op === 'fsync' ? [] : [o.off, o.len, sizeBefore];
  const ext = (VFSIM_OPS as readonly string[]).includes(o.op) ? VFSIM_MARK + ' ' : '';
  return `${ext}${o.skip ? 'skip ' : ''}${o.op}${nums.map((n) => ' ' + h(n)).join('')}${o.keepSize ? ' keep_size' : ''}${o.closeOpen ? ' close_open' : ''}`;
}

const F_KEEP = 1, F_CLOSE = 2, F_SKIP = 4;

/**
 * Every op of a run, in typed arrays that double as they fill (about 30 bytes an op, nothing allocated
 * per op): fsx keeps a log of its last ops for the failure dump; vfsim keeps all of them, so the replay
 * file of a failure starts from the empty file and reproduces the run exactly — memory pressure included.
 */
export class FsxOpLog {
  private code = new Uint8Array(1024);
  private flags = new Uint8Array(1024);
  private off = new Float64Array(1024);
  private len = new Float64Array(1024);
  private size = new Float64Array(1024);
  /** dst of the range-to-range ops (rare: replay only), by op number. */
  private readonly dst = new Map<number, number>();
  length = 0;

  /** Record op `o`, run on a file of `sizeBefore` bytes. */
  push(o: FsxOp, sizeBefore: number): void {
    const i = this.length;
    if (i === this.code.length) this.grow();
    this.code[i] = FSX_OP_CODE.get(o.op)!;
    this.flags[i] = (o.keepSize ? F_KEEP : 0) | (o.closeOpen ? F_CLOSE : 0) | (o.skip ? F_SKIP : 0);
    this.off[i] = o.off;
    this.len[i] = o.len;
    this.size[i] = sizeBefore;
    if (o.dst !== 0) this.dst.set(i, o.dst);
    this.length = i + 1;
  }

  /** Op `i` (from 0) as a record. */
  op(i: number): FsxOp {
    const fl = this.flags[i]!;
    return {
      op: FSX_OP_NAMES[this.code[i]!]!, off: this.off[i]!, len: this.len[i]!, dst: this.dst.get(i) ?? 0,
      keepSize: (fl & F_KEEP) !== 0, closeOpen: (fl & F_CLOSE) !== 0, skip: (fl & F_SKIP) !== 0,
    };
  }

  /** The file size op `i` ran on. */
  sizeBefore(i: number): number {
    return this.size[i]!;
  }

  /** Op `i` as an `.fsxops` line. */
  line(i: number): string {
    return formatFsxOp(this.op(i), this.size[i]!);
  }

  /** Ops 1..`count` as an `.fsxops` text, one line each (the replay of the run so far). */
  text(count = this.length): string {
    const lines: string[] = [];
    for (let i = 0; i < count; i++) lines.push(this.line(i));
    return lines.join('\n') + '\n';
  }

  private grow(): void {
    const n = this.code.length * 2;
    const u8 = (a: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> => { const b = new Uint8Array(n); b.set(a); return b; };
    const f64 = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => { const b = new Float64Array(n); b.set(a); return b; };
    this.code = u8(this.code);
    this.flags = u8(this.flags);
    this.off = f64(this.off);
    this.len = f64(this.len);
    this.size = f64(this.size);
  }
}
