import { describe, expect, it } from "vitest";
import type { RetryEvent } from "../../src/index.js";
import { ALLOC, quietCluster } from "../support/helpers.js";

describe("retries", () => {
  it("retries after oom with max(m x 1.5, peak x 1.2), and the retry succeeds", async () => {
    const p = quietCluster({ p: 1, m: "1G", memoryPolicy: "kill", retryDelay: 0.1, pressure: false });
    const retries: RetryEvent[] = [];
    p.on("jobRetry", (e) => retries.push(e));
    p.jobs.append({ id: "grows", cmd: [ALLOC, "140", "200"], m: "100M", retries: 2 });
    await p.run();
    const [r] = p.results;
    expect(r?.status).toBe("completed");
    expect(r?.attempts.map((a) => a.status)).toEqual(["oom", "completed"]);
    expect(r?.attempts.map((a) => a.memoryRequested)).toEqual([100, 150]);
    expect(r?.memoryDeclared).toBe(150);
    expect(retries).toEqual([{ id: "grows", attempt: 1, status: "oom", delay: 0.1, memory: 150 }]);
    expect(p.stats.responses.retries).toBe(1);
    // One result, counted once.
    expect(p.results).toHaveLength(1);
  });

  it("stops retrying when even the whole cluster's memory is not enough, and says why", async () => {
    const p = quietCluster({ p: 1, m: "200M", memoryPolicy: "kill", retryDelay: 0.05, pressure: false });
    p.jobs.append({ id: "huge", cmd: [ALLOC, "400", "200"], m: "150M", retries: 5 });
    await p.run();
    const [r] = p.results;
    expect(r?.status).toBe("oom");
    expect(r?.attempts.map((a) => a.memoryRequested)).toEqual([150, 200]);
    expect(r?.error).toMatch(
      /not retried: it ran out of memory with all of the cluster's 200M, so no retry can fit/,
    );
  });

  it("retries other failures named in retryOn, backing off exponentially", async () => {
    const p = quietCluster({ p: 1, m: "1G", retryDelay: 0.2 });
    p.jobs.append({ id: "flaky", cmd: ["sh", "-c", "exit 1"], retries: 2, retryOn: ["failed"] });
    await p.run();
    const attempts = p.results[0]?.attempts ?? [];
    expect(attempts.map((a) => a.status)).toEqual(["failed", "failed", "failed"]);
    const gap = (i: number) => (attempts[i]?.startTime ?? 0) - (attempts[i - 1]?.endTime ?? 0);
    expect(gap(1)).toBeGreaterThanOrEqual(190);
    expect(gap(2)).toBeGreaterThanOrEqual(390);
  });

  it("does not retry failures outside retryOn (default: oom only)", async () => {
    const p = quietCluster({ p: 1, m: "1G", retryDelay: 0 });
    p.jobs.append({ cmd: ["sh", "-c", "exit 1"], retries: 3 });
    await p.run();
    expect(p.results[0]?.attempts).toHaveLength(1);
  });

  it("restarts a job that timed out with restartOnTimeout", async () => {
    const p = quietCluster({ p: 1, m: "1G", retryDelay: 0 });
    p.jobs.append({ cmd: ["sleep", "5"], timeout: 0.3, restartOnTimeout: true });
    await p.run();
    const [r] = p.results;
    expect(r?.status).toBe("timeout");
    expect(r?.attempts.map((a) => a.status)).toEqual(["timeout", "timeout"]);
  });
});

describe("chained constraints", () => {
  it("cancels the jobs of the failed job's category that are at least as large, and leaves the rest", async () => {
    const p = quietCluster({ p: 2, m: "1G", chained: true, memoryPolicy: "kill", pressure: false });
    p.jobs.append({ id: "asm-2", cmd: [ALLOC, "300", "1000"], m: "100M", category: "asm", size: 2 });
    p.jobs.append({ id: "asm-5", cmd: ["sleep", "5"], m: "10M", category: "asm", size: 5 });
    p.jobs.append({ id: "asm-3", cmd: ["true"], category: "asm", size: 3 });
    p.jobs.append({ id: "asm-1", cmd: ["true"], category: "asm", size: 1 });
    p.jobs.append({ id: "other-9", cmd: ["true"], category: "other", size: 9 });
    await p.run();
    const status = Object.fromEntries(p.results.map((r) => [r.id, r.status]));
    expect(status).toEqual({
      "asm-2": "oom",
      "asm-5": "cancelled",
      "asm-3": "cancelled",
      "asm-1": "completed",
      "other-9": "completed",
    });
    const reason = p.results.find((r) => r.id === "asm-5")?.error;
    expect(reason).toBe("cancelled: asm-2 (category asm, size 2) failed by oom");
    expect(p.stats.responses.chainCancellations).toBe(2);
    expect(p.results.find((r) => r.id === "asm-5")?.runtime).toBeLessThan(3);
  });
});

describe("halt policies", () => {
  it("soon: stops starting jobs after N failures and lets running ones finish", async () => {
    const p = quietCluster({ p: 2, m: "1G", halt: { failures: 1, mode: "soon" } });
    p.jobs.append({ id: "long", cmd: ["sleep", "0.6"], m: "10M" });
    p.jobs.append({ id: "bad", cmd: ["sh", "-c", "sleep 0.1; exit 2"], m: "10M" });
    p.jobs.append({ id: "later", cmd: ["true"], m: "10M" });
    const stats = await p.run();
    const status = Object.fromEntries(p.results.map((r) => [r.id, r.status]));
    expect(status).toEqual({ bad: "failed", long: "completed", later: "cancelled" });
    expect(stats.interrupted).toBe("halt");
    expect(stats.haltReason).toBe("halted after 1 failed job (halt soon,fail=1)");
    expect(p.summary()).toMatch(/Halted: halted after 1 failed job/);
  });

  it("now: also stops the running jobs", async () => {
    const p = quietCluster({ p: 2, m: "1G", halt: { failures: 1, mode: "now" } });
    p.jobs.append({ id: "long", cmd: ["sleep", "5"], m: "10M" });
    p.jobs.append({ id: "bad", cmd: ["sh", "-c", "sleep 0.1; exit 2"], m: "10M" });
    p.jobs.append({ id: "later", cmd: ["true"], m: "10M" });
    const started = Date.now();
    await p.run();
    expect(Date.now() - started).toBeLessThan(4000);
    const status = Object.fromEntries(p.results.map((r) => [r.id, r.status]));
    expect(status).toEqual({ bad: "failed", long: "cancelled", later: "cancelled" });
  });

  it("percent: halts once that share of at least 3 ended jobs failed", async () => {
    const p = quietCluster({ p: 1, m: "1G", halt: { percent: 50, mode: "soon" } });
    p.jobs.append({ cmd: ["true"] });
    p.jobs.append({ cmd: ["false"] });
    p.jobs.append({ cmd: ["false"] });
    for (let i = 0; i < 5; i++) p.jobs.append({ cmd: ["true"] });
    const stats = await p.run();
    expect(p.results.map((r) => r.status)).toEqual([
      "completed",
      "failed",
      "failed",
      "cancelled",
      "cancelled",
      "cancelled",
      "cancelled",
      "cancelled",
    ]);
    expect(stats.haltReason).toBe("halted: 2 of 3 ended jobs failed (halt soon,fail=50%)");
  });
});
