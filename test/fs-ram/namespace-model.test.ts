// Model-based test of ramfs' namespace: random sequences of create/mkdir/symlink/link/unlink/rmdir/rename
// (flags 0, RENAME_NOREPLACE, RENAME_EXCHANGE) run against RamFs and against a small reference tree.
// Every result (success or errno, in Linux's order of checks: fs/namei.c do_renameat2 and vfs_rename,
// rename(2), unlink(2), rmdir(2), link(2)) and the whole tree after each step must agree, and the
// link-count and size rules must hold (directories: nlink = 2 + subdirectories; tmpfs dir size 40 + 20n).

import t from 'tap';
import fc from 'fast-check';
import { createRamFs, BOGO_DIRENT_SIZE } from '../../fs-ram/index.js';
import type { RamFs } from '../../fs-ram/index.js';
import type { Ino } from '../../vfs/backend.js';
import { S_IFREG, S_IFDIR, S_IFLNK, S_IFMT, RENAME_NOREPLACE, RENAME_EXCHANGE } from '../../vfs/constants.js';
import { isFsError } from '../../vfs/errno.js';

type Kind = 'f' | 'd' | 'l';
interface MNode {
  kind: Kind;
  ino: Ino;
  children: Map<string, MNode> | null;
  parent: MNode | null;
}

const NAMES = ['a', 'b', 'c', '__proto__'];
const T = { uid: 0, gid: 0, rdev: 0, timeSec: 1, timeNsec: 0 };

type Op =
  | { k: 'create' | 'mkdir' | 'symlink' | 'unlink' | 'rmdir'; d: number; n: number }
  | { k: 'link'; f: number; d: number; n: number }
  | { k: 'rename'; d1: number; n1: number; d2: number; n2: number; flags: number };

const ix = fc.nat(50);
const nm = fc.nat(NAMES.length - 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constantFrom('create' as const, 'mkdir' as const, 'symlink' as const, 'unlink' as const, 'rmdir' as const), d: ix, n: nm }),
  fc.record({ k: fc.constant('link' as const), f: ix, d: ix, n: nm }),
  fc.record({ k: fc.constant('rename' as const), d1: ix, n1: nm, d2: ix, n2: nm, flags: fc.constantFrom(0, 0, RENAME_NOREPLACE, RENAME_EXCHANGE) }),
  fc.record({ k: fc.constant('rename' as const), d1: ix, n1: nm, d2: ix, n2: nm, flags: fc.constantFrom(0, 0, RENAME_NOREPLACE, RENAME_EXCHANGE) }),
);

/** Directories and non-directories of the model, in a deterministic (depth-first, insertion) order. */
function walk(root: MNode): { dirs: MNode[]; others: MNode[] } {
  const dirs: MNode[] = [];
  const others: MNode[] = [];
  const seen = new Set<MNode>();
  const go = (d: MNode): void => {
    dirs.push(d);
    for (const c of d.children!.values()) {
      if (c.kind === 'd') go(c);
      else if (!seen.has(c)) {
        seen.add(c);
        others.push(c);
      }
    }
  };
  go(root);
  return { dirs, others };
}

const isAncestor = (a: MNode, b: MNode): boolean => {
  for (let x: MNode | null = b; x; x = x.parent) if (x === a) return true;
  return false;
};

/** The model's answer: an errno code, or null and the change applied. */
function modelRename(s: MNode, sn: string, d: MNode, dn: string, flags: number): string | null {
  const src = s.children!.get(sn);
  if (!src) return 'ENOENT';
  const dst = d.children!.get(dn);
  if (flags === RENAME_EXCHANGE && !dst) return 'ENOENT';
  if (flags === RENAME_NOREPLACE && dst) return 'EEXIST';
  if (s !== d) {
    if (src.kind === 'd' && isAncestor(src, d)) return 'EINVAL';
    if (dst && dst.kind === 'd' && isAncestor(dst, s)) return flags === RENAME_EXCHANGE ? 'EINVAL' : 'ENOTEMPTY';
  }
  if (dst === src) return null;
  if (flags === RENAME_EXCHANGE) {
    s.children!.set(sn, dst!);
    d.children!.set(dn, src);
    if (src.kind === 'd') src.parent = d;
    if (dst!.kind === 'd') dst!.parent = s;
    return null;
  }
  if (dst) {
    if (src.kind === 'd' && dst.kind !== 'd') return 'ENOTDIR';
    if (src.kind !== 'd' && dst.kind === 'd') return 'EISDIR';
    if (dst.kind === 'd' && dst.children!.size > 0) return 'ENOTEMPTY';
  }
  s.children!.delete(sn);
  d.children!.set(dn, src);
  if (src.kind === 'd') src.parent = d;
  return null;
}

function call(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (!isFsError(e)) throw e;
    return e.code;
  }
}

/** Compare the backend's tree with the model's and check the counting rules. Throws on a difference. */
function check(fs: RamFs, root: MNode, step: number): void {
  const refs = new Map<MNode, number>();
  const go = (m: MNode, path: string): void => {
    const ents = fs.readdir(m.ino);
    const names = [...m.children!.keys()];
    const got = ents.map((e) => e.name);
    if (JSON.stringify(got.slice().sort()) !== JSON.stringify(names.slice().sort())) {
      throw new Error(`step ${step}: ${path} lists ${got}, model ${names}`);
    }
    let subdirs = 0;
    for (const e of ents) {
      const c = m.children!.get(e.name)!;
      if (e.ino !== c.ino) throw new Error(`step ${step}: ${path}/${e.name} is ino ${e.ino}, model ${c.ino}`);
      const a = fs.getattr(e.ino);
      const want = c.kind === 'd' ? S_IFDIR : c.kind === 'l' ? S_IFLNK : S_IFREG;
      if ((a.mode & S_IFMT) !== want) throw new Error(`step ${step}: ${path}/${e.name} has the wrong type`);
      if (c.kind === 'd') {
        subdirs++;
        if (c.parent !== m) throw new Error(`step ${step}: model parent broken`);
        go(c, `${path}/${e.name}`);
      } else refs.set(c, (refs.get(c) ?? 0) + 1);
    }
    const a = fs.getattr(m.ino);
    if (a.nlink !== 2 + subdirs) throw new Error(`step ${step}: ${path} nlink ${a.nlink}, expected ${2 + subdirs}`);
    if (a.size !== BOGO_DIRENT_SIZE * (2 + ents.length)) throw new Error(`step ${step}: ${path} size ${a.size}`);
  };
  go(root, '');
  for (const [c, n] of refs) {
    if (fs.getattr(c.ino).nlink !== n) throw new Error(`step ${step}: ino ${c.ino} nlink ${fs.getattr(c.ino).nlink}, names ${n}`);
  }
}

function run(ops: Op[]): void {
  const fs = createRamFs({ ramBytes: 1 << 20 });
  const root: MNode = { kind: 'd', ino: fs.rootIno, children: new Map(), parent: null };
  const live = new Set<Ino>([fs.rootIno]);
  ops.forEach((op, step) => {
    const { dirs, others } = walk(root);
    let want: string | null;
    let got: string | null;
    switch (op.k) {
      case 'create':
      case 'mkdir':
      case 'symlink': {
        const d = dirs[op.d % dirs.length]!;
        const name = NAMES[op.n]!;
        want = d.children!.has(name) ? 'EEXIST' : null;
        let ino = -1;
        got = call(() => {
          if (op.k === 'create') ino = fs.create(d.ino, name, { ...T, mode: S_IFREG | 0o644 });
          else if (op.k === 'mkdir') ino = fs.mkdir(d.ino, name, { ...T, mode: S_IFDIR | 0o755 });
          else ino = fs.symlink(d.ino, name, 'target', { ...T, mode: S_IFLNK | 0o777 });
        });
        if (want === null && got === null) {
          const kind: Kind = op.k === 'create' ? 'f' : op.k === 'mkdir' ? 'd' : 'l';
          d.children!.set(name, { kind, ino, children: kind === 'd' ? new Map() : null, parent: kind === 'd' ? d : null });
          live.add(ino);
        }
        break;
      }
      case 'link': {
        if (others.length === 0) return;
        const f = others[op.f % others.length]!;
        const d = dirs[op.d % dirs.length]!;
        const name = NAMES[op.n]!;
        want = d.children!.has(name) ? 'EEXIST' : null;
        got = call(() => fs.link(d.ino, name, f.ino));
        if (want === null && got === null) d.children!.set(name, f);
        break;
      }
      case 'unlink':
      case 'rmdir': {
        const d = dirs[op.d % dirs.length]!;
        const name = NAMES[op.n]!;
        const c = d.children!.get(name);
        if (op.k === 'unlink') want = !c ? 'ENOENT' : c.kind === 'd' ? 'EISDIR' : null;
        else want = !c ? 'ENOENT' : c.kind !== 'd' ? 'ENOTDIR' : c.children!.size > 0 ? 'ENOTEMPTY' : null;
        got = call(() => (op.k === 'unlink' ? fs.unlink(d.ino, name) : fs.rmdir(d.ino, name)));
        if (want === null && got === null) d.children!.delete(name);
        break;
      }
      case 'rename': {
        const s = dirs[op.d1 % dirs.length]!;
        const d = dirs[op.d2 % dirs.length]!;
        want = modelRename(s, NAMES[op.n1]!, d, NAMES[op.n2]!, op.flags);
        got = call(() => fs.rename(s.ino, NAMES[op.n1]!, d.ino, NAMES[op.n2]!, op.flags));
        break;
      }
    }
    if (want !== got) throw new Error(`step ${step} ${JSON.stringify(op)}: ramfs ${got ?? 'ok'}, model ${want ?? 'ok'}`);
    check(fs, root, step);
    const problems = fs.fsck();
    if (problems.length > 0) throw new Error(`step ${step}: fsck: ${problems.join('; ')}`);
    // Act as the VFS does with no descriptors open: a node with no names left is made inactive.
    const reachable = new Set<Ino>();
    const { dirs: d2, others: o2 } = walk(root);
    for (const n of [...d2, ...o2]) reachable.add(n.ino);
    for (const ino of live) {
      if (!reachable.has(ino)) {
        if (fs.getattr(ino).nlink !== 0) throw new Error(`step ${step}: unreachable ino ${ino} still has links`);
        fs.inactive(ino);
        live.delete(ino);
      }
    }
    if (fs.inodeCount !== live.size) throw new Error(`step ${step}: ${fs.inodeCount} inodes, model ${live.size}`);
  });
}

t.test('property: namespace operations agree with a reference tree, errno by errno (seeded)', async (t) => {
  fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 80, size: 'large' }), (ops) => run(ops)), { seed: 11, numRuns: 400 });
  t.pass('400 sequences agreed');
});

t.test('regression: exchanging a directory with a file in its parent, then removing both', async (t) => {
  run([
    { k: 'mkdir', d: 0, n: 0 },
    { k: 'mkdir', d: 1, n: 1 },
    { k: 'create', d: 0, n: 2 },
    { k: 'rename', d1: 1, n1: 1, d2: 0, n2: 2, flags: RENAME_EXCHANGE },
    { k: 'rename', d1: 0, n1: 0, d2: 1, n2: 3, flags: 0 },
    { k: 'unlink', d: 1, n: 1 },
    { k: 'rmdir', d: 0, n: 2 },
  ]);
  t.pass('ran without a disagreement');
});
