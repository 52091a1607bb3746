import { describe, expect, it } from "vitest";
import { formatMemory, MemorySizeError, parseMemory } from "../../src/index.js";

describe("parseMemory", () => {
  it.each([
    ["1G", 1024],
    ["1g", 1024],
    ["1.5g", 1536],
    ["512M", 512],
    ["2048K", 2],
    ["512K", 0.5],
    ["1T", 1024 * 1024],
    ["1GiB", 1024],
    ["1GB", 1024],
    ["100", 100],
    [" 2 G ", 2048],
    ["16gb", 16384],
    [300, 300],
    [0.5, 0.5],
  ] as const)("reads %j as %d MB", (input, mb) => {
    expect(parseMemory(input)).toBe(mb);
  });

  it.each([
    [-5],
    [0],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    ["1e3"],
    ["12Q"],
    ["-5M"],
    ["0G"],
    [""],
    ["G"],
    ["1.G"],
    ["100B"],
    ["1 2G"],
  ] as const)("rejects %j, naming the value", (input) => {
    expect(() => parseMemory(input)).toThrow(MemorySizeError);
    expect(() => parseMemory(input)).toThrow(
      typeof input === "string" ? JSON.stringify(input) : String(input),
    );
  });

  it("rejects values that are neither numbers nor strings", () => {
    expect(() => parseMemory(null as unknown as string)).toThrow(/of type null/);
    expect(() => parseMemory({} as unknown as string)).toThrow(/of type object/);
  });
});

describe("formatMemory", () => {
  it.each([
    [512, "512M"],
    [1024, "1.0G"],
    [1536, "1.5G"],
    [0.5, "512K"],
    [1024 * 1024 * 2, "2.0T"],
    [0, "0M"],
  ])("formats %d MB as %s", (mb, text) => {
    expect(formatMemory(mb)).toBe(text);
  });
});
