import { describe, expect, it } from "vitest";
import { makespanLowerBound } from "../../src/schedule/lower-bound.js";

const G = 1024 ** 3;

describe("makespanLowerBound", () => {
  it("takes the core area when it dominates", () => {
    // Core area (2x10 + 4x5 + 1x3 + 1x2) / 4 = 11.25 beats memory area (40 + 10 + 3 + 12) / 8 = 8.125,
    // the longest job (10), jobs over half the cores (5) and over half the memory (2).
    const jobs = [
      { cpus: 2, memory: 4 * G, duration: 10 },
      { cpus: 4, memory: 2 * G, duration: 5 },
      { cpus: 1, memory: 1 * G, duration: 3 },
      { cpus: 1, memory: 6 * G, duration: 2 },
    ];
    expect(makespanLowerBound(jobs, { cpus: 4, memory: 8 * G })).toBe(11.25);
  });

  it("adds up jobs that each need more than half of a resource", () => {
    const big = { cpus: 3, memory: G, duration: 10 };
    expect(makespanLowerBound([big, big, big], { cpus: 4, memory: 8 * G })).toBe(30);
    const heavy = { cpus: 1, memory: 5 * G, duration: 7 };
    expect(makespanLowerBound([heavy, heavy], { cpus: 4, memory: 8 * G })).toBe(14);
    const gpu = { cpus: 1, memory: G, resources: { gpu: 2 }, duration: 4 };
    expect(makespanLowerBound([gpu, gpu, gpu], { cpus: 8, memory: 8 * G, resources: { gpu: 3 } })).toBe(12);
  });

  it("takes the memory area and the longest job, and leaves out jobs without declared memory", () => {
    const jobs = [
      { cpus: 1, memory: 4 * G, duration: 10 },
      { cpus: 1, memory: 4 * G, duration: 10 },
      { cpus: 1, memory: undefined, duration: 3 },
    ];
    expect(makespanLowerBound(jobs, { cpus: 16, memory: 4 * G })).toBe(20);
    expect(makespanLowerBound([{ cpus: 1, memory: G, duration: 42 }], { cpus: 16, memory: 64 * G })).toBe(42);
  });
});
