// An interpreter of pjdfstest's command language over a vfsim `Syscalls`: the program the pjdfstest
// conformance suite (github.com/pjd/pjdfstest) drives from its shell scripts takes
//   [-u uid] [-g gid[,gid...]] [-U umask] syscall args... [: syscall args...]
// runs each call in one process and prints '0', the errno's name, or the requested stat fields, and
// stops at the first failure. This module reproduces that behaviour as the Linux build of the program
// has it (no chflags, ACLs, lchmod or birthtime), written from the program's documented interface.

import type { ProcessOptions, Syscalls, Stat, TimeSpec } from '../../vfs/syscalls.js';
import * as C from '../../vfs/constants.js';

/** Where command lines run: a fresh process per line, and the model's clock. */
export interface PjdfstestWorld {
  process(opts: ProcessOptions): Syscalls;
  /** Let `seconds` of virtual time pass (the scripts' `sleep` between timestamp checks). */
  sleep(seconds: number): void;
}

/** What one command line printed, and how the program exited. */
export interface PjdfstestResult {
  stdout: string[];
  stderr: string[];
  exit: number;
}

/** The program gave up on its arguments (usage error): it exits 1 printing only to stderr. */
class Usage extends Error {}

const AT_FDCWD = C.AT_FDCWD;
/** pjdfstest's BADFD: -1 (AT_FDCWD is -100 on Linux). */
const BADFD = -1;

// Argument kinds of the program's syscall table. P is a string the kernel copies in as a path name
// (getname): the program passes the words NULL and DEADCODE as a null and a wild pointer there, which
// the kernel answers with EFAULT before anything else.
const S = 1, N = 2, D = 3, P = 4, OPT = 0x100;
type ArgKind = number;

interface CallDesc { args: ArgKind[] }

/** The Linux build's table: name → argument kinds (strings, numbers, descriptors; OPT marks the optional tail). */
const TABLE: Record<string, CallDesc> = {
  open: { args: [P, S, N | OPT] },
  openat: { args: [D, P, S, N | OPT] },
  create: { args: [P, N] },
  unlink: { args: [P] },
  unlinkat: { args: [D, P, S] },
  mkdir: { args: [P, N] },
  mkdirat: { args: [D, P, N] },
  rmdir: { args: [P] },
  link: { args: [P, P] },
  linkat: { args: [D, P, D, P, S] },
  symlink: { args: [P, P] },
  symlinkat: { args: [P, D, P] },
  rename: { args: [P, P] },
  renameat: { args: [D, P, D, P] },
  mkfifo: { args: [P, N] },
  mkfifoat: { args: [D, P, N] },
  mknod: { args: [P, S, N, N, N] },
  mknodat: { args: [D, P, S, N, N, N] },
  bind: { args: [S] },
  connect: { args: [S] },
  chmod: { args: [P, N] },
  fchmod: { args: [D, N] },
  fchmodat: { args: [D, P, N, S] },
  chown: { args: [P, N, N] },
  fchown: { args: [D, N, N] },
  lchown: { args: [P, N, N] },
  fchownat: { args: [D, P, N, N, S] },
  truncate: { args: [P, N] },
  ftruncate: { args: [D, N] },
  posix_fallocate: { args: [D, N, N] },
  stat: { args: [P, S] },
  fstat: { args: [D, S] },
  lstat: { args: [P, S] },
  fstatat: { args: [D, P, S, S] },
  pathconf: { args: [P, S] },
  fpathconf: { args: [D, S] },
  pread: { args: [D, N, N] },
  pwrite: { args: [D, S, N] },
  write: { args: [D, S] },
  utimensat: { args: [D, S, N, S, N, S, S] },
};

/** The syscalls the Linux build of the program knows (chflags, lchmod, ACLs are FreeBSD's). */
export const PJDFSTEST_SYSCALLS: readonly string[] = Object.keys(TABLE);

const OPEN_FLAGS: Record<string, number> = {
  O_RDONLY: C.O_RDONLY, O_WRONLY: C.O_WRONLY, O_RDWR: C.O_RDWR, O_NONBLOCK: C.O_NONBLOCK,
  O_APPEND: C.O_APPEND, O_CREAT: C.O_CREAT, O_TRUNC: C.O_TRUNC, O_EXCL: C.O_EXCL, O_DIRECT: C.O_DIRECT,
  // glibc defines O_FSYNC as O_SYNC.
  O_FSYNC: C.O_SYNC, O_SYNC: C.O_SYNC, O_NOFOLLOW: C.O_NOFOLLOW, O_NOCTTY: C.O_NOCTTY, O_DIRECTORY: C.O_DIRECTORY,
};

/** strtoll(s, &end, 0) that must consume the whole string (0x hex, 0 octal, decimal, a sign). */
function strtoll(s: string): number | undefined {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\s*$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  const v = /^0[xX]/.test(body) ? parseInt(body.slice(2), 16) : body.length > 1 && body[0] === '0' ? parseInt(body.slice(1), 8) : parseInt(body, 10);
  return m[1] === '-' ? -v : v;
}

/** str2flags: names separated by ',' or '|'; 'none' or '0' is no flag. */
function str2flags(table: Record<string, number>, s: string): number {
  if (s === 'none' || s === '0') return 0;
  let f = 0;
  for (const name of s.split(/[,|]/).filter((x) => x !== '')) {
    const v = table[name];
    if (v === undefined) throw new Usage(`unknown flag '${name}'`);
    f |= v;
  }
  return f;
}

/**
 * Linux's device numbers (glibc makedev/major/minor, the kernel's new_encode_dev): a 12-bit major and a
 * 20-bit minor, the minor's low byte at the bottom. Arithmetic, not bitwise, so 2^31 and up stay positive.
 */
export function makedev(major: number, minor: number): number {
  return (major & 0xfff) * 0x100 + (minor & 0xff) + (minor & 0xfff00) * 0x1000;
}
export const major = (dev: number): number => Math.floor(dev / 0x100) & 0xfff;
export const minor = (dev: number): number => (dev % 0x100) + (Math.floor(dev / 0x1000) & 0xfff00);

/** err2str: the errno's name as the program prints it (ENOTSUP and EOPNOTSUPP share 95; it prints EOPNOTSUPP). */
function errName(e: unknown): string {
  if (e !== null && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    const code = (e as { code: string }).code;
    return code === 'ENOTSUP' ? 'EOPNOTSUPP' : code;
  }
  throw e;
}

function statField(s: Stat, what: string): string {
  switch (what) {
    case 'mode': return '0' + (s.mode & C.ALLPERMS).toString(8);
    case 'inode': return String(s.ino);
    case 'nlink': return String(s.nlink);
    case 'uid': return String(s.uid);
    case 'gid': return String(s.gid);
    case 'size': return String(s.size);
    case 'blocks': return String(s.blocks);
    case 'atime': return String(s.atimeSec);
    case 'atime_ns': return String(s.atimeNsec);
    case 'mtime': return String(s.mtimeSec);
    case 'mtime_ns': return String(s.mtimeNsec);
    case 'ctime': return String(s.ctimeSec);
    case 'ctime_ns': return String(s.ctimeNsec);
    case 'major': return String(major(s.rdev));
    case 'minor': return String(minor(s.rdev));
    case 'type':
      switch (s.mode & C.S_IFMT) {
        case C.S_IFIFO: return 'fifo';
        case C.S_IFCHR: return 'char';
        case C.S_IFDIR: return 'dir';
        case C.S_IFBLK: return 'block';
        case C.S_IFREG: return 'regular';
        case C.S_IFLNK: return 'symlink';
        case C.S_IFSOCK: return 'socket';
        default: return 'unknown';
      }
    // birthtime and flags exist only on the BSDs' build.
    default: return 'unknown';
  }
}

const showStats = (s: Stat, what: string): string => what.split(',').filter((w) => w !== '').map((w) => statField(s, w)).join(',');

/** The sun_path of a sockaddr_un holds 108 bytes; the program copies at most 107 and a NUL. */
const SUN_PATH_MAX = 107;
const utf8 = new TextEncoder();
const truncateBytes = (s: string, n: number): string => {
  const b = utf8.encode(s);
  return b.length <= n ? s : new TextDecoder().decode(b.subarray(0, n));
};

export class PjdfstestInterpreter {
  constructor(private readonly world: PjdfstestWorld) {}

  /** Run one command line (argv without the program name) in `cwd`. */
  run(argv: readonly string[], cwd = '/'): PjdfstestResult {
    const out: PjdfstestResult = { stdout: [], stderr: [], exit: 0 };
    let proc: Syscalls | undefined;
    const descriptors: number[] = [];
    try {
      let i = 0;
      let uid = -1, umask = 0;
      let gids: number[] | undefined;
      // getopt("g:u:U:"): options first, values attached or separate.
      for (; i < argv.length; i++) {
        const a = argv[i]!;
        if (a === '--') { i++; break; }
        const m = /^-([guU])(.*)$/.exec(a);
        if (!m) break;
        const val = m[2] !== '' ? m[2]! : argv[++i];
        if (val === undefined) throw new Usage(`option requires an argument -- '${m[1]}'`);
        if (m[1] === 'g') {
          gids = val.split(',').filter((g) => g !== '').map((g) => {
            const v = strtoll(g);
            if (v === undefined) throw new Usage(`invalid gid '${g}' - number expected`);
            return v;
          });
        } else {
          const v = strtoll(val);
          if (v === undefined) throw new Usage(`invalid ${m[1] === 'u' ? 'uid' : 'umask'} '${val}' - number expected`);
          if (m[1] === 'u') uid = v; else umask = v;
        }
      }
      if (i >= argv.length) throw new Usage('too few arguments');
      const cred = {
        uid: uid === -1 ? 0 : uid,
        gid: gids !== undefined && gids.length > 0 ? gids[0]! : 0,
        // Root's supplementary groups are [0] when the program is started by root without -g.
        groups: gids ?? [0],
      };
      try {
        proc = this.world.process({ cred, umask: umask & 0o777, cwd });
      } catch (e) {
        // The shell could not have been in that directory: report it as the program's failure to start.
        throw new Usage(`cannot start in '${cwd}': ${errName(e)}`);
      }
      for (;;) {
        const name = argv[i++]!;
        const desc = TABLE[name];
        if (desc === undefined) throw new Usage(`syscall '${name}' not supported`);
        let end = i;
        while (end < argv.length && argv[end] !== ':') end++;
        const args = argv.slice(i, end);
        const ok = this.call(proc, name, desc, args, descriptors, out);
        if (!ok) { out.exit = 1; break; }
        if (end >= argv.length) break;
        i = end + 1;
        if (i >= argv.length) break;
      }
    } catch (e) {
      if (!(e instanceof Usage)) throw e;
      out.stderr.push(e.message);
      out.exit = 1;
    } finally {
      // The process exits: its descriptors close.
      const exit = (proc as { exit?: () => void } | undefined)?.exit;
      if (proc && exit) exit.call(proc);
      else if (proc) for (const fd of descriptors) { try { proc.close(fd); } catch { /* closed already */ } }
    }
    return out;
  }

  /** call_syscall: check the arguments, make the call, print. Returns false when the call failed. */
  private call(p: Syscalls, name: string, desc: CallDesc, args: string[], fds: number[], out: PjdfstestResult): boolean {
    // Verify the arguments as the program does: too few / too many / numbers that are not numbers.
    const v: (string | number)[] = [];
    let efault = false;
    for (let k = 0; k < Math.max(desc.args.length, args.length); k++) {
      const kind = desc.args[k];
      const a = args[k];
      if (kind === undefined) throw new Usage(`too many arguments [${a}]`);
      if (a === undefined) {
        if (kind & OPT) break;
        throw new Usage('too few arguments');
      }
      switch (kind & 0xff) {
        case S: v.push(a); break;
        case P:
          if (a === 'NULL' || a === 'DEADCODE') efault = true;
          v.push(a);
          break;
        case N: {
          const n = strtoll(a);
          if (n === undefined) throw new Usage(`invalid argument ${k}, number expected [${a}]`);
          v.push(n);
          break;
        }
        case D: {
          if (a === 'AT_FDCWD') v.push(AT_FDCWD);
          else if (a === 'BADFD') v.push(BADFD);
          else {
            const pos = strtoll(a);
            if (pos === undefined) throw new Usage(`invalid argument ${k}, number expected [${a}]`);
            if (pos < 0 || pos >= fds.length) throw new Usage(`invalid descriptor ${pos}`);
            v.push(fds[pos]!);
          }
          break;
        }
      }
    }
    const str = (k: number): string => v[k] as string;
    const num = (k: number): number => v[k] as number;
    try {
      if (efault) throw Object.assign(new Error('EFAULT'), { code: 'EFAULT' });
      const printed = this.dispatch(p, name, v.length, str, num, fds, out);
      if (!printed) out.stdout.push('0');
      return true;
    } catch (e) {
      if (e instanceof Usage) throw e;
      out.stderr.push(`${name} returned -1`);
      out.stdout.push(errName(e));
      return false;
    }
  }

  /** Make the call; returns true if it printed its own output (stat, pathconf, pread). */
  private dispatch(p: Syscalls, name: string, argc: number, str: (k: number) => string, num: (k: number) => number,
    fds: number[], out: PjdfstestResult): boolean {
    switch (name) {
      case 'open': case 'openat': {
        const at = name === 'openat' ? 1 : 0;
        const flags = str2flags(OPEN_FLAGS, str(at + 1));
        if ((flags & C.O_CREAT) && argc === at + 2) throw new Usage('too few arguments');
        if (!(flags & C.O_CREAT) && argc === at + 3) throw new Usage('too many arguments');
        const mode = flags & C.O_CREAT ? num(at + 2) & 0o7777 : 0;
        const fd = at ? this.at(p, num(0), str(1), (q) => p.open(q, flags, mode)) : p.open(str(0), flags, mode);
        fds.push(fd);
        return false;
      }
      case 'create': {
        const fd = p.open(str(0), C.O_CREAT | C.O_EXCL, num(1) & 0o7777);
        p.close(fd);
        return false;
      }
      case 'unlink': p.unlink(str(0)); return false;
      case 'unlinkat': {
        const f = str2flags({ AT_REMOVEDIR: C.AT_REMOVEDIR }, str(2));
        this.at(p, num(0), str(1), (q) => (f & C.AT_REMOVEDIR ? p.rmdir(q) : p.unlink(q)));
        return false;
      }
      case 'mkdir': p.mkdir(str(0), num(1) & 0o7777); return false;
      case 'mkdirat': this.at(p, num(0), str(1), (q) => p.mkdir(q, num(2) & 0o7777)); return false;
      case 'rmdir': p.rmdir(str(0)); return false;
      case 'link': p.link(str(0), str(1)); return false;
      case 'linkat': {
        const f = str2flags({ AT_SYMLINK_FOLLOW: C.AT_SYMLINK_FOLLOW }, str(4));
        const from = this.at(p, num(0), str(1), (q) => (f & C.AT_SYMLINK_FOLLOW ? p.realpath(q) : this.absolute(p, q)));
        this.at(p, num(2), str(3), (q) => p.link(from, q));
        return false;
      }
      case 'symlink': p.symlink(str(0), str(1)); return false;
      case 'symlinkat': this.at(p, num(1), str(2), (q) => p.symlink(str(0), q)); return false;
      case 'rename': p.rename(str(0), str(1)); return false;
      case 'renameat': {
        const from = this.at(p, num(0), str(1), (q) => this.absolute(p, q));
        this.at(p, num(2), str(3), (q) => p.rename(from, q));
        return false;
      }
      case 'mkfifo': p.mknod(str(0), C.S_IFIFO | (num(1) & 0o7777), 0); return false;
      case 'mkfifoat': this.at(p, num(0), str(1), (q) => p.mknod(q, C.S_IFIFO | (num(2) & 0o7777), 0)); return false;
      case 'mknod': case 'mknodat': {
        const fa = name === 'mknodat' ? 1 : 0;
        const t = str(fa + 1);
        const type = t === 'c' ? C.S_IFCHR : t === 'b' ? C.S_IFBLK : t === 'f' ? C.S_IFIFO : t === 'd' ? C.S_IFDIR : t === 'o' ? C.S_IFREG : -1;
        if (type < 0) throw new Usage('wrong argument 1');
        const mode = type | (num(fa + 2) & 0o7777);
        const dev = makedev(num(fa + 3), num(fa + 4));
        if (fa) this.at(p, num(0), str(1), (q) => p.mknod(q, mode, dev));
        else p.mknod(str(0), mode, dev);
        return false;
      }
      case 'bind': {
        // unix_bind: the socket inode is made like mknod(S_IFSOCK | 0777 & ~umask); an existing name is EADDRINUSE.
        const path = truncateBytes(str(0), SUN_PATH_MAX);
        const mask = p.umask();
        try {
          p.mknod(path, C.S_IFSOCK | (0o777 & ~mask), 0);
        } catch (e) {
          if (errName(e) === 'EEXIST') throw Object.assign(new Error('EADDRINUSE'), { code: 'EADDRINUSE' });
          throw e;
        }
        return false;
      }
      case 'connect': {
        // unix_find_bsd: look the name up, need write permission on it; the binder has exited, so
        // every socket inode refuses (ECONNREFUSED), as does a name that is not a socket.
        const path = truncateBytes(str(0), SUN_PATH_MAX);
        const s = p.stat(path);
        p.access(path, C.W_OK);
        void s;
        throw Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' });
      }
      case 'chmod': p.chmod(str(0), num(1) & 0o7777); return false;
      case 'fchmod': p.fchmod(num(0), num(1) & 0o7777); return false;
      case 'fchmodat': {
        const f = str2flags({ AT_SYMLINK_NOFOLLOW: C.AT_SYMLINK_NOFOLLOW }, str(3));
        this.at(p, num(0), str(1), (q) => {
          // glibc's fchmodat(AT_SYMLINK_NOFOLLOW) refuses symlinks: Linux cannot change a symlink's mode.
          if (f & C.AT_SYMLINK_NOFOLLOW && (p.lstat(q).mode & C.S_IFMT) === C.S_IFLNK) throw Object.assign(new Error('EOPNOTSUPP'), { code: 'EOPNOTSUPP' });
          p.chmod(q, num(2) & 0o7777);
        });
        return false;
      }
      case 'chown': p.chown(str(0), num(1), num(2)); return false;
      case 'fchown': p.fchown(num(0), num(1), num(2)); return false;
      case 'lchown': p.lchown(str(0), num(1), num(2)); return false;
      case 'fchownat': {
        const f = str2flags({ AT_SYMLINK_NOFOLLOW: C.AT_SYMLINK_NOFOLLOW }, str(4));
        this.at(p, num(0), str(1), (q) => (f & C.AT_SYMLINK_NOFOLLOW ? p.lchown(q, num(2), num(3)) : p.chown(q, num(2), num(3))));
        return false;
      }
      case 'truncate': p.truncate(str(0), num(1)); return false;
      case 'ftruncate': p.ftruncate(num(0), num(1)); return false;
      case 'posix_fallocate': p.fallocate(num(0), 0, num(1), num(2)); return false;
      case 'stat': out.stdout.push(showStats(p.stat(str(0)), str(1))); return true;
      case 'lstat': out.stdout.push(showStats(p.lstat(str(0)), str(1))); return true;
      case 'fstat': out.stdout.push(showStats(p.fstat(num(0)), str(1))); return true;
      case 'fstatat': {
        const f = str2flags({ AT_SYMLINK_NOFOLLOW: C.AT_SYMLINK_NOFOLLOW }, str(2));
        const s = this.at(p, num(0), str(1), (q) => (f & C.AT_SYMLINK_NOFOLLOW ? p.lstat(q) : p.stat(q)));
        out.stdout.push(showStats(s, str(3)));
        return true;
      }
      case 'pathconf': case 'fpathconf': {
        const which = str(1);
        if (!['_PC_LINK_MAX', '_PC_NAME_MAX', '_PC_PATH_MAX', '_PC_SYMLINK_MAX'].includes(which)) throw new Usage(`unknown name ${which}`);
        // glibc answers from statfs: f_namelen for NAME_MAX, PATH_MAX 4096, LINK_MAX 127 for a filesystem
        // it has no table entry for (tmpfs), SYMLINK_MAX unlimited (-1 without errno).
        let namelen: number;
        if (name === 'pathconf') namelen = p.statfs(str(0)).namelen;
        else { p.fstat(num(0)); namelen = C.NAME_MAX; }
        const val = which === '_PC_NAME_MAX' ? namelen : which === '_PC_PATH_MAX' ? C.PATH_MAX : which === '_PC_LINK_MAX' ? 127 : -1;
        out.stdout.push(val === -1 ? 'unlimited' : String(val));
        return true;
      }
      case 'pread': {
        const count = Math.min(num(1), 1024);
        const buf = new Uint8Array(1024);
        let got = 0;
        for (;;) {
          const r = p.read(num(0), buf, got, count - got, num(2) + got);
          got += r;
          if (r === 0) break;
        }
        let end = buf.indexOf(0);
        if (end < 0) end = buf.length;
        out.stdout.push(new TextDecoder().decode(buf.subarray(0, end)));
        return true;
      }
      case 'pwrite': { const b = utf8.encode(str(1)); p.write(num(0), b, 0, b.length, num(2)); return false; }
      case 'write': { const b = utf8.encode(str(1)); p.write(num(0), b, 0, b.length, null); return false; }
      case 'utimensat': {
        const ts = (sec: number, ns: string): TimeSpec => ({
          sec, nsec: ns === 'UTIME_NOW' ? C.UTIME_NOW : ns === 'UTIME_OMIT' ? C.UTIME_OMIT : parseInt(ns, 10) || 0,
        });
        const fl = str(6) === 'AT_SYMLINK_NOFOLLOW' ? C.AT_SYMLINK_NOFOLLOW : parseInt(str(6), 10) || 0;
        // utimensat(2): a null path names the descriptor itself; with AT_FDCWD, or a wild pointer, EFAULT.
        if (str(1) === 'DEADCODE' || (str(1) === 'NULL' && num(0) === AT_FDCWD)) throw Object.assign(new Error('EFAULT'), { code: 'EFAULT' });
        if (str(1) === 'NULL') { p.futimens(num(0), ts(num(2), str(3)), ts(num(4), str(5))); return false; }
        this.at(p, num(0), str(1), (q) => p.utimensat(q, ts(num(2), str(3)), ts(num(4), str(5)), fl));
        return false;
      }
    }
    throw new Usage(`syscall '${name}' not supported`);
  }

  /** A path relative to the process's cwd made absolute (for *at calls that need two lookups). */
  private absolute(p: Syscalls, q: string): string {
    if (q.startsWith('/')) return q;
    const cwd = p.getcwd();
    return (cwd === '/' ? '' : cwd) + '/' + q;
  }

  /**
   * An *at call: an absolute path or AT_FDCWD needs nothing; otherwise the path is resolved from the
   * directory descriptor (EBADF if it is not open, ENOTDIR if it is not a directory), which the
   * `Syscalls` surface expresses as fchdir there and back.
   */
  private at<T>(p: Syscalls, dfd: number, q: string, fn: (q: string) => T): T {
    if (q.startsWith('/') || dfd === AT_FDCWD) return fn(q);
    const back = p.getcwd();
    p.fchdir(dfd);
    try {
      return fn(q);
    } finally {
      p.chdir(back);
    }
  }
}
