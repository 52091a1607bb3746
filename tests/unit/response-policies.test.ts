import { describe, expect, it } from "vitest";
import { chainedVictims } from "../../src/schedule/chain.js";
import { haltReason } from "../../src/schedule/halt.js";
import { type PressureJob, respondToPressure } from "../../src/schedule/pressure.js";
import { planRetry } from "../../src/schedule/retry.js";

const MB = 1024 * 1024;
const settings = { hold: true, suspend: true, requeue: true, marginBytes: 100 * MB };

function job(
  id: string,
  startedAt: number,
  currentMb: number,
  growthMbPerS = 0,
  extra: Partial<PressureJob> = {},
): PressureJob {
  return {
    id,
    startedAt,
    cpus: 1,
    currentBytes: currentMb * MB,
    declaredBytes: undefined,
    growth: growthMbPerS * MB,
    growingNow: growthMbPerS > 0,
    suspended: false,
    ...extra,
  };
}

function decide(availableMb: number, running: PressureJob[], budgetMb = 100_000) {
  return respondToPressure({
    now: 10_000,
    availableBytes: availableMb * MB,
    floorBytes: 1000 * MB,
    budgetBytes: budgetMb * MB,
    running,
    settings,
  });
}

describe("respondToPressure", () => {
  it("does nothing with room to spare", () => {
    expect(decide(3000, [job("a", 0, 500, 10)])).toMatchObject({
      level: "ok",
      holdStarts: false,
      suspend: [],
      requeue: [],
    });
  });

  it("holds starts when projected headroom falls below the margin", () => {
    // 1150 available, floor 1000: 150 MB headroom, 400 MB/s x 0.25 s = 100 MB projected growth.
    expect(decide(1150, [job("a", 0, 500, 400)])).toMatchObject({
      level: "hold",
      holdStarts: true,
      suspend: [],
    });
  });

  it("suspends the youngest growing jobs, never the last one running", () => {
    const running = [job("old", 0, 500, 200), job("mid", 1000, 300, 200), job("young", 2000, 100, 200)];
    // 100 MB headroom, 150 MB projected growth: suspending the youngest is enough.
    expect(decide(1100, running)).toMatchObject({ level: "suspend", suspend: ["young"], requeue: [] });
    // 60 MB headroom: both younger ones, and the oldest goes on.
    expect(decide(1060, running)).toMatchObject({ suspend: ["young", "mid"], requeue: [] });
    // 20 MB headroom: even then the oldest would cross the floor, so the youngest makes room.
    expect(decide(1020, running)).toMatchObject({ level: "requeue", suspend: ["mid"], requeue: ["young"] });
  });

  it("does not suspend a job that is not growing", () => {
    const running = [job("old", 0, 500, 400), job("idle", 2000, 100, 0)];
    expect(decide(1050, running).suspend).toEqual([]);
  });

  it("requeues a suspended job when the last running one keeps growing into the floor", () => {
    const running = [job("old", 0, 500, 400), job("sleeping", 2000, 300, 0, { suspended: true })];
    const d = decide(1050, running);
    expect(d).toMatchObject({ level: "requeue", requeue: ["sleeping"], suspend: [] });
  });

  it("requeues once the floor is crossed even when nothing grows, but not on a projection alone", () => {
    const running = [job("old", 0, 500), job("young", 2000, 300, 0, { suspended: true })];
    expect(decide(990, running).requeue).toEqual(["young"]);
    // Foreseen but not crossed, with nothing growing now: left to the suspensions.
    const foreseen = [
      job("old", 0, 500, 400, { growingNow: false }),
      job("young", 2000, 300, 0, { suspended: true }),
    ];
    expect(decide(1050, foreseen).requeue).toEqual([]);
  });

  it("never stops the only job", () => {
    expect(decide(500, [job("only", 0, 2000, 500)])).toMatchObject({ suspend: [], requeue: [] });
  });

  it("resumes the oldest suspended job once headroom is above twice the margin and it has rested", () => {
    const running = [
      job("a", 0, 100),
      job("b", 1000, 100, 0, { suspended: true, suspendedAt: 9000 }),
      job("c", 2000, 100, 0, { suspended: true, suspendedAt: 9000 }),
    ];
    expect(decide(2000, running).resume).toEqual(["b"]);
    expect(decide(1150, running).resume).toEqual([]);
    const justStopped = running.map((j) => (j.suspended ? { ...j, suspendedAt: 9800 } : j));
    expect(decide(2000, justStopped).resume).toEqual([]);
  });

  it("never leaves every job suspended: with none running, the oldest resumes whatever the headroom", () => {
    const running = [
      job("b", 1000, 100, 0, { suspended: true }),
      job("c", 2000, 100, 0, { suspended: true }),
    ];
    expect(decide(1050, running).resume).toEqual(["b"]);
  });

  it("counts a job's growth against the budget only beyond its declaration", () => {
    const within = job("a", 0, 150, 1000, { declaredBytes: 200 * MB });
    const young = job("b", 1000, 50, 100, { declaredBytes: 10 * MB });
    // Budget 270: a holds 200 (its declaration), b 50: 20 MB headroom; only b's growth counts.
    expect(decide(100_000, [within, young], 270)).toMatchObject({
      level: "suspend",
      suspend: ["b"],
      requeue: [],
    });
    const over = job("a", 0, 250, 1000, { declaredBytes: 200 * MB });
    expect(decide(100_000, [over, young], 320).requeue).toEqual(["b"]);
  });

  it("turns steps off", () => {
    const running = [job("old", 0, 500, 200), job("young", 2000, 100, 200)];
    const off = respondToPressure({
      now: 10_000,
      availableBytes: 1020 * MB,
      floorBytes: 1000 * MB,
      budgetBytes: 100_000 * MB,
      running,
      settings: { hold: false, suspend: false, requeue: false, marginBytes: 100 * MB },
    });
    expect(off).toMatchObject({ holdStarts: false, suspend: [], requeue: [] });
  });
});

describe("planRetry", () => {
  const base = {
    attempt: 1,
    retries: 2,
    retryOn: new Set(["oom"] as const),
    requestedBytes: 100 * MB,
    peakBytes: 100 * MB,
    capacityBytes: 1000 * MB,
    baseDelayMs: 1000,
  };

  it("asks for max(m x 1.5, peak x 1.2) after oom", () => {
    expect(planRetry({ ...base, status: "oom" })).toEqual({
      retry: true,
      delayMs: 1000,
      memoryBytes: 150 * MB,
    });
    expect(planRetry({ ...base, status: "oom", peakBytes: 200 * MB })).toMatchObject({
      memoryBytes: 240 * MB,
    });
    expect(
      planRetry({ ...base, status: "oom", requestedBytes: undefined, peakBytes: 50 * MB }),
    ).toMatchObject({
      memoryBytes: 60 * MB,
    });
  });

  it("caps the request at the cluster's memory, and refuses once even that was not enough", () => {
    expect(planRetry({ ...base, status: "oom", requestedBytes: 800 * MB })).toMatchObject({
      memoryBytes: 1000 * MB,
    });
    const refused = planRetry({ ...base, status: "oom", requestedBytes: 1000 * MB });
    expect(refused).toEqual({
      retry: false,
      reason: "it ran out of memory with all of the cluster's 1000M, so no retry can fit",
    });
  });

  it("backs off exponentially and stops after `retries`", () => {
    const retryOn = new Set(["failed"] as const);
    expect(planRetry({ ...base, retryOn, status: "failed", attempt: 2 })).toMatchObject({
      retry: true,
      delayMs: 2000,
    });
    expect(planRetry({ ...base, retryOn, status: "failed", attempt: 3 })).toEqual({
      retry: false,
      reason: undefined,
    });
  });

  it("retries only what retryOn names", () => {
    expect(planRetry({ ...base, status: "failed" }).retry).toBe(false);
    expect(planRetry({ ...base, status: "cancelled" }).retry).toBe(false);
  });
});

describe("haltReason", () => {
  it("counts failures and shares of failures", () => {
    expect(haltReason(undefined, 10, 10)).toBeUndefined();
    expect(haltReason({ failures: 2, mode: "soon" }, 1, 5)).toBeUndefined();
    expect(haltReason({ failures: 2, mode: "soon" }, 2, 5)).toBe(
      "halted after 2 failed jobs (halt soon,fail=2)",
    );
    expect(haltReason({ percent: 50, mode: "now" }, 1, 1)).toBeUndefined();
    expect(haltReason({ percent: 50, mode: "now" }, 2, 4)).toBe(
      "halted: 2 of 4 ended jobs failed (halt now,fail=50%)",
    );
  });
});

describe("chainedVictims", () => {
  it("picks the jobs of the same category at least as large", () => {
    const origin = { id: "o", category: "asm", size: 5 };
    const jobs = [
      origin,
      { id: "bigger", category: "asm", size: 8 },
      { id: "same", category: "asm", size: 5 },
      { id: "smaller", category: "asm", size: 4 },
      { id: "other", category: "qc", size: 9 },
      { id: "unsized", category: "asm", size: undefined },
    ];
    expect(chainedVictims(origin, jobs)).toEqual(["bigger", "same"]);
    expect(chainedVictims({ id: "x", category: undefined, size: 3 }, jobs)).toEqual([]);
  });
});
