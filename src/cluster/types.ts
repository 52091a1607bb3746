import type { Launcher } from "../execute/launcher.js";
import type { MeasurementChoice } from "../measure/backend.js";
import type { SchedulingPolicy } from "../schedule/policy.js";
import type { MemorySize } from "../spec/memory.js";
import type { JobResult, JobStatus, MeasurementMethod, StartedJob } from "../spec/result.js";

/** Options of {@link cluster}. Every field is optional; `cluster()` detects what the machine allows. */
export interface ClusterOptions {
  /** CPU cores the jobs may use together. Default: the CPUs this process may use (affinity and cgroup quota). Aliases: `cpus`, `cpu`. */
  p?: number;
  cpus?: number;
  cpu?: number;
  /** Memory the jobs may use together: MB or a size such as `"16G"`. Default: 90% of the memory available now. Alias: `memory`. */
  m?: MemorySize;
  memory?: MemorySize;
  /**
   * Free memory the run never eats into: a job without declared memory starts only while more
   * than this is available. Default: 5% of total memory or 1 GB, whichever is smaller.
   */
  memoryFloor?: MemorySize;
  /** Show a progress bar on stderr (plain lines when stderr is not a terminal). Default true. */
  progressBar?: boolean;
  /** Seconds between SIGTERM and SIGKILL when a job is stopped. Default 2. */
  killGrace?: number;
  /** Bytes of each job's stdout and stderr kept in memory (the tail): MB or a size. Default `"1M"`. */
  captureLimit?: MemorySize;
  /** Stop every job's process tree on SIGINT/SIGTERM of this process during a run. Default true. */
  handleSignals?: boolean;
  /** How jobs are measured; `auto` (default) picks a memory cgroup per job where possible, else /proc sampling. */
  measurement?: MeasurementChoice;
  /** Which waiting job starts next. Default: FIFO with backfill behind a reservation for the oldest job. */
  policy?: SchedulingPolicy;
  /** How processes are started. Default: Node's child_process. */
  launcher?: Launcher;
}

/** Options of {@link Cluster.run}. */
export interface RunOptions {
  /** Aborting stops every running job's process tree and ends waiting jobs as `cancelled`; `run()` still resolves. */
  signal?: AbortSignal;
}

/** A job that is running now, as listed by {@link Cluster.running}. */
export interface RunningJob extends StartedJob {
  /** Resident memory of the job's process tree now, in MB. */
  memoryCurrent: number;
  /** Peak so far, in MB. */
  memoryPeak: number;
  /** Seconds since it started. */
  elapsed: number;
}

/** Counts and totals of a cluster, as returned by `run()` and {@link Cluster.stats}. */
export interface RunStats {
  cluster: {
    /** CPU cores the jobs may use together. */
    maxCpus: number;
    /** Memory the jobs may use together, in MB. */
    maxMemoryMb: number;
    /** The same, formatted: `"16.0G"`. */
    maxMemory: string;
    /** Free memory the run never eats into, in MB. */
    memoryFloorMb: number;
    /** Wall-clock seconds spent in `run()` so far. */
    runtime: number;
    runtimeFormatted: string;
    /** How job memory is measured on this machine. */
    measurement: MeasurementMethod;
    /** Why a more exact measurement was not available, if it was not. */
    measurementNote: string | null;
  };
  jobs: {
    pending: number;
    running: number;
    /** Jobs that ended with status `completed`. */
    completed: number;
    /** Jobs that ended any other way. */
    failed: number;
    total: number;
    byStatus: Record<JobStatus, number>;
  };
  resources: {
    /** Cores declared by running jobs. */
    cpuSlotsUsed: number;
    /** Memory declared by running jobs (measured, for jobs that declared none), in MB. */
    memoryReservedMb: number;
    memoryReserved: string;
    activeJobs: number;
  };
  /** Set when the last run was cut short: `"SIGINT"`, `"SIGTERM"` or `"abort"`. */
  interrupted: "SIGINT" | "SIGTERM" | "abort" | null;
}

/** Events of a cluster (Node's EventEmitter; handlers are not awaited, and a throwing handler is reported, never fatal). */
export interface ClusterEvents {
  /** A job's processes have started. */
  jobStart: [job: StartedJob];
  /** A job has ended, however it ended; its result is already in every result list. */
  jobEnd: [result: JobResult];
  /** A callback or event handler threw; the run went on. */
  callbackError: [info: { id: string; hook: string; error: unknown }];
}
