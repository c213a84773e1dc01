// A small driver for our own pjdfstest-style conformance tests: command lines in pjdfstest's language
// run through `vfsim pjdfstest`'s interpreter on a fresh ramfs, checked the way the suite's `expect`
// does it (the last line printed must match the expected pattern in full).

import type { Test } from 'tap';
import { PjdfstestInterpreter, type PjdfstestWorld } from '../../src/testing/pjdfstest.js';
import { ramfsWorld } from '../../src/cli/pjdfstest.js';

export class Driver {
  private world: PjdfstestWorld;
  private interp: PjdfstestInterpreter;
  /** The directory command lines run in (the scripts `cd` into a fresh directory first). */
  cwd = '/';

  constructor() {
    this.world = ramfsWorld();
    this.interp = new PjdfstestInterpreter(this.world);
  }

  /** Run one command line (words separated by spaces); returns the last line printed. */
  run(cmd: string): string {
    const r = this.interp.run(cmd.split(' ').filter((w) => w !== ''), this.cwd);
    return r.stdout[r.stdout.length - 1] ?? '';
  }

  /** Run one command line given as argv; returns the last line printed. */
  runArgv(argv: string[]): string {
    const r = this.interp.run(argv, this.cwd);
    return r.stdout[r.stdout.length - 1] ?? '';
  }

  sleep(s: number): void {
    this.world.sleep(s);
  }

  /** `expect want cmd`: the last line must match `want` (a regular expression, anchored). */
  expect(t: Test, want: string, cmd: string): void {
    const got = this.run(cmd);
    t.match(got, new RegExp(`^(?:${want})$`), `${cmd} → ${want}`);
  }

  /** Several `expect`s: pairs of [want, command]. */
  script(t: Test, lines: [string, string][]): void {
    for (const [want, cmd] of lines) this.expect(t, want, cmd);
  }
}

/** The file types the scripts' create_file makes, and the command that makes each. */
export const CREATE: Record<string, (n: string) => string> = {
  regular: (n) => `create ${n} 0644`,
  dir: (n) => `mkdir ${n} 0755`,
  fifo: (n) => `mkfifo ${n} 0644`,
  block: (n) => `mknod ${n} b 0644 1 2`,
  char: (n) => `mknod ${n} c 0644 1 2`,
  socket: (n) => `bind ${n}`,
  symlink: (n) => `symlink test ${n}`,
};

export const remove = (type: string, n: string): string => (type === 'dir' ? `rmdir ${n}` : `unlink ${n}`);
