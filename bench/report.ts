// Output helpers shared by the benchmarks: aligned tables for people, number formats, and a progress bar
// (cli-progress, on stderr, drawn only when stderr is a terminal so that pipes and --json stay clean).

import cliProgress from 'cli-progress';

export type Align = 'l' | 'r';

/** An aligned text table: a header row, a rule, then the rows; columns padded to their widest cell. */
export function formatTable(header: string[], rows: string[][], align: Align[]): string {
  const widths = header.map((h, c) => Math.max(width(h), ...rows.map((r) => width(r[c] ?? ''))));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => {
        const pad = ' '.repeat(widths[c]! - width(cell));
        return align[c] === 'l' ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Display width, counting each code point as one column (the marks used here are all narrow). */
function width(s: string): number {
  return [...s].length;
}

/** A rate in a short, comparable form: 1.23 M, 154 k, 66.0, or MiB/s with thousands separators. */
export function formatRate(v: number, unit: 'ops/s' | 'MiB/s'): string {
  if (!Number.isFinite(v)) return '—';
  if (unit === 'MiB/s') return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e5) return `${(v / 1e3).toFixed(0)} k`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k`;
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

export function formatRatio(a: number | null | undefined, b: number | null | undefined): string {
  if (a == null || b == null || !(b > 0)) return '—';
  const r = a / b;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toFixed(3)}×`;
}

export function formatPercent(a: number | null | undefined, b: number | null | undefined): string {
  if (a == null || b == null || !(b > 0)) return '—';
  return `${Math.round((100 * a) / b)}%`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

export interface Progress {
  /** Advance by one step and show what just finished. */
  tick(label: string): void;
  stop(): void;
}

/** A progress bar on stderr over `total` steps; silent when stderr is not a terminal. */
export function startProgress(total: number, title: string): Progress {
  if (!process.stderr.isTTY) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${title} {bar} {value}/{total} {step}`,
      hideCursor: true,
      clearOnComplete: true,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { step: '' });
  return {
    tick(label: string) {
      bar.increment(1, { step: label });
    },
    stop() {
      bar.stop();
    },
  };
}

/**
 * Run `fn`, which reports (done, total) steps through its callback, with a progress bar on stderr that
 * starts at the first report and is removed when `fn` returns or throws.
 */
export function withProgressBar<T>(format: string, fn: (onStep: (done: number, total: number) => void) => T): T {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  try {
    return fn((done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    });
  } finally {
    if (started) bar.stop();
  }
}
