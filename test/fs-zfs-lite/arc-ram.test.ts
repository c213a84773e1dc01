// The ARC over RAM frames: buffers hold the bytes put into them, c is in bytes, and the ARC gives
// frames back when the machine runs short (Ram shrinkers; OpenZFS arc_shrinker_scan lowering arc_c,
// never below arc_c_min), unmapping shared buffers first (OSv unmap_arc_buf, notes/OSV.md §2).
import t from 'tap';
import { Ram, NO_FRAME } from '../../src/hw/ram.js';
import { ArcRam } from '../../fs-zfs-lite/arc-ram.js';

const KiB = 1024;

function block(seed: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

t.test('put copies a block into frames; get/read return the same bytes; c counts whole frames', async (t) => {
  const ram = new Ram({ bytes: 64 * 4 * KiB });
  const arc = new ArcRam({ ram, cMax: 32 * 4 * KiB, cMin: 4 * 4 * KiB });
  const data = block(1, 10 * KiB);
  const buf = arc.put(42, data)!;
  t.equal(buf.frames.length, 3, '10 KiB takes three 4 KiB frames');
  t.equal(ram.usedFrames, 3);
  t.equal(arc.stats().t1, 3 * 4 * KiB, 'the ARC accounts the memory it holds');
  const out = new Uint8Array(10 * KiB);
  t.equal(arc.read(42, 0, out), 10 * KiB);
  t.same(out, data);
  const mid = new Uint8Array(6000);
  t.equal(arc.read(42, 5000, mid), 10 * KiB - 5000, 'a read past the end is short');
  t.same(mid.subarray(0, 10 * KiB - 5000), data.subarray(5000));
  t.equal(arc.read(7, 0, out), -1, 'a miss');
  t.throws(() => arc.read(42, 20 * KiB, out), { code: 'EINVAL' });
  t.throws(() => arc.put(1, new Uint8Array(0)), { code: 'EINVAL' });
  t.equal(arc.stats().t2, 3 * 4 * KiB, 'the hit moved it to T2');
  t.equal(arc.remove(42), true);
  t.equal(ram.usedFrames, 0, 'remove frees the frames');
  arc.close();
});

t.test('the ARC stays within c_max bytes, evicting (and freeing frames) as blocks stream in', async (t) => {
  const ram = new Ram({ bytes: 64 * 4 * KiB });
  const arc = new ArcRam({ ram, cMax: 16 * 4 * KiB, cMin: 4 * 4 * KiB });
  for (let k = 0; k < 100; k++) arc.put(k, block(k, 8 * KiB));
  t.equal(ram.usedFrames, 16, 'exactly c_max worth of frames in use');
  t.equal(arc.stats().size, 16 * 4 * KiB);
  t.ok(arc.stats().evictions >= 92);
  arc.arc.checkInvariants();
  arc.close();
});

t.test('memory pressure: when RAM runs out, Ram asks the ARC (a Shrinker) and it gives frames back down to c_min', async (t) => {
  const ram = new Ram({ bytes: 32 * 4 * KiB });
  const evicted: number[] = [];
  const arc = new ArcRam({ ram, cMax: 24 * 4 * KiB, cMin: 8 * 4 * KiB, onEvict: (k) => evicted.push(k) });
  for (let k = 0; k < 24; k++) arc.put(k, block(k, 4 * KiB));
  t.equal(ram.usedFrames, 24);
  arc.share(5); // the page cache maps block 5's buffer
  // Someone else (page cache, anonymous memory) takes frames until RAM is empty and beyond.
  const taken: number[] = [];
  for (;;) {
    const f = ram.allocFrame();
    if (f === NO_FRAME) break;
    taken.push(f);
  }
  const s = arc.stats();
  t.equal(s.c, 8 * 4 * KiB, 'c came down to c_min');
  t.equal(s.size, 8 * 4 * KiB, 'and the ARC holds no more than c_min');
  t.equal(taken.length, 32 - 8, 'every frame above c_min went to the other user');
  t.ok(s.shrinks > 0);
  t.same(evicted, [5], 'the shared buffer was unmapped before its frame was freed');
  t.throws(() => arc.put(100, block(1, 4 * KiB)), { code: 'ENOMEM' }, 'no frame for a new block: ENOMEM, not a crash');
  t.equal(ram.freeFrames, 0);
  // Memory comes back: growth resumes and c climbs back toward c_max.
  for (const f of taken) ram.freeFrame(f);
  for (let k = 200; k < 240; k++) arc.put(k, block(k, 4 * KiB));
  t.equal(arc.stats().c, 24 * 4 * KiB, 'c grew back to c_max once frames were free');
  t.equal(ram.usedFrames, 24);
  arc.arc.checkInvariants();
  arc.close();
  t.equal(ram.usedFrames, 0, 'close() releases everything');
});

t.test('the page cache\'s reclaim can ask for bytes directly (shrinkBytes)', async (t) => {
  const ram = new Ram({ bytes: 32 * 4 * KiB });
  const arc = new ArcRam({ ram, cMax: 16 * 4 * KiB, cMin: 2 * 4 * KiB });
  for (let k = 0; k < 16; k++) arc.put(k, block(k, 4 * KiB));
  t.equal(arc.shrinkBytes(5 * 4 * KiB), 5 * 4 * KiB);
  t.equal(ram.usedFrames, 11);
  t.equal(arc.shrink(100), 9, 'the Shrinker interface counts frames; it stops at c_min');
  t.equal(ram.usedFrames, 2);
  arc.close();
});

t.test('a block larger than c_max is not cached; bad sizes are EINVAL', async (t) => {
  const ram = new Ram({ bytes: 16 * 4 * KiB });
  const arc = new ArcRam({ ram, cMax: 4 * 4 * KiB, cMin: 4 * KiB });
  t.equal(arc.put(1, block(1, 20 * KiB)), undefined);
  t.equal(ram.usedFrames, 0, 'no frame leaked');
  t.throws(() => new ArcRam({ ram, cMax: 100 * 4 * KiB }), { code: 'EINVAL' }, 'c_max beyond RAM');
  t.throws(() => new ArcRam({ ram, cMax: 4 * 4 * KiB, cMin: 8 * 4 * KiB }), { code: 'EINVAL' }, 'c_min above c_max');
  arc.close();
});
