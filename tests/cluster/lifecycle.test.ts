import { afterEach, describe, expect, it, vi } from "vitest";
import { pipeline } from "../../src/index.js";
import { ALLOC, quietCluster } from "../support/helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("events and callbacks", () => {
  it("calls onStart, onDone (success only) and onFinish (always), and emits jobStart/jobEnd", async () => {
    const calls: string[] = [];
    const p = quietCluster({ p: 1, m: "1G" });
    p.on("jobStart", (job) => calls.push(`jobStart ${job.id} pid=${job.pids.length}`));
    p.on("jobEnd", (r) => calls.push(`jobEnd ${r.id} ${r.status}`));
    const hooks = (id: string) => ({
      onStart: (job: { id: string; command: string }) => calls.push(`onStart ${job.id} ${job.command}`),
      onDone: (r: { id: string }) => calls.push(`onDone ${r.id}`),
      onFinish: (r: { id: string; status: string }) => calls.push(`onFinish ${r.id} ${r.status}`),
      id,
    });
    p.jobs.append({ cmd: ["true"], ...hooks("ok") });
    p.jobs.append({ cmd: ["false"], ...hooks("bad") });
    await p.run();
    expect(calls).toEqual([
      "jobStart ok pid=1",
      "onStart ok true",
      "jobEnd ok completed",
      "onDone ok",
      "onFinish ok completed",
      "jobStart bad pid=1",
      "onStart bad false",
      "jobEnd bad failed",
      "onFinish bad failed",
    ]);
  });

  it("has the result in every list before jobEnd fires", async () => {
    const p = quietCluster({ p: 1, m: "1G" });
    const seen: boolean[] = [];
    p.on("jobEnd", (r) => seen.push(p.completedJobs.includes(r)));
    p.on("jobEnd", (r) => seen.push(p.results.includes(r)));
    p.jobs.append({ cmd: ["true"] });
    await p.run();
    expect(seen).toEqual([true, true]);
  });

  it("reports a throwing callback or handler and goes on", async () => {
    const p = quietCluster({ p: 1, m: "1G" });
    const reported: string[] = [];
    p.on("callbackError", ({ id, hook, error }) =>
      reported.push(`${id} ${hook} ${(error as Error).message}`),
    );
    p.on("jobEnd", () => {
      throw new Error("handler boom");
    });
    const after: string[] = [];
    p.on("jobEnd", (r) => after.push(r.id));
    p.jobs.append({
      id: "a",
      cmd: ["true"],
      onStart: () => {
        throw new Error("start boom");
      },
      onFinish: () => {
        throw new Error("finish boom");
      },
    });
    p.jobs.append({ id: "b", cmd: ["true"] });
    await p.run();
    expect(p.completedJobs.map((r) => r.id)).toEqual(["a", "b"]);
    expect(after).toEqual(["a", "b"]);
    expect(reported).toEqual([
      "a onStart start boom",
      "a jobEnd handler handler boom",
      "a onFinish finish boom",
      "b jobEnd handler handler boom",
    ]);
  });

  it("prints a throwing callback on stderr when nobody listens for callbackError", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const p = quietCluster({ p: 1, m: "1G" });
    p.jobs.append({
      id: "noisy",
      cmd: ["true"],
      onDone: () => {
        throw new Error("kaboom");
      },
    });
    await p.run();
    expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toMatch(
      /mpmsub: onDone of noisy threw: Error: kaboom/,
    );
    expect(p.completedJobs).toHaveLength(1);
  });
});

describe("runs", () => {
  it("picks up jobs appended while running", async () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ id: "first", cmd: ["sleep", "0.2"] });
    p.on("jobStart", (job) => {
      if (job.id === "first") p.jobs.append({ id: "added", cmd: ["echo", "late"] });
    });
    await p.run();
    expect(p.completedJobs.map((r) => r.id).sort()).toEqual(["added", "first"]);
  });

  it("accumulates results over several runs and refuses a second concurrent run", async () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ cmd: ["true"] });
    const first = p.run();
    await expect(p.run()).rejects.toThrow(/already in progress/);
    await first;
    p.jobs.append({ cmd: ["false"] });
    const stats = await p.run();
    expect(stats.jobs).toMatchObject({ completed: 1, failed: 1, total: 2, pending: 0, running: 0 });
    expect(stats.jobs.byStatus).toMatchObject({ completed: 1, failed: 1, timeout: 0 });
    expect(p.results.map((r) => r.id)).toEqual(["job_0001", "job_0002"]);
  });

  it("returns documented stats", async () => {
    const p = quietCluster({ p: 2, m: "1G", memoryFloor: "100M" });
    p.jobs.append({ cmd: ["sleep", "0.2"] });
    const stats = await p.run();
    expect(stats.cluster).toMatchObject({
      maxCpus: 2,
      maxMemoryMb: 1024,
      maxMemory: "1.0G",
      memoryFloorMb: 100,
    });
    expect(stats.cluster.runtime).toBeGreaterThan(0.15);
    expect(stats.cluster.runtimeFormatted).toMatch(/s$/);
    expect(["cgroup-v1", "cgroup-v2", "proc"]).toContain(stats.cluster.measurement);
    expect(stats.resources).toEqual({
      cpuSlotsUsed: 0,
      memoryReservedMb: 0,
      memoryReserved: "0M",
      activeJobs: 0,
    });
    expect(stats.interrupted).toBeNull();
  });

  it("reports a job's attempts, times and declared resources", async () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ cmd: ["sleep", "0.2"], p: 2, m: "100M" });
    await p.run();
    const [r] = p.results;
    expect(r).toMatchObject({ cpus: 2, memoryDeclared: 100, success: true, exitCode: 0 });
    expect(r?.runtime).toBeGreaterThan(0.15);
    expect(r?.runtime).toBeLessThan(1);
    expect((r?.endTime ?? 0) - (r?.startTime ?? 0)).toBeGreaterThan(150);
    expect(r?.attempts).toHaveLength(1);
    expect(r?.attempts[0]).toMatchObject({ attempt: 1, status: "completed", exitCode: 0 });
  });
});

describe("summary", () => {
  it("prints counts, runtimes, CPU time, memory, over-declared jobs and each failure with its reason", async () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ id: "big", cmd: [ALLOC, "100", "300"], m: "50M" });
    p.jobs.append({ id: "exit3", cmd: ["sh", "-c", "exit 3"] });
    p.jobs.append({ id: "slow", cmd: ["sleep", "5"], timeout: 0.3 });
    await p.run();
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    p.printSummary();
    const text = stdout.mock.calls.map((c) => String(c[0])).join("");
    expect(text).toMatch(/MPMSUB EXECUTION SUMMARY/);
    expect(text).toMatch(/Cluster: 2 CPUs, 1.0G memory/);
    expect(text).toMatch(/Jobs: 3 total/);
    expect(text).toMatch(/Completed: 1/);
    expect(text).toMatch(/Not completed: 2 \(1 failed, 1 timeout\)/);
    expect(text).toMatch(/Average runtime: /);
    expect(text).toMatch(/Total CPU time: /);
    expect(text).toMatch(/Peak memory: 10\dM \(big\)/);
    expect(text).toMatch(/! big: used 10\dM, declared 50M/);
    expect(text).toMatch(/✗ exit3 \[failed\]: exit code 3/);
    expect(text).toMatch(/✗ slow \[timeout\]: timed out after 0.3s/);
  });
});

describe("profile", () => {
  it("runs pending jobs one at a time, prints a recommendation per job and returns the results", async () => {
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ id: "a", cmd: [ALLOC, "100", "300"] });
    p.jobs.append({ id: "b", cmd: [ALLOC, "50", "300"] });
    p.jobs.append(pipeline([[ALLOC, "80", "300"], ["cat"]], { id: "pipe" }));
    const results = await p.profile();
    const text = stdout.mock.calls.map((c) => String(c[0])).join("");
    expect(results.map((r) => r.id)).toEqual(["a", "b", "pipe"]);
    // One at a time: each starts after the previous ended.
    for (let i = 1; i < results.length; i++) {
      expect(results[i]?.startTime).toBeGreaterThanOrEqual(results[i - 1]?.endTime ?? 0);
    }
    const a = results[0];
    expect(text).toContain(`m: "${Math.ceil((a?.memoryUsed ?? 0) * 1.2)}M"`);
    expect(text).toMatch(/✓ pipe: .* peak 8\dM/);
    expect(text).toMatch(/\{ id: "pipe", pipeline: \[\[.*\],\["cat"\]\], p: 1, m: "\d+M" \}/);
    expect(p.jobs.length).toBe(0);
  });
});
