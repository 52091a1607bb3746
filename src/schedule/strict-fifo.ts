import { byPriority } from "./arrival-order.js";
import { Dimensions, within } from "./dimensions.js";
import type { QueuedJob, ScheduleInput, SchedulingPolicy } from "./policy.js";

/**
 * Strict first in, first out: jobs start in arrival order (higher priorities first), and the
 * first one that does not fit stops every job behind it. No job ever passes another; the
 * baseline that shows what packing gains.
 */
export function strictFifo(): SchedulingPolicy {
  return {
    name: "strict-fifo",
    select(input: ScheduleInput): QueuedJob[] {
      const dimensions = new Dimensions(input.capacity);
      const pool = dimensions.of(input.free);
      const started: QueuedJob[] = [];
      let unsizedBudget = input.unsized.budget;
      for (const job of byPriority(input.queue)) {
        const demand = dimensions.demand(job);
        if (!demand) continue;
        const admissible = job.memory !== undefined || unsizedBudget > 0;
        if (!admissible || !within(demand, pool)) break;
        started.push(job);
        for (let i = 0; i < pool.length; i++) (pool[i] as number) -= demand[i] as number;
        if (job.memory === undefined) unsizedBudget -= input.unsized.estimate ?? Number.POSITIVE_INFINITY;
      }
      return started;
    },
  };
}
