import { readFileSync } from "node:fs";

// Synchronous reads on purpose: a /proc or cgroup file read costs ~10 us synchronously and
// ~100 us through the async fs thread pool (research/performance.md).

/** Reads a small kernel file, or returns undefined if it is gone or unreadable. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Reads a file holding one integer (cgroup counters), or undefined. "max" reads as Infinity. */
export function readNumber(path: string): number | undefined {
  const text = readText(path)?.trim();
  if (text === undefined || text === "") return undefined;
  if (text === "max") return Number.POSITIVE_INFINITY;
  const n = Number(text.split(/\s/)[0]);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses "key value" lines (memory.stat, cpu.stat, /proc/meminfo) into numbers. */
export function parseKeyValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([\w().]+):?\s+(\d+)/.exec(line);
    if (match?.[1] && match[2]) values.set(match[1], Number(match[2]));
  }
  return values;
}
