// The cost profile: what each modelled operation costs in virtual time. It is data, and every figure
// carries its source beside it (DESIGN.md). The default models OSv as a KVM guest on an AArch64 server
// core (Arm Neoverse N1 at 2.5 GHz, as in AWS Graviton2) with a virtio block device.
// Users pass their own profile (a partial override of this one) to a Guest or to a component.
// Rule: never tune a figure to make a comparison come out; change it only with a better source.

import type { Ns } from './clock.js';

export interface CostProfile {
  readonly name: string;
  readonly cpu: {
    /** Core clock period. */
    readonly cycleNs: Ns;
    /** A load or store that hits the TLB and the L1 data cache. */
    readonly l1HitNs: Ns;
    /** One translation-table descriptor fetch during a walk (served by the L2/walk cache). */
    readonly descriptorFetchNs: Ns;
    /** Taking a synchronous exception to EL1 and returning with ERET (no handler work). */
    readonly exceptionNs: Ns;
    /** One TLBI instruction with its DSB/ISB. */
    readonly tlbiNs: Ns;
    /** Copying memory, per byte (memcpy in the kernel, bulk CPU reads and writes). */
    readonly memcpyNsPerByte: Ns;
    /** Fletcher-4 checksum, per byte. */
    readonly checksumNsPerByte: Ns;
  };
  readonly kernel: {
    /** The fixed path of one VFS call (OSv: a function call, a vnode lock, no mode switch). */
    readonly vfsCallNs: Ns;
    /** One dentry-cache probe or one backend lookup of a path component. */
    readonly lookupComponentNs: Ns;
    /** Allocating and zeroing a 4 KiB frame. */
    readonly frameAllocNs: Ns;
  };
  readonly pcm: {
    readonly readRandomNs: Ns;
    readonly readSequentialNs: Ns;
    /** Latency for written data to reach the persistence domain; a fence with writes outstanding waits it once. */
    readonly writeNs: Ns;
    readonly readBytesPerNs: number;
    readonly writeBytesPerNs: number;
    /** DC CVAP of one dirty line: issuing its write-back (the line's transfer; the latency is the fence's). */
    readonly flushLineNs: Ns;
    /** DSB (plus writeNs when flushes or streaming stores are outstanding). */
    readonly fenceNs: Ns;
    /** DC CVAP of a line that is clean or not cached (a cache lookup, no write-back). */
    readonly flushCleanLineNs: Ns;
    /** Writes a PCM cell endures before it wears out (wear reports compare against it). */
    readonly enduranceWrites: number;
  };
  readonly block: {
    /** Fixed part of one read request (guest notify, host I/O, completion interrupt), excluding transfer. */
    readonly readLatencyNs: Ns;
    /** Transfer rate of reads once a request is under way. */
    readonly readBytesPerNs: number;
    /** Fixed part of one write request (into the device's volatile write cache). */
    readonly writeLatencyNs: Ns;
    readonly writeBytesPerNs: number;
    /** One FLUSH request (VIRTIO_BLK_T_FLUSH: host fdatasync, device cache flush). */
    readonly flushNs: Ns;
  };
}

const CYCLE_NS = 0.4; // 2.5 GHz: AWS Graviton2 (Neoverse N1) nominal clock, AWS EC2 M6g product page.

export const OSV_AARCH64_KVM: CostProfile = {
  name: 'osv-aarch64-kvm',
  cpu: {
    cycleNs: CYCLE_NS,
    // Arm Neoverse N1 Software Optimization Guide (PJDOC-466751330-9707, 2019), §3: L1D load-to-use 4 cycles.
    l1HitNs: 4 * CYCLE_NS,
    // Same guide: L2 load-to-use 11 cycles; walks are served from the L2 (descriptors are cacheable).
    descriptorFetchNs: 11 * CYCLE_NS,
    // Dall et al., "ARM Virtualization: Performance and Architectural Implications", ISCA 2016, Table 3:
    // a trap (mode switch) costs 27 cycles; entry plus return is two of them. Measured on X-Gene.
    exceptionNs: 2 * 27 * CYCLE_NS,
    // Estimate: a local TLBI with DSB+ISB drains the pipeline, ~100 cycles (no published N1 figure found).
    tlbiNs: 100 * CYCLE_NS,
    // ~10 GB/s single-core copy bandwidth for buffers beyond L2 (STREAM copy per core on Graviton2,
    // AnandTech "Amazon's Arm-based Graviton2 Against AMD and Intel", 2020, single-thread bandwidth).
    memcpyNsPerByte: 1 / 10,
    // OpenZFS fletcher_4 micro-benchmark (module/zcommon/zfs_fletcher.c) on aarch64 NEON: ~4 GB/s
    // per core reported in `/proc/spl/kstat/zfs/fletcher_4_bench` outputs on Graviton-class cores.
    checksumNsPerByte: 1 / 4,
  },
  kernel: {
    // Estimate: OSv runs applications at EL1 with no syscall trap; a VFS call is a function call, a
    // file-table lookup and a vnode lock, a few hundred cycles (OSv README, "Design": no syscall overhead).
    vfsCallNs: 300 * CYCLE_NS,
    // Estimate: one hash probe in the dentry cache (OSv vfs_dentry.cc, 32-bucket hash) ~ 50 cycles.
    lookupComponentNs: 50 * CYCLE_NS,
    // Zeroing 4 KiB at the copy bandwidth above plus the allocator's bookkeeping (~100 cycles).
    frameAllocNs: 4096 / 10 + 100 * CYCLE_NS,
  },
  pcm: {
    // Izraelevitz et al., "Basic Performance Measurements of the Intel Optane DC Persistent Memory
    // Module", arXiv:1903.05714 (2019): idle read latency 305 ns random, 169 ns sequential.
    readRandomNs: 305,
    readSequentialNs: 169,
    // Same paper: a store plus clwb+sfence completes in ~90 ns (write-pending queue in the ADR domain).
    writeNs: 90,
    // Same paper: one DIMM reads at 6.6 GB/s and writes at 2.3 GB/s.
    readBytesPerNs: 6.6,
    writeBytesPerNs: 2.3,
    // Write-backs overlap (clwb is asynchronous until the fence): each costs its 64 bytes at the DIMM's
    // write bandwidth, 64 / 2.3 ≈ 27.8 ns, and the fence then waits the ~90 ns latency once.
    flushLineNs: 64 / 2.3,
    // Estimate: the fence waits for outstanding flushes; with none outstanding it is a DSB, ~30 cycles.
    fenceNs: 30 * CYCLE_NS,
    // Estimate: DC CVAP on a clean line is a tag lookup with nothing to write back; an L2 access
    // (Neoverse N1 Software Optimization Guide: L2 load-to-use 11 cycles).
    flushCleanLineNs: 11 * CYCLE_NS,
    // Lee et al., "Architecting Phase Change Memory as a Scalable DRAM Alternative", ISCA 2009, §2:
    // PCM cells endure about 10^8 writes (Qureshi et al., Start-Gap, MICRO 2009, quote 10^7–10^8).
    enduranceWrites: 1e8,
  },
  block: {
    // virtio-blk in a KVM guest over a host NVMe drive, QEMU linux-aio backend, queue depth 1, measured
    // in the guest with fio (QEMU commit bdd6a90a9e5f "block: Add VFIO based NVMe driver", Fam Zheng,
    // 2018, table "linux-aio" column): randread 4k 10.5k IOPS (95.2 us), randread 512k 745 IOPS
    // (1342 us). Fitting t = fixed + bytes/bandwidth to the two points: 85.4 us fixed, 0.417 B/ns.
    // The fixed part includes the guest notify and completion interrupt (Dall et al., ISCA 2016, Table 3:
    // KVM ARM "I/O Latency Out" 6,024 and "I/O Latency In" 13,872 cycles, a few us of it).
    readLatencyNs: 85_400,
    readBytesPerNs: 0.417,
    // Same commit: randwrite 4k 30.7k IOPS (32.6 us), randwrite 512k 1945 IOPS (514 us):
    // 28.8 us fixed, 1.08 B/ns (writes land in the drive's volatile write cache).
    writeLatencyNs: 28_800,
    writeBytesPerNs: 1.08,
    // Estimate: one data-less request round trip (the write's fixed part) on a data-centre drive with
    // power-loss protection, whose cache flush does no media work. Drives without it take milliseconds
    // (Linux commit b27dc7ae39cb "apple-nvme: defer cache flushes": 17-18 ms per flush on Apple M1).
    flushNs: 28_800,
  },
};

type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type ProfileOverride = DeepPartial<CostProfile>;

/** A profile built from the default with the given figures replaced (each override should cite its source). */
export function makeProfile(override: ProfileOverride = {}, base: CostProfile = OSV_AARCH64_KVM): CostProfile {
  const merge = (b: any, o: any): any => {
    if (o === undefined) return b;
    if (typeof b !== 'object' || b === null) return o;
    const out: any = { ...b };
    for (const k of Object.keys(o)) out[k] = merge(b[k], o[k]);
    return out;
  };
  return merge(base, override) as CostProfile;
}
