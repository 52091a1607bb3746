/**
 * How a job's processes are started. The run loop depends only on this interface, so a
 * faster launcher (a long-lived posix_spawn helper) or a remote one (Slurm) can replace the
 * child_process launcher without touching the rest.
 */

/** Where a stream goes: captured in memory (its tail, capped), or a file. */
export type OutputTarget = { kind: "capture" } | { kind: "file"; path: string };

/** Everything needed to start a job's processes. */
export interface LaunchSpec {
  /** One argv per process; each stage's stdout feeds the next stage's stdin. */
  stages: readonly (readonly string[])[];
  cwd: string | undefined;
  /** The complete environment. */
  env: Readonly<Record<string, string>>;
  stdout: OutputTarget;
  stderr: OutputTarget;
  /** Bytes kept per captured stream. */
  captureLimitBytes: number;
  /** `cgroup.procs` files each process joins before running its command. */
  joinFiles: readonly string[];
}

/** How one process ended. */
export interface StageExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How all of a job's processes ended, or why they could not start. */
export interface JobExit {
  stages: StageExit[];
  /** Set when a process could not be started (missing program, bad directory). */
  spawnError: string | undefined;
}

/** Captured output of a job. */
export interface JobOutput {
  stdout: string;
  stderr: string;
}

/** A job whose processes have been started. */
export interface LaunchedJob {
  readonly pids: readonly number[];
  /** Each process runs in a process group of its own, so that a signal reaches its whole tree. */
  readonly processGroups: readonly number[];
  /** Resolves when every process has exited (never rejects). */
  readonly exited: Promise<JobExit>;
  /** Sends a signal to every process group of the job. */
  signal(signal: NodeJS.Signals): void;
  /** Waits up to `graceMs` for the output streams to end, then returns what was captured. */
  collectOutput(graceMs: number): Promise<JobOutput>;
}

/** Starts jobs' processes. */
export interface Launcher {
  /** @throws Error with a readable message when the job cannot be started at all (e.g. an output file cannot be opened). */
  launch(spec: LaunchSpec): LaunchedJob;
}
