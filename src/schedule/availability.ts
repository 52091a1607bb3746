import { within } from "./dimensions.js";

/**
 * What a job may hold from now on: `available` applies to jobs that run longer than `after` ms
 * from now, up to the next limit's `after`. Limits only tighten as runtime grows.
 */
export interface Limit {
  after: number;
  available: Float64Array;
}

interface Change {
  time: number;
  delta: Float64Array;
}

/**
 * The resources a decision projects to be free from now on: what is free now, plus what
 * running jobs release at their expected ends, less what the jobs this decision starts and the
 * reservations it makes will hold. It is small (one change per running job, started job and
 * reservation), so it is rebuilt for every decision.
 */
export class AvailabilityProfile {
  readonly #now: number;
  /** Free now, less what starts now. */
  readonly #free: Float64Array;
  /** Changes after now (or at now, for releases already due); sorted by time when read. */
  readonly #changes: Change[] = [];
  #sorted = true;
  #limits: Limit[] | undefined;
  readonly #scratch: Float64Array;

  constructor(now: number, free: Float64Array) {
    this.#now = now;
    this.#free = Float64Array.from(free);
    this.#scratch = new Float64Array(free.length);
  }

  /** Free now, less what has started or been reserved from now. */
  get free(): Float64Array {
    return this.#free;
  }

  /**
   * A running job's resources come back at `time`. A job past its expected end may end at any
   * moment but holds its resources now, so its release is projected for now, never before.
   */
  release(time: number, amounts: Float64Array): void {
    if (time === Number.POSITIVE_INFINITY) return;
    this.#insert(Math.max(time, this.#now), amounts, 1);
  }

  /** Resources are held from `start` (at least now) until `end` (Infinity: for good). */
  hold(start: number, end: number, amounts: Float64Array): void {
    if (start <= this.#now) {
      for (let i = 0; i < amounts.length; i++) (this.#free[i] as number) -= amounts[i] as number;
      this.#limits = undefined;
    } else {
      this.#insert(start, amounts, -1);
    }
    if (end !== Number.POSITIVE_INFINITY) this.#insert(Math.max(end, this.#now), amounts, 1);
  }

  /**
   * The earliest time, now or later, from which `need` stays free for `duration` ms
   * (Infinity: for good), or undefined if the projection never frees that much before `before`.
   */
  earliestStart(need: Float64Array, duration: number, before = Number.POSITIVE_INFINITY): number | undefined {
    const available = this.#scratch;
    available.set(this.#free);
    let candidate = within(need, available) ? this.#now : undefined;
    const changes = this.#timeline();
    for (let k = 0; k < changes.length; ) {
      const time = (changes[k] as Change).time;
      if (candidate !== undefined && time >= candidate + duration) return candidate;
      if (candidate === undefined && time >= before) return undefined;
      for (; k < changes.length && (changes[k] as Change).time === time; k++) {
        const delta = (changes[k] as Change).delta;
        for (let i = 0; i < delta.length; i++) (available[i] as number) += delta[i] as number;
      }
      if (!within(need, available)) candidate = undefined;
      else if (candidate === undefined) candidate = time;
    }
    return candidate !== undefined && candidate < before ? candidate : undefined;
  }

  /**
   * What a job starting now may hold, by how long it runs: the least free at any moment of its
   * run. Free resources only grow until a reservation begins, so the limits change only there.
   */
  limits(): readonly Limit[] {
    if (this.#limits) return this.#limits;
    const limits: Limit[] = [{ after: Number.NEGATIVE_INFINITY, available: Float64Array.from(this.#free) }];
    const available = Float64Array.from(this.#free);
    const changes = this.#timeline();
    for (let k = 0; k < changes.length; ) {
      const time = (changes[k] as Change).time;
      let drops = false;
      for (; k < changes.length && (changes[k] as Change).time === time; k++) {
        const delta = (changes[k] as Change).delta;
        for (let i = 0; i < delta.length; i++) {
          (available[i] as number) += delta[i] as number;
          if ((delta[i] as number) < 0) drops = true;
        }
      }
      if (!drops) continue;
      const previous = (limits[limits.length - 1] as Limit).available;
      let tighter = false;
      for (let i = 0; i < available.length; i++)
        if ((available[i] as number) < (previous[i] as number)) tighter = true;
      if (!tighter) continue;
      const next = Float64Array.from(previous);
      for (let i = 0; i < next.length; i++) next[i] = Math.min(next[i] as number, available[i] as number);
      limits.push({ after: time - this.#now, available: next });
    }
    this.#limits = limits;
    return limits;
  }

  #insert(time: number, amounts: Float64Array, sign: 1 | -1): void {
    // Deltas are never written to, so a release can share the caller's vector.
    const delta = sign === 1 ? amounts : amounts.map((a) => -a);
    const last = this.#changes[this.#changes.length - 1];
    if (last && last.time > time) this.#sorted = false;
    this.#changes.push({ time, delta });
    this.#limits = undefined;
  }

  #timeline(): readonly Change[] {
    if (!this.#sorted) {
      // Stable: changes at one time keep the order they were made in.
      this.#changes.sort((a, b) => a.time - b.time);
      this.#sorted = true;
    }
    return this.#changes;
  }
}

/** Index of the limit that applies to a job running `runtime` ms (Infinity if unknown). */
export function limitIndex(limits: readonly Limit[], runtime: number): number {
  let j = 0;
  while (j + 1 < limits.length && (limits[j + 1] as Limit).after < runtime) j++;
  return j;
}
