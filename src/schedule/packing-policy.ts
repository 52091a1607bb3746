import { AvailabilityProfile, type Limit, limitIndex } from "./availability.js";
import { Dimensions, MEMORY, within } from "./dimensions.js";
import { fromIncremental } from "./incremental.js";
import { packingScore } from "./packing-order.js";
import type {
  IncrementalPolicy,
  QueuedJob,
  Reservation,
  Resources,
  ScheduleState,
  SchedulingPolicy,
} from "./policy.js";
import { precedes, type Ranked, RankedSet } from "./ranked-set.js";

/** Settings of the packing policy. */
export interface PackingOptions {
  /** Runtime assumed when ranking a job whose runtime is unknown, in ms (default 60 s). It never lets such a job pass a reservation. */
  neutralRuntime?: number;
  /**
   * Younger jobs of its priority that may start while a job is the oldest waiting one, before
   * it becomes the head of its priority at the next change of head (default 100).
   */
  agingLimit?: number;
}

/**
 * Reservations one decision makes, at most. Once they are used up, no further job of the
 * priority being decided, or of a lower one, starts: it could not be shown to delay no waiting
 * job above it. This bounds a decision's work however many priorities wait.
 */
const MAX_RESERVATIONS = 32;

/** Leading jobs in rank order that may become the head, at most. */
const HEAD_CANDIDATES = 16;

/** Share of the first candidate's work (its score) below which a job is not a candidate for the head. */
const HEAD_CANDIDATE_WORK = 0.5;

/** A waiting job and what the policy derived from it once, when it arrived. */
class Entry implements Ranked {
  readonly order: number;
  readonly seq: number;
  /** Declared memory, or 0 for a job without: it is admitted on live memory. */
  readonly memory: number;
  /** Expected runtime in ms, or Infinity when unknown. */
  readonly runtime: number;
  readonly unsized: boolean;
  gone = false;

  constructor(
    readonly job: QueuedJob,
    readonly serial: number,
    readonly demand: Float64Array,
    readonly level: Level,
    readonly shape: Shape,
    score: number,
  ) {
    this.order = -score;
    this.seq = job.seq;
    this.unsized = job.memory === undefined;
    this.memory = job.memory ?? 0;
    this.runtime = job.runtime ?? Number.POSITIVE_INFINITY;
  }
}

/** Jobs of one priority that hold the same cores and named resources, and are sized alike (or all unsized). */
class Shape {
  readonly entries = new RankedSet<Entry>();

  /** `fixed` is the demand with memory 0. */
  constructor(
    readonly key: string,
    readonly fixed: Float64Array,
    readonly unsized: boolean,
  ) {}
}

/** The waiting jobs of one priority. */
class Level {
  readonly shapes = new Map<string, Shape>();
  size = 0;
  /** The job this level serves next: it keeps this place, and its reservation, until it starts. */
  head: Entry | undefined;
  /** The start the head was promised when it became the head; after it, the head's reservation is taken from what is free now. */
  promised = Number.POSITIVE_INFINITY;
  /** Min-heap by arrival, with started and removed jobs left in until they reach the top. */
  readonly #arrivals: Entry[] = [];
  #oldest: Entry | undefined;
  /** Younger jobs started since the oldest waiting job became the oldest. */
  overtakes = 0;

  constructor(readonly priority: number) {}

  add(entry: Entry): void {
    this.size++;
    const heap = this.#arrivals;
    heap.push(entry);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!olderThan(heap[i] as Entry, heap[parent] as Entry)) break;
      [heap[i], heap[parent]] = [heap[parent] as Entry, heap[i] as Entry];
      i = parent;
    }
  }

  /** The oldest waiting job; the count of younger jobs passing it restarts when it changes. */
  oldest(): Entry | undefined {
    const heap = this.#arrivals;
    while (heap.length > 0 && (heap[0] as Entry).gone) {
      const last = heap.pop() as Entry;
      if (heap.length === 0) break;
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let least = i;
        if (l < heap.length && olderThan(heap[l] as Entry, heap[least] as Entry)) least = l;
        if (r < heap.length && olderThan(heap[r] as Entry, heap[least] as Entry)) least = r;
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least] as Entry, heap[i] as Entry];
        i = least;
      }
    }
    const oldest = heap[0];
    if (oldest !== this.#oldest) {
      this.#oldest = oldest;
      this.overtakes = 0;
    }
    return oldest;
  }

  /** The first waiting job in rank order (after `after`, if given). */
  first(after?: Entry): Entry | undefined {
    let best: Entry | undefined;
    for (const shape of this.shapes.values()) {
      const candidate = shape.entries.first(after);
      if (candidate && (!best || precedes(candidate, best))) best = candidate;
    }
    return best;
  }
}

function olderThan(a: Entry, b: Entry): boolean {
  return a.seq !== b.seq ? a.seq < b.seq : a.serial < b.serial;
}

/**
 * The packing policy: longest work first, with a reservation for the head of each priority and
 * backfill that does not delay it (EASY backfilling, Lifka 1995), over cores, memory and named
 * resources alike.
 *
 * Each decision walks the priorities from the highest. Within one, jobs are ranked by
 * `packingScore`. A head that is set starts as soon as it fits. Without one, the leading
 * jobs (up to 16, each with at least half the first one's score) are candidates: the first of
 * them that fits starts; if none fits, the one the projection lets start soonest becomes the
 * head, which pairs a big job with another that fits beside it instead of waiting for it to end.
 * The head gets a reservation at the earliest time the running jobs' expected ends leave room
 * for it, and keeps its place until it starts. Every other job may start now only if it does
 * not take what a reservation needs: it fits in what is free now and either ends (by its
 * estimate) before the reservation begins, or fits beside it. A job whose runtime is unknown
 * never counts as ending early.
 *
 * Waiting bound: once a job is the head of its priority it starts no later than the start it
 * was promised then, if running jobs end by their estimates; if they overrun, from the promised
 * time on its reservation is taken out of what is free at each decision, so it starts as soon
 * as the jobs that were running at the promised time have ended. Only jobs of a higher
 * priority can delay it further. A job that is the oldest of its priority becomes the head
 * at the next change of head once `agingLimit` younger jobs have started ahead of it.
 *
 * Priorities: a lower-priority job starts only if every waiting job of a higher priority has
 * started or holds a reservation it does not delay. One decision makes at most 32 reservations;
 * while more jobs of higher priorities wait, lower priorities wait too.
 *
 * Jobs without declared memory are admitted as `UnsizedAdmission` says: while the live
 * budget is positive, each charged its estimate, only one while the estimate is unknown; and
 * they too respect reservations, holding their estimate of memory in the projection.
 *
 * Cost: jobs are kept per priority and shape in `RankedSet`s, so a decision costs about
 * O(log n) per job started or reserved, per shape, plus the running jobs, never a scan of the queue.
 */
export class PackingPolicy implements IncrementalPolicy {
  readonly name = "packing";
  readonly #dimensions: Dimensions;
  readonly #capacity: Float64Array;
  readonly #neutralRuntime: number;
  readonly #agingLimit: number;
  readonly #entries = new Map<string, Entry>();
  /** Jobs that can never fit this cluster; the caller should have rejected them. They never start. */
  readonly #unfit = new Map<string, QueuedJob>();
  /** Levels with waiting jobs, highest priority first. */
  readonly #levels: Level[] = [];
  readonly #levelByPriority = new Map<number, Level>();
  #serial = 0;
  #reservations: Reservation[] = [];

  constructor(capacity: Resources, options: PackingOptions = {}) {
    this.#dimensions = new Dimensions(capacity);
    this.#capacity = this.#dimensions.of(capacity);
    this.#neutralRuntime = options.neutralRuntime ?? 60_000;
    this.#agingLimit = options.agingLimit ?? 100;
  }

  get size(): number {
    return this.#entries.size + this.#unfit.size;
  }

  add(job: QueuedJob): void {
    this.remove(job.id);
    const demand = this.#dimensions.demand(job);
    if (!demand || !within(demand, this.#capacity)) {
      this.#unfit.set(job.id, job);
      return;
    }
    const level = this.#level(job.priority ?? 0);
    const fixed = Float64Array.from(demand);
    fixed[MEMORY] = 0;
    const unsized = job.memory === undefined;
    let key = unsized ? "u" : "s";
    for (let i = 0; i < fixed.length; i++) if (i !== MEMORY) key += `${fixed[i]},`;
    let shape = level.shapes.get(key);
    if (!shape) {
      shape = new Shape(key, fixed, unsized);
      level.shapes.set(key, shape);
    }
    const score = packingScore(demand, this.#capacity, job.runtime ?? this.#neutralRuntime);
    const entry = new Entry(job, this.#serial++, demand, level, shape, score);
    shape.entries.insert(entry);
    level.add(entry);
    this.#entries.set(job.id, entry);
  }

  remove(id: string): boolean {
    if (this.#unfit.delete(id)) return true;
    const entry = this.#entries.get(id);
    if (!entry) return false;
    this.#forget(entry);
    return true;
  }

  reservations(): readonly Reservation[] {
    return this.#reservations;
  }

  select(state: ScheduleState): QueuedJob[] {
    const now = state.now ?? 0;
    const profile = new AvailabilityProfile(now, this.#dimensions.of(state.free));
    for (const running of state.running ?? []) {
      if (running.expectedEnd !== undefined)
        profile.release(running.expectedEnd, this.#dimensions.of(running));
    }
    const decision: Decision = {
      now,
      profile,
      budget: state.unsized.budget,
      unsizedCharge: state.unsized.estimate ?? Number.POSITIVE_INFINITY,
      // Held at its estimate, but never at more than the live budget that admits it: a job the
      // budget lets in must not wait forever for memory the estimate alone asks for.
      unsizedMemory: Math.min(state.unsized.estimate ?? 0, Math.max(state.unsized.budget, 0)),
      started: [],
      reservations: 0,
    };
    this.#reservations = [];
    // A copy: levels that empty during the decision leave the list.
    const levels = [...this.#levels];
    for (const [i, level] of levels.entries()) {
      const lowest = i === levels.length - 1;
      if (!this.#decideLevel(level, lowest, decision)) break;
    }
    return decision.started;
  }

  /** Starts what it can of one priority; false if jobs of it wait without a reservation, so lower priorities must wait. */
  #decideLevel(level: Level, lowest: boolean, decision: Decision): boolean {
    const head = this.#startHeads(level, decision);
    if (!head) return true;
    if (decision.reservations >= MAX_RESERVATIONS) return false;
    this.#reserveHead(level, head, decision);
    if (lowest) {
      this.#backfill(level, undefined, decision);
      return true;
    }
    // Lower priorities wait behind this one: every job of it that cannot start now needs a
    // reservation, so that lower-priority jobs can be kept from delaying it.
    let after: Entry | undefined;
    for (;;) {
      const next = level.first(after);
      if (!next) return true;
      after = next;
      if (next === head) continue;
      if (this.#admissible(next, decision)) this.#start(next, decision);
      else if (decision.reservations < MAX_RESERVATIONS) this.#reserve(next, undefined, decision);
      else break;
    }
    this.#backfill(level, after, decision);
    return false;
  }

  /** Starts heads while they fit; returns the first that does not, to be reserved, or undefined once the level is empty. */
  #startHeads(level: Level, decision: Decision): Entry | undefined {
    for (;;) {
      const current = level.head;
      if (current) {
        if (!this.#admissible(current, decision)) return current;
        this.#start(current, decision);
        continue;
      }
      const candidates = this.#headCandidates(level);
      if (candidates.length === 0) return undefined;
      const fitting = candidates.find((candidate) => this.#admissible(candidate, decision));
      if (!fitting) return this.#soonest(candidates, decision);
      this.#start(fitting, decision);
    }
  }

  /**
   * Who may become the head: the oldest job once enough younger ones have passed it; else the
   * leading jobs in rank order, as long as they carry at least half the work of the first.
   */
  #headCandidates(level: Level): Entry[] {
    const oldest = level.oldest();
    if (oldest && level.overtakes >= this.#agingLimit) return [oldest];
    // Merge the leading jobs of each shape; there are few shapes and each is in rank order.
    const lists = [...level.shapes.values()].map((shape) => shape.entries.take(HEAD_CANDIDATES));
    const positions = lists.map(() => 0);
    const candidates: Entry[] = [];
    while (candidates.length < HEAD_CANDIDATES) {
      let best = -1;
      for (let l = 0; l < lists.length; l++) {
        const entry = (lists[l] as Entry[])[positions[l] as number];
        if (
          entry &&
          (best < 0 || precedes(entry, (lists[best] as Entry[])[positions[best] as number] as Entry))
        )
          best = l;
      }
      if (best < 0) break;
      const next = (lists[best] as Entry[])[positions[best] as number] as Entry;
      const leader = candidates[0];
      if (leader && -next.order < -leader.order * HEAD_CANDIDATE_WORK) break;
      candidates.push(next);
      positions[best] = (positions[best] as number) + 1;
    }
    return candidates;
  }

  /**
   * Of candidates none of which fits now, the one the projection lets start soonest (the first
   * in rank order on a tie): when a big job runs, another that fits beside it can be made the
   * head and start as soon as small jobs leave room, instead of waiting for the first to end.
   */
  #soonest(candidates: readonly Entry[], decision: Decision): Entry {
    let soonest = candidates[0] as Entry;
    let soonestStart = Number.POSITIVE_INFINITY;
    for (const candidate of candidates) {
      const need = this.#need(candidate, decision);
      const start = decision.profile.earliestStart(need, candidate.runtime, soonestStart);
      if (start !== undefined) {
        soonestStart = start;
        soonest = candidate;
      }
    }
    return soonest;
  }

  #reserveHead(level: Level, head: Entry, decision: Decision): void {
    if (level.head !== head) {
      level.head = head;
      level.promised = this.#reserve(head, undefined, decision);
    } else {
      this.#reserve(head, level.promised, decision);
    }
  }

  /**
   * Reserves what a waiting job needs at the earliest time the projection allows, or, when
   * there is none in the future or its promised start has passed, out of what is free now for
   * as long as it waits. Returns the start reserved: now in the second case, so that a head
   * given no start in the future is reserved from now on, for good.
   */
  #reserve(entry: Entry, promised: number | undefined, decision: Decision): number {
    const { profile, now } = decision;
    const overdue = promised !== undefined && now >= promised;
    decision.reservations++;
    const need = this.#need(entry, decision);
    const start = overdue ? undefined : profile.earliestStart(need, entry.runtime);
    if (start !== undefined && start > now) {
      profile.hold(start, start + entry.runtime, need);
    } else {
      const free = profile.free;
      const held = need.map((amount, i) => Math.min(Math.max(free[i] as number, 0), amount));
      profile.hold(now, Number.POSITIVE_INFINITY, held);
    }
    const reserved = start !== undefined && start > now ? start : now;
    this.#reservations.push({
      id: entry.job.id,
      start: reserved,
      promised: entry.level.head === entry ? (promised ?? reserved) : undefined,
    });
    return reserved;
  }

  /** Starts, in rank order, every job of the level after `after` that delays no reservation. */
  #backfill(level: Level, after: Entry | undefined, decision: Decision): void {
    const candidates = new Map<Shape, Entry | undefined>();
    for (;;) {
      const limits = decision.profile.limits();
      let best: Entry | undefined;
      for (const shape of level.shapes.values()) {
        if (shape.entries.size === 0) continue;
        let candidate = candidates.get(shape);
        // Limits only tighten within a decision: a candidate still admissible is still the first.
        if (!candidate || candidate.gone || !this.#admissible(candidate, decision)) {
          candidate = this.#firstAdmissible(shape, after, limits, decision);
          candidates.set(shape, candidate);
        }
        if (candidate && (!best || precedes(candidate, best))) best = candidate;
      }
      if (!best) return;
      this.#start(best, decision);
    }
  }

  #firstAdmissible(
    shape: Shape,
    after: Entry | undefined,
    limits: readonly Limit[],
    decision: Decision,
  ): Entry | undefined {
    if (shape.unsized && decision.budget <= 0) return undefined;
    // The longest runs the shape's cores and named resources leave room for.
    let last = -1;
    while (last + 1 < limits.length && fitsFixed(shape.fixed, (limits[last + 1] as Limit).available)) last++;
    if (last < 0) return undefined;
    const memoryFits = (memory: number, runtime: number): boolean => {
      const j = limitIndex(limits, runtime);
      const needed = shape.unsized ? decision.unsizedMemory : memory;
      return j <= last && needed <= ((limits[j] as Limit).available[MEMORY] as number);
    };
    return shape.entries.find(memoryFits, (entry) => memoryFits(entry.memory, entry.runtime), after);
  }

  #admissible(entry: Entry, decision: Decision): boolean {
    if (entry.unsized && decision.budget <= 0) return false;
    const limits = decision.profile.limits();
    return within(
      this.#need(entry, decision),
      (limits[limitIndex(limits, entry.runtime)] as Limit).available,
    );
  }

  /** What a job holds while it runs: its demand, with the estimate as the memory of a job without declared memory. */
  #need(entry: Entry, decision: Decision): Float64Array {
    if (!entry.unsized || decision.unsizedMemory === 0) return entry.demand;
    const need = Float64Array.from(entry.demand);
    need[MEMORY] = decision.unsizedMemory;
    return need;
  }

  #start(entry: Entry, decision: Decision): void {
    const level = entry.level;
    const oldest = level.oldest();
    if (oldest && oldest !== entry && olderThan(oldest, entry)) level.overtakes++;
    decision.profile.hold(decision.now, decision.now + entry.runtime, this.#need(entry, decision));
    if (entry.unsized) decision.budget -= decision.unsizedCharge;
    this.#forget(entry);
    decision.started.push(entry.job);
  }

  #forget(entry: Entry): void {
    const level = entry.level;
    entry.gone = true;
    entry.shape.entries.remove(entry);
    if (entry.shape.entries.size === 0) level.shapes.delete(entry.shape.key);
    level.size--;
    if (level.head === entry) {
      level.head = undefined;
      level.promised = Number.POSITIVE_INFINITY;
    }
    if (level.size === 0) {
      this.#levels.splice(this.#levels.indexOf(level), 1);
      this.#levelByPriority.delete(level.priority);
    }
    this.#entries.delete(entry.job.id);
  }

  #level(priority: number): Level {
    const found = this.#levelByPriority.get(priority);
    if (found) return found;
    const level = new Level(priority);
    let low = 0;
    let high = this.#levels.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.#levels[mid] as Level).priority > priority) low = mid + 1;
      else high = mid;
    }
    this.#levels.splice(low, 0, level);
    this.#levelByPriority.set(priority, level);
    return level;
  }
}

/** What one decision has used up so far. */
interface Decision {
  now: number;
  profile: AvailabilityProfile;
  /** Live memory budget left for jobs without declared memory. */
  budget: number;
  /** What each job without declared memory takes from the budget: its estimate, or all of it while none is known. */
  unsizedCharge: number;
  /** What such a job is taken to hold in the projection: its estimate, or nothing while none is known. */
  unsizedMemory: number;
  started: QueuedJob[];
  /** Reservations made so far. */
  reservations: number;
}

/** Whether the cores and named resources of a shape fit; memory is judged per job. */
function fitsFixed(fixed: Float64Array, available: Float64Array): boolean {
  for (let i = 0; i < fixed.length; i++) {
    if (i !== MEMORY && (fixed[i] as number) > (available[i] as number)) return false;
  }
  return true;
}

/**
 * The packing policy behind the plain {@link SchedulingPolicy} interface, for a run loop that
 * hands over the whole queue on every decision: it tells the policy what joined and left since
 * the last call, which costs a pass over the queue but keeps the decision itself incremental.
 */
export function packing(options: PackingOptions = {}): SchedulingPolicy {
  return fromIncremental("packing", (capacity) => new PackingPolicy(capacity, options));
}
