// Starting the application: what the dynamic linker and the runtime do at start (OSv's ELF loader,
// core/elf.cc, maps each object's segments; HotSpot maps lib/modules and reads classes and jars).
// Mapped objects are opened and mmap'ed PROT_READ|PROT_EXEC, MAP_PRIVATE, and the pages the program runs
// are touched through the CPU, each first touch a page fault served from the page cache (on pcmfs: a DAX
// fault mapping the PCM block). Where the root cannot mmap (ENODEV), the object is read() into anonymous
// memory instead.

import { mmapFd } from '../../vfs/mmap-fd.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../mm/mman.js';

import { O_RDONLY } from '../../vfs/constants.js';
import { fsErr, isFsError } from '../../vfs/errno.js';
import type { Prng } from '../sim/prng.js';
import type { Guest } from './guest.js';

export interface AppStart {
  load: 'mmap' | 'read';
  mappedFiles: number;
  pagesTouched: number;
  filesRead: number;
  bytesRead: number;
}

const CHUNK = 64 << 10;

export function startApp(g: Guest, rng: Prng): AppStart {
  const p = g.fs, as = g.mmap, cpu = g.cpu, img = g.image;
  const out: AppStart = { load: 'mmap', mappedFiles: 0, pagesTouched: 0, filesRead: 0, bytesRead: 0 };
  const buf = new Uint8Array(CHUNK);
  for (const e of img.entries) {
    if (e.type !== 'file' || e.start === 0) continue;
    const fd = p.open(e.path, O_RDONLY);
    if (e.mapped) {
      const len = Math.ceil(e.size / 4096) * 4096;
      let va: number;
      try {
        va = mmapFd(p, as, 0, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
      } catch (err) {
        if (!isFsError(err) || err.code !== 'ENODEV') throw err;
        // No page cache behind the file: read it into anonymous memory, as a loader without mmap would.
        out.load = 'read';
        va = mmapFd(p, as, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (let off = 0; off < e.size; off += CHUNK) {
          const n = p.read(fd, buf, 0, Math.min(CHUNK, e.size - off), off);
          cpu.write(va + off, n === CHUNK ? buf : buf.subarray(0, n));
          out.bytesRead += n;
        }
      }
      out.mappedFiles++;
      // The pages the program runs: each with probability `start`, from the image's seed.
      for (let pg = 0; pg < len / 4096; pg++) {
        if (rng.chance(e.start)) {
          cpu.load64(va + pg * 4096);
          out.pagesTouched++;
        }
      }
      const sig = cpu.takeSignal();
      // The program died of a signal while starting (a page past EOF, or no frame for it): boot fails
      // with an errno naming the object, as exec(2) reports EFAULT/ENOMEM, never a bare JS error.
      if (sig !== null) throw fsErr(sig.signal === 'SIGBUS' ? 'ENOMEM' : 'EFAULT', 'exec', `${e.path} (${sig.signal} at 0x${sig.addr.toString(16)})`);
      // The mapping stays: the program keeps running from it.
    } else {
      const want = Math.ceil(e.size * e.start);
      for (let off = 0; off < want;) {
        const n = p.read(fd, buf, 0, Math.min(CHUNK, want - off), off);
        if (n === 0) break;
        off += n;
        out.bytesRead += n;
      }
      out.filesRead++;
    }
    p.close(fd);
  }
  return out;
}
