// Trace replay against the paper's published hit ratios (Megiddo & Modha, FAST '03, Tables IV and
// VIII; data/arc/README.md: a faithful replay lands within ±0.05 points), the trace format's parsing
// rules (README "Trace format"), and the `vfsim arc replay` command's output.
// The full tables take minutes: `vfsim arc paper` (see the report/README), not run here.
import t from 'tap';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { replayPaper } from '../../fs-zfs-lite/arc-paper.js';
import { TraceParser, readTrace, replayTrace } from '../../fs-zfs-lite/arc-trace.js';
import { Arc } from '../../fs-zfs-lite/arc.js';
import { Lru } from '../../fs-zfs-lite/arc-lru.js';
import { register } from '../../src/cli/arc.js';

const SEED = process.env['VFSIM_SEED'] !== undefined ? Number(process.env['VFSIM_SEED']) : 20034;
/** The shared test data, read in place (never copied into the repo). */
const DATA = process.env['VFSIM_ARC_TRACES'] ?? fileURLToPath(new URL('../../../shared/data/arc/', import.meta.url));
const TOLERANCE = 0.05;

const tmp = mkdtempSync(join(tmpdir(), 'vfsim-arc-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

t.test('OLTP at c = 1000, 5000 and 15000: LRU and ARC within 0.05 points of the paper (Table IV)', async (t) => {
  // One decoding pass, six caches. The P traces (13 M requests each) are for `vfsim arc paper`.
  const rows = replayPaper(DATA, ['OLTP'], undefined, [1000, 5000, 15000]);
  t.equal(rows.length, 3);
  for (const r of rows) {
    t.ok(Math.abs(r.lruMeasured - r.lru) <= TOLERANCE, `${r.trace} c=${r.c} LRU ${r.lruMeasured.toFixed(3)} vs paper ${r.lru}`);
    t.ok(Math.abs(r.arcMeasured - r.arc) <= TOLERANCE, `${r.trace} c=${r.c} ARC ${r.arcMeasured.toFixed(3)} vs paper ${r.arc}`);
  }
  t.equal(rows[0]!.requests, 914_145, 'OLTP has the request count of the paper\'s Table III');
});

t.test('the parser sees the same records however the text is split into chunks (stream decoding)', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat({ max: 1e9 }), fc.integer({ min: 1, max: 512 }), fc.nat({ max: 252 }), fc.nat()), { maxLength: 40 }),
      fc.array(fc.nat({ max: 2000 }), { maxLength: 10 }),
      fc.boolean(),
      (recs, cuts, crlf) => {
        const text = recs.map((r) => r.join(' ')).join(crlf ? '\r\n' : '\n');
        const bytes = new TextEncoder().encode(text);
        const seen: number[] = [];
        const p = new TraceParser((s, n) => seen.push(s, n));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        let at = 0;
        for (const c of [...points, bytes.length]) {
          p.push(bytes.subarray(at, c));
          at = c;
        }
        p.end();
        return seen.join() === recs.flatMap((r) => [r[0], r[1]]).join() && p.records === recs.length;
      },
    ),
    { seed: SEED, numRuns: 300 },
  );
  t.pass('record sequences agreed on 300 random texts and splits');
});

t.test('plain-text traces replay too; a last line without a newline counts; blank lines are skipped', async (t) => {
  const f = join(tmp, 'small.lis');
  writeFileSync(f, '10 3 0 0\n\n10 2 7 1\n11 1 0 2');
  const r = replayTrace(f, new Lru<number>({ c: 8 }));
  t.same(r, { requests: 6, hits: 3, hitRatio: 50 }, 'pages 10,11,12 miss; 10,11,11 hit');
});

t.test('bad traces are errors with an errno, never a crash (README "Trace format")', async (t) => {
  const cases: [string, string][] = [
    ['3 fields', '1 2 3\n'],
    ['5 fields', '1 2 3 4 5\n'],
    ['a letter', '1 2 x 4\n'],
    ['a minus sign', '-1 2 0 0\n'],
    ['an absurd number', '99999999999999999999 1 0 0\n'],
  ];
  for (const [what, text] of cases) {
    const f = join(tmp, 'bad.lis');
    writeFileSync(f, '5 1 0 0\n' + text);
    t.throws(() => readTrace(f, () => {}), { code: 'EINVAL', syscall: 'trace line 2' }, what);
  }
  t.throws(() => readTrace(join(tmp, 'missing.lis.zst'), () => {}), { code: 'ENOENT' }, 'missing file');
  const junk = join(tmp, 'junk.zst');
  writeFileSync(junk, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5, 6, 7, 8]));
  t.throws(() => readTrace(junk, () => {}), { code: 'EIO' }, 'corrupt zstd data');
});

/** Run `vfsim arc …` in-process and capture what it prints. */
async function cli(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => {
    out += s;
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'vfsim', 'arc', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

t.test('vfsim arc replay prints {"requests","hitRatio"} with --json and a sentence without', async (t) => {
  const f = join(tmp, 'cli.lis');
  writeFileSync(f, '1 4 0 0\n1 4 0 1\n');
  const j = JSON.parse(await cli(['replay', f, '--cache-pages', '4', '--policy', 'lru', '--json']));
  t.match(j, { requests: 8, hitRatio: 50, hits: 4, policy: 'lru', cachePages: 4 });
  const arcOut = JSON.parse(await cli(['replay', f, '--cache-pages', '2', '--json']));
  t.match(arcOut, { requests: 8, hitRatio: 0, policy: 'arc' }, 'a loop of 4 through 2 pages: no hits for ARC either');
  t.match(await cli(['replay', f, '--cache-pages', '4']), /ARC, c = 4 pages: 8 requests, 4 hits, hit ratio 50\.00%/);
  await t.rejects(cli(['replay', f, '--cache-pages', '0']), { code: 'EINVAL' });
  await t.rejects(cli(['replay', f, '--cache-pages', '4', '--policy', 'mru']), { code: 'EINVAL' });
});

t.test('ARC and LRU give the same answers through replayTrace as through get/put by hand', async (t) => {
  const f = join(tmp, 'same.lis');
  const p = new Array<string>();
  let x = 7;
  for (let i = 0; i < 2000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    p.push(`${x % 300} ${1 + (x % 5)} 0 ${i}`);
  }
  writeFileSync(f, p.join('\n') + '\n');
  const a1 = new Arc<number>({ c: 50 });
  const viaReplay = replayTrace(f, a1);
  const a2 = new Arc<number>({ c: 50 });
  let hits = 0;
  readTrace(f, (s, n) => {
    for (let k = s; k < s + n; k++) {
      if (a2.get(k) !== undefined) hits++;
      else a2.put(k, 1);
    }
  });
  t.equal(viaReplay.hits, hits);
  t.same(a1.stats(), a2.stats());
});

t.test('vfsim arc replay --p-every samples p over time (ARC counters, paper Sec. III-B)', async (t) => {
  const f = join(tmp, 'p.lis');
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) lines.push(`${i % 7 === 0 ? 1000 + i : i % 20} 1 0 ${i}`);
  writeFileSync(f, lines.join('\n') + '\n');
  const j = JSON.parse(await cli(['replay', f, '--cache-pages', '10', '--p-every', '50', '--json']));
  t.equal(j.pHistory.length, 6, 'one sample per 50 of 300 requests');
  for (const p of j.pHistory) t.ok(p >= 0 && p <= 10, `0 ≤ p = ${p} ≤ c`);
  t.match(await cli(['replay', f, '--cache-pages', '10', '--p-every', '50']), /p \(target \|T1\|, pages\) every 50 requests: min/);
  await t.rejects(cli(['replay', f, '--cache-pages', '10', '--p-every', '-1']), { code: 'EINVAL' });
});

t.test('vfsim arc paper prints the published rows beside the measured ones (table and --json)', async (t) => {
  // A stand-in OLTP trace (plain text under the .zst name: the reader goes by the magic number).
  const dir = join(tmp, 'paper');
  mkdirSync(dir);
  writeFileSync(join(dir, 'OLTP.lis.zst'), '1 1 0 0\n2 1 0 0\n1 1 0 0\n');
  const j = JSON.parse(await cli(['paper', '--trace', 'OLTP', '--data', dir, '--json']));
  t.match(j.source, /Megiddo and D\. S\. Modha/);
  t.equal(j.rows.length, 5, 'Table IV has five OLTP sizes');
  t.match(j.rows[0], { trace: 'OLTP', c: 1000, lru: 32.83, arc: 38.93, requests: 3 });
  t.ok(Math.abs(j.rows[0].lruMeasured - 100 / 3) < 1e-9, 'one hit in three requests');
  const table = await cli(['paper', '--trace', 'OLTP', '--data', dir]);
  t.match(table, /^trace\s+c\s+table\s+LRU paper\s+LRU ours\s+Δ\s+ARC paper\s+ARC ours\s+Δ\n/);
  t.match(table, /OLTP\s+15000\s+IV\s+64\.63\s+33\.33/);
  await t.rejects(cli(['paper', '--trace', 'P99', '--data', dir]), { code: 'EINVAL' });
  await t.rejects(cli(['paper', '--trace', 'P2', '--data', dir]), { code: 'ENOENT' });
});
