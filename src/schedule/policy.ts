/**
 * The interface between the run loop and a scheduling policy. A policy is a pure function of
 * the queue and the free resources: no I/O, no clock, no processes, so it can be tested and
 * benchmarked in a simulator and replaced without touching the rest.
 */

/** CPU cores and memory in bytes. */
export interface Resources {
  cpus: number;
  memory: number;
}

/** A job waiting to start, as a policy sees it. */
export interface QueuedJob {
  id: string;
  /** Arrival order; lower is older. */
  seq: number;
  cpus: number;
  /** Declared memory in bytes, or undefined for a job admitted on live memory instead. */
  memory: number | undefined;
}

/** Everything a policy may look at. */
export interface ScheduleInput {
  /** Waiting jobs, oldest first. */
  queue: readonly QueuedJob[];
  /** The cluster's totals. */
  capacity: Resources;
  /** What running jobs leave free: declared memory for sized jobs, measured memory for the others. */
  free: Resources;
  /** Admission of jobs without declared memory, which start on live memory instead. */
  unsized: UnsizedAdmission;
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

/** Why a job can never start on this cluster, or undefined if it fits when the cluster is empty. */
export function exceedsCapacity(
  job: Pick<QueuedJob, "cpus" | "memory">,
  capacity: Resources,
): string | undefined {
  const reasons: string[] = [];
  if (job.cpus > capacity.cpus) reasons.push(`${job.cpus} CPUs but the cluster has ${capacity.cpus}`);
  if (job.memory !== undefined && job.memory > capacity.memory) {
    reasons.push(`${formatBytes(job.memory)} of memory but the cluster has ${formatBytes(capacity.memory)}`);
  }
  return reasons.length > 0 ? `needs ${reasons.join(" and ")}, so it can never start` : undefined;
}

function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)}G` : `${Math.round(mb)}M`;
}

/** Whether a job fits in the given resources (a job without declared memory needs none of them). */
export function fits(job: QueuedJob, free: Resources): boolean {
  return job.cpus <= free.cpus && (job.memory === undefined || job.memory <= free.memory);
}
