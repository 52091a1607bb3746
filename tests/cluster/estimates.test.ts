import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { historyKey, JsonlHistoryStore } from "../../src/index.js";
import { ALLOC, quietCluster, tempDir } from "../support/helpers.js";

describe("history and estimates", () => {
  it('learns a job\'s memory and runtime, and m: "auto" asks for the peak x 1.2 the next time', async () => {
    const history = join(tempDir(), "history.jsonl");
    const first = quietCluster({ p: 1, m: "1G", history });
    first.jobs.append({ id: "a", cmd: [ALLOC, "100", "300"], m: "auto" });
    await first.run();
    expect(first.results[0]?.memoryDeclared).toBeNull();
    const used = first.results[0]?.memoryUsed ?? 0;
    expect(used).toBeGreaterThan(95);

    const second = quietCluster({ p: 1, m: "1G", history });
    second.jobs.append({ id: "b", cmd: [ALLOC, "100", "300"], m: "auto" });
    const [queued] = [...second.jobs];
    expect(queued?.memory).toBeCloseTo(Math.ceil(used * 1024 * 1024 * 1.2) / (1024 * 1024), 0);
    const plan = second.plan();
    expect(plan.jobs[0]).toMatchObject({ id: "b", memorySource: "history", runtimeSource: "history" });
    expect(plan.makespan).toBeGreaterThan(0.25);
    expect(plan.makespan).toBeLessThan(2);
    await second.run();
    expect(second.results[0]?.status).toBe("completed");
    expect(second.results[0]?.memoryDeclared).toBeGreaterThan(used);

    const store = new JsonlHistoryStore(history);
    expect(store.estimate(historyKey({ stages: [[ALLOC, "100", "300"]] }))).toMatchObject({ samples: 2 });
    store.close();
  });

  it("applies the cluster's defaultMemory to jobs that declare none", async () => {
    const sized = quietCluster({ p: 1, m: "1G", defaultMemory: "300M" });
    sized.jobs.append({ cmd: ["true"] });
    sized.jobs.append({ cmd: ["true"], m: "10M" });
    expect([...sized.jobs].map((j) => j.memory)).toEqual([300, 10]);
    const history = join(tempDir(), "history.jsonl");
    const auto = quietCluster({ p: 1, m: "1G", defaultMemory: "auto", history });
    auto.jobs.append({ cmd: ["true"] });
    expect([...auto.jobs][0]?.memory).toBeNull();
  });

  it("groups share history whatever their commands", async () => {
    const history = join(tempDir(), "history.jsonl");
    const first = quietCluster({ p: 1, m: "1G", history });
    first.jobs.append({ cmd: [ALLOC, "80", "200"], group: "aligners" });
    await first.run();
    const second = quietCluster({ p: 1, m: "1G", history });
    second.jobs.append({ cmd: ["sleep", "0.1"], group: "aligners", m: "auto" });
    expect([...second.jobs][0]?.memory).toBeGreaterThan(90);
  });
});

describe("priorities and named resources", () => {
  it("starts higher priorities first", async () => {
    const p = quietCluster({ p: 1, m: "1G" });
    p.jobs.append({ id: "low", cmd: ["true"], m: "10M" });
    p.jobs.append({ id: "high", cmd: ["true"], m: "10M", priority: 5 });
    p.jobs.append({ id: "mid", cmd: ["true"], m: "10M", priority: 1 });
    await p.run();
    expect(p.results.map((r) => r.id)).toEqual(["high", "mid", "low"]);
  });

  it("never runs more of a named resource than the cluster has, and rejects jobs asking for more", async () => {
    const p = quietCluster({ p: 2, m: "1G", resources: { gpu: 1 } });
    p.jobs.append({ id: "g1", cmd: ["sleep", "0.3"], m: "10M", resources: { gpu: 1 } });
    p.jobs.append({ id: "g2", cmd: ["sleep", "0.3"], m: "10M", resources: { gpu: 1 } });
    p.jobs.append({ id: "two", cmd: ["true"], resources: { gpu: 2 } });
    p.jobs.append({ id: "licence", cmd: ["true"], resources: { licence: 1 } });
    await p.run();
    const byId = Object.fromEntries(p.results.map((r) => [r.id, r]));
    expect(byId.two?.error).toBe("needs 2 gpu but the cluster has 1, so it can never start");
    expect(byId.licence?.error).toBe("needs 1 licence but the cluster has 0, so it can never start");
    expect(byId.g1?.status).toBe("completed");
    expect(byId.g2?.status).toBe("completed");
    const [a, b] = [byId.g1, byId.g2].sort((x, y) => (x?.startTime ?? 0) - (y?.startTime ?? 0));
    expect(b?.startTime).toBeGreaterThanOrEqual(a?.endTime ?? Number.POSITIVE_INFINITY);
  });

  it.each([
    [{ cmd: ["x"], priority: Number.NaN }, "priority", /number/],
    [{ cmd: ["x"], resources: { gpu: -1 } }, "resources.gpu", /0 or more/],
    [{ cmd: ["x"], resources: { "2gpu": 1 } }, "resources.2gpu", /resource names/],
    [{ cmd: ["x"], resources: [1] }, "resources", /counts/],
    [{ cmd: ["x"], group: "" }, "group", /empty/],
    [{ cmd: ["x"], m: "autox" }, "m", /"autox"/],
  ])("rejects %j in field %s", (spec, field, message) => {
    const p = quietCluster({ p: 1, m: "1G" });
    expect(() => p.jobs.append(spec as never)).toThrow(message);
    try {
      p.jobs.append(spec as never);
    } catch (error) {
      expect((error as { field: string }).field).toBe(field);
    }
  });
});

describe("plan", () => {
  it("predicts the schedule without running anything, and answers what-ifs", () => {
    const jobs = Array.from({ length: 6 }, (_, i) => ({ id: `j${i}`, cmd: ["sleep", "1"], m: "600M" }));
    const small = quietCluster({ p: 4, m: "1G" });
    small.jobs.extend(jobs);
    const big = quietCluster({ p: 4, m: "4G" });
    big.jobs.extend(jobs);
    const a = small.plan();
    const b = big.plan();
    // 600 MB each: one at a time in 1 GB, four at a time in 4 GB (60 s assumed each).
    expect(a.makespan).toBe(360);
    expect(b.makespan).toBe(120);
    expect(a.peakDeclaredMemory).toBe(600);
    expect(b.peakDeclaredMemory).toBe(2400);
    expect(a.lowerBound).toBeGreaterThan(0);
    expect(a.jobs.every((j) => j.runtimeSource === "assumed")).toBe(true);
    expect(small.jobs.length).toBe(6);
    expect(small.results).toEqual([]);
  });

  it("lists jobs that can never fit", () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ id: "huge", cmd: ["true"], m: "2G" });
    expect(p.plan().unfit).toEqual([
      { id: "huge", reason: "needs 2.0G of memory but the cluster has 1.0G, so it can never start" },
    ]);
  });
});
