import type { Resources } from "./policy.js";

/** A job as the lower bound sees it: what it holds, and how long it really ran, in ms. */
export interface SizedRun {
  cpus: number;
  /** Bytes, or undefined for a job without declared memory (left out of the memory terms). */
  memory: number | undefined;
  resources?: Readonly<Record<string, number>>;
  duration: number;
}

/**
 * A lower bound on the makespan of any schedule of these jobs on this cluster, all of them
 * ready at time 0 and none paused:
 *
 * LB = max( Σ p·t / P, Σ m·t / M, max t, Σ t over jobs with p > P/2, Σ t over jobs with m > M/2 ),
 *
 * with the same two terms for each named resource. The area terms hold because the cluster
 * cannot do more work per unit of time than it has; the last terms because two jobs that each
 * need more than half of a resource can never run at the same time.
 */
export function makespanLowerBound(jobs: readonly SizedRun[], capacity: Resources): number {
  const totals: [string, number][] = [
    ["cpus", capacity.cpus],
    ["memory", capacity.memory],
    ...Object.entries(capacity.resources ?? {}),
  ];
  const area = new Map<string, number>();
  const exclusive = new Map<string, number>();
  let longest = 0;
  for (const job of jobs) {
    longest = Math.max(longest, job.duration);
    for (const [name, total] of totals) {
      const amount =
        name === "cpus" ? job.cpus : name === "memory" ? (job.memory ?? 0) : (job.resources?.[name] ?? 0);
      if (amount <= 0 || total <= 0) continue;
      area.set(name, (area.get(name) ?? 0) + (amount * job.duration) / total);
      if (amount > total / 2) exclusive.set(name, (exclusive.get(name) ?? 0) + job.duration);
    }
  }
  return Math.max(longest, ...area.values(), ...exclusive.values());
}
