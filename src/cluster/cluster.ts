import { EventEmitter } from "node:events";
import { constants } from "node:os";
import { watchdog } from "../execute/local/watchdog.js";
import type { AttemptOutcome } from "../execute/run-attempt.js";
import { historyKey } from "../history/history-key.js";
import { openMeasurement } from "../measure/backend.js";
import { readMemoryView } from "../measure/system.js";
import { formatDuration } from "../report/format.js";
import { formatPlan } from "../report/plan.js";
import { formatProfile } from "../report/profile.js";
import { createProgress } from "../report/progress.js";
import { formatSummary } from "../report/summary.js";
import type { JobDefinition } from "../spec/job-spec.js";
import { bytesToMb, formatMemory } from "../spec/memory.js";
import type { JobResult, JobStatus, MeasurementMethod, StartedJob } from "../spec/result.js";
import { JobQueue } from "./job-queue.js";
import { type ClusterSettings, resolveClusterOptions } from "./options.js";
import { type Plan, planJobs } from "./plan.js";
import { RunSession } from "./run-session.js";
import type {
  ClusterEvents,
  ClusterOptions,
  MemoryStatus,
  ProfileOptions,
  RunningJob,
  RunOptions,
  RunStats,
} from "./types.js";

const STATUSES: readonly JobStatus[] = ["completed", "failed", "timeout", "oom", "cancelled", "error"];
const MB = 1024 * 1024;
/** Headroom over the memory history estimates (a high quantile of recent peaks) for `m: "auto"`. */
export const HISTORY_HEADROOM = 1.2;
type Interruption = RunStats["interrupted"];

/**
 * Runs jobs on this machine, as many at a time as their declared cores and memory allow,
 * and measures what each really used.
 *
 * @example
 * const p = cluster({ p: 6, m: "16G" });
 * p.jobs.append({ cmd: ["sort", "big.txt"], p: 1, m: "1g" });
 * await p.run();
 * for (const r of p.completedJobs) console.log(`${r.id} ${r.runtime.toFixed(2)}s ${r.memoryUsed.toFixed(1)}MB`);
 * p.printSummary();
 */
export class Cluster extends EventEmitter<ClusterEvents> {
  /** The jobs waiting to run. Jobs may be added while `run()` is going; it picks them up. */
  readonly jobs = new JobQueue((job) => this.#withEstimates(job));
  /** CPU cores the jobs may use together. */
  readonly cpus: number;
  /** Memory the jobs may use together, in MB. */
  readonly memory: number;
  /** Free memory the run never eats into, in MB. */
  readonly memoryFloor: number;

  readonly #settings: ClusterSettings;
  readonly #results: JobResult[] = [];
  readonly #completed: JobResult[] = [];
  readonly #failed: JobResult[] = [];
  #session: RunSession | undefined;
  #endedThisRun = 0;
  #failedThisRun = 0;
  #runtimeMs = 0;
  #runStart: number | undefined;
  #interrupted: Interruption = null;
  #haltReason: string | null = null;
  readonly #responses: RunStats["responses"] = {
    holds: 0,
    holdSeconds: 0,
    suspensions: 0,
    resumes: 0,
    requeues: 0,
    retries: 0,
    chainCancellations: 0,
  };
  #measurement: { method: MeasurementMethod; note: string | null } = { method: "none", note: null };

  constructor(options: ClusterOptions = {}) {
    super();
    this.#settings = resolveClusterOptions(options);
    this.cpus = this.#settings.cpus;
    this.memory = bytesToMb(this.#settings.memoryBytes);
    this.memoryFloor = bytesToMb(this.#settings.floorBytes);
  }

  /** Jobs that completed successfully, in the order they ended. */
  get completedJobs(): JobResult[] {
    return [...this.#completed];
  }

  /** Jobs that ended any other way (failed, timeout, oom, cancelled, error), in the order they ended. */
  get failedJobs(): JobResult[] {
    return [...this.#failed];
  }

  /** Every ended job, in the order they ended. */
  get results(): JobResult[] {
    return [...this.#results];
  }

  /** The jobs running now, with their current and peak memory. */
  get running(): RunningJob[] {
    return this.#session?.running() ?? [];
  }

  /** The memory the cluster sees now: available, the floor, a cgroup limit if any, what jobs use, the headroom. */
  get memoryStatus(): MemoryStatus {
    const view = readMemoryView();
    const held = this.#session?.held() ?? { cpus: 0, memory: 0 };
    const jobs = this.running.reduce((sum, j) => sum + j.memoryCurrent, 0);
    const floor = this.#settings.floorBytes;
    return {
      availableMb: bytesToMb(view.availableBytes),
      totalMb: bytesToMb(view.totalBytes),
      floorMb: bytesToMb(floor),
      cgroup: view.cgroup
        ? { limitMb: bytesToMb(view.cgroup.limitBytes), usageMb: bytesToMb(view.cgroup.usageBytes) }
        : null,
      jobsMb: jobs,
      budgetMb: this.memory,
      headroomMb: bytesToMb(Math.min(view.availableBytes - floor, this.#settings.memoryBytes - held.memory)),
    };
  }

  /** Counts and totals; also what `run()` resolves with. */
  get stats(): RunStats {
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    for (const r of this.#results) byStatus[r.status]++;
    const running = this.running;
    const held = this.#session?.held() ?? { cpus: 0, memory: 0 };
    const runtime =
      (this.#runtimeMs + (this.#runStart === undefined ? 0 : performance.now() - this.#runStart)) / 1000;
    return {
      cluster: {
        maxCpus: this.cpus,
        maxMemoryMb: this.memory,
        maxMemory: formatMemory(this.memory),
        memoryFloorMb: this.memoryFloor,
        runtime,
        runtimeFormatted: formatDuration(runtime),
        measurement: this.#measurement.method,
        measurementNote: this.#measurement.note,
      },
      jobs: {
        pending: this.jobs.length + (this.#session?.delayed ?? 0),
        running: running.length,
        completed: this.#completed.length,
        failed: this.#failed.length,
        total: this.#results.length + running.length + this.jobs.length + (this.#session?.delayed ?? 0),
        byStatus,
      },
      resources: {
        cpuSlotsUsed: held.cpus,
        memoryReservedMb: bytesToMb(held.memory),
        memoryReserved: formatMemory(bytesToMb(held.memory)),
        activeJobs: running.length,
      },
      responses: { ...this.#responses },
      interrupted: this.#interrupted,
      haltReason: this.#haltReason,
    };
  }

  /**
   * Runs every waiting job (and any added meanwhile) and resolves when all have ended. It never
   * rejects because jobs failed: look at `failedJobs`. It may be called again for jobs added later;
   * results accumulate.
   */
  async run(options: RunOptions = {}): Promise<RunStats> {
    await this.#execute(false, options);
    return this.stats;
  }

  /**
   * Runs the waiting jobs one at a time, each alone, measures them, prints a recommended memory
   * request for each (peak x 1.2) and returns their results. Useful before the first real run.
   */
  async profile(options: ProfileOptions = {}): Promise<JobResult[]> {
    const print = options.print ?? true;
    const first = this.#results.length;
    if (print) process.stdout.write(`MPMSUB PROFILING: ${this.jobs.length} jobs, one at a time\n`);
    await this.#execute(
      true,
      options,
      print ? (r) => process.stdout.write(formatProfile([r]).perJob) : undefined,
    );
    const profiled = this.#results.slice(first);
    if (print) process.stdout.write(formatProfile(profiled).recommendation);
    return profiled;
  }

  /**
   * Predicts the schedule of the waiting jobs without running anything: the cluster's own
   * policy played through the simulator, with runtimes and memory from history where earlier
   * runs are known. What-ifs: plan the same jobs on clusters of other sizes.
   */
  plan(): Plan {
    const settings = this.#settings;
    const capacity = { cpus: settings.cpus, memory: settings.memoryBytes, resources: settings.resources };
    return planJobs(this.jobs.pending, capacity, settings.createPolicy(capacity));
  }

  /** Prints {@link plan} on stdout and returns it. */
  printPlan(): Plan {
    const plan = this.plan();
    process.stdout.write(formatPlan(plan));
    return plan;
  }

  /** The summary of every job so far, as {@link printSummary} prints it. */
  summary(): string {
    return formatSummary(this.stats, this.#results);
  }

  /** Prints the summary on stdout: counts, runtimes, CPU time, memory, and each failure with its reason. */
  printSummary(): void {
    process.stdout.write(this.summary());
  }

  async #execute(exclusive: boolean, options: RunOptions, onEnded?: (r: JobResult) => void): Promise<void> {
    if (this.#session) throw new Error("run() or profile() is already in progress on this cluster");
    const settings = this.#settings;
    const backend = openMeasurement(settings.measurement);
    this.#measurement = { method: backend.method, note: backend.fallbackReason ?? null };
    this.#interrupted = null;
    this.#haltReason = null;
    this.#endedThisRun = 0;
    this.#failedThisRun = 0;
    const progress = settings.progressBar ? createProgress() : undefined;
    const capacity = { cpus: settings.cpus, memory: settings.memoryBytes, resources: settings.resources };
    const session = new RunSession(
      {
        ...settings,
        queue: this.jobs,
        capacity,
        policy: settings.createPolicy(capacity),
        backend,
        watchdog: watchdog(),
        responses: this.#responses,
        readMemory: () => readMemoryView(),
        pressureEvent: (event) => this.#emitSafely(event.id ?? "cluster", "pressure", event),
        retryEvent: (event) => this.#emitSafely(event.id, "jobRetry", event),
        started: (job, definition) => this.#started(job, definition),
        attemptEnded: (definition, outcome) => this.#learn(definition, outcome),
        ended: (result, definition) => {
          this.#ended(result, definition);
          onEnded?.(result);
        },
        changed: () => progress?.update(this.#progress()),
      },
      exclusive,
    );
    this.#session = session;
    this.#runStart = performance.now();

    const interrupt = (reason: NonNullable<Interruption>) => {
      this.#interrupted ??= reason;
      session.interrupt(reason);
    };
    const onAbort = () => interrupt("abort");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    const removeSignalHandlers = settings.handleSignals ? this.#handleSignals(interrupt) : () => {};
    try {
      await session.run();
    } finally {
      if (session.haltReason) {
        this.#interrupted ??= "halt";
        this.#haltReason = session.haltReason;
      }
      removeSignalHandlers();
      options.signal?.removeEventListener("abort", onAbort);
      progress?.stop(this.#progress());
      this.#runtimeMs += performance.now() - (this.#runStart ?? performance.now());
      this.#runStart = undefined;
      this.#session = undefined;
    }
  }

  /** SIGINT/SIGTERM stop the run (every job's tree) and let `run()` resolve; a second one exits at once. */
  #handleSignals(interrupt: (reason: "SIGINT" | "SIGTERM") => void): () => void {
    const onSignal = (signal: "SIGINT" | "SIGTERM") => {
      if (this.#interrupted === signal) {
        // Second request: leave now; the watchdog kills what is left.
        process.exit(128 + constants.signals[signal]);
      }
      process.stderr.write(
        `\nmpmsub: ${signal}: stopping ${this.running.length} running jobs (again to exit at once)\n`,
      );
      process.exitCode = 128 + constants.signals[signal];
      interrupt(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    return () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    };
  }

  #progress() {
    const held = this.#session?.held() ?? { cpus: 0, memory: 0 };
    const running = this.#session?.running().length ?? 0;
    return {
      total: this.#endedThisRun + running + this.jobs.length + (this.#session?.delayed ?? 0),
      ended: this.#endedThisRun,
      failed: this.#failedThisRun,
      running,
      memoryMb: bytesToMb(held.memory),
    };
  }

  /**
   * Completes a new job with what history says of it: its memory when it asks for `"auto"` (or
   * declares none and the cluster's default is `"auto"`), and its expected runtime for the packer.
   */
  #withEstimates(job: JobDefinition): JobDefinition {
    const { defaultMemory, memoryBytes: capacityBytes } = this.#settings;
    const store = this.#settings.history?.();
    const historyKeyOf = store ? historyKey({ stages: job.stages, group: job.group }) : undefined;
    const estimate = historyKeyOf ? store?.estimate(historyKeyOf) : undefined;
    let { memoryBytes, memorySource } = job;
    if (memorySource === "auto" || (memorySource === "live" && defaultMemory === "auto")) {
      memoryBytes = estimate
        ? Math.min(capacityBytes, Math.ceil(Math.max(estimate.memoryBytes, MB) * HISTORY_HEADROOM))
        : undefined;
      memorySource = estimate ? "history" : "live";
    } else if (memorySource === "live" && typeof defaultMemory === "number") {
      memoryBytes = defaultMemory;
      memorySource = "default";
    }
    return {
      ...job,
      memoryBytes,
      memorySource,
      runtimeEstimateMs: estimate?.runtimeMs,
      historyKey: historyKeyOf,
    };
  }

  /** Records what an attempt used, so that later runs of the same job can be estimated. */
  #learn(job: JobDefinition, outcome: AttemptOutcome): void {
    if (job.historyKey === undefined || outcome.startTime === null) return;
    if (outcome.status === "requeued" || outcome.status === "cancelled" || outcome.status === "error") return;
    this.#settings.history?.().record({
      key: job.historyKey,
      peakBytes: outcome.usage.peakBytes,
      runtimeMs: outcome.runtimeMs,
      cpuTimeMs: outcome.usage.cpuMs,
      status: outcome.status,
      exitCode: outcome.exitCode,
      at: outcome.endTime,
    });
  }

  #started(job: StartedJob, definition: JobDefinition): void {
    this.#emitSafely(job.id, "jobStart", job);
    this.#callHook(job.id, "onStart", () => definition.hooks.onStart?.(job));
  }

  #ended(result: JobResult, definition: JobDefinition): void {
    // Every result list first, so that whoever hears of the job finds it everywhere.
    this.#results.push(result);
    (result.success ? this.#completed : this.#failed).push(result);
    this.#endedThisRun++;
    if (!result.success) this.#failedThisRun++;
    for (const sink of this.#settings.sinks) {
      try {
        sink.record(result);
      } catch (error) {
        process.stderr.write(`mpmsub: a result sink failed on ${result.id}: ${(error as Error).message}\n`);
      }
    }
    this.#emitSafely(result.id, "jobEnd", result);
    if (result.success) this.#callHook(result.id, "onDone", () => definition.hooks.onDone?.(result));
    this.#callHook(result.id, "onFinish", () => definition.hooks.onFinish?.(result));
  }

  #emitSafely<K extends "jobStart" | "jobEnd" | "pressure" | "jobRetry">(
    id: string,
    event: K,
    ...args: ClusterEvents[K]
  ): void {
    for (const listener of this.rawListeners(event)) {
      this.#callHook(id, `${event} handler`, () => (listener as (...a: unknown[]) => void)(...args));
    }
  }

  #callHook(id: string, hook: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      if (this.listenerCount("callbackError") > 0) {
        try {
          this.emit("callbackError", { id, hook, error });
          return;
        } catch {
          // fall through to stderr
        }
      }
      process.stderr.write(`mpmsub: ${hook} of ${id} threw: ${(error as Error)?.stack ?? String(error)}\n`);
    }
  }
}

/**
 * Creates a {@link Cluster}. Without options it uses the CPUs this process may use and 90% of
 * the memory available now.
 *
 * @example
 * const p = cluster({ p: 6, m: "16G" });
 */
export function cluster(options: ClusterOptions = {}): Cluster {
  return new Cluster(options);
}
