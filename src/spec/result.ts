/**
 * The shapes of what a run reports. They live beside the spec because a job's callbacks,
 * declared in the spec, receive them.
 */

/** How a job ended. */
export type JobStatus = "completed" | "failed" | "timeout" | "oom" | "cancelled" | "error";

/**
 * How a job's memory was measured, from most to least exact:
 * - `cgroup-v1` / `cgroup-v2`: a memory cgroup per job; the kernel's peak catches every spike.
 *   Page cache is charged to cgroups too, so the cache the job left behind is subtracted and
 *   sampled resident memory (every 50 ms) is the floor; the figure may err low by the cache
 *   that was dropped before the job ended.
 * - `proc`: the job's process tree sampled from /proc every 50 ms, with each process's own
 *   high-water mark (VmHWM); a spike shorter than the interval in a process that exits before
 *   the next sample can be missed, and pages shared between processes are counted once per process.
 * - `ps`: `ps` sampled about every 500 ms (macOS): short spikes are missed.
 * - `none`: the job never started.
 */
export type MeasurementMethod = "cgroup-v1" | "cgroup-v2" | "proc" | "ps" | "none";

/**
 * How one attempt ended: a job status, or `requeued` for an attempt stopped under memory
 * pressure and run again (which never uses up `retries`).
 */
export type AttemptStatus = JobStatus | "requeued";

/** One attempt at running a job. */
export interface JobAttempt {
  /** 1 for the first attempt. */
  attempt: number;
  status: AttemptStatus;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  /** Peak resident memory of the attempt's whole process tree, in MB. */
  memoryUsed: number;
  /** Memory the attempt asked for, in MB (raised on a retry after `oom`), or null. */
  memoryRequested: number | null;
  /** Wall-clock seconds. */
  runtime: number;
  /** User plus system CPU seconds of the whole process tree. */
  cpuTime: number;
  /** Epoch milliseconds, or null if the attempt never started a process. */
  startTime: number | null;
  endTime: number;
}

/** The outcome of a job, as found in `completedJobs` and `failedJobs`. */
export interface JobResult {
  id: string;
  /** The command as it was given: an argv array, a shell string, or a pipeline's stages. */
  cmd: readonly string[] | string | readonly (readonly string[])[];
  /** The command as one line, for display: `"cat x | grep y"`. */
  command: string;
  status: JobStatus;
  /** True exactly when `status` is `"completed"`. */
  success: boolean;
  /** Exit code; for a pipeline, the rightmost failing stage's (as `set -o pipefail`). Null if killed by a signal or never started. */
  exitCode: number | null;
  /** Name of the signal that ended the process (`"SIGKILL"`), or null. */
  signal: string | null;
  /** Why the job did not complete, in words; null on success and for a plain non-zero exit. */
  error: string | null;
  /** Captured standard output (its tail, if it exceeded the capture limit), or a note where it went. */
  stdout: string;
  /** Captured standard error; a pipeline's holds every stage's, each labelled. */
  stderr: string;
  /** Wall-clock seconds from start to exit. */
  runtime: number;
  /** Peak resident memory of the whole process tree in MB (never page cache); see `memoryMethod`. */
  memoryUsed: number;
  /** How `memoryUsed` was measured and where it may err. */
  memoryMethod: MeasurementMethod;
  /** Memory the job asked for, in MB (on its last attempt: a retry after `oom` asks for more), or null if it declared none. */
  memoryDeclared: number | null;
  /** What applied when the job used more than it declared: `kill`, `warn` or `none`. */
  memoryPolicy: "kill" | "warn" | "none";
  /** CPU cores the job declared. */
  cpus: number;
  /** User plus system CPU seconds of the whole process tree. */
  cpuTime: number;
  /** Epoch milliseconds; null if it never started. */
  startTime: number | null;
  /** Epoch milliseconds. */
  endTime: number;
  /** Every attempt, oldest first; the last one is this result. */
  attempts: JobAttempt[];
}

/** What a job's `onStart` callback and the cluster's `jobStart` event receive. */
export interface StartedJob {
  id: string;
  command: string;
  cpus: number;
  /** Declared memory in MB, or null. */
  memoryDeclared: number | null;
  /** Process id of the job's process (for a pipeline, of the shell that runs its stages); each leads its own process group. */
  pids: number[];
  /** Epoch milliseconds. */
  startTime: number;
  attempt: number;
}
