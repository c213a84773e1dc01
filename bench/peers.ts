// The peers vfsim is measured against: memfs (Volume via createFsFromVolume), ZenFS (@zenfs/core 2.x,
// the InMemory backend mounted at '/', default configuration) and Linux tmpfs through node:fs. The two
// libraries are dev dependencies, loaded with a dynamic import so that a missing one is reported, not fatal.

import * as nodeFs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NodeShapedSubject, SubjectUnavailable, type FsSubject, type NodeFsLike } from './fs-subject.js';

const require = createRequire(import.meta.url);

/** The installed version of a package, or undefined (for the table's subject line). */
function versionOf(pkg: string): string | undefined {
  try {
    // Walk up from the resolved entry: a package's `exports` may not list its package.json.
    let dir = dirname(require.resolve(pkg));
    for (;;) {
      const p = join(dir, 'package.json');
      if (nodeFs.existsSync(p)) {
        const j = JSON.parse(nodeFs.readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (j.name === pkg) return j.version;
      }
      const up = dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
  } catch {
    return undefined;
  }
}

async function importPeer(pkg: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pkg)) as Record<string, unknown>;
  } catch (e) {
    throw new SubjectUnavailable(`${pkg} not installed (${e instanceof Error ? e.message.split('\n')[0] : e})`);
  }
}

export async function loadMemfs(): Promise<FsSubject> {
  const m = await importPeer('memfs');
  const Volume = m['Volume'] as new () => unknown;
  const createFsFromVolume = m['createFsFromVolume'] as (v: unknown) => NodeFsLike;
  const fs = createFsFromVolume(new Volume());
  return new NodeShapedSubject('memfs', `memfs ${versionOf('memfs') ?? '?'} (Volume)`, fs, '');
}

export async function loadZenfs(): Promise<FsSubject> {
  const z = await importPeer('@zenfs/core');
  const configure = z['configure'] as (c: unknown) => Promise<void>;
  // A fresh InMemory store at '/' (the default mount is created at import time; replace it so the run
  // starts empty). Defaults otherwise: access checks on, as a user gets them out of the box.
  await configure({ mounts: { '/': z['InMemory'] } });
  const fs = z['fs'] as NodeFsLike;
  return new NodeShapedSubject('zenfs', `@zenfs/core ${versionOf('@zenfs/core') ?? '?'} (InMemory at /, default configuration)`, fs, '');
}

/**
 * node:fs in a fresh directory on tmpfs (/dev/shm, Linux's shared-memory tmpfs) or, where there is none,
 * the OS temp directory (then it is whatever filesystem that is, and `what` says so).
 */
export async function loadTmpfs(): Promise<FsSubject> {
  let parent = '/dev/shm';
  try {
    nodeFs.accessSync(parent, nodeFs.constants.W_OK);
  } catch {
    parent = tmpdir();
  }
  const root = nodeFs.mkdtempSync(join(parent, 'vfsim-bench-'));
  const remove = (): void => nodeFs.rmSync(root, { recursive: true, force: true });
  // A child killed by a signal would leave the directory behind; remove it on the way out.
  process.once('SIGINT', () => {
    remove();
    process.exit(130);
  });
  process.once('SIGTERM', () => {
    remove();
    process.exit(143);
  });
  const kind = parent === '/dev/shm' ? 'tmpfs' : `${parent} (no /dev/shm)`;
  return new NodeShapedSubject('tmpfs', `node:fs ${process.version} on ${kind} at ${root}`, nodeFs as unknown as NodeFsLike, root, remove);
}
