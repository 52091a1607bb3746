import { describe, expect, it } from "vitest";
import type { JobResult } from "../../src/index.js";
import { readMemoryView } from "../../src/measure/system.js";
import { ALLOC, quietCluster } from "../support/helpers.js";

/** The most cores and declared memory held at once, from the results' start and end times. */
function peakHeld(results: JobResult[]): { cpus: number; memory: number } {
  let cpus = 0;
  let memory = 0;
  for (const r of results) {
    if (r.startTime === null) continue;
    const at = r.startTime;
    const running = results.filter((o) => o.startTime !== null && o.startTime <= at && o.endTime > at);
    cpus = Math.max(
      cpus,
      running.reduce((a, o) => a + o.cpus, 0),
    );
    memory = Math.max(
      memory,
      running.reduce((a, o) => a + (o.memoryDeclared ?? 0), 0),
    );
  }
  return { cpus, memory };
}

describe("admission", () => {
  it("never holds more declared cores or memory than the cluster has", async () => {
    const p = quietCluster({ p: 3, m: "1G" });
    const shapes: [number, string][] = [
      [1, "600M"],
      [1, "500M"],
      [2, "100M"],
      [1, "300M"],
      [3, "200M"],
      [1, "700M"],
      [1, "100M"],
      [2, "400M"],
      [1, "1G"],
      [1, "50M"],
    ];
    for (const [cpus, memory] of shapes) p.jobs.append({ cmd: ["sleep", "0.3"], p: cpus, m: memory });
    await p.run();
    expect(p.completedJobs).toHaveLength(shapes.length);
    const held = peakHeld(p.results);
    expect(held.cpus).toBeLessThanOrEqual(3);
    expect(held.memory).toBeLessThanOrEqual(1024);
    // And it did run jobs side by side.
    expect(held.cpus).toBeGreaterThan(1);
  });

  it("fails a job bigger than the cluster at once, and runs the rest", async () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ id: "too-many-cpus", cmd: ["true"], p: 4 });
    p.jobs.append({ id: "too-much-memory", cmd: ["true"], m: "2G" });
    p.jobs.append({ id: "fine", cmd: ["true"], p: 2, m: "1G" });
    const started = Date.now();
    await p.run();
    expect(Date.now() - started).toBeLessThan(5000);
    const byId = Object.fromEntries(p.results.map((r) => [r.id, r]));
    expect(byId["too-many-cpus"]).toMatchObject({
      status: "error",
      error: "needs 4 CPUs but the cluster has 2, so it can never start",
    });
    expect(byId["too-much-memory"]?.error).toBe(
      "needs 2.0G of memory but the cluster has 1.0G, so it can never start",
    );
    expect(byId.fine?.status).toBe("completed");
  });

  it("starts a big job before later small ones that would otherwise overtake it (reservation)", async () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ id: "a", cmd: ["sleep", "0.4"], m: "600M" });
    p.jobs.append({ id: "big", cmd: ["sleep", "0.1"], m: "1G" });
    for (let i = 0; i < 6; i++) p.jobs.append({ id: `small${i}`, cmd: ["sleep", "0.4"], m: "300M" });
    await p.run();
    const byId = Object.fromEntries(p.results.map((r) => [r.id, r]));
    // Only small jobs that fit beside "a" before "big" became the head could run before it.
    const before = p.results.filter(
      (r) => r.id.startsWith("small") && (r.startTime ?? 0) < (byId.big?.startTime ?? 0),
    );
    expect(before.length).toBe(0);
  });

  it("admits a job without declared memory only while memory above the floor remains", async () => {
    const available = readMemoryView().availableBytes / (1024 * 1024);
    // A floor 300 MB below what is free: a 500 MB job leaves no room for a second one.
    const p = quietCluster({ p: 2, m: "4G", memoryFloor: Math.floor(available - 300) });
    p.jobs.append({ id: "hog", cmd: [ALLOC, "500", "2500"] });
    p.jobs.append({ id: "next", cmd: ["true"] });
    await p.run();
    const byId = Object.fromEntries(p.results.map((r) => [r.id, r]));
    expect(byId.hog?.status).toBe("completed");
    // "next" waits until the hog frees its 500 MB, at the end of its 2.5 s hold.
    expect((byId.next?.startTime ?? 0) - (byId.hog?.startTime ?? 0)).toBeGreaterThanOrEqual(2400);
  });

  it("with room to spare, starts the next unsized job once the first has shown its size", async () => {
    const p = quietCluster({ p: 2, m: "4G" });
    p.jobs.append({ id: "hog", cmd: [ALLOC, "200", "3000"] });
    p.jobs.append({ id: "next", cmd: ["true"] });
    await p.run();
    const byId = Object.fromEntries(p.results.map((r) => [r.id, r]));
    const delay = (byId.next?.startTime ?? 0) - (byId.hog?.startTime ?? 0);
    expect(delay).toBeGreaterThanOrEqual(900);
    expect(byId.next?.startTime).toBeLessThan(byId.hog?.endTime ?? 0);
  });

  it("rejects a floor that is not less than the machine's memory", () => {
    expect(() => quietCluster({ memoryFloor: "100T" })).toThrow(
      /memoryFloor: 100.0T is not less than this machine's memory/,
    );
  });
});

describe("a cluster given more memory than the machine has", () => {
  it("fails at once a job that fits the cluster but not the machine, instead of waiting forever", async () => {
    const p = quietCluster({ p: 2, m: "100T" });
    p.jobs.append({ id: "huge", cmd: ["true"], m: "50T" });
    p.jobs.append({ id: "fine", cmd: ["true"], m: "10M" });
    await p.run();
    const byId = Object.fromEntries(p.results.map((r) => [r.id, r]));
    expect(byId.huge?.status).toBe("error");
    expect(byId.huge?.error).toMatch(
      /^needs 51200\.0G of memory but this machine has, above the floor, [\d.]+G, so it can never start$/,
    );
    expect(byId.fine?.status).toBe("completed");
  });
});
