import type { MeasurementMethod } from "../spec/result.js";

/** What a job has used so far. */
export interface JobUsage {
  /** Resident memory of the job's processes now, in bytes. */
  currentBytes: number;
  /** Peak resident memory of the whole process tree, in bytes. */
  peakBytes: number;
  /** User plus system CPU time of the whole process tree, in milliseconds. */
  cpuMs: number;
  /** Processes killed by the kernel's OOM killer inside the job (cgroups only; 0 elsewhere). */
  oomKills: number;
}

/** Measures one attempt of one job, from before its first process starts until after its last ends. */
export interface JobMeter {
  readonly method: MeasurementMethod;
  /**
   * Files (`cgroup.procs`) each of the job's processes must write its pid to before it runs
   * the command, so that nothing it allocates escapes measurement. Empty for sampling meters.
   */
  readonly joinFiles: readonly string[];
  /** Directories the watchdog must empty and remove if this process dies. */
  readonly cgroupDirs: readonly string[];
  /**
   * Sets a hard memory limit before the job starts. Returns true when the kernel enforces it
   * (a cgroup, which OOM-kills at the limit); false when the caller must enforce it by sampling.
   */
  limit(bytes: number): boolean;
  /** Tells the meter the job's processes once they have started. */
  attach(pids: readonly number[], processGroups: readonly number[]): void;
  /** Takes one sample; called on every tick of the run's sampler. */
  sample(): void;
  /** Pids of every process of the job that is still alive, including ones that left its process group. */
  livePids(): number[];
  usage(): JobUsage;
  /** Takes the final reading once the job's processes have ended, and releases what the meter holds. */
  finish(): JobUsage;
}

/** A way of measuring jobs on this machine, chosen once per cluster. */
export interface MeasurementBackend {
  readonly method: MeasurementMethod;
  /** Why a more exact method was not used, for the summary; undefined when the best one is in use. */
  readonly fallbackReason: string | undefined;
  /** How often running jobs should be sampled. */
  readonly sampleIntervalMs: number;
  /** Directories the watchdog must remove if this process dies. */
  readonly cgroupDirs: readonly string[];
  createMeter(jobLabel: string): JobMeter;
  /** Called once per tick before the meters sample, to share one scan of the process table. */
  refresh(): void | Promise<void>;
  /** Removes what the backend created. */
  close(): void;
}
