import type { LaunchedJob } from "../execute/launcher.js";
import type { Watchdog } from "../execute/local/watchdog.js";
import { Attempt, type AttemptOutcome } from "../execute/run-attempt.js";
import type { JobMeter, MeasurementBackend } from "../measure/meter.js";
import type { MemoryView } from "../measure/system.js";
import { chainedVictims } from "../schedule/chain.js";
import { haltReason } from "../schedule/halt.js";
import {
  exceedsCapacity,
  type IncrementalPolicy,
  type QueuedJob,
  type Resources,
  type RunningAllocation,
  type UnsizedAdmission,
} from "../schedule/policy.js";
import { planRetry } from "../schedule/retry.js";
import type { JobDefinition } from "../spec/job-spec.js";
import { bytesToMb, formatMemory } from "../spec/memory.js";
import type { JobAttempt, JobResult, JobStatus, StartedJob } from "../spec/result.js";
import type { JobQueue } from "./job-queue.js";
import type { ClusterSettings } from "./options.js";
import { PressureMonitor, type PressureSample } from "./pressure-monitor.js";
import { attemptRecord, endedWithoutAttempt, jobResult, type ResultWithoutPolicy } from "./results.js";
import type { PressureEvent, RetryEvent, RunningJob, RunStats } from "./types.js";

/** What a run needs from its cluster: some of its settings, and the ways to report back. */
export interface SessionContext
  extends Pick<
    ClusterSettings,
    | "floorBytes"
    | "launcher"
    | "killGraceMs"
    | "captureLimitBytes"
    | "memoryPolicy"
    | "memoryTolerance"
    | "pressure"
    | "retryDelayMs"
    | "chained"
    | "halt"
  > {
  queue: JobQueue;
  /** The cluster's cores, memory and named resources. */
  capacity: Resources;
  /** The policy for this run; it keeps its own copy of the waiting jobs. */
  policy: IncrementalPolicy;
  backend: MeasurementBackend;
  watchdog: Watchdog | undefined;
  /** Counters that outlive the run, for the cluster's stats. */
  responses: RunStats["responses"];
  readMemory(): MemoryView;
  /** Called when a job's processes have started. */
  started(job: StartedJob, definition: JobDefinition): void;
  /** Called with every final result: it must reach every result list and sink before anything else sees it. */
  ended(result: JobResult, definition: JobDefinition): void;
  /** Called when an attempt has ended, however it ended, to learn from it (history). */
  attemptEnded(definition: JobDefinition, outcome: AttemptOutcome): void;
  pressureEvent(event: PressureEvent): void;
  retryEvent(event: RetryEvent): void;
  /** Called after every change a progress display would show. */
  changed(): void;
}

/**
 * For its first second a job without declared memory may still be growing, so it is charged at
 * the largest peak of such jobs that have shown their size (ended, or running past this ramp),
 * rather than at what it uses yet.
 */
const UNSIZED_RAMP_MS = 1000;

/** Growth of the memory request of a job requeued under pressure for the second time or more. */
const REQUEUE_GROWTH = 1.5;

/** Sampling period while memory is short (starts held): reacting in 20 ms rather than 50 keeps growth from overshooting the floor. */
const PRESSED_SAMPLE_MS = 20;

interface Running {
  definition: JobDefinition;
  /** Unset only while the attempt is being created. */
  attempt: Attempt | undefined;
  meter: JobMeter;
  started: StartedJob | undefined;
  /** Attempts of this job so far, this one included (requeues under pressure do not count). */
  attemptNumber: number;
  /** The memory limit that applies to this attempt, and whether the kernel enforces it. */
  limitBytes: number | undefined;
  limitEnforced: boolean;
  /** Set once the run loop has asked this attempt to stop. */
  stopping: boolean;
}

/**
 * One call of `run()`: starts waiting jobs as the policy chooses, watches memory, and ends
 * when no job is waiting, backing off before a retry, or running. It decides when something
 * changes (a job added or ended, memory moving), and samples on a timer only to measure.
 */
export class RunSession {
  readonly #running = new Map<string, Running>();
  /** Jobs waiting out the delay before a retry. */
  readonly #delayed = new Map<string, { definition: JobDefinition; timer: NodeJS.Timeout }>();
  /** Every attempt record so far, per job id, and how many attempts counted against `retries`. */
  readonly #attempts = new Map<string, JobAttempt[]>();
  readonly #attemptNumbers = new Map<string, number>();
  readonly #pressure: PressureMonitor | undefined;
  #stopped: { reason: string; kind: "interrupt" | "halt" } | undefined;
  #done: () => void = () => {};
  /** Largest peak among ended jobs without declared memory in this run, in bytes. */
  #unsizedPeak: number | undefined;
  #lastFreeMemory = Number.NaN;
  #lastUnsized: UnsizedAdmission = { budget: 0, estimate: undefined };
  #failed = 0;
  #ended = 0;
  /** The machine's memory above the floor: the most any one job may ever be given. */
  #machineBytes = Number.POSITIVE_INFINITY;

  /**
   * @param exclusive run one job at a time, each alone, whatever its declared size (profiling).
   */
  constructor(
    private readonly context: SessionContext,
    private readonly exclusive = false,
  ) {
    if (context.pressure && !exclusive) {
      this.#pressure = new PressureMonitor(context.pressure, context.floorBytes, context.capacity.memory);
    }
  }

  /** Why the run halted, if it did. */
  get haltReason(): string | undefined {
    return this.#stopped?.kind === "halt" ? this.#stopped.reason : undefined;
  }

  /** Jobs waiting out the delay before a retry. */
  get delayed(): number {
    return this.#delayed.size;
  }

  /** Runs until every job has ended, or until it is interrupted or halted. */
  async run(): Promise<void> {
    const { context } = this;
    const finished = new Promise<void>((resolve) => {
      this.#done = resolve;
    });
    context.watchdog?.trackCgroups(context.backend.cgroupDirs);
    this.#machineBytes = context.readMemory().totalBytes - context.floorBytes;
    for (const definition of context.queue.pending) this.#admit(definition);
    context.queue.onAdd((added) => {
      for (const definition of added) this.#admit(definition);
      this.#step();
    });
    let sampler: NodeJS.Timeout | undefined;
    const schedule = () => {
      const pressed = this.#pressure?.holding && context.backend.sampleIntervalMs > PRESSED_SAMPLE_MS;
      sampler = setTimeout(
        () => {
          this.#sample();
          schedule();
        },
        pressed ? PRESSED_SAMPLE_MS : context.backend.sampleIntervalMs,
      );
    };
    schedule();
    try {
      this.#step();
      await finished;
    } finally {
      clearTimeout(sampler);
      this.#pressure?.finish(Date.now());
      if (this.#pressure) {
        context.responses.holds += this.#pressure.holds;
        context.responses.holdSeconds += this.#pressure.holdMs / 1000;
      }
      context.queue.onAdd(undefined);
      context.backend.close();
      context.watchdog?.forgetCgroups(context.backend.cgroupDirs);
    }
  }

  /** Stops every running job's process tree and cancels every waiting job; `run()` resolves once they are gone. */
  interrupt(reason: string): void {
    this.#stop("interrupt", reason, true);
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
        suspended: r.attempt?.suspended ?? false,
      });
    }
    return list;
  }

  /**
   * Cores and memory held by running jobs. Memory is what a job declared or what it measures,
   * whichever is more: the budget is a promise about real use, not only declarations.
   */
  held(): Resources {
    const held = { cpus: 0, memory: 0 };
    const free: Record<string, number> = { ...this.context.capacity.resources };
    for (const r of this.#running.values()) {
      held.cpus += r.definition.cpus;
      held.memory += Math.max(r.definition.memoryBytes ?? 0, r.meter.usage().currentBytes);
      for (const [name, amount] of Object.entries(r.definition.resources ?? {}))
        free[name] = (free[name] ?? 0) - amount;
    }
    return { ...held, resources: free };
  }

  #step(): void {
    this.#decide();
    if (
      this.#running.size === 0 &&
      this.#delayed.size === 0 &&
      (this.context.queue.length === 0 || this.#stopped)
    ) {
      this.#done();
    }
  }

  /** A job joins the waiting set: the policy learns of it, unless it can never fit. */
  #admit(definition: JobDefinition): void {
    if (this.exclusive || this.#stopped) return;
    const { context } = this;
    const demand = { cpus: definition.cpus, memory: definition.memoryBytes, resources: definition.resources };
    // A cluster may be given more memory than the machine has; admission never hands out more
    // than the machine has above the floor, so a job asking for more could only wait forever.
    const machine = this.#machineBytes;
    const reason =
      exceedsCapacity(demand, context.capacity) ??
      exceedsCapacity(demand, { ...context.capacity, memory: machine }, "this machine has, above the floor,");
    if (reason) {
      context.queue.take(definition.id);
      this.#final(
        endedWithoutAttempt(definition, "error", reason, this.#attempts.get(definition.id)),
        definition,
      );
      return;
    }
    context.policy.add({
      id: definition.id,
      seq: definition.seq,
      cpus: definition.cpus,
      memory: definition.memoryBytes,
      priority: definition.priority,
      resources: definition.resources,
      runtime: definition.runtimeEstimateMs,
    });
  }

  #decide(): void {
    if (this.#stopped) return;
    const { context } = this;
    const held = this.held();
    const view = context.readMemory();
    const free: Resources = {
      cpus: context.capacity.cpus - held.cpus,
      memory: this.#freeMemory(held, view),
      resources: held.resources,
    };
    const unsized = this.#unsizedAdmission(view);
    this.#lastFreeMemory = free.memory;
    this.#lastUnsized = unsized;

    let chosen: readonly QueuedJob[] = [];
    if (this.exclusive) {
      const next = this.#running.size === 0 ? context.queue.pending[0] : undefined;
      chosen = next ? [{ id: next.id, seq: next.seq, cpus: next.cpus, memory: next.memoryBytes }] : [];
    } else if (context.queue.length > 0 && !this.#pressure?.holding) {
      const now = Date.now();
      chosen = context.policy.select({
        capacity: context.capacity,
        free,
        unsized,
        now,
        running: this.#allocations(),
      });
    }
    if (chosen.length === 0) return;
    for (const job of chosen) {
      const definition = context.queue.take(job.id);
      if (definition) this.#start(definition);
    }
    context.changed();
  }

  /** Running jobs as the policy sees them: what each holds, and when it is expected to end. */
  #allocations(): RunningAllocation[] {
    return [...this.#running.values()].map((r) => ({
      id: r.definition.id,
      cpus: r.definition.cpus,
      memory: Math.max(r.definition.memoryBytes ?? 0, r.meter.usage().currentBytes),
      resources: r.definition.resources,
      expectedEnd:
        r.started && r.definition.runtimeEstimateMs !== undefined
          ? r.started.startTime + r.definition.runtimeEstimateMs
          : undefined,
    }));
  }

  #start(definition: JobDefinition): void {
    const { context } = this;
    const meter = context.backend.createMeter(definition.id);
    context.watchdog?.trackCgroups(meter.cgroupDirs);
    const policy = definition.memoryPolicy ?? context.memoryPolicy;
    const limitBytes =
      policy === "kill" && definition.memoryBytes !== undefined
        ? definition.memoryBytes * context.memoryTolerance
        : undefined;
    const running: Running = {
      definition,
      meter,
      started: undefined,
      attempt: undefined,
      attemptNumber: this.#attemptNumbers.get(definition.id) ?? 1,
      limitBytes,
      limitEnforced: limitBytes !== undefined && meter.limit(limitBytes),
      stopping: false,
    };
    // Listed before the attempt starts, so that a jobStart handler already sees it in `running`.
    this.#running.set(definition.id, running);
    const attempt = new Attempt(definition, {
      launcher: context.launcher,
      meter,
      watchdog: context.watchdog,
      killGraceMs: context.killGraceMs,
      captureLimitBytes: context.captureLimitBytes,
      oomMessage: limitBytes
        ? `killed by the kernel's out-of-memory killer at its limit of ${formatMemory(bytesToMb(limitBytes))} (memoryPolicy kill)`
        : "killed by the kernel's out-of-memory killer",
      onLaunched: (launched: LaunchedJob, startTime: number) => {
        running.started = {
          id: definition.id,
          command: definition.command,
          cpus: definition.cpus,
          memoryDeclared: definition.memoryBytes === undefined ? null : bytesToMb(definition.memoryBytes),
          pids: [...launched.pids],
          startTime,
          attempt: (this.#attempts.get(definition.id)?.length ?? 0) + 1,
        };
        context.started(running.started, definition);
      },
    });
    running.attempt = attempt;
    void attempt.outcome.then((outcome) => {
      this.#running.delete(definition.id);
      context.watchdog?.forgetCgroups(meter.cgroupDirs);
      this.#attemptEnded(running, outcome);
      context.changed();
      this.#step();
    });
  }

  #attemptEnded(running: Running, outcome: AttemptOutcome): void {
    const { context } = this;
    const { definition } = running;
    const attempts = this.#attempts.get(definition.id) ?? [];
    attempts.push(attemptRecord(attempts.length + 1, definition, outcome));
    this.#attempts.set(definition.id, attempts);
    context.attemptEnded(definition, outcome);
    if (definition.memoryBytes === undefined && outcome.startTime !== null && outcome.usage.peakBytes > 0) {
      this.#unsizedPeak = Math.max(this.#unsizedPeak ?? 0, outcome.usage.peakBytes);
    }

    if (outcome.status === "requeued") {
      // Back in its place, asking for what it was seen to use, so it returns only when that
      // fits. A job stopped again was still growing: its request grows as after an oom.
      const again = attempts.filter((a) => a.status === "requeued").length > 1;
      const grown = again ? (definition.memoryBytes ?? 0) * REQUEUE_GROWTH : 0;
      const memoryBytes = Math.min(
        Math.max(definition.memoryBytes ?? 0, outcome.usage.peakBytes, grown),
        context.capacity.memory,
      );
      context.queue.requeue({
        ...definition,
        memoryBytes: memoryBytes > 0 ? memoryBytes : definition.memoryBytes,
      });
      return;
    }
    const status = outcome.status;
    const plan = planRetry({
      status,
      attempt: running.attemptNumber,
      retries: definition.retries,
      retryOn: definition.retryOn,
      requestedBytes: definition.memoryBytes,
      peakBytes: outcome.usage.peakBytes,
      capacityBytes: context.capacity.memory,
      baseDelayMs: context.retryDelayMs,
    });
    if (plan.retry && !this.#stopped) {
      this.#attemptNumbers.set(definition.id, running.attemptNumber + 1);
      const next = { ...definition, memoryBytes: plan.memoryBytes };
      const timer = setTimeout(() => {
        this.#delayed.delete(definition.id);
        context.queue.requeue(next);
      }, plan.delayMs);
      this.#delayed.set(definition.id, { definition: next, timer });
      context.responses.retries++;
      context.retryEvent({
        id: definition.id,
        attempt: running.attemptNumber,
        status,
        delay: plan.delayMs / 1000,
        memory: plan.memoryBytes === undefined ? null : bytesToMb(plan.memoryBytes),
      });
      return;
    }
    this.#final(
      jobResult(
        definition,
        status,
        outcome,
        attempts,
        running.meter.method,
        plan.retry ? undefined : plan.reason,
      ),
      definition,
    );
    if (context.chained && (status === "timeout" || status === "oom")) this.#cancelChain(definition, status);
  }

  /** Records a final result, and halts the run if failures call for it. */
  #final(partial: ResultWithoutPolicy, definition: JobDefinition): void {
    const result: JobResult = {
      ...partial,
      memoryPolicy: definition.memoryPolicy ?? this.context.memoryPolicy,
    };
    this.#ended++;
    if (!result.success && result.status !== "cancelled") this.#failed++;
    this.context.ended(result, definition);
    const halt = haltReason(this.context.halt, this.#failed, this.#ended);
    if (halt && !this.#stopped) this.#stop("halt", halt, this.context.halt?.mode === "now");
  }

  #cancelChain(origin: JobDefinition, status: JobStatus): void {
    const reason = `cancelled: ${origin.id} (category ${origin.category}, size ${origin.size}) failed by ${status}`;
    const candidates = [
      ...this.context.queue.pending,
      ...[...this.#running.values()].map((r) => r.definition),
      ...[...this.#delayed.values()].map((d) => d.definition),
    ];
    const victims = new Set(chainedVictims(origin, candidates));
    if (victims.size === 0) return;
    this.context.responses.chainCancellations += victims.size;
    this.#cancelWaiting(reason, (id) => victims.has(id));
    for (const r of this.#running.values()) {
      if (victims.has(r.definition.id)) {
        r.stopping = true;
        r.attempt?.stop("cancelled", reason);
      }
    }
  }

  /** Ends waiting and delayed jobs (those `which` picks) as cancelled. */
  #cancelWaiting(reason: string, which: (id: string) => boolean = () => true): void {
    const waiting = this.context.queue.pending.filter((d) => which(d.id));
    for (const d of waiting) {
      this.context.queue.take(d.id);
      this.context.policy.remove(d.id);
    }
    const delayed = [...this.#delayed.values()].filter((d) => which(d.definition.id));
    for (const d of delayed) {
      clearTimeout(d.timer);
      this.#delayed.delete(d.definition.id);
    }
    for (const d of [...waiting, ...delayed.map((x) => x.definition)]) {
      this.#final(endedWithoutAttempt(d, "cancelled", reason, this.#attempts.get(d.id)), d);
    }
  }

  #stop(kind: "interrupt" | "halt", reason: string, stopRunning: boolean): void {
    if (this.#stopped) return;
    this.#stopped = { kind, reason };
    const detail = `(${reason})`;
    this.#cancelWaiting(`cancelled before it started ${detail}`);
    if (stopRunning) {
      for (const r of this.#running.values()) {
        r.stopping = true;
        r.attempt?.stop("cancelled", `cancelled while running ${detail}`);
      }
    }
    this.context.changed();
    this.#step();
  }

  /**
   * Memory a new job may declare: what the budget leaves, and no more than the machine has
   * above the floor once running jobs have grown into their declarations. The second keeps a
   * job requeued under pressure from coming back before the machine has room for it.
   */
  #freeMemory(held: Resources, view: MemoryView): number {
    let machine = view.availableBytes - this.context.floorBytes;
    for (const r of this.#running.values()) {
      machine -= Math.max(0, (r.definition.memoryBytes ?? 0) - r.meter.usage().currentBytes);
    }
    return Math.min(this.context.capacity.memory - held.memory, machine);
  }

  /** Live memory above the floor, less what young unsized jobs may still grow into. */
  #unsizedAdmission(view: MemoryView): UnsizedAdmission {
    const now = Date.now();
    const young: Running[] = [];
    let estimate = this.#unsizedPeak;
    for (const r of this.#running.values()) {
      if (r.definition.memoryBytes !== undefined) continue;
      if (r.started === undefined || now - r.started.startTime < UNSIZED_RAMP_MS) young.push(r);
      else estimate = Math.max(estimate ?? 0, r.meter.usage().peakBytes);
    }
    let budget = view.availableBytes - this.context.floorBytes;
    for (const r of young)
      budget -= Math.max(0, (estimate ?? Number.POSITIVE_INFINITY) - r.meter.usage().currentBytes);
    return { budget, estimate };
  }

  #sample(): void {
    const { context } = this;
    if (this.#running.size > 0) {
      context.backend.refresh();
      for (const r of this.#running.values()) r.meter.sample();
      this.#enforceLimits();
    }
    // One reading of memory serves the whole sample.
    const view = context.readMemory();
    this.#respondToPressure(view);
    if (context.queue.length === 0 || this.#stopped) return;
    // Decide again only when what the policy sees has moved: memory held by running jobs, or
    // the live memory that admits jobs without a declared size.
    const free = this.#freeMemory(this.held(), view);
    const unsized = this.#unsizedAdmission(view);
    const moved = Math.abs(free - this.#lastFreeMemory) > context.capacity.memory * 0.01;
    const admissionChanged =
      unsized.budget > 0 !== this.#lastUnsized.budget > 0 || unsized.estimate !== this.#lastUnsized.estimate;
    if (moved || admissionChanged) this.#step();
  }

  /** Stops jobs over a `memoryPolicy: "kill"` limit that no cgroup enforces. */
  #enforceLimits(): void {
    for (const r of this.#running.values()) {
      if (r.limitBytes === undefined || r.limitEnforced || r.stopping) continue;
      const used = r.meter.usage().peakBytes;
      if (used > r.limitBytes) {
        r.stopping = true;
        r.attempt?.stop(
          "oom",
          `used ${formatMemory(bytesToMb(used))}, more than its limit of ${formatMemory(bytesToMb(r.limitBytes))} (memoryPolicy kill)`,
        );
      }
    }
  }

  #respondToPressure(view: MemoryView): void {
    if (!this.#pressure || this.#stopped) return;
    const now = Date.now();
    const jobs = [...this.#running.values()]
      .filter((r) => r.started && r.attempt && !r.stopping)
      .map((r) => ({
        id: r.definition.id,
        startedAt: r.started?.startTime ?? now,
        cpus: r.definition.cpus,
        currentBytes: r.meter.usage().currentBytes,
        declaredBytes: r.definition.memoryBytes,
        suspended: r.attempt?.suspended ?? false,
        suspendedAt: r.attempt?.suspendedAt,
      }));
    const { decision, sample, holdChanged } = this.#pressure.evaluate(now, view, jobs);
    const { responses } = this.context;
    if (holdChanged) this.#pressureEvent(decision.holdStarts ? "hold" : "release", null, sample);
    for (const id of decision.suspend) {
      this.#running.get(id)?.attempt?.suspend();
      responses.suspensions++;
      this.#pressureEvent("suspend", id, sample);
    }
    for (const id of decision.resume) {
      this.#running.get(id)?.attempt?.resume();
      responses.resumes++;
      this.#pressureEvent("resume", id, sample);
    }
    for (const id of decision.requeue) {
      const r = this.#running.get(id);
      if (!r) continue;
      r.stopping = true;
      const detail = `stopped under memory pressure (headroom ${formatMemory(bytesToMb(sample.headroomBytes))}) and requeued`;
      r.attempt?.stop("requeued", detail);
      responses.requeues++;
      this.#pressureEvent("requeue", id, sample);
    }
    if (holdChanged && !decision.holdStarts) this.#step();
  }

  #pressureEvent(action: PressureEvent["action"], id: string | null, sample: PressureSample): void {
    this.context.pressureEvent({
      action,
      id,
      availableMb: bytesToMb(sample.availableBytes),
      floorMb: bytesToMb(this.context.floorBytes),
      jobsMb: bytesToMb(sample.jobsBytes),
      budgetMb: bytesToMb(this.context.capacity.memory),
      headroomMb: bytesToMb(sample.headroomBytes),
    });
  }
}
