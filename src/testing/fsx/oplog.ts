// fsx operation records and xfstests' `.fsxops` replay format (ltp/fsx.c read_op(); described in
// shared/data/fsx/README.md): `[skip] NAME OFF LEN SIZE [keep_size] [close_open] [unshare] [*]`, four
// numbers for the range-to-range ops, `#` comments. Numbers are strtoul(s, 0): hex with 0x, decimal.

import { fsErr } from '../../sim/errno.js';

/** fsx's op names, in its enum order. */
export const FSX_OPS = [
  'read', 'read_dontcache', 'write', 'write_dontcache', 'write_atomic', 'mapread', 'mapwrite', 'truncate',
  'fallocate', 'punch_hole', 'zero_range', 'collapse_range', 'insert_range', 'clone_range', 'dedupe_range',
  'copy_range', 'exchange_range', 'fsync',
] as const;
export type FsxOpName = (typeof FSX_OPS)[number] | 'pressure';

const FOUR = new Set(['clone_range', 'dedupe_range', 'copy_range', 'exchange_range']);

export interface FsxOp {
  op: FsxOpName;
  /** Offset (for truncate: 0). */
  off: number;
  /** Length (for truncate: the new size). */
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
    if (tok.length === 0 || tok[0]!.startsWith('#')) continue;
    let i = 0;
    const skip = tok[0] === 'skip';
    if (skip) i++;
    const name = tok[i++];
    if (name === undefined || !(FSX_OPS as readonly string[]).includes(name)) throw fsErr('EINVAL', 'fsxops', `line ${ln + 1}: unknown op ${name}`);
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

/** One op as an `.fsxops` line (the recorded size last, as fsx writes it). */
export function formatFsxOp(o: FsxOp, sizeBefore: number): string {
  const h = (n: number): string => '0x' + n.toString(16);
  if (o.op === 'pressure') return `# pressure (memory-pressure event: reclaim)`;
  const nums = FOUR.has(o.op) ? [o.off, o.len, o.dst, sizeBefore] : [o.off, o.len, sizeBefore];
  return `${o.skip ? 'skip ' : ''}${o.op} ${nums.map(h).join(' ')}${o.keepSize ? ' keep_size' : ''}${o.closeOpen ? ' close_open' : ''}`;
}
