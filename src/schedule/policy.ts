/**
 * The interface between the run loop and a scheduling policy. A policy is a pure function of
 * the queue, the running jobs and the free resources: no I/O, no clock of its own (the caller
 * says what time it is), no processes, so it can be tested and benchmarked in a simulator and
 * replaced without touching the rest.
 *
 * Every field added after the first version is optional, with a neutral meaning when absent:
 * priority 0, no resources beyond cores and memory, runtime unknown, time 0, running jobs unknown.
 */

/** CPU cores, memory in bytes, and any named resources such as GPUs or licences. */
export interface Resources {
  cpus: number;
  memory: number;
  /**
   * Counts of named resources beyond cores and memory, such as `{ gpu: 2, licence: 4 }`. On a
   * capacity it lists what the cluster has; on free resources a name left out has none free, so
   * a caller with named resources passes what is free of each.
   */
  resources?: Readonly<Record<string, number>>;
}

/** A job waiting to start, as a policy sees it. */
export interface QueuedJob {
  id: string;
  /** Arrival order; lower is older. */
  seq: number;
  cpus: number;
  /** Declared memory in bytes, or undefined for a job admitted on live memory instead. */
  memory: number | undefined;
  /** Higher starts first; default 0. */
  priority?: number;
  /** Named resources the job holds while it runs, such as `{ gpu: 1 }`; default none. */
  resources?: Readonly<Record<string, number>>;
  /** Expected runtime in ms (from history), or undefined when nothing is known. */
  runtime?: number;
}

/** A running job as a policy sees it: what it holds and when it is expected to end. */
export interface RunningAllocation {
  id: string;
  cpus: number;
  /** Memory it holds in bytes: declared, or measured for a job without declared memory. */
  memory: number;
  resources?: Readonly<Record<string, number>>;
  /** When it is expected to end, in ms on the caller's clock (its start plus its runtime estimate), or undefined if unknown. */
  expectedEnd?: number;
}

/** Everything a policy may look at besides the queue. */
export interface ScheduleState {
  /** The cluster's totals. */
  capacity: Resources;
  /** What running jobs leave free: declared memory for sized jobs, measured memory for the others. */
  free: Resources;
  /** Admission of jobs without declared memory, which start on live memory instead. */
  unsized: UnsizedAdmission;
  /** The caller's clock in ms (any origin); default 0. */
  now?: number;
  /** The jobs running now. Without them a policy cannot tell when resources will free up, and does not look ahead. */
  running?: readonly RunningAllocation[];
}

/** Everything a policy may look at. */
export interface ScheduleInput extends ScheduleState {
  /** Waiting jobs, oldest first. */
  queue: readonly QueuedJob[];
}

/**
 * Jobs without declared memory start while live memory above the floor remains, each charged
 * at what such jobs have been seen to need. Before any has been measured, one starts at a time.
 */
export interface UnsizedAdmission {
  /** Live available memory above the floor, less what young unsized jobs may still grow into, in bytes. */
  budget: number;
  /** Bytes to charge each unsized job started now: the largest peak seen among them, or undefined if none is known yet. */
  estimate: number | undefined;
}

/** Chooses which waiting jobs start now, in the order they should start. */
export interface SchedulingPolicy {
  readonly name: string;
  select(input: ScheduleInput): QueuedJob[];
}

/**
 * A policy that keeps its own queue, told of each job once as it arrives and once as it leaves,
 * so that a decision costs what it starts rather than the length of the queue. Still pure: it
 * changes only on these calls, and equal calls give equal answers.
 */
export interface IncrementalPolicy {
  readonly name: string;
  /** Number of waiting jobs. */
  readonly size: number;
  /** Adds a waiting job. */
  add(job: QueuedJob): void;
  /** Forgets a waiting job that will not start through this policy (cancelled, rejected); false if it is unknown. */
  remove(id: string): boolean;
  /** Chooses which waiting jobs start now, in the order they should start, and forgets them. */
  select(state: ScheduleState): QueuedJob[];
  /** The reservations the last decision made for jobs that must wait, for checking waiting bounds. */
  reservations?(): readonly Reservation[];
}

/** A start time a policy promised a waiting job, which later jobs may not delay. */
export interface Reservation {
  id: string;
  /** When it is expected to start, on the caller's clock, as of the last decision; now if it is reserved out of what is free now. */
  start: number;
  /** The start it was promised when it first became the head of its priority level, or undefined for a job that is not a head. */
  promised: number | undefined;
}

/** Why a job can never start on this cluster, or undefined if it fits when the cluster is empty. */
export function exceedsCapacity(
  job: Pick<QueuedJob, "cpus" | "memory" | "resources">,
  capacity: Resources,
  /** What has the capacity, as the message names it. */
  holder = "the cluster has",
): string | undefined {
  const reasons: string[] = [];
  if (job.cpus > capacity.cpus) reasons.push(`${job.cpus} CPUs but ${holder} ${capacity.cpus}`);
  if (job.memory !== undefined && job.memory > capacity.memory) {
    reasons.push(`${formatBytes(job.memory)} of memory but ${holder} ${formatBytes(capacity.memory)}`);
  }
  for (const [name, amount] of Object.entries(job.resources ?? {})) {
    const total = capacity.resources?.[name] ?? 0;
    if (amount > total) reasons.push(`${amount} ${name} but ${holder} ${total}`);
  }
  return reasons.length > 0 ? `needs ${reasons.join(" and ")}, so it can never start` : undefined;
}

function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)}G` : `${Math.round(mb)}M`;
}

/** Whether a job fits in the given resources (a job without declared memory needs none of the memory). */
export function fits(job: QueuedJob, free: Resources): boolean {
  if (job.cpus > free.cpus || (job.memory !== undefined && job.memory > free.memory)) return false;
  for (const [name, amount] of Object.entries(job.resources ?? {})) {
    if (amount > (free.resources?.[name] ?? 0)) return false;
  }
  return true;
}
