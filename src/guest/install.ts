// Build time: putting an image onto the guest's devices before the clock starts, as OSv's scripts/build
// does on the host (mkbootfs.py packs a bootfs into the kernel for ramfs; zpool create + cpio into a
// ZFS image; here also mkfs + copy onto the PCM device for pcmfs). Nothing here is boot time.

import type { Process } from '../../vfs/process.js';
import { O_CREAT, O_TRUNC, O_WRONLY } from '../../vfs/constants.js';
import type { BootImage } from './image.js';

/** Create the image's tree through a process's syscalls (also the ramfs unpack at boot, unpack_bootfs). */
export function writeTree(p: Process, img: BootImage): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  img.entries.forEach((e, i) => {
    if (e.type === 'dir') {
      p.mkdir(e.path, e.mode);
    } else if (e.type === 'symlink') {
      p.symlink(e.target!, e.path);
    } else {
      const data = img.contents(i);
      const fd = p.open(e.path, O_WRONLY | O_CREAT | O_TRUNC, e.mode);
      let off = 0;
      while (off < data.length) off += p.write(fd, data, off, data.length - off, off);
      p.close(fd);
      files++;
      bytes += data.length;
    }
  });
  return { files, bytes };
}

// Installed media per image (the output of scripts/build): building is deterministic, so guests booting
// the same image reuse the bytes instead of installing again. Never shared between different images.
const media = new WeakMap<BootImage, Map<string, Uint8Array>>();

/** The medium `kind` for `img`, built once by `build`. */
export function installed(img: BootImage, kind: string, build: () => Uint8Array): Uint8Array {
  let m = media.get(img);
  if (m === undefined) media.set(img, (m = new Map()));
  let b = m.get(kind);
  if (b === undefined) m.set(kind, (b = build()));
  return b;
}
