import t from 'tap';
import { PcmDevice } from '../../src/hw/pcm/pcm.js';
import { summarize } from '../../src/hw/pcm/wear.js';
import { Clock } from '../../src/sim/clock.js';
import { OSV_AARCH64_KVM } from '../../src/sim/profile.js';

// Wear is counted when data reaches the media (Izraelevitz et al. 2019 §3: the DIMM writes whole
// 256-byte XPLines, read-modify-write for smaller writes, merging adjacent writes in its XPBuffer).

t.test('a line is worn once per write-back that reaches the media, not per store', async (t) => {
  const d = new PcmDevice({ bytes: 4096, clock: new Clock() });
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 8; i++) d.store64(i * 8, round * 8 + i); // 8 stores, one line
    d.flush(0);
    d.fence();
  }
  t.equal(d.wear.lineWrites[0], 3);
  t.equal(d.wear.unitWrites[0], 3);
  d.flush(0); // clean: nothing goes to the media
  d.fence();
  t.equal(d.wear.lineWrites[0], 3);
  t.equal(d.counters.values.mediaLineWrites, 3);
});

t.test('adjacent line write-backs to one XPLine between fences count as one XPLine write', async (t) => {
  const d = new PcmDevice({ bytes: 4096, clock: new Clock() });
  d.write(0, new Uint8Array(512).fill(1));
  d.flushRange(0, 512);
  d.fence();
  t.same([...d.wear.lineWrites.subarray(0, 9)], [1, 1, 1, 1, 1, 1, 1, 1, 0]);
  t.same([...d.wear.unitWrites.subarray(0, 3)], [1, 1, 0]);
  // One line of an XPLine still costs the whole XPLine (read-modify-write).
  d.store8(256, 9);
  d.flush(256);
  d.fence();
  t.equal(d.wear.unitWrites[1], 2);
  // Streaming stores reach the media at once: 256 aligned bytes = 4 lines, 1 XPLine.
  d.ntWrite(1024, new Uint8Array(256));
  t.same([...d.wear.lineWrites.subarray(16, 20)], [1, 1, 1, 1]);
  t.equal(d.wear.unitWrites[4], 1);
});

t.test('report: max, mean, hottest, log2 histogram and life used against the endurance figure', async (t) => {
  const d = new PcmDevice({ bytes: 1024, clock: new Clock() }); // 16 lines, 4 XPLines
  for (let i = 0; i < 5; i++) {
    d.store8(64, i);
    d.flush(64);
    d.fence();
  }
  d.store8(640, 1);
  d.flush(640);
  d.fence();
  const r = d.wear.report();
  t.equal(r.lines.cells, 16);
  t.equal(r.lines.total, 6);
  t.equal(r.lines.max, 5);
  t.equal(r.lines.hottest, 1);
  t.equal(r.lines.mean, 6 / 16);
  // bucket 0: never written (14 lines); bucket 1: 1 write (line 10); bucket 3: 4..7 writes (line 1)
  t.same(r.lines.histogram, [14, 1, 0, 1]);
  t.equal(r.units.cells, 4);
  t.equal(r.units.max, 5);
  t.equal(r.enduranceWrites, OSV_AARCH64_KVM.pcm.enduranceWrites);
  t.equal(r.lifeUsed, 5 / OSV_AARCH64_KVM.pcm.enduranceWrites);
  t.same(d.wear.hottestLines(3), [{ line: 1, writes: 5 }, { line: 10, writes: 1 }]);
  t.same(d.wear.hottestLines(1), [{ line: 1, writes: 5 }]);
  t.same(d.wear.hottestLines(0), []);
  t.same(JSON.parse(JSON.stringify(r)).lines.histogram, [14, 1, 0, 1], 'the report is plain JSON');
  d.wear.reset();
  t.equal(d.wear.report().lines.total, 0);
  t.equal(d.wear.report().lines.hottest, -1);
});

t.test('summarize buckets by powers of two', async (t) => {
  const s = summarize(Uint32Array.of(0, 1, 2, 3, 4, 7, 8, 1000));
  t.same(s.histogram, [1, 1, 2, 2, 1, 0, 0, 0, 0, 0, 1]);
  t.equal(s.max, 1000);
  t.equal(s.hottest, 7);
});
