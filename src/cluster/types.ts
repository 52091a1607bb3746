import type { Launcher } from "../execute/launcher.js";
import type { HistoryStore } from "../history/history-store.js";
import type { MeasurementChoice } from "../measure/backend.js";
import type { HaltPolicy } from "../schedule/halt.js";
import type { SchedulingPolicy } from "../schedule/policy.js";
import type { MemoryPolicy } from "../spec/job-spec.js";
import type { MemorySize } from "../spec/memory.js";
import type { JobResult, JobStatus, MeasurementMethod, StartedJob } from "../spec/result.js";
import type { PolicyName } from "./options.js";

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
  /**
   * What to do when a job uses more memory than it declared times `memoryTolerance`, for jobs
   * that do not say: `"kill"` (ends it as `oom`; a hard cgroup limit where available), `"warn"`
   * (default: flagged in the summary), `"none"`.
   */
  memoryPolicy?: MemoryPolicy;
  /** How far over its declared memory a job may go before `memoryPolicy` applies, as a factor. Default 1.0. */
  memoryTolerance?: number;
  /** The graded response to memory pressure; `false` turns it off. Default: every step on. */
  pressure?: false | PressureOptions;
  /** Seconds before the first retry of a failed job; each later retry waits twice as long. Default 1. */
  retryDelay?: number;
  /** When a job with a `category` and `size` fails by timeout or memory, cancel the jobs of its category at least as large. Default false. */
  chained?: boolean;
  /** Stop the run after this many failures or this share failing: `{ failures: 3, mode: "soon" }`, `{ percent: 10, mode: "now" }`. */
  halt?: HaltPolicy;
  /** How jobs are measured; `auto` (default) picks a memory cgroup per job where possible, else /proc sampling. */
  measurement?: MeasurementChoice;
  /**
   * Which waiting job starts next. Default `"packing"`: largest work first with EASY backfill
   * behind reservations (see docs/scheduling.md). Also `"fifo-backfill"`, `"first-fit"` (the
   * Python mpmsub's), `"strict-fifo"`, or any `SchedulingPolicy`.
   */
  policy?: PolicyName | SchedulingPolicy;
  /** Named resources the cluster has, against which jobs' `resources` are counted: `{ gpu: 2, licence: 4 }`. */
  resources?: Readonly<Record<string, number>>;
  /**
   * Where finished jobs are recorded, so that `m: "auto"` and the packer's runtime estimates
   * learn from earlier runs: a JSON Lines file path, a `HistoryStore`, or `false` for none.
   * Default: `$XDG_CACHE_HOME/mpmsub/history.jsonl` (`~/.cache`, or `~/Library/Caches` on macOS).
   */
  history?: false | string | HistoryStore;
  /** Memory for jobs that declare none: a size, or `"auto"` (from history, else live admission). Default: live admission. */
  defaultMemory?: MemorySize | "auto";
  /** How processes are started. Default: Node's child_process. */
  launcher?: Launcher;
  /** Where every final result goes, before any `jobEnd` handler sees it (a journal is one). */
  sinks?: readonly ResultSink[];
}

/**
 * Receives every job's final result, synchronously and before the `jobEnd` event: so that what
 * a run reports is never missing from, say, a journal, even if the process dies right after.
 * A sink that throws is reported on stderr and the run goes on.
 */
export interface ResultSink {
  record(result: JobResult): void;
}

/**
 * The steps of the response to memory pressure, each on by default. Pressure is measured as
 * headroom: the smaller of (available memory - `memoryFloor`) and (`m` - what the run's jobs use).
 */
export interface PressureOptions {
  /** Start no jobs while headroom is below `margin`. */
  hold?: boolean;
  /** Suspend the youngest growing jobs (SIGSTOP) when headroom is about to run out; resume them when it recovers. */
  suspend?: boolean;
  /** Stop the job whose loss wastes least work and run it again later with its measured peak as its memory. */
  requeue?: boolean;
  /** Headroom kept before acting: MB or a size. Default: 5% of `m` (or of total memory, if less), at least 64 MB and at most 1 GB. */
  margin?: MemorySize;
}

/** Options of {@link Cluster.run}. */
export interface RunOptions {
  /** Aborting stops every running job's process tree and ends waiting jobs as `cancelled`; `run()` still resolves. */
  signal?: AbortSignal;
}

/** Options of {@link Cluster.profile}. */
export interface ProfileOptions extends RunOptions {
  /** Print each job's measurements and the recommendations on stdout (default true). */
  print?: boolean;
}

/** A job that is running now, as listed by {@link Cluster.running}. */
export interface RunningJob extends StartedJob {
  /** Resident memory of the job's process tree now, in MB. */
  memoryCurrent: number;
  /** Peak so far, in MB. */
  memoryPeak: number;
  /** Seconds since it started. */
  elapsed: number;
  /** Stopped (SIGSTOP) by the response to memory pressure, to be resumed when memory recovers. */
  suspended: boolean;
}

/** The memory a cluster sees now, as {@link Cluster.memoryStatus} reports it. All figures in MB. */
export interface MemoryStatus {
  /** Memory available to this process: MemAvailable, or what its memory cgroup's limit leaves. */
  availableMb: number;
  totalMb: number;
  /** Free memory the run never eats into. */
  floorMb: number;
  /** The memory cgroup this process runs in, when it has a limit. */
  cgroup: { limitMb: number; usageMb: number } | null;
  /** What the running jobs use now, measured. */
  jobsMb: number;
  /** The cluster's m. */
  budgetMb: number;
  /** min(available - floor, m - what running jobs hold, each at the larger of its declaration and its use). */
  headroomMb: number;
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
  /** What memory pressure, limits and failures made the runs do. */
  responses: {
    /** Times the cluster stopped starting jobs for want of memory, and the seconds it spent so. */
    holds: number;
    holdSeconds: number;
    suspensions: number;
    resumes: number;
    /** Jobs stopped under memory pressure and run again (never counted as retries). */
    requeues: number;
    retries: number;
    /** Jobs cancelled because a larger-or-equal job of their category failed (`chained`). */
    chainCancellations: number;
  };
  /** Set when the last run was cut short: `"SIGINT"`, `"SIGTERM"`, `"abort"` or `"halt"`. */
  interrupted: "SIGINT" | "SIGTERM" | "abort" | "halt" | null;
  /** Why the run halted, when `interrupted` is `"halt"`. */
  haltReason: string | null;
}

/** What the `pressure` event reports: a step of the response to memory pressure. */
export interface PressureEvent {
  /** `hold`/`release`: starts stopped/allowed again; `suspend`/`resume`/`requeue`: done to job `id`. */
  action: "hold" | "release" | "suspend" | "resume" | "requeue";
  id: string | null;
  /** Memory available to the machine (or to our cgroup), and the floor, in MB. */
  availableMb: number;
  floorMb: number;
  /** What the run's jobs use together, and the cluster's m, in MB. */
  jobsMb: number;
  budgetMb: number;
  /** min(available - floor, m - jobs), in MB. */
  headroomMb: number;
}

/** What the `jobRetry` event reports. */
export interface RetryEvent {
  id: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  status: JobStatus;
  /** Seconds until the next attempt is queued. */
  delay: number;
  /** Memory the next attempt asks for, in MB, or null. */
  memory: number | null;
}

/** Events of a cluster (Node's EventEmitter; handlers are not awaited, and a throwing handler is reported, never fatal). */
export interface ClusterEvents {
  /** A job's processes have started. */
  jobStart: [job: StartedJob];
  /** A job has ended, however it ended; its result is already in every result list. */
  jobEnd: [result: JobResult];
  /** A step of the response to memory pressure. */
  pressure: [event: PressureEvent];
  /** A failed job will run again. */
  jobRetry: [event: RetryEvent];
  /** A callback or event handler threw; the run went on. */
  callbackError: [info: { id: string; hook: string; error: unknown }];
}
