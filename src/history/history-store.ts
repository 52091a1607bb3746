import type { JobStatus } from "../spec/result.js";

/** One finished job, as history keeps it. */
export interface HistoryEntry {
  /** What the job is: see `historyKey`. */
  key: string;
  /** Peak memory of the job's whole process tree, in bytes. */
  peakBytes: number;
  /** Wall-clock runtime in ms. */
  runtimeMs: number;
  /** CPU time (user plus system) of the whole process tree, in ms. */
  cpuTimeMs: number;
  status: JobStatus;
  exitCode: number | null;
  /** When it ended, in epoch ms. */
  at: number;
}

/** What earlier runs of a job say it will need. */
export interface HistoryEstimate {
  /** Completed runs the estimate rests on (the most recent ones, at most 20 by default). */
  samples: number;
  /** A high quantile (the 95th percentile by default) of their peak memory, in bytes. */
  memoryBytes: number;
  /** Their median runtime, in ms. */
  runtimeMs: number;
  /** Their median CPU time, in ms. */
  cpuTimeMs: number;
}

/**
 * Where finished jobs are recorded and estimates come from. Only completed runs make
 * estimates: a failed run may have stopped early, and an out-of-memory run's peak is only a
 * floor of what it needed.
 */
export interface HistoryStore {
  /** Records a finished job. Never throws for a failure to write; see the implementation. */
  record(entry: HistoryEntry): void;
  /** What the recent completed runs of `key` needed, or undefined if there are none. */
  estimate(key: string): HistoryEstimate | undefined;
  /** Releases the store's file; it records nothing after. */
  close(): void;
}
