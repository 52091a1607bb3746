import { setTimeout as sleep } from "node:timers/promises";
import type { JobMeter, JobUsage } from "../measure/meter.js";
import { formatArgv, type JobDefinition } from "../spec/job-spec.js";
import type { AttemptStatus } from "../spec/result.js";
import { jobEnvironment } from "./environment.js";
import type { JobExit, LaunchedJob, Launcher } from "./launcher.js";
import { preflight } from "./local/preflight.js";
import type { Watchdog } from "./local/watchdog.js";

/**
 * Why the run loop stopped a job before it ended by itself: its timeout, a cancellation, its
 * memory limit (sampled where no cgroup enforces it), or memory pressure (to run it again).
 */
export type StopReason = "timeout" | "cancelled" | "oom" | "requeued";

/** What running one attempt needs besides the job. */
export interface AttemptContext {
  launcher: Launcher;
  meter: JobMeter;
  watchdog: Watchdog | undefined;
  /** Milliseconds between SIGTERM and SIGKILL when a job is stopped. */
  killGraceMs: number;
  captureLimitBytes: number;
  /** Why the kernel's OOM killer would have struck this job (its cgroup limit, or the machine running out). */
  oomMessage: string;
  /** Called once the processes exist. */
  onLaunched(job: LaunchedJob, startTime: number): void;
}

/** How one attempt ended, before the run loop turns it into a result. */
export interface AttemptOutcome {
  status: AttemptStatus;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  stdout: string;
  stderr: string;
  /** Epoch ms, or null when no process was started. */
  startTime: number | null;
  endTime: number;
  runtimeMs: number;
  usage: JobUsage;
}

const NO_USAGE: JobUsage = { currentBytes: 0, peakBytes: 0, cpuMs: 0, oomKills: 0 };

/** The outcome of an attempt that never started a process: it could not, or it was not let. */
export function notStartedOutcome(
  status: AttemptStatus,
  error: string,
  usage: JobUsage = NO_USAGE,
): AttemptOutcome {
  return {
    status,
    exitCode: null,
    signal: null,
    error,
    stdout: "",
    stderr: "",
    startTime: null,
    endTime: Date.now(),
    runtimeMs: 0,
    usage,
  };
}

/** Milliseconds the output streams may stay open after the job's processes are gone. */
const OUTPUT_GRACE_MS = 200;
/** A job's leftover processes get at most this long between SIGTERM and SIGKILL. */
const SWEEP_GRACE_MS = 1000;

/**
 * One attempt at running a job: preflight checks, launch, timeout, stopping on request, and the
 * sweep of processes the job leaves behind.
 */
export class Attempt {
  /** Resolves when the attempt has ended and everything it started is gone; never rejects. */
  readonly outcome: Promise<AttemptOutcome>;
  #stop: { reason: StopReason; detail: string | undefined } | undefined;
  #launched: LaunchedJob | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  #timeoutTimer: NodeJS.Timeout | undefined;
  /** Time left before the timeout, kept while the job is suspended. */
  #timeoutLeftMs: number | undefined;
  #timeoutDueAt = 0;
  #suspended = false;
  #suspendedAt = 0;

  constructor(
    private readonly job: JobDefinition,
    private readonly context: AttemptContext,
  ) {
    this.outcome = this.#run();
  }

  /**
   * Stops the job: SIGTERM to its whole process tree, SIGKILL after the grace period (at once
   * for `oom` and `requeued`, where the point is to free memory now).
   */
  stop(reason: StopReason, detail?: string): void {
    if (this.#stop) return;
    this.#stop = { reason, detail };
    if (this.#launched) this.#terminate();
  }

  /** Whether the job is stopped with SIGSTOP. */
  get suspended(): boolean {
    return this.#suspended;
  }

  /** Epoch ms the job was suspended at, while it is. */
  get suspendedAt(): number | undefined {
    return this.#suspended ? this.#suspendedAt : undefined;
  }

  /** Stops the job's whole process tree where it is (SIGSTOP); its timeout clock stops too. */
  suspend(): void {
    if (this.#suspended || this.#stop || !this.#launched) return;
    this.#suspended = true;
    this.#suspendedAt = Date.now();
    this.#signalAll("SIGSTOP");
    if (this.#timeoutTimer) {
      clearTimeout(this.#timeoutTimer);
      this.#timeoutLeftMs = Math.max(0, this.#timeoutDueAt - performance.now());
    }
  }

  /** Lets a suspended job go on (SIGCONT). */
  resume(): void {
    if (!this.#suspended) return;
    this.#suspended = false;
    this.#signalAll("SIGCONT");
    if (this.#timeoutLeftMs !== undefined) this.#armTimeout(this.#timeoutLeftMs);
  }

  #terminate(): void {
    const immediate = this.#stop?.reason === "oom" || this.#stop?.reason === "requeued";
    this.#signalAll(immediate ? "SIGKILL" : "SIGTERM");
    // A stopped process acts on SIGTERM only once it runs again.
    if (this.#suspended) this.#signalAll("SIGCONT");
    if (!immediate) this.#killTimer = setTimeout(() => this.#signalAll("SIGKILL"), this.context.killGraceMs);
  }

  #armTimeout(ms: number): void {
    this.#timeoutDueAt = performance.now() + ms;
    this.#timeoutLeftMs = undefined;
    this.#timeoutTimer = setTimeout(() => this.stop("timeout"), ms);
  }

  #signalAll(signal: NodeJS.Signals): void {
    this.#launched?.signal(signal);
    // Processes that left the job's process groups (setsid, daemons) are found by the meter.
    for (const pid of this.context.meter.livePids()) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  async #run(): Promise<AttemptOutcome> {
    const { job, context } = this;
    const env = jobEnvironment(process.env, job.env, job.cpus);
    for (const argv of job.stages) {
      const problem = preflight(argv[0] ?? "", job.cwd, env.PATH);
      if (problem) return this.#notStarted("error", problem);
    }
    if (this.#stop) return this.#notStarted("cancelled", this.#stop.detail ?? "cancelled before it started");

    const startTime = Date.now();
    const started = performance.now();
    let launched: LaunchedJob;
    try {
      launched = context.launcher.launch({
        stages: job.stages,
        cwd: job.cwd,
        env,
        stdout: job.stdoutPath ? { kind: "file", path: job.stdoutPath } : { kind: "capture" },
        stderr: job.stderrPath ? { kind: "file", path: job.stderrPath } : { kind: "capture" },
        captureLimitBytes: context.captureLimitBytes,
        joinFiles: context.meter.joinFiles,
      });
    } catch (error) {
      return this.#notStarted("error", (error as Error).message);
    }
    this.#launched = launched;
    context.watchdog?.trackGroups(launched.processGroups);
    context.meter.attach(launched.pids, launched.processGroups);
    context.onLaunched(launched, startTime);
    if (this.#stop) this.#terminate();
    if (job.timeoutMs !== undefined) this.#armTimeout(job.timeoutMs);

    const exit = await launched.exited;
    const runtimeMs = performance.now() - started;
    const endTime = Date.now();
    clearTimeout(this.#timeoutTimer);
    clearTimeout(this.#killTimer);

    // The job's own processes have ended; whatever they left behind goes too.
    await this.#sweep();
    const output = await launched.collectOutput(OUTPUT_GRACE_MS);
    context.watchdog?.forgetGroups(launched.processGroups);
    const usage = context.meter.finish();
    return { ...this.#classify(exit, usage), ...output, startTime, endTime, runtimeMs, usage };
  }

  #notStarted(status: AttemptStatus, error: string): AttemptOutcome {
    return notStartedOutcome(status, error, this.context.meter.finish());
  }

  async #sweep(): Promise<void> {
    const { meter, killGraceMs } = this.context;
    if (meter.livePids().length === 0) return;
    this.#signalAll("SIGTERM");
    const killAt = performance.now() + Math.min(killGraceMs, SWEEP_GRACE_MS);
    const giveUpAt = killAt + 5000;
    while (meter.livePids().length > 0 && performance.now() < giveUpAt) {
      if (performance.now() >= killAt) this.#signalAll("SIGKILL");
      await sleep(20);
    }
  }

  #classify(
    exit: JobExit,
    usage: JobUsage,
  ): Pick<AttemptOutcome, "status" | "exitCode" | "signal" | "error"> {
    const { job } = this;
    // pipefail: the rightmost stage that failed speaks for the pipeline.
    let failing = -1;
    exit.stages.forEach((s, i) => {
      if (s.code !== 0) failing = i;
    });
    const stage = exit.stages[failing];
    const exitCode = stage ? stage.code : 0;
    const signal = stage?.signal ?? null;
    const base = { exitCode, signal };

    // In order of precedence: what the run loop asked for beats how the job ended.
    if (exit.spawnError) return { ...base, status: "error", error: exit.spawnError };
    const stop = this.#stop;
    if (stop?.reason === "timeout") {
      return {
        ...base,
        status: "timeout",
        error: `timed out after ${formatSeconds((job.timeoutMs ?? 0) / 1000)}`,
      };
    }
    if (stop?.reason === "cancelled")
      return { ...base, status: "cancelled", error: stop.detail ?? "cancelled" };
    if (stop?.reason === "requeued") return { ...base, status: "requeued", error: stop.detail ?? "requeued" };
    if (stop?.reason === "oom")
      return { ...base, status: "oom", error: stop.detail ?? "over its memory limit" };
    if (!stage) return { ...base, status: "completed", error: null };
    // The kernel killed one of the job's processes for memory, and the job failed: that is why.
    if (usage.oomKills > 0) return { ...base, status: "oom", error: this.context.oomMessage };
    const where =
      job.stages.length > 1
        ? `stage ${failing + 1} of ${job.stages.length} (${formatArgv(job.stages[failing] ?? [])}) `
        : "";
    if (signal) return { ...base, status: "failed", error: `${where}killed by ${signal}` };
    return { ...base, status: "failed", error: where ? `${where}exited with code ${stage.code}` : null };
  }
}

function formatSeconds(s: number): string {
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}
