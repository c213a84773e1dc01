// Quick throughput check of the VFS API on ramfs (wall clock; not part of `npm test`).
import { Vfs } from '../../vfs/vfs.js';
import { createRamFs } from '../../fs-ram/index.js';
import * as C from '../../vfs/constants.js';
const only = process.argv[2];
function rate(name: string, n: number, f: (i: number) => void): void {
  if (only !== undefined && only !== name) {
    if (name === 'create+1KiB') for (let i = 0; i < n; i++) f(i); // later workloads need the files
    return;
  }
  // CPU time, not wall time: the machine is shared, and CPU time is what the code costs.
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f(i);
  const c = process.cpuUsage(c0);
  const dt = (c.user + c.system) / 1000;
  console.log(name.padEnd(14), Math.round((n / dt) * 1000).toLocaleString().padStart(12), 'ops/s');
}
for (let round = 0; round < (only ? 6 : 3); round++) {
  const vfs = new Vfs({ root: createRamFs({ ramBytes: 256 << 20 }) });
  const p = vfs.root;
  for (let d = 0; d < 100; d++) p.mkdir('/d' + d, 0o755);
  const names: string[] = [];
  for (let i = 0; i < 10000; i++) names.push('/d' + (i % 100) + '/f' + i);
  const data = new Uint8Array(1024);
  console.log('-- round', round);
  rate('create+1KiB', 10000, (i) => { const fd = p.open(names[i]!, C.O_CREAT | C.O_WRONLY | C.O_TRUNC, 0o644); p.write(fd, data, 0, 1024, null); p.close(fd); });
  rate('create-empty', 10000, (i) => { p.close(p.open(names[i]! + 'e', C.O_CREAT | C.O_WRONLY, 0o644)); });
  const st = p.stat('/');
  rate('stat', 200000, (i) => { p.stat(names[i % 10000]!); });
  rate('stat-into', 200000, (i) => { p.stat(names[i % 10000]!, st); });
  rate('open/close', 200000, (i) => { p.close(p.open(names[i % 10000]!, C.O_RDONLY)); });
  const buf = new Uint8Array(1024);
  rate('readSmall', 100000, (i) => { const fd = p.open(names[i % 10000]!, C.O_RDONLY); p.read(fd, buf, 0, 1024, null); p.close(fd); });
  rate('readdir', 10000, (i) => { p.readdir('/d' + (i % 100)); });
  let deep = '';
  for (let i = 0; i < 32; i++) { deep += '/x' + i; p.mkdir(deep, 0o755); }
  rate('deepPath', 200000, () => { p.stat(deep); });
  const renamed: string[] = names.map((_n, i) => '/d' + ((i + 1) % 100) + '/r' + i);
  rate('rename', 10000, (i) => { p.rename(names[i]!, renamed[i]!); });
  rate('unlink', 10000, (i) => { p.unlink(renamed[i]!); });
}
