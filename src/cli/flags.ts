import { InvalidArgumentError } from "commander";
import { type MemorySize, parseMemory } from "../spec/memory.js";

/** Parses a whole number of at least `min` for a flag. */
export function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected a whole number of at least ${min}, got "${value}"`);
    }
    return n;
  };
}

/** Parses a memory size for a flag: `16G`, `512M`, `1.5g`, a number of MB. */
export function memorySize(value: string): MemorySize {
  try {
    parseMemory(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}

/** A memory size, or `auto` (from history). */
export function memoryOrAuto(value: string): MemorySize | "auto" {
  return value.trim().toLowerCase() === "auto" ? "auto" : memorySize(value);
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/i;
const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Parses a duration in seconds: `90`, `90s`, `5m`, `1.5h`. */
export function duration(value: string): number {
  const match = DURATION.exec(value.trim());
  const seconds = match ? Number(match[1]) * (SECONDS[(match[2] ?? "s").toLowerCase()] ?? 1) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError(`expected a duration such as 90, 90s, 5m or 1.5h, got "${value}"`);
  }
  return seconds;
}

/** What `--halt` asks for. */
export interface HaltFlag {
  mode: "now" | "soon";
  failures?: number;
  percent?: number;
}

/** Parses `--halt now|soon,fail=N|fail=P%` (GNU parallel's form). */
export function halt(value: string): HaltFlag {
  const match = /^(now|soon),fail=(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const amount = Number(match?.[2]);
  if (!match || !(amount > 0) || (match[3] === "%" ? amount > 100 : !Number.isInteger(amount))) {
    throw new InvalidArgumentError(
      `expected now|soon,fail=N or now|soon,fail=P%, such as "soon,fail=3" or "now,fail=10%", got "${value}"`,
    );
  }
  const mode = match[1] as "now" | "soon";
  return match[3] === "%" ? { mode, percent: amount } : { mode, failures: amount };
}

/** Parses a comma-separated list of failures to retry. */
export function retryOn(value: string): ("oom" | "timeout" | "failed")[] {
  const reasons = value.split(",").map((r) => r.trim());
  for (const r of reasons) {
    if (r !== "oom" && r !== "timeout" && r !== "failed") {
      throw new InvalidArgumentError(`expected a list of oom, timeout, failed, got "${value}"`);
    }
  }
  return reasons as ("oom" | "timeout" | "failed")[];
}

/** Accepts one of `choices`. */
export function oneOf<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(", ")}, got "${value}"`);
    }
    return value as T;
  };
}
