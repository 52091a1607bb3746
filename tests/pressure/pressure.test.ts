import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { PressureEvent } from "../../src/index.js";
import { ALLOC, quietCluster } from "../support/helpers.js";

function stateOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
  } catch {
    return undefined;
  }
}

describe("the response to memory pressure", () => {
  it("completes three 150 MB jobs declared small under a 300 MB budget, suspending or requeueing", async () => {
    const p = quietCluster({ p: 3, m: "300M" });
    const events: PressureEvent[] = [];
    p.on("pressure", (e) => events.push(e));
    for (let i = 1; i <= 3; i++) p.jobs.append({ id: `j${i}`, cmd: [ALLOC, "150", "1500"], m: "50M" });
    const stats = await p.run();
    expect(p.completedJobs.map((r) => r.id).sort()).toEqual(["j1", "j2", "j3"]);
    expect(stats.responses.suspensions + stats.responses.requeues).toBeGreaterThanOrEqual(1);
    expect(events.some((e) => e.action === "suspend" || e.action === "requeue")).toBe(true);
    // A requeued job runs again and counts once; its stopped attempt is in its history.
    expect(p.results).toHaveLength(3);
    for (const r of p.results) {
      const requeued = r.attempts.filter((a) => a.status === "requeued").length;
      expect(r.attempts).toHaveLength(requeued + 1);
    }
    expect(stats.responses.requeues).toBe(p.results.reduce((n, r) => n + r.attempts.length - 1, 0));
    expect(p.summary()).toMatch(/Responses:/);
  });

  it("suspends a growing job (state T) and resumes it when memory recovers", async () => {
    const p = quietCluster({ p: 2, m: "300M", pressure: { margin: "40M" } });
    const events: PressureEvent[] = [];
    const states: string[] = [];
    let watcher: NodeJS.Timeout | undefined;
    p.on("pressure", (e) => events.push(e));
    p.on("jobStart", (job) => {
      if (job.id !== "grower") return;
      const pid = job.pids[0] as number;
      watcher = setInterval(() => {
        const state = stateOf(pid);
        if (state && states[states.length - 1] !== state) states.push(state);
      }, 20);
    });
    p.jobs.append({ id: "holder", cmd: [ALLOC, "200", "2500"], m: "200M" });
    // Starts once "holder" holds its memory, then grows 10 MB every 50 ms towards 150 MB.
    p.jobs.append({ id: "grower", cmd: ["sh", "-c", `sleep 0.5; exec ${ALLOC} 150 300 0 10 50`], m: "20M" });
    await p.run();
    clearInterval(watcher);
    const byId = Object.fromEntries(p.results.map((r) => [r.id, r]));
    expect(byId.holder?.status).toBe("completed");
    expect(byId.grower?.status).toBe("completed");
    const actions = events.filter((e) => e.id === "grower").map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(["suspend", "resume"]);
    expect(states).toContain("T");
    expect(states.indexOf("T")).toBeLessThan(states.lastIndexOf("S"));
    // Its suspension lasted until the holder freed its memory.
    const suspend = events.find((e) => e.id === "grower" && e.action === "suspend");
    expect(suspend?.headroomMb).toBeGreaterThan(0);
  });

  it("never stops the last running job, however far over the budget it goes", async () => {
    const p = quietCluster({ p: 1, m: "100M" });
    p.jobs.append({ cmd: [ALLOC, "200", "500"], m: "50M" });
    await p.run();
    expect(p.results[0]?.status).toBe("completed");
    expect(p.stats.responses.requeues).toBe(0);
  });

  it("can be turned off", async () => {
    const p = quietCluster({ p: 3, m: "300M", pressure: false });
    for (let i = 1; i <= 3; i++) p.jobs.append({ cmd: [ALLOC, "150", "500"], m: "50M" });
    const stats = await p.run();
    expect(stats.responses).toMatchObject({ holds: 0, suspensions: 0, requeues: 0 });
  });
});
