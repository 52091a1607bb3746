import { PackingPolicy } from "../../src/schedule/packing-policy.js";
import { type SimulatedJob, simulate } from "../../src/schedule/simulator.js";
import { Random } from "./random.js";
import { TimedPolicy } from "./timed-policy.js";
import { MACHINE, WORKLOADS, type WorkloadKind } from "./workloads.js";

export const PENDING = 100_000;
export const MEASURED_STARTS = 10_000;
export const REPEATS = 3;

export interface CostRow {
  workload: string;
  /** Policy CPU µs per started job (deciding, plus adding the job that replaced it), one per repeat. */
  perStart: number[];
  /** CPU µs per job of adding the first 100,000 to an empty queue, one per repeat. */
  perInitialAdd: number[];
}

/**
 * Decision cost with a long queue: 100,000 jobs of a workload's mix wait, and every job that
 * starts brings a new one, so the queue stays at 100,000 while 10,000 jobs start. The policy's
 * CPU time (deciding, and adding the replacements) is divided by the jobs started; the time
 * to add the first 100,000 is reported apart, per job.
 */
export function measureDecisionCost(): CostRow[] {
  return WORKLOADS.map((kind) => {
    const row: CostRow = { workload: kind.name, perStart: [], perInitialAdd: [] };
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const source = jobSource(kind, 1000 + repeat);
      const initial = Array.from({ length: PENDING }, source);
      const policy = new TimedPolicy(new PackingPolicy(MACHINE));
      const result = simulate({ capacity: MACHINE, jobs: initial }, policy, {
        stopAfterStarts: MEASURED_STARTS,
        onStart: () => [source()],
      });
      row.perInitialAdd.push(policy.initialAddMicros / PENDING);
      row.perStart.push(
        (policy.selectMicros + policy.addMicros - policy.initialAddMicros) / result.records.length,
      );
    }
    return row;
  });
}

/** Endless jobs of one kind's mix, with exact runtime estimates. */
function jobSource(kind: WorkloadKind, seed: number): () => SimulatedJob {
  const random = new Random(seed);
  let buffer: SimulatedJob[] = [];
  let next = 0;
  return () => {
    if (buffer.length === 0) {
      buffer = kind.shapes(random).map((shape) => {
        const i = next++;
        const duration = Math.round(shape.duration);
        return {
          job: { id: `j${i}`, seq: i, cpus: shape.cpus, memory: Math.round(shape.memory), runtime: duration },
          arrival: 0,
          duration,
        };
      });
      buffer.reverse();
    }
    return buffer.pop() as SimulatedJob;
  };
}
