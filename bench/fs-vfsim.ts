// vfsim as a subject of `vfsim bench fs`, two ways: through createFs() (the node:fs face users switch
// to from memfs) and through the VFS's own syscall surface (Syscalls, no Node-shaped layer on top).

import { NodeShapedSubject, SubjectUnavailable, type FsSubject, type NodeFsLike } from './fs-subject.js';

async function importOwn(spec: string): Promise<Record<string, unknown>> {
  try {
    return (await import(spec)) as Record<string, unknown>;
  } catch (e) {
    throw new SubjectUnavailable(`not built (${e instanceof Error ? e.message.split('\n')[0] : e})`);
  }
}

export async function loadVfsim(): Promise<FsSubject> {
  const m = await importOwn('../src/node-fs/index.js');
  const createFs = m['createFs'] as (() => NodeFsLike) | undefined;
  if (!createFs) throw new SubjectUnavailable('src/node-fs has no createFs yet');
  return new NodeShapedSubject('vfsim', 'vfsim createFs() over ramfs', createFs(), '');
}

export async function loadVfsimVfs(): Promise<FsSubject> {
  throw new SubjectUnavailable('the Vfs class (vfs/) and RamFs (fs-ram/) are not in the tree yet');
}
