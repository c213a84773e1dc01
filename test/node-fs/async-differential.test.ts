// The callback and promise forms, differentially: the same calls through fs.<name>(..., cb) and
// fs.promises.<name>(...) on node:fs (/dev/shm) and on createFs(); every outcome — values, and errors
// down to code, errno, syscall, path, dest, message — must agree (Node fs callback and promises API).

import t from 'tap';
import * as realFs from 'node:fs';
import { createFs } from '../../src/node-fs/index.js';
import { describe } from './oracle.js';

type AnyFs = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Call = [name: string, args: (R: string) => unknown[]];

const calls: Call[] = [
  ['mkdir', (R) => [`${R}/d`]],
  ['mkdir', (R) => [`${R}/d`]],
  ['mkdir', (R) => [`${R}/a/b`, { recursive: true }]],
  ['writeFile', (R) => [`${R}/f`, 'hello']],
  ['appendFile', (R) => [`${R}/f`, ' world']],
  ['readFile', (R) => [`${R}/f`, 'utf8']],
  ['readFile', (R) => [`${R}/nope`]],
  ['readFile', (R) => [`${R}/d`]],
  ['stat', (R) => [`${R}/f`]],
  ['lstat', (R) => [`${R}/nope`]],
  ['access', (R) => [`${R}/nope`]],
  ['copyFile', (R) => [`${R}/f`, `${R}/g`]],
  ['copyFile', (R) => [`${R}/nope`, `${R}/g`]],
  ['rename', (R) => [`${R}/g`, `${R}/d/g`]],
  ['rename', (R) => [`${R}/nope`, `${R}/d/g`]],
  ['link', (R) => [`${R}/f`, `${R}/d/g`]],
  ['symlink', (R) => ['f', `${R}/l`]],
  ['readlink', (R) => [`${R}/l`]],
  ['readlink', (R) => [`${R}/f`]],
  ['realpath', (R) => [`${R}/l`]],
  ['realpath', (R) => [`${R}/nope/x`]],
  ['readdir', (R) => [R]],
  ['readdir', (R) => [`${R}/nope`]],
  ['chmod', (R) => [`${R}/f`, 0o600]],
  ['chown', (R) => [`${R}/nope`, 1, 1]],
  ['utimes', (R) => [`${R}/f`, 100, 200]],
  ['lutimes', (R) => [`${R}/l`, 100, 200]],
  ['truncate', (R) => [`${R}/f`, 3]],
  ['truncate', (R) => [`${R}/nope`, 3]],
  ['unlink', (R) => [`${R}/d`]],
  ['rmdir', (R) => [`${R}/d`]],
  ['rm', (R) => [`${R}/d`]],
  ['rm', (R) => [`${R}/d`, { recursive: true }]],
  ['rm', (R) => [`${R}/nope`, { force: true }]],
  ['cp', (R) => [`${R}/a`, `${R}/a/b/c`, { recursive: true }]],
  ['cp', (R) => [`${R}/a`, `${R}/c`, { recursive: true }]],
  ['mkdtemp', (R) => [`${R}/nope/t-`]],
  ['statfs', (R) => [`${R}/nope`]],
  ['opendir', (R) => [`${R}/nope`]],
  ['readdir', (R) => [R, { withFileTypes: true }]],
];

/** One call through the callback form: (err, ...values) becomes {err} or {ok: values}. */
function viaCallback(fs: AnyFs, name: string, args: unknown[]): Promise<unknown> {
  return new Promise((res) => {
    fs[name](...args, (err: unknown, ...vals: unknown[]) => res(err ? { err: describe(err) } : { ok: describe(vals) }));
  });
}

async function viaPromise(fs: AnyFs, name: string, args: unknown[]): Promise<unknown> {
  try {
    const v = await fs.promises[name](...args);
    return { ok: describe([v]) };
  } catch (e) {
    return { err: describe(e) };
  }
}

async function run(fs: AnyFs, R: string, form: 'callback' | 'promise'): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [name, args] of calls) {
    out.push(await (form === 'callback' ? viaCallback(fs, name, args(R)) : viaPromise(fs, name, args(R))));
  }
  return out;
}

for (const form of ['callback', 'promise'] as const) {
  t.test(`${form} forms agree with node:fs, call by call`, async (t) => {
    const R = `/dev/shm/vfsim-async-${process.pid}-${form}`;
    realFs.rmSync(R, { recursive: true, force: true });
    realFs.mkdirSync(R);
    const ours = createFs(undefined, { ramBytes: 16 << 20 });
    ours.mkdirSync(R, { recursive: true });
    try {
      const node = await run(realFs, R, form);
      const mine = await run(ours, R, form);
      t.equal(mine.length, node.length);
      // mkdtemp's names are random on Linux and seeded here: compare them as a pattern.
      const norm = (v: unknown) => JSON.parse(JSON.stringify(v).replace(/t-[A-Za-z0-9]{6}/g, 't-??????')) as unknown;
      for (let i = 0; i < node.length; i++) t.same(norm(mine[i]), norm(node[i]), `${calls[i]![0]} #${i}`);
      const tmp = calls.findIndex(([n]) => n === 'mkdtemp');
      t.notMatch(JSON.stringify(mine[tmp]), /XXXXXX/, 'the async error names the directory it tried, as Node does');
    } finally {
      realFs.rmSync(R, { recursive: true, force: true });
    }
  });
}

t.test('FileHandle agrees with node:fs FileHandle (fs/promises FileHandle)', async (t) => {
  const R = `/dev/shm/vfsim-fh-${process.pid}`;
  realFs.rmSync(R, { recursive: true, force: true });
  realFs.mkdirSync(R);
  const ours = createFs(undefined, { ramBytes: 16 << 20 });
  ours.mkdirSync(R, { recursive: true });
  const script = async (fs: AnyFs): Promise<unknown[]> => {
    const out: unknown[] = [];
    const step = async (f: () => Promise<unknown>) => {
      try { out.push({ ok: describe(await f()) }); } catch (e) { out.push({ err: describe(e) }); }
    };
    const fh = await fs.promises.open(`${R}/f`, 'w+');
    await step(() => fh.write('hello world'));
    await step(() => fh.write(Buffer.from('HE'), 0, 2, 0));
    await step(async () => { const r = await fh.read(Buffer.alloc(5), 0, 5, 6); return [r.bytesRead, r.buffer]; });
    await step(async () => { const r = await fh.read({ buffer: Buffer.alloc(4), position: 0 }); return [r.bytesRead, r.buffer]; });
    await step(async () => { const r = await fh.readv([Buffer.alloc(2), Buffer.alloc(3)], 1); return [r.bytesRead, r.buffers]; });
    await step(async () => { const r = await fh.writev([Buffer.from('ab'), Buffer.from('cd')], 20); return r.bytesWritten; });
    await step(async () => (await fh.stat()).size);
    await step(() => fh.truncate(4));
    await step(() => fh.readFile('utf8'));
    await step(() => fh.chmod(0o640));
    await step(async () => (await fh.stat()).mode);
    await step(() => fh.utimes(10, 20));
    await step(async () => (await fh.stat()).mtimeMs);
    await step(() => fh.sync());
    await step(() => fh.datasync());
    await step(() => fh.close());
    await step(() => fh.stat());
    await step(() => fh.read(Buffer.alloc(1), 0, 1, 0));
    await step(() => fs.promises.open(`${R}/nope`));
    await step(() => fs.promises.open(`${R}/f`, 'zz'));
    return out;
  };
  try {
    const node = await script(realFs);
    const mine = await script(ours);
    t.equal(mine.length, node.length);
    for (let i = 0; i < node.length; i++) t.same(mine[i], node[i], `step ${i}`);
  } finally {
    realFs.rmSync(R, { recursive: true, force: true });
  }
});
