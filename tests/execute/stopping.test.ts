import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findOwnCgroups } from "../../src/measure/cgroup/hierarchy.js";
import { LINUX_METHODS, livePidsWith, quietCluster, waitUntil } from "../support/helpers.js";

const ROOT = join(import.meta.dirname, "..", "..");

/** A distinct sleep duration per test and per run, so that each test finds only its own processes. */
let nextSleep = 1000 + Math.floor(Math.random() * 8000);
function sleeper(): string {
  return `${nextSleep++}.25`;
}

describe.each(LINUX_METHODS)("stopping jobs (%s)", (measurement, available) => {
  it.runIf(available)("a timeout kills the whole process tree, grandchildren included", async () => {
    const s = sleeper();
    const p = quietCluster({ p: 1, m: "1G", measurement });
    // The second sleeper leaves the job's process group with setsid.
    p.jobs.append({ cmd: `sleep ${s} & setsid sleep ${s} & sleep ${s}; wait`, shell: true, timeout: 1 });
    await p.run();
    const [r] = p.results;
    expect(r).toMatchObject({ status: "timeout", success: false, error: "timed out after 1s" });
    expect(r?.runtime).toBeGreaterThan(0.9);
    expect(r?.runtime).toBeLessThan(4);
    expect(livePidsWith(`sleep ${s}`)).toEqual([]);
  });

  it.runIf(available)("a job that ignores SIGTERM gets SIGKILL after the grace period", async () => {
    const s = sleeper();
    const p = quietCluster({ p: 1, m: "1G", measurement, killGrace: 0.5 });
    p.jobs.append({ cmd: ["sh", "-c", `trap '' TERM; sleep ${s} & wait; sleep ${s}`], timeout: 0.5 });
    await p.run();
    const [r] = p.results;
    expect(r?.status).toBe("timeout");
    expect(r?.signal).toBe("SIGKILL");
    expect(r?.runtime).toBeGreaterThan(0.9);
    expect(livePidsWith(`sleep ${s}`)).toEqual([]);
  });

  it.runIf(available)("processes a finished job leaves behind are stopped", async () => {
    const s = sleeper();
    const p = quietCluster({ p: 1, m: "1G", measurement });
    // Sampling (proc) finds a process that left the job's process group only while its parent
    // is alive to show where it came from: the job lives for a few samples.
    p.jobs.append({ cmd: `setsid sleep ${s} & sleep 0.3; echo started`, shell: true });
    await p.run();
    expect(p.results[0]).toMatchObject({ status: "completed", stdout: "started\n" });
    expect(livePidsWith(`sleep ${s}`)).toEqual([]);
  });
});

describe("cancellation", () => {
  it("an AbortSignal stops running jobs, cancels waiting ones and keeps finished results", async () => {
    const s = sleeper();
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ id: "quick", cmd: ["true"] });
    p.jobs.append({ id: "long1", cmd: ["sleep", s] });
    p.jobs.append({ id: "long2", cmd: ["sleep", s] });
    p.jobs.append({ id: "later", cmd: ["sleep", s] });
    const controller = new AbortController();
    p.on("jobStart", (job) => {
      if (job.id === "long2") setTimeout(() => controller.abort(), 300);
    });
    const stats = await p.run({ signal: controller.signal });
    expect(stats.interrupted).toBe("abort");
    const byId = Object.fromEntries(p.results.map((r) => [r.id, r]));
    expect(byId.quick?.status).toBe("completed");
    expect(byId.long1).toMatchObject({ status: "cancelled", error: "cancelled while running (abort)" });
    expect(byId.long2?.status).toBe("cancelled");
    expect(byId.later).toMatchObject({
      status: "cancelled",
      startTime: null,
      error: "cancelled before it started (abort)",
    });
    expect(p.jobs.length).toBe(0);
    expect(livePidsWith(`sleep ${s}`)).toEqual([]);
    expect(p.summary()).toMatch(/interrupted: abort/);
  });

  it("an already aborted signal runs nothing", async () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ cmd: ["true"] });
    await p.run({ signal: AbortSignal.abort() });
    expect(p.results.map((r) => r.status)).toEqual(["cancelled"]);
  });
});

function startSleepers(
  seconds: string,
  measurement: string,
): { child: ChildProcess; output: () => string; ready: Promise<void> } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "tests/fixtures/sleepers.mts"), seconds, "2", measurement],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const ready = waitUntil(() => output.includes("ready"), 20_000).then((ok) => {
    if (!ok) throw new Error(`sleepers never became ready: ${output}`);
  });
  return { child, output: () => output, ready };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

describe("signals to mpmsub itself", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "%s stops every job's tree, keeps finished results, prints the summary and exits %d",
    async (signal, exitCode) => {
      const s = sleeper();
      const { child, output, ready } = startSleepers(s, "auto");
      await ready;
      expect(livePidsWith(`sleep ${s}`).length).toBeGreaterThanOrEqual(2);
      const exited = exitOf(child);
      child.kill(signal);
      const { code } = await exited;
      expect(code).toBe(exitCode);
      expect(output()).toMatch(new RegExp(`${signal}: stopping 2 running jobs`));
      expect(output()).toMatch(/MPMSUB EXECUTION SUMMARY/);
      expect(output()).toMatch(/Completed: 1/);
      expect(output()).toMatch(/3 cancelled/);
      expect(output()).toMatch(new RegExp(`interrupted: ${signal}`));
      expect(livePidsWith(`sleep ${s}`)).toEqual([]);
    },
  );

  it.each(LINUX_METHODS)("kill -9 of mpmsub leaves no job running (%s)", async (measurement, available) => {
    if (!available) return;
    const s = sleeper();
    const { child, ready } = startSleepers(s, measurement);
    await ready;
    expect(livePidsWith(`sleep ${s}`).length).toBeGreaterThanOrEqual(2);
    const exited = exitOf(child);
    child.kill("SIGKILL");
    await exited;
    // The watchdog sends SIGTERM at once and SIGKILL a second later.
    expect(await waitUntil(() => livePidsWith(`sleep ${s}`).length === 0, 5000)).toBe(true);
    if (measurement === "cgroup-v1") {
      const memory = findOwnCgroups().v1.get("memory") as string;
      const leftover = () => readdirSync(memory).filter((d) => d.startsWith(`mpmsub-${child.pid}-`));
      expect(await waitUntil(() => leftover().length === 0, 5000)).toBe(true);
    }
  });
});
