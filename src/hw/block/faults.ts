// Injected media faults, for testing the filesystems above: sectors that fail reads with EIO (a latent
// sector error; a write to the sector clears it, as drives reallocate a pending sector on write — the
// SMART "Current Pending Sector" behaviour), sectors that fail writes, and silent corruption (bit flips
// the device returns as good data, which only a checksum catches: Bairavasundaram et al., "An Analysis
// of Data Corruption in the Storage Stack", FAST 2008).

export class BlockFaults {
  /** Sectors whose reads fail with EIO until rewritten. */
  readonly readErrors = new Set<number>();
  /** Sectors whose writes fail with EIO. */
  readonly writeErrors = new Set<number>();

  /** True if any sector of [sector, sector+n) fails reads. */
  failsRead(sector: number, n: number): boolean {
    if (this.readErrors.size === 0) return false;
    for (let s = sector; s < sector + n; s++) if (this.readErrors.has(s)) return true;
    return false;
  }

  failsWrite(sector: number, n: number): boolean {
    if (this.writeErrors.size === 0) return false;
    for (let s = sector; s < sector + n; s++) if (this.writeErrors.has(s)) return true;
    return false;
  }

  /** A successful write remaps the sectors it covers: their read errors are gone. */
  rewritten(sector: number, n: number): void {
    if (this.readErrors.size === 0) return;
    for (let s = sector; s < sector + n; s++) this.readErrors.delete(s);
  }

  clear(): void {
    this.readErrors.clear();
    this.writeErrors.clear();
  }
}
