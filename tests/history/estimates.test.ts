import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../../src/history/history-store.js";
import { median, quantile, RecentRuns } from "../../src/history/recent-runs.js";

function run(
  key: string,
  peakBytes: number,
  runtimeMs: number,
  status: HistoryEntry["status"] = "completed",
): HistoryEntry {
  return {
    key,
    peakBytes,
    runtimeMs,
    cpuTimeMs: runtimeMs / 2,
    status,
    exitCode: status === "completed" ? 0 : 1,
    at: 0,
  };
}

describe("estimates", () => {
  it("takes the nearest-rank quantile and the median", () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(quantile(values, 0.95)).toBe(10);
    expect(quantile(values, 0.9)).toBe(9);
    expect(quantile(values, 0.5)).toBe(5);
    expect(quantile([7], 0.95)).toBe(7);
    expect(median(values)).toBe(5.5);
    expect(median([3, 1, 2])).toBe(2);
  });

  it("estimates a key from its last completed runs: a high quantile of peaks, the median runtime, the sample count", () => {
    const runs = new RecentRuns(50);
    // 25 completed runs with peaks 1..25 MB: the estimate looks at the last 20 (6..25).
    for (let i = 1; i <= 25; i++) runs.add(run("k", i * 1e6, i * 100));
    runs.add(run("k", 999e6, 1, "oom"));
    runs.add(run("other", 1e6, 5, "failed"));
    expect(runs.estimate("k")).toEqual({
      samples: 20,
      memoryBytes: 24e6, // 95th percentile of 6..25: the 19th of 20
      runtimeMs: 1550, // median of 600..2500
      cpuTimeMs: 775,
    });
    expect(runs.estimate("other")).toBeUndefined();
    expect(runs.estimate("never")).toBeUndefined();
  });

  it("honours another window and quantile, and keeps a bounded number of runs per key", () => {
    const runs = new RecentRuns(10, { window: 4, memoryQuantile: 0.5 });
    for (let i = 1; i <= 30; i++) runs.add(run("k", i, i));
    expect(runs.estimate("k")).toMatchObject({ samples: 4, memoryBytes: 28, runtimeMs: 28.5 });
    expect([...runs.entries()]).toHaveLength(10);
  });

  it("forgets the keys that ran longest ago", () => {
    const runs = new RecentRuns(5);
    for (const [key, at] of [
      ["old", 1],
      ["new", 3],
      ["mid", 2],
    ] as const)
      runs.add({ ...run(key, 1, 1), at });
    runs.retainRecentKeys(2);
    expect(runs.estimate("old")).toBeUndefined();
    expect(runs.estimate("new")?.samples).toBe(1);
    expect(runs.estimate("mid")?.samples).toBe(1);
  });
});
