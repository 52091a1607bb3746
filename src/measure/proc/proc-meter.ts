import type { MeasurementMethod } from "../../spec/result.js";
import type { JobMeter, JobUsage } from "../meter.js";
import { CLOCK_TICKS, type ProcessEntry, readHighWaterMark } from "./process-table.js";
import type { ProcessSnapshot } from "./process-tree.js";

/**
 * Measures a job by sampling its process tree. The peak is the larger of the highest summed
 * resident memory seen in a sample and the highest single-process high-water mark (VmHWM,
 * which the kernel keeps between samples). CPU time is the highest summed user+system time
 * seen, children's included once they are reaped.
 */
export class ProcMeter implements JobMeter {
  readonly joinFiles: readonly string[] = [];
  readonly cgroupDirs: readonly string[] = [];
  readonly #roots: number[] = [];
  readonly #groups = new Set<number>();
  /** Every process ever seen in the job, by pid, with its start time to survive pid reuse. */
  readonly #known = new Map<number, number>();
  #members: ProcessEntry[] = [];
  #usage: JobUsage = { currentBytes: 0, peakBytes: 0, cpuMs: 0, oomKills: 0 };

  constructor(
    readonly method: MeasurementMethod,
    /** The tick's shared snapshot, or a fresh one when `fresh` (before killing stragglers). */
    private readonly snapshot: (fresh: boolean) => ProcessSnapshot | undefined,
    private readonly highWaterMarks: boolean,
  ) {}

  limit(): boolean {
    return false;
  }

  attach(pids: readonly number[], processGroups: readonly number[]): void {
    this.#roots.push(...pids);
    for (const g of processGroups) this.#groups.add(g);
    this.sample();
  }

  sample(fresh = false): void {
    const snapshot = this.snapshot(fresh);
    if (!snapshot) return;
    this.#members = snapshot.jobProcesses(this.#roots, this.#groups, this.#known);
    let current = 0;
    let cpuTicks = 0;
    let peak = this.#usage.peakBytes;
    for (const p of this.#members) {
      this.#known.set(p.pid, p.startTicks);
      current += p.rssBytes;
      cpuTicks += p.cpuTicks;
      if (this.highWaterMarks && p.state !== "Z") peak = Math.max(peak, readHighWaterMark(p.pid));
    }
    this.#usage = {
      currentBytes: current,
      peakBytes: Math.max(peak, current),
      cpuMs: Math.max(this.#usage.cpuMs, (cpuTicks * 1000) / CLOCK_TICKS),
      oomKills: 0,
    };
  }

  livePids(): number[] {
    this.sample(true);
    return this.#members.filter((p) => p.state !== "Z").map((p) => p.pid);
  }

  usage(): JobUsage {
    return this.#usage;
  }

  finish(): JobUsage {
    return this.#usage;
  }
}
