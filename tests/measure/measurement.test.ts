import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MeasurementMethod } from "../../src/index.js";
import { ALLOC, canUseCgroups, LINUX_METHODS, quietCluster, tempDir } from "../support/helpers.js";

/** Runs one job alone and returns its result. */
async function measure(
  spec: Parameters<ReturnType<typeof quietCluster>["jobs"]["append"]>[0],
  method: MeasurementMethod | "auto",
) {
  const p = quietCluster({ p: 2, m: "2G", measurement: method });
  p.jobs.append(spec);
  await p.run();
  const [result] = p.results;
  if (!result) throw new Error("no result");
  expect(result.status).toBe("completed");
  // Reported by the closing note of the core issue.
  console.log(
    `[${result.memoryMethod}] ${result.command}: memoryUsed ${result.memoryUsed.toFixed(1)} MB, cpuTime ${result.cpuTime.toFixed(2)} s`,
  );
  return result;
}

describe.each(LINUX_METHODS)("memory measured by %s", (method, available) => {
  it.runIf(available)("a single 200 MB process reports about 200 MB", async () => {
    const r = await measure({ cmd: [ALLOC, "200", "400"] }, method);
    expect(r.memoryMethod).toBe(method);
    expect(r.memoryUsed).toBeGreaterThan(195);
    expect(r.memoryUsed).toBeLessThan(215);
  });

  it.runIf(available)("a tree of two 100 MB processes reports their sum", async () => {
    const r = await measure({ cmd: `${ALLOC} 100 1000 & ${ALLOC} 100 1000; wait`, shell: true }, method);
    expect(r.memoryUsed).toBeGreaterThan(195);
    expect(r.memoryUsed).toBeLessThan(220);
  });

  it.runIf(available)("a pipeline's stages are all measured, not only the last", async () => {
    const r = await measure({ pipeline: [["sh", "-c", `${ALLOC} 150 600; echo done`], ["cat"]] }, method);
    expect(r.memoryUsed).toBeGreaterThan(145);
    expect(r.stdout).toBe("done\n");
  });

  it.runIf(available)("CPU time counts the whole tree", async () => {
    const burn = "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done";
    const r = await measure({ cmd: `(${burn}) & (${burn}); wait`, shell: true }, method);
    expect(r.cpuTime).toBeGreaterThan(0.1);
    expect(r.cpuTime).toBeLessThan(r.runtime * 2 + 0.5);
  });
});

describe.runIf(process.platform === "linux")("the ps sampling used on macOS", () => {
  it("measures a 200 MB process held for 2 s", async () => {
    const r = await measure({ cmd: [ALLOC, "200", "2000"] }, "ps");
    expect(r.memoryMethod).toBe("ps");
    expect(r.memoryUsed).toBeGreaterThan(150);
    expect(r.memoryUsed).toBeLessThan(215);
  });
});

describe.runIf(canUseCgroups())("memory cgroups catch what sampling misses", () => {
  it("a 256 MiB allocation held for 50 ms is reported", async () => {
    const r = await measure({ cmd: [ALLOC, "256", "50"] }, "auto");
    expect(r.memoryMethod).toBe("cgroup-v1");
    expect(r.memoryUsed).toBeGreaterThan(250);
  });

  it("a spike just before exit is reported", async () => {
    const r = await measure({ cmd: `sleep 0.3; exec ${ALLOC} 256 20`, shell: true }, "auto");
    expect(r.memoryUsed).toBeGreaterThan(250);
  });

  it("writing a 300 MB file with dd reports a few MB, not the page cache", async () => {
    const file = join(tempDir(), "out.bin");
    const r = await measure({ cmd: ["dd", "if=/dev/zero", `of=${file}`, "bs=1M", "count=300"] }, "auto");
    expect(r.memoryUsed).toBeLessThan(10);
    expect(r.memoryUsed).toBeGreaterThan(0);
  });

  it("p.running shows current and peak memory of a running job", async () => {
    const p = quietCluster({ p: 2, m: "2G" });
    p.jobs.append({ id: "hold", cmd: [ALLOC, "120", "1500"] });
    const run = p.run();
    await new Promise((r) => setTimeout(r, 900));
    const [running] = p.running;
    expect(running?.id).toBe("hold");
    expect(running?.memoryCurrent).toBeGreaterThan(110);
    expect(running?.memoryPeak).toBeGreaterThan(110);
    expect(running?.elapsed).toBeGreaterThan(0.5);
    expect(running?.suspended).toBe(false);
    const memory = p.memoryStatus;
    expect(memory.jobsMb).toBeGreaterThan(110);
    expect(memory.budgetMb).toBe(2048);
    expect(memory.headroomMb).toBeLessThanOrEqual(memory.availableMb - memory.floorMb);
    expect(memory.headroomMb).toBeLessThanOrEqual(2048 - 110);
    await run;
    expect(p.running).toEqual([]);
  });
});
