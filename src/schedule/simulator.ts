import {
  fits,
  type IncrementalPolicy,
  type QueuedJob,
  type Resources,
  type RunningAllocation,
} from "./policy.js";

/** A job in a simulated workload. */
export interface SimulatedJob {
  /** What the policy sees; its `runtime` is the estimate, which may differ from `duration`. */
  job: QueuedJob;
  /** When it joins the queue, in ms. */
  arrival: number;
  /** How long it really runs, in ms. */
  duration: number;
  /** Bytes it really uses, for a job without declared memory (default 0). */
  usage?: number;
}

/** A cluster and the jobs sent to it. */
export interface Workload {
  capacity: Resources;
  jobs: readonly SimulatedJob[];
}

/** What happened to one job. */
export interface JobRecord {
  id: string;
  arrival: number;
  start: number;
  end: number;
  /** The start the policy promised it when it became the head of its priority, if it ever did. */
  promised: number | undefined;
  /** When it became the head, if it ever did. */
  headSince: number | undefined;
}

export interface SimulationResult {
  /** When the last job ended, in ms from time 0. */
  makespan: number;
  /** Every job, in the order they started. */
  records: JobRecord[];
  /** Times the policy was asked to decide (whenever something changed and jobs were waiting). */
  decisions: number;
}

export interface SimulationOptions {
  /** Stop once this many jobs have started (the rest never start); for timing decisions on a long queue. */
  stopAfterStarts?: number;
  /** Called after each job starts, with the time; may return jobs to add to the workload (arriving now). */
  onStart?: (record: JobRecord) => readonly SimulatedJob[] | undefined;
}

/** The policy chose a job it should not have: over-commitment, a job bigger than the cluster, or one not waiting. */
export class PolicyViolation extends Error {
  override name = "PolicyViolation";
}

interface Running {
  sim: SimulatedJob;
  record: JobRecord;
  allocation: RunningAllocation;
  held: number;
}

/**
 * A deterministic discrete-event simulation of a cluster, with no processes: jobs arrive, the
 * policy decides whenever something changes (after every batch of ends and arrivals at one
 * time), chosen jobs run for their true duration. It drives the very policy code the run loop
 * uses, checks every choice (never over-commits, never starts a job bigger than the cluster or
 * not waiting), and records when each job was promised a start and when it started.
 *
 * Jobs without declared memory are admitted as the run loop does: the budget is the cluster's
 * memory less what running jobs hold (declared, or their true usage), each charged the largest
 * usage seen among ended unsized jobs, one at a time before any has ended. Like the run loop,
 * the policy sees such a job's usage from the next decision on, not in the one that starts it.
 *
 * @throws {@link PolicyViolation} on a wrong choice, or when jobs wait, nothing runs, and the policy starts nothing.
 */
export function simulate(
  workload: Workload,
  policy: IncrementalPolicy,
  options: SimulationOptions = {},
): SimulationResult {
  const { capacity } = workload;
  const arrivals = workload.jobs
    .map((sim, index) => ({ sim, index }))
    .sort((a, b) => a.sim.arrival - b.sim.arrival || a.index - b.index)
    .map(({ sim }) => sim);
  let nextArrival = 0;
  const waiting = new Map<string, SimulatedJob>();
  const running = new Map<string, Running>();
  const ends = new EndQueue();
  const heads = new Map<string, { since: number; promised: number }>();
  const records: JobRecord[] = [];
  const free = { cpus: capacity.cpus, memory: capacity.memory, resources: { ...capacity.resources } };
  let unsizedPeak: number | undefined;
  let decisions = 0;
  let now = 0;
  let makespan = 0;

  const arrive = (sim: SimulatedJob): void => {
    if (waiting.has(sim.job.id) || running.has(sim.job.id))
      throw new PolicyViolation(`job ${sim.job.id} is in the workload twice`);
    waiting.set(sim.job.id, sim);
    policy.add(sim.job);
  };

  for (;;) {
    const arrivalTime = arrivals[nextArrival]?.arrival ?? Number.POSITIVE_INFINITY;
    const endTime = ends.peekTime();
    if (arrivalTime === Number.POSITIVE_INFINITY && endTime === Number.POSITIVE_INFINITY) {
      if (waiting.size > 0)
        throw new PolicyViolation(`${waiting.size} jobs wait, none runs, and the policy starts none`);
      break;
    }
    now = Math.min(arrivalTime, endTime);
    while (ends.peekTime() === now) {
      const ended = running.get(ends.pop()) as Running;
      running.delete(ended.record.id);
      adjust(free, ended.sim.job, ended.held, +1);
      if (ended.sim.job.memory === undefined) unsizedPeak = Math.max(unsizedPeak ?? 0, ended.held);
    }
    while ((arrivals[nextArrival]?.arrival ?? Number.NaN) === now)
      arrive(arrivals[nextArrival++] as SimulatedJob);
    if (waiting.size === 0) continue;

    decisions++;
    const state = {
      now,
      capacity,
      free: { cpus: free.cpus, memory: free.memory, resources: { ...free.resources } },
      unsized: { budget: free.memory, estimate: unsizedPeak },
      running: [...running.values()].map((r) => r.allocation),
    };
    const chosen = policy.select(state);
    for (const reservation of policy.reservations?.() ?? []) {
      if (reservation.promised !== undefined && !heads.has(reservation.id))
        heads.set(reservation.id, { since: now, promised: reservation.promised });
    }
    // What the policy was told is free, less what it starts: a job without declared memory
    // holds none of it yet, as in the run loop, which sees its usage only once measured.
    const told = { ...state.free, resources: { ...state.free.resources } };
    for (const job of chosen) {
      const sim = waiting.get(job.id);
      if (!sim) throw new PolicyViolation(`at ${now} ms the policy started ${job.id}, which is not waiting`);
      if (!fits(job, told))
        throw new PolicyViolation(
          `at ${now} ms the policy started ${job.id}, which does not fit what is free`,
        );
      adjust(told, job, job.memory ?? 0, -1);
      waiting.delete(job.id);
      const held = job.memory ?? sim.usage ?? 0;
      adjust(free, job, held, -1);
      const head = heads.get(job.id);
      const record: JobRecord = {
        id: job.id,
        arrival: sim.arrival,
        start: now,
        end: now + sim.duration,
        promised: head?.promised,
        headSince: head?.since,
      };
      records.push(record);
      makespan = Math.max(makespan, record.end);
      running.set(job.id, {
        sim,
        record,
        held,
        allocation: {
          id: job.id,
          cpus: job.cpus,
          memory: held,
          resources: job.resources,
          expectedEnd: job.runtime === undefined ? undefined : now + job.runtime,
        },
      });
      ends.push(record.end, job.id);
      for (const more of options.onStart?.(record) ?? []) arrive({ ...more, arrival: now });
    }
    if (options.stopAfterStarts !== undefined && records.length >= options.stopAfterStarts) break;
  }
  return { makespan, records, decisions };
}

function adjust(
  free: { cpus: number; memory: number; resources: Record<string, number> },
  job: QueuedJob,
  memory: number,
  sign: 1 | -1,
): void {
  free.cpus += sign * job.cpus;
  free.memory += sign * memory;
  for (const [name, amount] of Object.entries(job.resources ?? {}))
    free.resources[name] = (free.resources[name] ?? 0) + sign * amount;
}

/** Running jobs by end time, then by the order they started: a binary min-heap. */
class EndQueue {
  readonly #heap: { time: number; order: number; id: string }[] = [];
  #order = 0;

  peekTime(): number {
    return this.#heap[0]?.time ?? Number.POSITIVE_INFINITY;
  }

  push(time: number, id: string): void {
    const heap = this.#heap;
    heap.push({ time, order: this.#order++, id });
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]] as [(typeof heap)[0], (typeof heap)[0]];
      i = parent;
    }
  }

  pop(): string {
    const heap = this.#heap;
    const top = heap[0] as (typeof heap)[0];
    const last = heap.pop() as (typeof heap)[0];
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let least = i;
        if (l < heap.length && this.#less(l, least)) least = l;
        if (r < heap.length && this.#less(r, least)) least = r;
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least], heap[i]] as [(typeof heap)[0], (typeof heap)[0]];
        i = least;
      }
    }
    return top.id;
  }

  #less(a: number, b: number): boolean {
    const x = this.#heap[a] as { time: number; order: number };
    const y = this.#heap[b] as { time: number; order: number };
    return x.time !== y.time ? x.time < y.time : x.order < y.order;
  }
}
