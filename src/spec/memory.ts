/**
 * Memory sizes as users write them. Units are binary, as in the Python mpmsub: "1G" is 1024 MB.
 * A bare number, or a string without a unit, means MB.
 */

/** A memory size: a number of MB, or a string such as `"512M"`, `"1.5G"`, `"2GiB"`, `"2048K"`. */
export type MemorySize = number | string;

const MB = 1024 * 1024;

const UNIT_TO_MB: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };

// Digits with an optional fraction, then an optional unit with an optional "B" or "iB".
// Exponents ("1e3"), signs, unknown units ("12Q") and a bare "B" (bytes? the Python
// mpmsub read "100B" as 100 MB) do not match.
const MEMORY_PATTERN = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?)?$/i;

/** Thrown when a memory size cannot be understood. */
export class MemorySizeError extends Error {
  constructor(readonly value: unknown) {
    super(
      `invalid memory size ${describe(value)}: expected a positive number of MB or a size such as "512M", "1.5G", "2GiB"`,
    );
    this.name = "MemorySizeError";
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return String(value);
  return `of type ${value === null ? "null" : typeof value}`;
}

/**
 * Parses a memory size into MB.
 *
 * @example
 * parseMemory("1G");   // 1024
 * parseMemory("1.5g"); // 1536
 * parseMemory("512K"); // 0.5
 * parseMemory(300);    // 300
 * @throws {@link MemorySizeError} for anything else, and for zero or negative sizes.
 */
export function parseMemory(value: MemorySize): number {
  let mb: number;
  if (typeof value === "number") {
    mb = value;
  } else if (typeof value === "string") {
    const match = MEMORY_PATTERN.exec(value.trim());
    if (!match) throw new MemorySizeError(value);
    const [, amount, unit] = match;
    mb = Number(amount) * (UNIT_TO_MB[(unit ?? "M").toUpperCase()] ?? Number.NaN);
  } else {
    throw new MemorySizeError(value);
  }
  if (!Number.isFinite(mb) || mb <= 0) throw new MemorySizeError(value);
  return mb;
}

/**
 * Formats MB for people: `"512M"` below 1024 MB, `"1.5G"` from there, `"2.0T"` from 1024 GB,
 * and `"512K"` below 1 MB.
 */
export function formatMemory(mb: number): string {
  if (!Number.isFinite(mb)) return String(mb);
  if (mb >= 1024 * 1024) return `${(mb / (1024 * 1024)).toFixed(1)}T`;
  if (mb >= 1024) return `${(mb / 1024).toFixed(1)}G`;
  if (mb >= 1 || mb === 0) return `${Math.round(mb)}M`;
  return `${Math.round(mb * 1024)}K`;
}

/** Bytes to MB, the unit of every public memory figure. */
export function bytesToMb(bytes: number): number {
  return bytes / MB;
}

/** MB to bytes, the unit used internally. */
export function mbToBytes(mb: number): number {
  return Math.round(mb * MB);
}
