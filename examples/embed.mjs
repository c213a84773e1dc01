// Embedding vfsim: boot a guest with a ZFS-lite root, run a small workload on its syscall surface and
// its CPU (a file written, read back, mapped and read through the MMU), and print the counters.
// Run after `npm run build`: `node examples/embed.mjs [ramfs|pcmfs|zfs-lite]`. Imports only 'vfsim'.

import { Guest, jvmImage, mmapFd, mman, constants } from 'vfsim';

const root = process.argv[2] ?? 'zfs-lite';
const guest = new Guest({ root, ramMiB: 128, image: jvmImage({ seed: 1, scale: 0.1 }), seed: 1 });
const boot = await guest.boot();
console.log(`${root}: booted ${boot.image} in ${(boot.totalNs / 1e6).toFixed(3)} virtual ms`);
for (const p of boot.phases) console.log(`  ${p.name.padEnd(14)} ${(p.ns / 1e6).toFixed(3).padStart(9)} ms`);

// The workload: the application writes a log, fsyncs it, reads a class back, maps its config.
const fs = guest.fs, t0 = guest.clock.now, c0 = guest.counters();
const fd = fs.open('/app/app.log', constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, 0o644);
const line = new TextEncoder().encode('started\n');
for (let i = 0; i < 1000; i++) fs.write(fd, line, 0, line.length, null);
fs.fsync(fd);
const cls = fs.open('/app/classes/com/example/p0/C0.class', constants.O_RDONLY);
const buf = new Uint8Array(4096);
const n = fs.read(cls, buf, 0, buf.length, 0);
fs.close(cls);
let mapped = 'mmap not available on this root';
try {
  const va = mmapFd(fs, guest.mmap, 0, 4096, mman.PROT_READ, mman.MAP_SHARED, fd, 0);
  mapped = `first bytes through the MMU: ${String.fromCharCode(guest.cpu.load8(va), guest.cpu.load8(va + 1), guest.cpu.load8(va + 2))}`;
} catch (e) {
  if (e?.code !== 'ENODEV') throw e;
}
fs.close(fd);
const c1 = guest.counters();
console.log(`workload: ${((guest.clock.now - t0) / 1e6).toFixed(3)} virtual ms; read ${n} bytes of a class; ${mapped}`);
const delta = Object.fromEntries(Object.keys(c1).map((k) => [k, c1[k] - c0[k]]).filter(([, v]) => v !== 0));
console.log('counters during the workload:', JSON.stringify(delta));
