import type { LaunchedJob, Launcher } from "../execute/launcher.js";
import type { Watchdog } from "../execute/local/watchdog.js";
import { Attempt } from "../execute/run-attempt.js";
import type { JobMeter, MeasurementBackend } from "../measure/meter.js";
import type { MemoryView } from "../measure/system.js";
import {
  exceedsCapacity,
  type QueuedJob,
  type Resources,
  type SchedulingPolicy,
  type UnsizedAdmission,
} from "../schedule/policy.js";
import type { JobDefinition } from "../spec/job-spec.js";
import { bytesToMb } from "../spec/memory.js";
import type { JobResult, StartedJob } from "../spec/result.js";
import type { JobQueue } from "./job-queue.js";
import { attemptRecord, jobResult, notStartedResult } from "./results.js";
import type { RunningJob } from "./types.js";

/** What a run needs from its cluster. */
export interface SessionContext {
  queue: JobQueue;
  capacity: Resources;
  floorBytes: number;
  policy: SchedulingPolicy;
  launcher: Launcher;
  backend: MeasurementBackend;
  watchdog: Watchdog | undefined;
  killGraceMs: number;
  captureLimitBytes: number;
  readMemory(): MemoryView;
  /** Called when a job's processes have started. */
  started(job: StartedJob, definition: JobDefinition): void;
  /** Called with every result: it must reach every result list and sink before anything else sees it. */
  ended(result: JobResult, definition: JobDefinition): void;
  /** Called after every change a progress display would show. */
  changed(): void;
}

/**
 * For its first second a job without declared memory may still be growing, so it is charged at
 * the largest peak of such jobs that have shown their size (ended, or running past this ramp),
 * rather than at what it uses yet.
 */
const UNSIZED_RAMP_MS = 1000;

interface Running {
  definition: JobDefinition;
  /** Unset only while the attempt is being created. */
  attempt: Attempt | undefined;
  meter: JobMeter;
  started: StartedJob | undefined;
}

/**
 * One call of `run()`: starts waiting jobs as the policy chooses, samples the running ones,
 * and ends when no job is waiting or running. It decides when something changes (a job added
 * or ended, memory moving), and samples on a timer only to measure.
 */
export class RunSession {
  readonly #running = new Map<string, Running>();
  #interrupted: string | undefined;
  #done: () => void = () => {};
  /** Largest peak among ended jobs without declared memory in this run, in bytes. */
  #unsizedPeak: number | undefined;
  #lastFreeMemory = Number.NaN;
  #lastUnsized: UnsizedAdmission = { budget: 0, estimate: undefined };

  /**
   * @param exclusive run one job at a time, each alone, whatever its declared size (profiling).
   */
  constructor(
    private readonly context: SessionContext,
    private readonly exclusive = false,
  ) {}

  /** Runs until every waiting job has ended, or until `interrupt()`. */
  async run(): Promise<void> {
    const { context } = this;
    const finished = new Promise<void>((resolve) => {
      this.#done = resolve;
    });
    context.watchdog?.trackCgroups(context.backend.cgroupDirs);
    context.queue.onAdd(() => {
      this.#decide();
      this.#checkDone();
    });
    const sampler = setInterval(() => this.#sample(), context.backend.sampleIntervalMs);
    try {
      this.#decide();
      this.#checkDone();
      await finished;
    } finally {
      clearInterval(sampler);
      context.queue.onAdd(undefined);
      context.backend.close();
      context.watchdog?.forgetCgroups(context.backend.cgroupDirs);
    }
  }

  /** Stops every running job's process tree and cancels every waiting job; `run()` resolves once they are gone. */
  interrupt(reason: string): void {
    if (this.#interrupted) return;
    this.#interrupted = reason;
    const cancelled = this.context.queue.pending.slice();
    this.context.queue.remove(new Set(cancelled.map((d) => d.id)));
    for (const definition of cancelled) {
      this.context.ended(
        notStartedResult(definition, "cancelled", `cancelled before it started (${reason})`),
        definition,
      );
    }
    for (const running of this.#running.values())
      running.attempt?.stop("cancelled", `cancelled while running (${reason})`);
    this.context.changed();
    this.#checkDone();
  }

  /** The jobs running now, with their memory. */
  running(): RunningJob[] {
    const now = Date.now();
    const list: RunningJob[] = [];
    for (const r of this.#running.values()) {
      if (!r.started) continue;
      const usage = r.meter.usage();
      list.push({
        ...r.started,
        memoryCurrent: bytesToMb(usage.currentBytes),
        memoryPeak: bytesToMb(usage.peakBytes),
        elapsed: (now - r.started.startTime) / 1000,
      });
    }
    return list;
  }

  /** Cores and memory held by running jobs: declared, or measured for jobs that declared no memory. */
  held(): Resources {
    const held = { cpus: 0, memory: 0 };
    for (const r of this.#running.values()) {
      held.cpus += r.definition.cpus;
      held.memory += r.definition.memoryBytes ?? r.meter.usage().currentBytes;
    }
    return held;
  }

  #decide(): void {
    if (this.#interrupted) return;
    const { context } = this;
    const pending = context.queue.pending;
    const rejected = new Set<string>();
    const queue: QueuedJob[] = [];
    for (const d of pending) {
      const reason = this.exclusive
        ? undefined
        : exceedsCapacity({ cpus: d.cpus, memory: d.memoryBytes }, context.capacity);
      if (reason) {
        rejected.add(d.id);
        context.ended(notStartedResult(d, "error", reason), d);
      } else {
        queue.push({ id: d.id, seq: d.seq, cpus: d.cpus, memory: d.memoryBytes });
      }
    }
    const held = this.held();
    const free = { cpus: context.capacity.cpus - held.cpus, memory: context.capacity.memory - held.memory };
    const unsized = this.#unsizedAdmission();
    this.#lastFreeMemory = free.memory;
    this.#lastUnsized = unsized;

    let chosen: readonly QueuedJob[];
    if (this.exclusive) chosen = this.#running.size === 0 && queue[0] ? [queue[0]] : [];
    else if (queue.length === 0) chosen = [];
    else chosen = context.policy.select({ queue, capacity: context.capacity, free, unsized });

    const byId = new Map(pending.map((d) => [d.id, d]));
    for (const job of chosen) rejected.add(job.id);
    context.queue.remove(rejected);
    for (const job of chosen) this.#start(byId.get(job.id) as JobDefinition);
    if (rejected.size > 0) context.changed();
  }

  #start(definition: JobDefinition): void {
    const { context } = this;
    const meter = context.backend.createMeter(definition.id);
    context.watchdog?.trackCgroups(meter.cgroupDirs);
    const running: Running = { definition, meter, started: undefined, attempt: undefined };
    // Listed before the attempt starts, so that a jobStart handler already sees it in `running`.
    this.#running.set(definition.id, running);
    const attempt = new Attempt(definition, {
      launcher: context.launcher,
      meter,
      watchdog: context.watchdog,
      killGraceMs: context.killGraceMs,
      captureLimitBytes: context.captureLimitBytes,
      onLaunched: (launched: LaunchedJob, startTime: number) => {
        running.started = {
          id: definition.id,
          command: definition.command,
          cpus: definition.cpus,
          memoryDeclared: definition.memoryBytes === undefined ? null : bytesToMb(definition.memoryBytes),
          pids: [...launched.pids],
          startTime,
          attempt: 1,
        };
        context.started(running.started, definition);
      },
    });
    running.attempt = attempt;
    void attempt.outcome.then((outcome) => {
      this.#running.delete(definition.id);
      if (definition.memoryBytes === undefined && outcome.startTime !== null)
        this.#seeUnsizedPeak(outcome.usage.peakBytes);
      context.watchdog?.forgetCgroups(meter.cgroupDirs);
      context.ended(jobResult(definition, outcome, [attemptRecord(1, outcome)], meter.method), definition);
      context.changed();
      this.#decide();
      this.#checkDone();
    });
  }

  #seeUnsizedPeak(bytes: number): void {
    if (bytes > 0) this.#unsizedPeak = Math.max(this.#unsizedPeak ?? 0, bytes);
  }

  /** Live memory above the floor, less what young unsized jobs may still grow into. */
  #unsizedAdmission(): UnsizedAdmission {
    const now = Date.now();
    const young: Running[] = [];
    let estimate = this.#unsizedPeak;
    for (const r of this.#running.values()) {
      if (r.definition.memoryBytes !== undefined) continue;
      if (r.started === undefined || now - r.started.startTime < UNSIZED_RAMP_MS) young.push(r);
      else estimate = Math.max(estimate ?? 0, r.meter.usage().peakBytes);
    }
    let budget = this.context.readMemory().availableBytes - this.context.floorBytes;
    for (const r of young)
      budget -= Math.max(0, (estimate ?? Number.POSITIVE_INFINITY) - r.meter.usage().currentBytes);
    return { budget, estimate };
  }

  #sample(): void {
    const { context } = this;
    if (this.#running.size > 0) {
      context.backend.refresh();
      for (const r of this.#running.values()) r.meter.sample();
    }
    if (context.queue.length === 0 || this.#interrupted) return;
    // Decide again only when what the policy sees has moved: memory held by jobs without a
    // declared size, or the live memory that admits them.
    const free = context.capacity.memory - this.held().memory;
    const unsized = this.#unsizedAdmission();
    const moved = Math.abs(free - this.#lastFreeMemory) > context.capacity.memory * 0.01;
    const admissionChanged =
      unsized.budget > 0 !== this.#lastUnsized.budget > 0 || unsized.estimate !== this.#lastUnsized.estimate;
    if (moved || admissionChanged) this.#decide();
  }

  #checkDone(): void {
    if (this.#running.size === 0 && (this.context.queue.length === 0 || this.#interrupted)) this.#done();
  }
}
