import { byPriority } from "./arrival-order.js";
import { CPUS, Dimensions, within } from "./dimensions.js";
import type { QueuedJob, ScheduleInput, SchedulingPolicy } from "./policy.js";

/**
 * First in, first out, with backfill behind a reservation.
 *
 * Jobs start in arrival order (higher priorities first) while they fit. The first job that
 * does not fit becomes the head and reserves what it needs out of what is free now; later jobs
 * may start only in what is left beyond that reservation. So the head never waits for a job
 * that started after it became the head: it starts, at the latest, when the jobs that were
 * running at that moment have ended. Small jobs still fill the cores, memory and named
 * resources the head cannot use.
 *
 * Without the reservation (`reserve: false`) this is the Python mpmsub's first-fit, under which
 * a stream of small jobs can starve a big one forever.
 */
export function fifoBackfill(options: { reserve?: boolean } = {}): SchedulingPolicy {
  const reserve = options.reserve ?? true;
  return {
    name: reserve ? "fifo-backfill" : "fifo-first-fit",
    select(input: ScheduleInput): QueuedJob[] {
      const dimensions = new Dimensions(input.capacity);
      const pool = dimensions.of(input.free);
      const started: QueuedJob[] = [];
      let unsizedBudget = input.unsized.budget;
      let reserved = false;
      for (const job of byPriority(input.queue)) {
        // Every job needs at least one core: once none is left, nothing else can start.
        if ((pool[CPUS] as number) < 1) break;
        const demand = dimensions.demand(job);
        if (!demand) continue;
        const admissible = job.memory !== undefined || unsizedBudget > 0;
        if (admissible && within(demand, pool)) {
          started.push(job);
          for (let i = 0; i < pool.length; i++) (pool[i] as number) -= demand[i] as number;
          if (job.memory === undefined) unsizedBudget -= input.unsized.estimate ?? Number.POSITIVE_INFINITY;
        } else if (reserve && !reserved) {
          reserved = true;
          for (let i = 0; i < pool.length; i++) {
            (pool[i] as number) -= Math.min(Math.max(pool[i] as number, 0), demand[i] as number);
          }
        }
      }
      return started;
    },
  };
}
