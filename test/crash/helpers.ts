// What the crash tests share: running a set of workloads and collecting every violation as a line (a
// test asserts the list is empty, so a failure prints each one), and a crash target whose images the test
// chooses (ramfs trees after a given number of calls), to check the oracle's own verdicts.

import type { Test } from 'tap';
import { runWorkload, type CrashSession, type CrashTarget, type RunOptions, type Workload } from '../../src/testing/crash/index.js';
import { WorkloadExecutor } from '../../src/testing/crash/workload.js';
import { createRamFs } from '../../fs-ram/index.js';
import { Vfs } from '../../vfs/vfs.js';
import type { Backend } from '../../vfs/backend.js';

export interface Explored {
  /** Crash states checked over all the workloads. */
  states: number;
  /** Every violation, one line each: workload, kind, call, detail. */
  bad: string[];
}

/** Run each workload on `target` (options per workload, e.g. maxViolations) and gather the results. */
export function explore(target: CrashTarget, workloads: Iterable<Workload>, opts?: RunOptions): Explored {
  let states = 0;
  const bad: string[] = [];
  for (const wl of workloads) {
    const r = runWorkload(target, wl, opts);
    states += r.crashStates;
    for (const v of r.violations) bad.push(`${v.workload} ${v.kind} ${v.callText}: ${v.detail}`);
  }
  return { states, bad };
}

/** explore(), then the two checks every such test makes: at least `minStates` states, no violation. */
export function exploreClean(t: Test, target: CrashTarget, workloads: Iterable<Workload>, minStates: number, opts?: RunOptions): Explored {
  const e = explore(target, workloads, opts);
  t.ok(e.states >= minStates, `${e.states} crash states checked`);
  t.same(e.bad, []);
  return e;
}

/** ramfs after running calls [0, n) of `wl`. */
export function stateAfter(wl: Workload, n: number): Backend {
  const fs = createRamFs({ ramBytes: 1 << 20 });
  const ex = new WorkloadExecutor(new Vfs({ root: fs }).root);
  for (let i = 0; i < n; i++) ex.run(wl.calls[i]!);
  return fs;
}

/**
 * A target whose crash images are given by `image(call, returned)`: one crash point before each call
 * returns and one after, as the runner's marks; `durability` as CrashTarget's (default synchronous).
 */
export function fakeTarget(name: string, image: (call: number, returned: boolean) => Backend, durability?: 'fsync'): CrashTarget {
  const at = (m: number): Backend => image(m >> 1, (m & 1) === 1);
  return {
    name, durability,
    open(): CrashSession {
      const marks: number[] = [];
      return {
        backend: createRamFs({ ramBytes: 1 << 20 }),
        record() {}, stop() {},
        mark(tag) { marks.push(tag); },
        explore(visit) {
          for (const m of marks) if (visit({ call: m >> 1, returned: (m & 1) === 1, where: { mark: m } }, () => at(m)) === false) return;
        },
        mountAt(where) { return at(where.mark as number); },
        fsck() { return []; },
      };
    },
  };
}
