// `vfsim image build DIR -o IMAGE`: pack a host directory into a boot image (src/guest/image.ts), as
// OSv's scripts/mkbootfs.py packs a manifest. Symlinks are kept as symlinks; one whose target resolves
// outside DIR is refused (it would smuggle host paths into the guest), as are devices, FIFOs and sockets.

import type { Command } from 'commander';
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute, sep } from 'node:path';
import { parseImage, serializeImage, imageDataBytes, type BootImage, type ImageEntry } from '../guest/image.js';
import { fsErr } from '../sim/errno.js';

/** Build an image from `dir`. EXDEV for a symlink escaping it; EINVAL for special files. */
export function buildImageFromDir(dir: string, opts: { name?: string; kernelBytes?: number } = {}): BootImage {
  const root = realpathSync(dir);
  const entries: ImageEntry[] = [];
  const sources: (string | null)[] = [];
  const walk = (hostDir: string, guestDir: string): void => {
    for (const name of readdirSync(hostDir).sort()) {
      const host = join(hostDir, name), guest = `${guestDir}/${name}`;
      const st = lstatSync(host);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) {
        const target = readlinkSync(host);
        const abs = isAbsolute(target) ? resolve(root, '.' + target) : resolve(dirname(host), target);
        // Absolute targets are read inside the guest's root; either way the result must stay under DIR.
        if (!isAbsolute(target)) {
          const rel = relative(root, abs);
          if (rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)) throw fsErr('EXDEV', 'image', `${host} -> ${target} escapes ${dir}`);
        } else {
          throw fsErr('EXDEV', 'image', `${host} -> ${target}: absolute symlink target refers outside ${dir}`);
        }
        entries.push({ path: guest, type: 'symlink', mode: 0o777, size: 0, target, start: 0, mapped: false });
        sources.push(null);
      } else if (st.isDirectory()) {
        entries.push({ path: guest, type: 'dir', mode, size: 0, start: 0, mapped: false });
        sources.push(null);
        walk(host, guest);
      } else if (st.isFile()) {
        entries.push({ path: guest, type: 'file', mode, size: st.size, start: 1, mapped: isElf(host) });
        sources.push(host);
      } else {
        throw fsErr('EINVAL', 'image', `${host}: not a regular file, directory or symlink`);
      }
    }
  };
  walk(root, '');
  return {
    name: opts.name ?? root.split(sep).pop() ?? 'image', kernelBytes: opts.kernelBytes ?? 6 << 20, entries, seed: 1,
    contents: (i) => readFileSync(sources[i]!),
  };
}

/** ELF objects (magic 0x7f 'E' 'L' 'F') are mapped at start, as the dynamic linker maps them. */
function isElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
  } finally {
    closeSync(fd);
  }
}

export function register(program: Command): void {
  const image = program.command('image').description('boot images: build one from a directory, or describe one');
  image
    .command('build <dir>')
    .description('pack DIR into a boot image (refuses symlinks that escape DIR)')
    .requiredOption('-o, --output <file>', 'image file to write')
    .option('--kernel-mib <n>', 'size of the kernel in front of the tree (MiB)', '6')
    .action((dir: string, o: { output: string; kernelMib: string }) => {
      const kernelBytes = Math.round(Number(o.kernelMib) * (1 << 20));
      if (!(kernelBytes >= 0)) throw new Error(`--kernel-mib ${o.kernelMib}`);
      const img = buildImageFromDir(dir, { kernelBytes });
      writeFileSync(o.output, serializeImage(img));
      const files = img.entries.filter((e) => e.type === 'file').length;
      process.stdout.write(`${o.output}: ${img.entries.length} entries, ${files} files, ${imageDataBytes(img).toLocaleString('en-US')} bytes of data\n`);
    });
  image
    .command('info <file>')
    .description('describe an image file')
    .option('--json', 'print JSON')
    .action((file: string, o: { json?: boolean }) => {
      const img = parseImage(readFileSync(file));
      const files = img.entries.filter((e) => e.type === 'file');
      const info = { name: img.name, kernelBytes: img.kernelBytes, entries: img.entries.length, files: files.length,
        dataBytes: imageDataBytes(img), mapped: files.filter((e) => e.mapped).length };
      process.stdout.write(o.json ? JSON.stringify(info) + '\n' : Object.entries(info).map(([k, v]) => `${k.padEnd(12)} ${v}`).join('\n') + '\n');
    });
}
