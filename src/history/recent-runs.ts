import type { HistoryEntry, HistoryEstimate } from "./history-store.js";

/** How many completed runs an estimate rests on, and which quantile of their peaks it takes. */
export interface EstimateSettings {
  /** Most recent completed runs considered (default 20). */
  window?: number;
  /** Quantile of peak memory, between 0 and 1 (default 0.95). */
  memoryQuantile?: number;
}

/**
 * The most recent runs of each key, in the order they ended, and the estimates made from
 * them. It keeps a bounded number per key, so memory grows with the number of keys only.
 */
export class RecentRuns {
  readonly #runs = new Map<string, HistoryEntry[]>();
  readonly #keep: number;
  readonly #window: number;
  readonly #quantile: number;

  /** @param keep runs kept per key, at least the estimate window. */
  constructor(keep: number, settings: EstimateSettings = {}) {
    this.#window = settings.window ?? 20;
    this.#quantile = settings.memoryQuantile ?? 0.95;
    this.#keep = Math.max(keep, this.#window);
  }

  add(entry: HistoryEntry): void {
    let runs = this.#runs.get(entry.key);
    if (!runs) {
      runs = [];
      this.#runs.set(entry.key, runs);
    }
    runs.push(entry);
    if (runs.length > this.#keep) runs.splice(0, runs.length - this.#keep);
  }

  /** Forgets every key but the `max` whose last run ended most recently. */
  retainRecentKeys(max: number): void {
    if (this.#runs.size <= max) return;
    const lastEnd = (runs: readonly HistoryEntry[]) => (runs[runs.length - 1] as HistoryEntry).at;
    const byRecency = [...this.#runs].sort(([, a], [, b]) => lastEnd(b) - lastEnd(a));
    for (const [key] of byRecency.slice(max)) this.#runs.delete(key);
  }

  /** Every kept run, key by key. */
  *entries(): IterableIterator<HistoryEntry> {
    for (const runs of this.#runs.values()) yield* runs;
  }

  estimate(key: string): HistoryEstimate | undefined {
    const completed = (this.#runs.get(key) ?? [])
      .filter((run) => run.status === "completed")
      .slice(-this.#window);
    if (completed.length === 0) return undefined;
    return {
      samples: completed.length,
      memoryBytes: quantile(
        completed.map((run) => run.peakBytes),
        this.#quantile,
      ),
      runtimeMs: median(completed.map((run) => run.runtimeMs)),
      cpuTimeMs: median(completed.map((run) => run.cpuTimeMs)),
    };
  }
}

/** The nearest-rank quantile: the smallest value with at least `q` of the values at or below it. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/** The middle value, or the mean of the two middle values. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
