import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toIncremental } from "../../src/schedule/incremental.js";
import { makespanLowerBound } from "../../src/schedule/lower-bound.js";
import { PackingPolicy } from "../../src/schedule/packing-policy.js";
import type { QueuedJob, SchedulingPolicy } from "../../src/schedule/policy.js";
import {
  type JobRecord,
  PolicyViolation,
  type SimulatedJob,
  simulate,
} from "../../src/schedule/simulator.js";

const G = 1024 ** 3;
const S = 1000;
const capacity = { cpus: 4, memory: 8 * G };

function sim(id: string, cpus: number, memGb: number, seconds: number, seq: number): SimulatedJob {
  return {
    job: { id, seq, cpus, memory: memGb * G, runtime: seconds * S },
    arrival: 0,
    duration: seconds * S,
  };
}

describe("simulate", () => {
  it("reproduces a hand-computed schedule", () => {
    // A (2 cores, 4G, 10 s), B (4 cores, 2G, 5 s), C (1 core, 1G, 3 s), D (1 core, 6G, 2 s) on
    // 4 cores and 8G. Ranked by share x runtime: A (5), B (5), D (1.5), C (0.75).
    // t=0: A starts; B cannot (2 cores left) and is promised t=10, when A ends; C ends by
    // then, so it backfills; D needs 6G of the 4G left. t=3: C ends, nothing else fits.
    // t=10: B starts; D is promised t=15. t=15: D starts. A, B and D pairwise cannot share the
    // machine, so 17 s is optimal.
    const workload = {
      capacity,
      jobs: [sim("A", 2, 4, 10, 0), sim("B", 4, 2, 5, 1), sim("C", 1, 1, 3, 2), sim("D", 1, 6, 2, 3)],
    };
    const result = simulate(workload, new PackingPolicy(capacity));
    const byId = Object.fromEntries(result.records.map((r) => [r.id, [r.start / S, r.end / S, r.promised]]));
    expect(byId).toEqual({
      A: [0, 10, undefined],
      C: [0, 3, undefined],
      B: [10, 15, 10 * S],
      D: [15, 17, 15 * S],
    });
    expect(result.records.map((r) => r.id)).toEqual(["A", "C", "B", "D"]);
    expect(result.makespan).toBe(17 * S);
    expect(result.decisions).toBe(4);
  });

  it("catches a policy that over-commits, and one that starts a job that is not waiting", () => {
    const greedy: SchedulingPolicy = { name: "greedy", select: (input) => [...input.queue] };
    const workload = { capacity, jobs: [sim("A", 3, 1, 1, 0), sim("B", 3, 1, 1, 1)] };
    expect(() => simulate(workload, toIncremental(greedy))).toThrow(PolicyViolation);
    const phantom: SchedulingPolicy = {
      name: "phantom",
      select: () => [{ id: "ghost", seq: 9, cpus: 1, memory: G }],
    };
    expect(() => simulate(workload, toIncremental(phantom))).toThrow(/not waiting/);
  });

  it("reports a policy that leaves jobs waiting with nothing running", () => {
    const idle: SchedulingPolicy = { name: "idle", select: () => [] };
    expect(() => simulate({ capacity, jobs: [sim("A", 1, 1, 1, 0)] }, toIncremental(idle))).toThrow(
      /none runs/,
    );
  });

  it("lets jobs arrive as others start", () => {
    let extra = 0;
    const result = simulate({ capacity, jobs: [sim("A", 4, 1, 1, 0)] }, new PackingPolicy(capacity), {
      onStart: () => (extra++ < 3 ? [sim(`X${extra}`, 4, 1, 1, extra)] : undefined),
    });
    expect(result.records.map((r) => [r.id, r.start])).toEqual([
      ["A", 0],
      ["X1", 1000],
      ["X2", 2000],
      ["X3", 3000],
    ]);
  });
});

/** Random jobs on 8 cores, 64G and 2 GPUs, all sized, arriving over the first 50 s. */
const jobArbitrary = fc.record({
  cpus: fc.integer({ min: 1, max: 8 }),
  memGb: fc.integer({ min: 1, max: 64 }),
  gpu: fc.integer({ min: 0, max: 2 }),
  seconds: fc.integer({ min: 1, max: 100 }),
  arrival: fc.integer({ min: 0, max: 50 }),
  error: fc.double({ min: -0.3, max: 0.3, noNaN: true }),
  known: fc.integer({ min: 0, max: 9 }),
});
type JobShape = typeof jobArbitrary extends fc.Arbitrary<infer T> ? T : never;
const gpuCapacity = { cpus: 8, memory: 64 * G, resources: { gpu: 2 } };

function workloadOf(shapes: JobShape[], misestimated: boolean) {
  return {
    capacity: gpuCapacity,
    jobs: shapes.map((s, i): SimulatedJob => {
      const job: QueuedJob = {
        id: `j${i}`,
        seq: i,
        cpus: s.cpus,
        memory: s.memGb * G,
        resources: s.gpu > 0 ? { gpu: s.gpu } : undefined,
        runtime: misestimated ? Math.round(s.seconds * S * (1 + s.error)) : s.seconds * S,
      };
      // With misestimates, one job in ten has no estimate at all.
      if (misestimated && s.known === 0) delete job.runtime;
      return { job, arrival: s.arrival * S, duration: s.seconds * S };
    }),
  };
}

/** The latest end among jobs running at `time`. */
function lastEndOfRunning(records: readonly JobRecord[], time: number): number {
  let last = time;
  for (const r of records) if (r.start <= time && r.end > time) last = Math.max(last, r.end);
  return last;
}

describe("the packing policy's waiting bound, in the simulator", () => {
  it("a head starts by the start it was promised when runtimes are exact (property)", () => {
    fc.assert(
      fc.property(fc.array(jobArbitrary, { minLength: 1, maxLength: 40 }), (shapes) => {
        const result = simulate(workloadOf(shapes, false), new PackingPolicy(gpuCapacity, { agingLimit: 5 }));
        expect(result.records).toHaveLength(shapes.length);
        for (const r of result.records) {
          if (r.promised !== undefined) expect(r.start).toBeLessThanOrEqual(r.promised);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("with runtimes off by up to 30% (or unknown), a head starts once the jobs running at its promised start have ended (property)", () => {
    fc.assert(
      fc.property(fc.array(jobArbitrary, { minLength: 1, maxLength: 40 }), (shapes) => {
        const result = simulate(workloadOf(shapes, true), new PackingPolicy(gpuCapacity, { agingLimit: 5 }));
        for (const r of result.records) {
          if (r.promised !== undefined)
            expect(r.start).toBeLessThanOrEqual(lastEndOfRunning(result.records, r.promised));
        }
      }),
      { numRuns: 150 },
    );
  });

  it("runs every job of mixed workloads (priorities, unsized jobs, unknown runtimes) without over-committing or stalling (property)", () => {
    const mixed = fc.record({
      shape: jobArbitrary,
      priority: fc.integer({ min: 0, max: 3 }),
      unsizedUsageGb: fc.option(fc.integer({ min: 0, max: 64 }), { nil: undefined, freq: 3 }),
    });
    fc.assert(
      fc.property(fc.array(mixed, { minLength: 1, maxLength: 40 }), (jobs) => {
        const workload = workloadOf(
          jobs.map((j) => j.shape),
          true,
        );
        const sims = workload.jobs.map((sim, i) => {
          const { priority, unsizedUsageGb } = jobs[i] as (typeof jobs)[number];
          const job = { ...sim.job, priority };
          if (unsizedUsageGb === undefined) return { ...sim, job };
          return { ...sim, job: { ...job, memory: undefined }, usage: unsizedUsageGb * G };
        });
        const result = simulate(
          { ...workload, jobs: sims },
          new PackingPolicy(gpuCapacity, { agingLimit: 5 }),
        );
        expect(result.records).toHaveLength(jobs.length);
      }),
      { numRuns: 150 },
    );
  });

  it("never does worse than the lower bound allows, and never over-commits (the simulator checks every start)", () => {
    fc.assert(
      fc.property(fc.array(jobArbitrary, { minLength: 1, maxLength: 40 }), (shapes) => {
        const workload = workloadOf(
          shapes.map((s) => ({ ...s, arrival: 0 })),
          false,
        );
        const result = simulate(workload, new PackingPolicy(gpuCapacity));
        const bound = makespanLowerBound(
          workload.jobs.map((j) => ({ ...j.job, duration: j.duration })),
          gpuCapacity,
        );
        expect(result.makespan).toBeGreaterThanOrEqual(bound);
      }),
      { numRuns: 100 },
    );
  });
});
