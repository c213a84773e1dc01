// The guest: a machine (RAM, MMU, CPU, a virtio boot disk, and the root's device: a second virtio disk
// for ZFS-lite or a PCM DIMM for pcmfs) and a kernel (mm, page cache, VFS), booted phase by phase as OSv
// boots (loader.cc; notes/OSV.md §4). Each phase charges the one virtual clock through the components
// that do the work, and the guest records the clock and the counters around it.

import { BlockDevice } from '../hw/block/block-device.js';
import { PcmDevice } from '../hw/pcm/pcm.js';
import { Ram, NO_FRAME, type Frame } from '../hw/ram.js';
import { TranslationTables } from '../hw/mmu/tables.js';
import { AddressSpace } from '../mm/address-space.js';
import { Mm } from '../mm/mm.js';
import { PageCache } from '../mm/page-cache.js';
import { Clock, type Ns } from '../sim/clock.js';
import { invariant } from '../sim/assert.js';
import { Prng } from '../sim/prng.js';
import { OSV_AARCH64_KVM, makeProfile, type CostProfile, type ProfileOverride } from '../sim/profile.js';
import { RamFs } from '../../fs-ram/index.js';
import { PcmFs } from '../../fs-nvm/index.js';
import { importZfsLite, createZfsLite, ZfsLite, type MmapCache } from '../../fs-zfs-lite/index.js';
import { Vfs } from '../../vfs/vfs.js';
import type { Process } from '../../vfs/process.js';
import type { Backend } from '../../vfs/backend.js';
import { fsErr } from '../sim/errno.js';
import { bootCosts, type BootCosts } from './costs.js';
import { buildEarlyTables, enableMmu, KERNEL_REGION_VA, KERNEL_TEXT_OFFSET } from './early-mmu.js';
import { imageDataBytes, jvmImage, parseImage, serializeImage, type BootImage } from './image.js';
import { installed, writeTree } from './install.js';
import { startApp, type AppStart } from './app.js';

export type RootFs = 'ramfs' | 'pcmfs' | 'zfs-lite';
export const ROOTS: readonly RootFs[] = ['ramfs', 'pcmfs', 'zfs-lite'];

export interface GuestOptions {
  /** Guest RAM in MiB (default 256). */
  ramMiB?: number;
  /** Translation granule; the kernel's mm maps 4 KiB pages, so only 4096 is accepted. */
  granule?: 4096;
  root?: RootFs;
  /** The boot image (default: the built-in JVM-like application, `jvmImage({ seed })`). */
  image?: BootImage;
  /** The cost profile, or an override of the default (OSV_AARCH64_KVM). */
  profile?: CostProfile | ProfileOverride;
  /** Boot-only costs (device probing, the VMM's kernel copy). */
  costs?: Partial<BootCosts>;
  /** Seed of the default image and of the application's page-touch pattern. Default 1. */
  seed?: number;
  /**
   * How the kernel reaches RAM: 'vmm' (default) — QEMU `-kernel` or Firecracker copy it in before the
   * vCPU starts, as on AArch64; 'disk' — the loader reads it from the boot disk through virtio-blk.
   */
  loader?: 'vmm' | 'disk';
  /** zfs-lite root: 'double' (default) page-cache copies of ARC buffers, or 'shared' ARC buffers mapped (OSv). */
  zfsMmap?: MmapCache;
}

export const PHASES = ['load-kernel', 'mmu-on', 'memory-init', 'probe-devices', 'mount-root', 'start-app'] as const;
export type PhaseName = (typeof PHASES)[number];

export interface Phase {
  name: PhaseName;
  /** Virtual ns the phase took. */
  ns: Ns;
  /** Counter deltas over the phase. */
  counters: Record<string, number>;
}

export interface BootResult {
  root: RootFs;
  image: string;
  phases: Phase[];
  totalNs: Ns;
  /** How the application's binary and libraries were brought in: through mmap, or read() into anonymous memory. */
  appLoad: 'mmap' | 'read';
  app: AppStart;
}

const SECTOR = 512;
const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

export class Guest {
  readonly clock = new Clock();
  readonly profile: CostProfile;
  readonly costs: BootCosts;
  readonly root: RootFs;
  readonly image: BootImage;
  readonly seed: number;
  readonly loader: 'vmm' | 'disk';
  readonly zfsMmap: MmapCache;
  readonly ram: Ram;
  readonly pageCache: PageCache;
  readonly mm: Mm;
  /** vblk0: the kernel (and, for ramfs, the bootfs behind it). */
  readonly bootDisk: BlockDevice;
  /** vblk1: the ZFS-lite pool (zfs-lite root only). */
  readonly poolDisk: BlockDevice | null = null;
  /** The PCM DIMM (pcmfs root only). */
  readonly pcm: PcmDevice | null = null;
  /** The kernel file as the host holds it (what the VMM copies). */
  private readonly kernelFile: Uint8Array;
  private readonly bootfsBytes: number;
  private readonly bootfs: Uint8Array;
  private vfsNow: Vfs | null = null;
  private procNow: Process | null = null;
  private asNow: AddressSpace | null = null;
  private backendNow: Backend | null = null;
  private booted = false;
  private readonly runtimeRegs: { TCR_EL1: bigint; MAIR_EL1: bigint; SCTLR_EL1: bigint };
  private mmioExits = 0;

  constructor(opts: GuestOptions = {}) {
    const ramMiB = opts.ramMiB ?? 256;
    if (!Number.isInteger(ramMiB) || ramMiB < 32 || ramMiB > 4096) throw fsErr('EINVAL', 'guest', `ramMiB ${ramMiB} (32..4096)`);
    if ((opts.granule ?? 4096) !== 4096) throw fsErr('EINVAL', 'guest', 'granule: the kernel maps 4 KiB pages');
    const root = opts.root ?? 'ramfs';
    if (!ROOTS.includes(root)) throw fsErr('EINVAL', 'guest', `root ${String(root)}`);
    this.root = root;
    this.seed = opts.seed ?? 1;
    this.loader = opts.loader ?? 'vmm';
    this.zfsMmap = opts.zfsMmap ?? 'double';
    this.profile = opts.profile === undefined ? OSV_AARCH64_KVM
      : 'name' in opts.profile && 'cpu' in opts.profile && 'block' in opts.profile ? opts.profile as CostProfile
      : makeProfile(opts.profile as ProfileOverride);
    this.costs = bootCosts(this.profile, opts.costs);
    this.image = opts.image ?? jvmImage({ seed: this.seed });
    const clock = this.clock, profile = this.profile;
    this.ram = new Ram({ bytes: ramMiB << 20 });
    this.pageCache = new PageCache(this.ram, { clock, profile });
    this.mm = new Mm({ ram: this.ram, pageCache: this.pageCache, clock });
    // What the kernel's mm programs once it runs; restored after boot.S's values (switch_to_runtime_pt).
    const r = this.mm.mmu.regs;
    this.runtimeRegs = { TCR_EL1: r.TCR_EL1, MAIR_EL1: r.MAIR_EL1, SCTLR_EL1: r.SCTLR_EL1 };
    // Reset state: the MMU is off until boot.S turns it on.
    this.mm.mmu.setRegs({ SCTLR_EL1: 0n });

    // ---- build time (scripts/build): the clock is rewound afterwards ----
    this.kernelFile = kernelBytes(this.image.kernelBytes);
    const bootfs = root === 'ramfs' ? installed(this.image, 'bootfs', () => serializeImage(this.image)) : new Uint8Array(0);
    this.bootfsBytes = bootfs.length;
    this.bootfs = bootfs;
    const diskBytes = roundUp(this.kernelFile.length + bootfs.length, SECTOR) + SECTOR;
    this.bootDisk = new BlockDevice({ bytes: diskBytes, clock, profile });
    const disk = new Uint8Array(diskBytes);
    disk.set(this.kernelFile, 0);
    disk.set(bootfs, this.kernelFile.length);
    this.bootDisk.loadImage(disk);
    const data = imageDataBytes(this.image);
    if (root === 'zfs-lite') {
      const dev = new BlockDevice({ bytes: roundUp(Math.max(64 << 20, data * 2 + (32 << 20)), 1 << 20), clock, profile });
      dev.loadImage(installed(this.image, 'zfs-lite', () => {
        const fs = createZfsLite({ dev, clock, profile, ramBytes: 256 << 20 });
        writeTree(new Vfs({ root: fs, clock, profile }).root, this.image);
        fs.unmount();
        dev.flush();
        return dev.durableImage();
      }));
      dev.counters.reset();
      this.poolDisk = dev;
    } else if (root === 'pcmfs') {
      const dev = new PcmDevice({ bytes: roundUp(data * 1.5 + (16 << 20), 1 << 20), clock, profile });
      dev.loadImage(installed(this.image, 'pcmfs', () => {
        // Enough inode slots for every entry (mkfs' default is one per 16 KiB of device).
        PcmFs.mkfs(dev, { inodes: Math.max(Math.floor(dev.size / 16384), 2 * this.image.entries.length + 64) });
        const fs = PcmFs.mount(dev);
        writeTree(new Vfs({ root: fs, clock, profile }).root, this.image);
        fs.unmount();
        return dev.durableImage();
      }));
      dev.counters.reset();
      this.pcm = dev;
      this.mm.cpu.attachPcm(dev); // DAX: mmap of a pcmfs file maps its PCM blocks (src/mm/dax.ts)
    }
    this.bootDisk.counters.reset();
    clock.now = 0;
  }

  /** The syscall surface of the application's process (after boot). */
  get fs(): Process {
    if (this.procNow === null) throw fsErr('EAGAIN', 'guest', 'not booted');
    return this.procNow;
  }

  get vfs(): Vfs {
    if (this.vfsNow === null) throw fsErr('EAGAIN', 'guest', 'not booted');
    return this.vfsNow;
  }

  /** The application's address space (mmap/munmap/mprotect from 'vfsim' take it). */
  get mmap(): AddressSpace {
    if (this.asNow === null) throw fsErr('EAGAIN', 'guest', 'not booted');
    return this.asNow;
  }

  /** The CPU: loads and stores through the MMU. */
  get cpu() {
    return this.mm.cpu;
  }

  get backend(): Backend {
    if (this.backendNow === null) throw fsErr('EAGAIN', 'guest', 'not booted');
    return this.backendNow;
  }

  /** Every counter the boot report shows, as one flat snapshot. */
  counters(): Record<string, number> {
    const m = this.mm.mmu.cv, b0 = this.bootDisk.counters.values, b1 = this.poolDisk?.counters.values;
    const arc = this.backendNow instanceof ZfsLite ? this.backendNow.pool.arc?.stats() : undefined;
    return {
      tlbMisses: m.tlbMisses, tlbHits: m.tlbHits, descriptorReads: m.descriptorReads,
      pageFaults: this.mm.stats.faults,
      blockReads: b0.reads + (b1?.reads ?? 0), blockBytesRead: b0.bytesRead + (b1?.bytesRead ?? 0),
      blockWrites: b0.writes + (b1?.writes ?? 0),
      pcmLoads: this.pcm?.counters.values.loads ?? 0, pcmBytesRead: this.pcm?.counters.values.bytesRead ?? 0,
      arcHits: arc?.hits ?? 0, arcMisses: arc?.misses ?? 0,
      pageCacheFills: this.pageCache.stats.fills, frameAllocs: this.pageCache.stats.allocs,
      mmioExits: this.mmioExits,
    };
  }

  /** Boot: the phases run in order; each is timed on the virtual clock. Boots once. */
  async boot(): Promise<BootResult> {
    if (this.booted) throw fsErr('EBUSY', 'boot', 'already booted');
    this.booted = true;
    const phases: Phase[] = [];
    const run = (name: PhaseName, fn: () => void): void => {
      const c0 = this.counters(), t0 = this.clock.now;
      fn();
      const c1 = this.counters(), counters: Record<string, number> = {};
      for (const k of Object.keys(c1)) counters[k] = c1[k]! - (c0[k] ?? 0);
      phases.push({ name, ns: this.clock.now - t0, counters });
    };
    let region: { first: Frame; frames: number } = { first: NO_FRAME, frames: 0 };
    let tables: TranslationTables | null = null;
    run('load-kernel', () => { region = this.loadKernel(); });
    run('mmu-on', () => { tables = this.mmuOn(region.first, region.frames); });
    run('memory-init', () => this.memoryInit(tables!));
    run('probe-devices', () => this.probeDevices());
    run('mount-root', () => this.mountRoot(region.first));
    let app: AppStart | null = null;
    run('start-app', () => { app = startApp(this, new Prng(this.seed ^ 0x5eed)); });
    const a = app! as AppStart;
    return { root: this.root, image: this.image.name, phases, totalNs: this.clock.now, appLoad: a.load, app: a };
  }

  /** Place kernel (+ bootfs) at the start of a 2 MiB-aligned run of frames, 0x80000 in (Image header). */
  private loadKernel(): { first: Frame; frames: number } {
    const bytes = KERNEL_TEXT_OFFSET + this.kernelFile.length + this.bootfsBytes;
    const frames = roundUp(bytes, 2 << 20) / this.ram.frameSize;
    const first = this.ram.allocFrame(false);
    invariant(first !== NO_FRAME && this.ram.frameToPaddr(first) % (2 << 20) === 0, 'the kernel region starts 2 MiB-aligned');
    for (let i = 1; i < frames; i++) {
      const f = this.ram.allocFrame(false);
      if (f === NO_FRAME) throw fsErr('ENOMEM', 'boot', 'RAM too small for the kernel image');
      invariant(f === first + i, 'a fresh RAM hands out ascending frames');
    }
    const at = this.ram.frameOffset(first) + KERNEL_TEXT_OFFSET;
    const total = this.kernelFile.length + this.bootfsBytes;
    if (this.loader === 'vmm') {
      // The VMM copies the kernel (with its embedded bootfs) from the host file: this.bootDisk holds the same bytes.
      this.ram.bytes.set(this.kernelFile, at);
      this.ram.bytes.set(this.bootfs, at + this.kernelFile.length);
      this.clock.advance(total * this.costs.vmmCopyNsPerByte);
    } else {
      const req = this.costs.diskLoadRequestBytes;
      for (let off = 0; off < total; off += req) {
        const n = Math.min(req, total - off);
        const sectors = Math.ceil(n / SECTOR);
        const buf = new Uint8Array(sectors * SECTOR);
        this.bootDisk.read(off / SECTOR, sectors, buf);
        this.ram.bytes.set(buf.subarray(0, n), at + off);
      }
    }
    return { first, frames };
  }

  private mmuOn(first: Frame, frames: number): TranslationTables {
    const t = new TranslationTables({ ram: this.ram, granule: 4096, vaBits: 48 });
    const pa = this.ram.frameToPaddr(first);
    buildEarlyTables(t, pa, frames * this.ram.frameSize);
    // Writing the tables: each table frame allocated and zeroed, each descriptor one store.
    this.clock.advance(t.tables * this.profile.kernel.frameAllocNs);
    enableMmu(this.mm.mmu, this.mm.cpu, t);
    // Run through it: the kernel's pages are fetched through the kernel map (one access per 4 KiB page),
    // and the check that the identity map and the kernel map reach the same bytes.
    const cpu = this.mm.cpu;
    for (let off = 0; off < this.kernelFile.length; off += 4096) cpu.load32(KERNEL_REGION_VA + KERNEL_TEXT_OFFSET + off);
    const viaKernel = cpu.load32(KERNEL_REGION_VA + KERNEL_TEXT_OFFSET);
    const viaIdentity = cpu.load32(pa + KERNEL_TEXT_OFFSET);
    const direct = this.ram.view.getUint32(this.ram.frameOffset(first) + KERNEL_TEXT_OFFSET, true);
    invariant(cpu.signal === null && viaKernel === direct && viaIdentity === direct, 'the early maps translate to the loaded kernel');
    return t;
  }

  /** Switch to the runtime tables (OSv: switch_to_runtime_pt): the kernel's mm takes over, one address space. */
  private memoryInit(early: TranslationTables): void {
    const mmu = this.mm.mmu;
    mmu.tlbiAll();
    this.clock.advance(this.profile.cpu.tlbiNs);
    mmu.setRegs(this.runtimeRegs);
    this.asNow = this.mm.createAddressSpace();
    this.mm.switchTo(this.asNow);
    this.mm.cpu.el = 0;
    early.destroy();
  }

  private probeDevices(): void {
    const devices = 1 + (this.poolDisk ? 1 : 0);
    const exits = devices * this.costs.virtioProbeAccesses;
    this.mmioExits += exits;
    this.clock.advance(exits * this.costs.mmioExitNs);
  }

  private mountRoot(kernelFirst: Frame): void {
    const clock = this.clock, profile = this.profile;
    if (this.root === 'ramfs') {
      const fs = new RamFs({ pageCache: this.pageCache, clock, profile });
      this.vfsNow = new Vfs({ root: fs, clock, profile });
      this.backendNow = fs;
      // unpack_bootfs: the bootfs sits behind the kernel in RAM; its files are copied into ramfs.
      const at = this.ram.frameOffset(kernelFirst) + KERNEL_TEXT_OFFSET + this.kernelFile.length;
      const bootfs = parseImage(this.ram.bytes.subarray(at, at + this.bootfsBytes));
      writeTree(this.vfsNow.root, bootfs);
    } else if (this.root === 'pcmfs') {
      const fs = PcmFs.mount(this.pcm!);
      this.vfsNow = new Vfs({ root: fs, clock, profile });
      this.backendNow = fs;
    } else {
      const fs = importZfsLite(this.poolDisk!, { pageCache: this.pageCache, clock, profile, ram: this.ram, mmapCache: this.zfsMmap });
      this.vfsNow = new Vfs({ root: fs, clock, profile });
      this.backendNow = fs;
    }
    this.procNow = this.vfsNow.root;
  }
}

/** The kernel file: deterministic bytes with an AArch64 Image header's magic at 0x38 ("ARM\x64"). */
const kernels = new Map<number, Uint8Array>();
function kernelBytes(n: number): Uint8Array {
  const cached = kernels.get(n);
  if (cached !== undefined) return cached;
  const k = new Uint8Array(n);
  const w = new Uint32Array(k.buffer, 0, n >>> 2);
  const r = new Prng(0x05f);
  for (let i = 0; i < w.length; i++) w[i] = r.u32();
  if (n >= 0x40) new DataView(k.buffer).setUint32(0x38, 0x644d5241, true);
  kernels.set(n, k);
  return k;
}
