import { describe, expect, it } from "vitest";
import type { QueuedJob } from "../../src/schedule/policy.js";
import { strictFifo } from "../../src/schedule/strict-fifo.js";

const G = 1024 ** 3;
const job = (id: string, seq: number, cpus: number, memGb: number, priority = 0): QueuedJob => ({
  id,
  seq,
  cpus,
  memory: memGb * G,
  priority,
});

describe("strictFifo", () => {
  it("stops at the first job that does not fit", () => {
    const free = { cpus: 4, memory: 8 * G };
    const input = {
      queue: [job("a", 0, 2, 2), job("b", 1, 4, 1), job("c", 2, 1, 1)],
      capacity: free,
      free,
      unsized: { budget: 0, estimate: undefined },
    };
    expect(
      strictFifo()
        .select(input)
        .map((j) => j.id),
    ).toEqual(["a"]);
  });

  it("takes higher priorities first, in arrival order within one", () => {
    const free = { cpus: 4, memory: 8 * G };
    const input = {
      queue: [job("a", 0, 2, 2), job("b", 1, 2, 1, 1), job("c", 2, 2, 1, 1)],
      capacity: free,
      free,
      unsized: { budget: 0, estimate: undefined },
    };
    expect(
      strictFifo()
        .select(input)
        .map((j) => j.id),
    ).toEqual(["b", "c"]);
  });
});
