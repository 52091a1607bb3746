import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fifoBackfill } from "../../src/index.js";
import { exceedsCapacity, fits, type QueuedJob, type ScheduleInput } from "../../src/schedule/policy.js";

const G = 1024 ** 3;
const open = { budget: Number.POSITIVE_INFINITY, estimate: 0 };

function input(queue: QueuedJob[], free: { cpus: number; memory: number }, capacity = free): ScheduleInput {
  return { queue, capacity, free, unsized: open };
}

function jobs(...shapes: [number, number | undefined][]): QueuedJob[] {
  return shapes.map(([cpus, memGb], i) => ({
    id: `j${i}`,
    seq: i,
    cpus,
    memory: memGb === undefined ? undefined : memGb * G,
  }));
}

describe("fifoBackfill", () => {
  const policy = fifoBackfill();

  it("starts jobs in arrival order while they fit", () => {
    const chosen = policy.select(input(jobs([1, 1], [1, 1], [1, 1]), { cpus: 2, memory: 4 * G }));
    expect(chosen.map((j) => j.id)).toEqual(["j0", "j1"]);
  });

  it("backfills small jobs around a head that does not fit, without touching what the head reserves", () => {
    // The head needs 3 GB with 2 GB free: it claims both; a 1 GB job may not start, a job without memory may.
    const chosen = policy.select(input(jobs([1, 3], [1, 1], [1, undefined]), { cpus: 4, memory: 2 * G }));
    expect(chosen.map((j) => j.id)).toEqual(["j2"]);
  });

  it("without a reservation (the Python mpmsub's first-fit) the small job overtakes the head", () => {
    const chosen = fifoBackfill({ reserve: false }).select(
      input(jobs([1, 3], [1, 1]), { cpus: 4, memory: 2 * G }),
    );
    expect(chosen.map((j) => j.id)).toEqual(["j1"]);
  });

  it("backfills into the cores the head does not need", () => {
    // The head waits for memory and needs 1 core of the 3 free: two cores are left for jobs
    // that need no declared memory; the 1 GB job stays behind the head's memory claim.
    const queue = jobs([1, 6], [1, 1], [1, undefined], [1, undefined], [1, undefined]);
    const chosen = policy.select(input(queue, { cpus: 3, memory: 4 * G }, { cpus: 4, memory: 8 * G }));
    expect(chosen.map((j) => j.id)).toEqual(["j2", "j3"]);
  });

  it("starts one unsized job at a time until their size is known", () => {
    const unsized = jobs([1, undefined], [1, undefined], [1, undefined]);
    const first = policy.select({
      ...input(unsized, { cpus: 4, memory: 8 * G }),
      unsized: { budget: G, estimate: undefined },
    });
    expect(first.map((j) => j.id)).toEqual(["j0"]);
    const known = policy.select({
      ...input(unsized, { cpus: 4, memory: 8 * G }),
      unsized: { budget: G, estimate: 0.4 * G },
    });
    expect(known.map((j) => j.id)).toEqual(["j0", "j1", "j2"]);
    const none = policy.select({
      ...input(unsized, { cpus: 4, memory: 8 * G }),
      unsized: { budget: -1, estimate: 0 },
    });
    expect(none).toEqual([]);
  });

  const arbitraryJob = fc.record({
    cpus: fc.integer({ min: 1, max: 8 }),
    memory: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
  });

  it("never over-commits cores or declared memory (property)", () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryJob, { maxLength: 40 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 64 }),
        fc.boolean(),
        (shapes, freeCpus, freeGb, reserve) => {
          const queue = shapes.map((s, i) => ({
            id: `j${i}`,
            seq: i,
            cpus: s.cpus,
            memory: s.memory && s.memory * G,
          }));
          const free = { cpus: freeCpus, memory: freeGb * G };
          const chosen = fifoBackfill({ reserve }).select(input(queue, free, { cpus: 8, memory: 64 * G }));
          const cpus = chosen.reduce((a, j) => a + j.cpus, 0);
          const memory = chosen.reduce((a, j) => a + (j.memory ?? 0), 0);
          expect(cpus).toBeLessThanOrEqual(freeCpus);
          expect(memory).toBeLessThanOrEqual(freeGb * G);
          // The oldest job that fits always starts: FIFO is kept.
          const firstFitting = queue.find((j) => fits(j, free));
          if (firstFitting && queue.indexOf(firstFitting) === 0) expect(chosen[0]).toBe(firstFitting);
        },
      ),
    );
  });

  /** Runs a stream of 1-core, 1-tick jobs with one 4-core job third in line; returns the tick the big job starts. */
  function bigJobStart(reserve: boolean, ticks: number): number | undefined {
    const policy = fifoBackfill({ reserve });
    const capacity = { cpus: 4, memory: 64 * G };
    let queue: QueuedJob[] = [];
    let running: { job: QueuedJob; end: number }[] = [];
    let seq = 0;
    const small = () => ({ id: `s${seq}`, seq: seq++, cpus: 1, memory: G });
    queue.push(small(), small(), { id: "big", seq: seq++, cpus: 4, memory: G });
    for (let t = 0; t < ticks; t++) {
      running = running.filter((r) => r.end > t);
      // Two new small jobs arrive every tick, more than enough to keep the cores busy.
      queue.push(small(), small());
      const held = running.reduce((a, r) => a + r.job.cpus, 0);
      const chosen = policy.select(
        input(queue, { cpus: capacity.cpus - held, memory: capacity.memory }, capacity),
      );
      for (const job of chosen) {
        if (job.id === "big") return t;
        running.push({ job, end: t + 1 + (job.seq % 3) });
      }
      queue = queue.filter((j) => !chosen.includes(j));
    }
    return undefined;
  }

  it("never starves a big job behind a stream of small ones", () => {
    // Small jobs last 1-3 ticks, so the big job waits at most for those running when it became the head.
    const start = bigJobStart(true, 100);
    expect(start).toBeDefined();
    expect(start).toBeLessThanOrEqual(4);
    expect(bigJobStart(false, 100)).toBeUndefined();
  });
});

describe("exceedsCapacity", () => {
  it("explains why a job can never start", () => {
    const capacity = { cpus: 4, memory: 8 * G };
    expect(exceedsCapacity({ cpus: 8, memory: 16 * G }, capacity)).toBe(
      "needs 8 CPUs but the cluster has 4 and 16.0G of memory but the cluster has 8.0G, so it can never start",
    );
    expect(exceedsCapacity({ cpus: 4, memory: undefined }, capacity)).toBeUndefined();
  });
});
