import { describe, expect, it } from "vitest";
import { runInCgroup } from "../support/cgroup-host.js";
import { ALLOC, canUseCgroups } from "../support/helpers.js";

describe.runIf(canUseCgroups())("the memory floor, inside a 900 MB memory cgroup made by the test", () => {
  it("keeps available memory above the floor while jobs ask for far more than there is", async () => {
    const floorMb = 250;
    // Five jobs, each growing 10 MB every 50 ms to 250 MB and holding it 1 s: 1250 MB wanted,
    // about 550 MB available above the floor. The budget (m) is set high: only the floor protects.
    const jobs = Array.from({ length: 5 }, (_, i) => ({
      id: `grow${i + 1}`,
      cmd: [ALLOC, "250", "1000", "0", "10", "50"],
      m: "60M",
    }));
    const run = await runInCgroup(900, { cluster: { p: 5, m: "4G", memoryFloor: `${floorMb}M` }, jobs });
    console.log(
      `floor ${floorMb} MB; least available seen by the watcher: ${run.minAvailableMb.toFixed(1)} MB over ${run.samples} samples; ` +
        `responses: ${JSON.stringify(run.stats.responses)}`,
    );
    expect(run.results.map((r) => r.status)).toEqual([
      "completed",
      "completed",
      "completed",
      "completed",
      "completed",
    ]);
    expect(run.stats.responses.suspensions + run.stats.responses.requeues).toBeGreaterThan(0);
    expect(run.minAvailableMb).toBeGreaterThanOrEqual(floorMb);
  });
});
