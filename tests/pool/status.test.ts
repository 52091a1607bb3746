import { describe, expect, it } from "vitest";
import { renderStatus } from "../../src/pool/display.js";
import type { PoolStatus } from "../../src/pool/index.js";

describe("the live status display", () => {
  it("shows occupancy, totals and one line per worker", () => {
    const status: PoolStatus = {
      capacity: 4096,
      occupied: 12,
      queued: 7,
      waiting: 0,
      workers: [
        { index: 0, threadId: 3, state: "running", tasksDone: 1500, heapMB: 4.25, task: "resize" },
        { index: 1, threadId: 4, state: "sleeping", tasksDone: 1499, heapMB: 3.5, task: undefined },
      ],
      totals: {
        submitted: 3011,
        done: 2999,
        failed: 1,
        cancelled: 0,
        retried: 2,
        timedOut: 0,
        respawned: 1,
        recycled: 0,
      },
      handlers: { resize: 0x1000 },
    };
    const lines = renderStatus(status);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain("queue 12/4096 in use, 7 queued, 0 waiting");
    expect(lines[0]).toContain("done 2999  failed 1  retried 2");
    expect(lines[1]).toMatch(/#0\s+running\s+resize\s+tasks\s+1500\s+heap\s+4\.3 MB/);
    expect(lines[2]).toMatch(/#1\s+sleeping\s+tasks\s+1499/);
  });
});
