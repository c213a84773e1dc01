// Streams (fs.ReadStream/WriteStream: start/end inclusive, 'open'/'ready'/'close' events, bytesRead)
// and memfs-style JSON snapshots (fromJSON/toJSON, empty directories as null, no escape above the root).

import t from 'tap';
import { pipeline } from 'node:stream/promises';
import { createFs } from '../../src/node-fs/index.js';

t.test('createReadStream/createWriteStream round trip with ranges (Node fs streams)', async (t) => {
  const fs = createFs(undefined, { ramBytes: 16 << 20 });
  const data = Buffer.alloc(300_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 255;
  const ws = fs.createWriteStream('/big');
  const events: string[] = [];
  ws.on('open', () => events.push('open'));
  ws.on('ready', () => events.push('ready'));
  ws.on('close', () => events.push('close'));
  await new Promise<void>((res, rej) => { ws.on('error', rej); ws.end(data, () => res()); });
  await new Promise((res) => setImmediate(res));
  t.same(events, ['open', 'ready', 'close']);
  t.equal(ws.bytesWritten, data.length);
  t.same(fs.readFileSync('/big'), data);

  const chunks: Buffer[] = [];
  const rs = fs.createReadStream('/big', { start: 10, end: 99_999, highWaterMark: 4096 });
  for await (const c of rs) chunks.push(c as Buffer);
  const got = Buffer.concat(chunks);
  t.equal(got.length, 99_990, 'end is inclusive');
  t.same(got, data.subarray(10, 100_000));
  t.equal(rs.bytesRead, 99_990);

  await pipeline(fs.createReadStream('/big'), fs.createWriteStream('/copy'));
  t.same(fs.readFileSync('/copy'), data);

  const ws2 = fs.createWriteStream('/big', { flags: 'r+', start: 5 });
  await new Promise<void>((res) => ws2.end('XYZ', () => res()));
  t.equal(fs.readFileSync('/big').subarray(5, 8).toString(), 'XYZ');

  const bad = fs.createReadStream('/nope');
  const err = await new Promise<Error & { code?: string; syscall?: string }>((res) => bad.on('error', res));
  t.match(err, { code: 'ENOENT', syscall: 'open', path: '/nope' });
  t.throws(() => fs.createReadStream('/big', { start: 5, end: 2 }), { code: 'ERR_OUT_OF_RANGE' });
});

t.test('fromJSON/toJSON snapshots (memfs Volume.fromJSON/toJSON)', async (t) => {
  const fs = createFs(undefined, { ramBytes: 16 << 20 });
  fs.fromJSON({ '/a/b.txt': 'text', '/dir': null, 'rel/c.bin': Buffer.from([1, 2]), '/a/x/../y.txt': 'y' }, '/base');
  t.equal(fs.readFileSync('/a/b.txt', 'utf8'), 'text');
  t.ok(fs.statSync('/dir').isDirectory());
  t.same(fs.readFileSync('/base/rel/c.bin'), Buffer.from([1, 2]));
  t.equal(fs.readFileSync('/a/y.txt', 'utf8'), 'y');
  t.same(fs.toJSON(), {
    '/a/b.txt': 'text',
    '/a/y.txt': 'y',
    '/base/rel/c.bin': '\u0001\u0002',
    '/dir': null,
  });
  t.same(fs.toJSON('/a', {}, true), { 'b.txt': 'text', 'y.txt': 'y' });
  t.same(fs.toJSON('/base/rel', {}, false, true), { '/base/rel/c.bin': Buffer.from([1, 2]) });
  const before = fs.toJSON();
  t.throws(() => fs.fromJSON({ '/../../etc/passwd': 'x' }), { code: 'EINVAL', syscall: 'fromJSON' }, 'no climbing above the root');
  t.throws(() => fs.fromJSON({ '../x': 'x' }, '/'), { code: 'EINVAL' });
  t.same(fs.toJSON(), before, 'a refused snapshot changes nothing');
  t.throws(() => fs.toJSON('/nope'), { code: 'ENOENT', syscall: 'lstat' });
});

t.test('stream events and errors agree with node:fs streams (fs.ReadStream/WriteStream)', async (t) => {
  const realFs = await import('node:fs');
  const { describe } = await import('./oracle.js');
  const R = `/dev/shm/vfsim-streams-${process.pid}`;
  realFs.rmSync(R, { recursive: true, force: true });
  realFs.mkdirSync(R);
  const ours = createFs(undefined, { ramBytes: 16 << 20 });
  ours.mkdirSync(R, { recursive: true });
  type AnyFs = any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const script = async (fs: AnyFs): Promise<unknown[]> => {
    const out: unknown[] = [];
    const events = (s: NodeJS.EventEmitter, names: string[]) => {
      const seen: unknown[] = [];
      for (const n of names) s.on(n, (a: unknown) => seen.push(n === 'error' ? ['error', describe(a)] : n === 'open' ? 'open' : n));
      return seen;
    };
    const ws = fs.createWriteStream(`${R}/w`);
    const wev = events(ws, ['open', 'ready', 'finish', 'close', 'error']);
    await new Promise<void>((res) => { ws.on('close', res); ws.write('abc'); ws.end('def'); });
    out.push(wev, ws.bytesWritten, fs.readFileSync(`${R}/w`, 'utf8'));
    const rs = fs.createReadStream(`${R}/w`, { start: 1, end: 3, encoding: 'utf8' });
    const rev = events(rs, ['open', 'ready', 'end', 'close', 'error']);
    let data = '';
    rs.on('data', (c: string) => { data += c; });
    await new Promise<void>((res) => rs.on('close', res));
    out.push(rev, data, rs.bytesRead);
    const bad = fs.createReadStream(`${R}/nope`);
    const bev = events(bad, ['open', 'error', 'close']);
    await new Promise<void>((res) => bad.on('close', res));
    out.push(bev);
    const badW = fs.createWriteStream(`${R}/nope/x`);
    const bwev = events(badW, ['open', 'error', 'close']);
    await new Promise<void>((res) => badW.on('close', res));
    out.push(bwev);
    return out;
  };
  try {
    t.same(await script(ours), await script(realFs));
  } finally {
    realFs.rmSync(R, { recursive: true, force: true });
  }
});

t.test('new fs.ReadStream(path) / new fs.WriteStream(path) as with node:fs, and instanceof', async (t) => {
  const fs = createFs(undefined, { ramBytes: 16 << 20 });
  // @types/node does not declare the (path, options) constructor node:fs has; so, a cast.
  type Ctor<T> = new (path: string, options?: object) => T;
  const ws = new (fs.WriteStream as unknown as Ctor<import('node:fs').WriteStream>)('/s', {});
  await new Promise<void>((res) => ws.end('streamed', () => res()));
  t.ok(fs.createWriteStream('/t') instanceof fs.WriteStream);
  const rs = new (fs.ReadStream as unknown as Ctor<import('node:fs').ReadStream>)('/s', { encoding: 'utf8' });
  let s = '';
  for await (const c of rs) s += c as string;
  t.equal(s, 'streamed');
  t.ok(fs.createReadStream('/s') instanceof fs.ReadStream);
});
