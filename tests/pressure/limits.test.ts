import { describe, expect, it } from "vitest";
import type { MeasurementMethod } from "../../src/index.js";
import { ALLOC, canUseCgroups, LINUX_METHODS, quietCluster } from "../support/helpers.js";

describe.each(LINUX_METHODS)("memoryPolicy kill (%s)", (measurement: MeasurementMethod, available) => {
  it.runIf(available)(
    "ends a job that allocates past its declared memory as oom, while its neighbours finish",
    async () => {
      const p = quietCluster({ p: 3, m: "1G", measurement, pressure: false });
      p.jobs.append({ id: "greedy", cmd: [ALLOC, "300", "2000"], m: "100M", memoryPolicy: "kill" });
      p.jobs.append({ id: "n1", cmd: [ALLOC, "50", "500"], m: "100M", memoryPolicy: "kill" });
      p.jobs.append({ id: "n2", cmd: ["sleep", "0.5"], m: "100M" });
      await p.run();
      const byId = Object.fromEntries(p.results.map((r) => [r.id, r]));
      expect(byId.greedy?.status).toBe("oom");
      expect(byId.greedy?.success).toBe(false);
      expect(byId.greedy?.memoryUsed).toBeGreaterThan(90);
      expect(byId.greedy?.runtime).toBeLessThan(1.5);
      expect(byId.greedy?.error).toMatch(
        measurement === "proc" ? /more than its limit of 100M/ : /out-of-memory killer at its limit of 100M/,
      );
      expect(byId.n1?.status).toBe("completed");
      expect(byId.n2?.status).toBe("completed");
    },
  );

  it.runIf(available)("lets a job go up to its declared memory times memoryTolerance", async () => {
    const p = quietCluster({
      p: 1,
      m: "1G",
      measurement,
      memoryPolicy: "kill",
      memoryTolerance: 2,
      pressure: false,
    });
    p.jobs.append({ id: "within", cmd: [ALLOC, "150", "300"], m: "100M" });
    await p.run();
    expect(p.results[0]?.status).toBe("completed");
  });
});

describe("memoryPolicy warn and none", () => {
  it("flags a job over its declaration in the summary under warn (the default), not under none", async () => {
    const p = quietCluster({ p: 2, m: "1G", pressure: false });
    p.jobs.append({ id: "warned", cmd: [ALLOC, "120", "300"], m: "50M" });
    p.jobs.append({ id: "quiet", cmd: [ALLOC, "120", "300"], m: "50M", memoryPolicy: "none" });
    await p.run();
    expect(p.completedJobs).toHaveLength(2);
    expect(p.results.find((r) => r.id === "warned")?.memoryPolicy).toBe("warn");
    const summary = p.summary();
    expect(summary).toMatch(/! warned: used 12\dM, declared 50M/);
    expect(summary).not.toMatch(/! quiet/);
  });
});

describe.runIf(canUseCgroups())("kernel OOM kills", () => {
  it("reports a job the kernel's OOM killer stopped as oom, not a generic failure", async () => {
    // A limit below what the job needs, enforced by the kernel: it is killed by the OOM killer.
    const p = quietCluster({ p: 1, m: "1G", memoryPolicy: "kill", pressure: false });
    p.jobs.append({ cmd: ["sh", "-c", `${ALLOC} 200 500 && echo survived`], m: "64M" });
    await p.run();
    const [r] = p.results;
    expect(r?.status).toBe("oom");
    expect(r?.exitCode).toBe(137);
    expect(r?.error).toMatch(/out-of-memory killer at its limit of 64M/);
  });
});
