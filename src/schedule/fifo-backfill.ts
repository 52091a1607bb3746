import { fits, type QueuedJob, type Resources, type ScheduleInput, type SchedulingPolicy } from "./policy.js";

/**
 * First in, first out, with backfill behind a reservation.
 *
 * Jobs start in arrival order while they fit. The first job that does not fit becomes the
 * head and reserves what it needs out of what is free now; later jobs may start only in what
 * is left beyond that reservation. So the head never waits for a job that started after it
 * became the head: it starts, at the latest, when the jobs that were running at that moment
 * have ended. Small jobs still fill the cores and memory the head cannot use.
 *
 * Without the reservation (`reserve: false`) this is the Python mpmsub's first-fit, under which
 * a stream of small jobs can starve a big one forever.
 */
export function fifoBackfill(options: { reserve?: boolean } = {}): SchedulingPolicy {
  const reserve = options.reserve ?? true;
  return {
    name: reserve ? "fifo-backfill" : "fifo-first-fit",
    select(input: ScheduleInput): QueuedJob[] {
      const started: QueuedJob[] = [];
      const pool: Resources = { ...input.free };
      let unsizedBudget = input.unsized.budget;
      let reserved = false;
      for (const job of input.queue) {
        // Every job needs at least one core: once none is left, nothing else can start.
        if (pool.cpus < 1) break;
        const admissible = job.memory !== undefined || unsizedBudget > 0;
        if (admissible && fits(job, pool)) {
          started.push(job);
          pool.cpus -= job.cpus;
          if (job.memory !== undefined) pool.memory -= job.memory;
          else unsizedBudget -= input.unsized.estimate ?? Number.POSITIVE_INFINITY;
        } else if (reserve && !reserved) {
          reserved = true;
          pool.cpus -= Math.min(pool.cpus, job.cpus);
          if (job.memory !== undefined) pool.memory -= Math.min(Math.max(pool.memory, 0), job.memory);
        }
      }
      return started;
    },
  };
}
