import type { Resources } from "../../src/schedule/policy.js";
import type { SimulatedJob, Workload } from "../../src/schedule/simulator.js";
import { Random } from "./random.js";

const GiB = 1024 ** 3;
const S = 1000;

/** The simulated machine: 32 cores and 128 GiB. */
export const MACHINE: Resources = { cpus: 32, memory: 128 * GiB };

/** A job's shape before it gets an id and an estimate. */
interface Shape {
  cpus: number;
  memory: number;
  duration: number;
}

/** One family of synthetic workloads. */
export interface WorkloadKind {
  name: string;
  description: string;
  shapes(random: Random): Shape[];
}

const repeat = (n: number, make: () => Shape): Shape[] => Array.from({ length: n }, make);

export const WORKLOADS: readonly WorkloadKind[] = [
  {
    name: "uniform",
    description: "300 jobs: 1-4 cores, 0.5-8 GiB, 30-300 s",
    shapes: (r) =>
      repeat(300, () => ({
        cpus: r.integer(1, 4),
        memory: r.uniform(0.5, 8) * GiB,
        duration: r.uniform(30, 300) * S,
      })),
  },
  {
    name: "memory-skewed",
    description:
      "12 jobs needing 40-70% of memory (1-4 cores, 100-600 s) among 288 small ones (1-2 cores, 0.25-2 GiB, 30-300 s)",
    shapes: (r) => {
      const big = repeat(12, () => ({
        cpus: r.integer(1, 4),
        memory: r.uniform(0.4, 0.7) * MACHINE.memory,
        duration: r.uniform(100, 600) * S,
      }));
      const small = repeat(288, () => ({
        cpus: r.integer(1, 2),
        memory: r.uniform(0.25, 2) * GiB,
        duration: r.uniform(30, 300) * S,
      }));
      return shuffle(r, [...big, ...small]);
    },
  },
  {
    name: "bimodal",
    description:
      "250 jobs: 20% big (8-20 cores, 8-32 GiB, 200-600 s), 80% small (1-2 cores, 0.5-4 GiB, 10-120 s)",
    shapes: (r) =>
      repeat(250, () =>
        r.next() < 0.2
          ? { cpus: r.integer(8, 20), memory: r.uniform(8, 32) * GiB, duration: r.uniform(200, 600) * S }
          : { cpus: r.integer(1, 2), memory: r.uniform(0.5, 4) * GiB, duration: r.uniform(10, 120) * S },
      ),
  },
  {
    name: "heavy-tailed",
    description: "300 jobs: 1-4 cores, 0.5-8 GiB, Pareto runtimes (alpha 1.5, from 10 s, at most 2 h)",
    shapes: (r) =>
      repeat(300, () => ({
        cpus: r.integer(1, 4),
        memory: r.uniform(0.5, 8) * GiB,
        duration: Math.min(r.pareto(10, 1.5), 7200) * S,
      })),
  },
  {
    name: "many-tiny",
    description: "2000 jobs: 1 core, 50-500 MiB, 1-10 s",
    shapes: (r) =>
      repeat(2000, () => ({
        cpus: 1,
        memory: r.uniform(50, 500) * 1024 ** 2,
        duration: r.uniform(1, 10) * S,
      })),
  },
];

/**
 * A workload of one kind for one seed, every job ready at time 0. With `error` (0.3 for
 * +/-30%) each job's runtime estimate is its true runtime times a factor drawn uniformly from
 * [1 - error, 1 + error]; without, estimates are exact.
 */
export function makeWorkload(kind: WorkloadKind, seed: number, error = 0): Workload {
  const random = new Random(seed);
  const shapes = kind.shapes(random);
  const jobs: SimulatedJob[] = shapes.map((shape, i) => {
    const duration = Math.round(shape.duration);
    const estimate = error === 0 ? duration : Math.round(duration * random.uniform(1 - error, 1 + error));
    return {
      job: {
        id: `${kind.name}-${i}`,
        seq: i,
        cpus: shape.cpus,
        memory: Math.round(shape.memory),
        runtime: estimate,
      },
      arrival: 0,
      duration,
    };
  });
  return { capacity: MACHINE, jobs };
}

function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.integer(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
