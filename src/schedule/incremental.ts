import type { IncrementalPolicy, QueuedJob, Resources, ScheduleInput, SchedulingPolicy } from "./policy.js";

/**
 * An incremental policy behind the plain interface, for a run loop that hands over the whole
 * queue on every decision. Each call tells the policy which jobs joined, left or changed (same
 * id, other fields) since the last; the policy is created for the cluster's capacity on the
 * first call, and again if the capacity changes.
 */
export function fromIncremental(
  name: string,
  create: (capacity: Resources) => IncrementalPolicy,
): SchedulingPolicy {
  let policy: IncrementalPolicy | undefined;
  let capacityKey = "";
  let known = new Map<string, QueuedJob>();
  return {
    name,
    select(input: ScheduleInput): QueuedJob[] {
      const key = JSON.stringify(input.capacity);
      if (!policy || key !== capacityKey) {
        policy = create(input.capacity);
        capacityKey = key;
        known = new Map();
      }
      const present = new Set<string>();
      for (const job of input.queue) {
        present.add(job.id);
        const previous = known.get(job.id);
        if (previous === undefined || !sameJob(previous, job)) {
          policy.add(job);
          known.set(job.id, job);
        }
      }
      for (const id of known.keys()) {
        if (!present.has(id)) {
          policy.remove(id);
          known.delete(id);
        }
      }
      const chosen = policy.select(input);
      for (const job of chosen) known.delete(job.id);
      return chosen;
    },
  };
}

/**
 * A plain policy behind the incremental interface: it keeps the queue in arrival order and
 * hands all of it over on every decision (the baselines in the simulator).
 */
export function toIncremental(policy: SchedulingPolicy): IncrementalPolicy {
  const queue = new Map<string, QueuedJob>();
  return {
    name: policy.name,
    get size() {
      return queue.size;
    },
    add(job) {
      queue.delete(job.id);
      queue.set(job.id, job);
    },
    remove(id) {
      return queue.delete(id);
    },
    select(state) {
      const chosen = policy.select({ ...state, queue: [...queue.values()] });
      for (const job of chosen) queue.delete(job.id);
      return chosen;
    },
  };
}

function sameJob(a: QueuedJob, b: QueuedJob): boolean {
  if (
    a.seq !== b.seq ||
    a.cpus !== b.cpus ||
    a.memory !== b.memory ||
    (a.priority ?? 0) !== (b.priority ?? 0) ||
    a.runtime !== b.runtime
  ) {
    return false;
  }
  if (a.resources === b.resources) return true;
  const ra = a.resources ?? {};
  const rb = b.resources ?? {};
  for (const name of Object.keys(ra)) if (ra[name] !== (rb[name] ?? 0)) return false;
  for (const name of Object.keys(rb)) if (rb[name] !== (ra[name] ?? 0)) return false;
  return true;
}
