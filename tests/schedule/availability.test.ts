import { describe, expect, it } from "vitest";
import { AvailabilityProfile, limitIndex } from "../../src/schedule/availability.js";

const v = (cpus: number, memory: number) => Float64Array.of(cpus, memory);

describe("AvailabilityProfile", () => {
  // 4 cores and 8 units of memory; 1 core and 2 units free now. Running jobs release 2 cores
  // and 2 units at t=10, and 1 core and 4 units at t=30.
  function profile(): AvailabilityProfile {
    const p = new AvailabilityProfile(0, v(1, 2));
    p.release(30, v(1, 4));
    p.release(10, v(2, 2));
    return p;
  }

  it("finds the earliest start that stays free for the whole run", () => {
    const p = profile();
    expect(p.earliestStart(v(1, 1), 100)).toBe(0);
    expect(p.earliestStart(v(3, 4), 5)).toBe(10);
    expect(p.earliestStart(v(4, 8), Number.POSITIVE_INFINITY)).toBe(30);
    expect(p.earliestStart(v(5, 1), 1)).toBeUndefined();
    // A reservation from 15 to 25 of 3 cores leaves a 3-core job room only before it or after it.
    p.hold(15, 25, v(3, 0));
    expect(p.earliestStart(v(3, 1), 5)).toBe(10);
    expect(p.earliestStart(v(3, 1), 6)).toBe(25);
    expect(p.earliestStart(v(3, 1), 6, 20)).toBeUndefined();
  });

  it("limits a job starting now by the least that is free during its run", () => {
    const p = profile();
    p.hold(10, 20, v(3, 4)); // a reservation: at t=10 only 0 cores and 0 units remain beside it
    const limits = p.limits();
    expect(limits.map((l) => [l.after, [...l.available]])).toEqual([
      [Number.NEGATIVE_INFINITY, [1, 2]],
      [10, [0, 0]],
    ]);
    expect(limitIndex(limits, 10)).toBe(0); // ends exactly when the reservation begins
    expect(limitIndex(limits, 11)).toBe(1);
    expect(limitIndex(limits, Number.POSITIVE_INFINITY)).toBe(1);
    // Starting a job now takes from what is free now, and from later limits while it runs.
    p.hold(0, 15, v(1, 1));
    expect(p.limits().map((l) => [...l.available])).toEqual([
      [0, 1],
      [-1, -1],
    ]);
  });

  it("projects a job past its expected end to end now, never earlier", () => {
    const p = new AvailabilityProfile(100, v(0, 0));
    p.release(50, v(2, 2));
    expect(p.earliestStart(v(2, 2), 1)).toBe(100);
    expect(p.limits()).toHaveLength(1);
    expect([...p.free]).toEqual([0, 0]);
  });
});
