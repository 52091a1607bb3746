import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import type { JobStatus } from "../spec/result.js";
import type { HistoryEntry, HistoryEstimate, HistoryStore } from "./history-store.js";
import { type EstimateSettings, RecentRuns } from "./recent-runs.js";

/** Settings of a history file. */
export interface JsonlHistoryOptions extends EstimateSettings {
  /** Rewrite the file, keeping only the recent runs of each key, once it grows past this many bytes (default 4 MiB). */
  maxBytes?: number;
}

/** Runs of each key a compacted file keeps. */
const KEEP_PER_KEY = 50;

/** Keys a compacted file keeps, those with the most recent runs first. */
const MAX_KEYS = 10_000;

/**
 * History in a JSON Lines file: one line per finished job, appended as it ends. Reading skips
 * lines that are not history (a last line cut short by a crash, anything else) and never
 * fails on them. Past `maxBytes` the file is compacted: the recent runs of each key are
 * written to a temporary file beside it, which then replaces it in one rename, so a reader
 * sees the old file or the new one, never half of either.
 *
 * Several processes may append to one file (each line is a single write), but a compaction
 * by one loses the lines another appends to the old file in the moment before it reopens.
 */
export class JsonlHistoryStore implements HistoryStore {
  /** Lines of the file that were not history, and were skipped. */
  readonly skippedLines: number;
  /** Why the store stopped writing, if it did; the run goes on, recording in memory only. */
  writeError: Error | undefined;
  readonly #runs: RecentRuns;
  readonly #maxBytes: number;
  #fd: number | undefined;
  #bytes: number;
  /** Size past which the next compaction happens: at least twice what the last one left. */
  #compactAt: number;

  /**
   * Opens the file at `path`, creating it and its directory if needed, and reads it.
   *
   * @throws if the directory cannot be created, or the file cannot be read or opened for appending.
   */
  constructor(
    readonly path: string,
    options: JsonlHistoryOptions = {},
  ) {
    this.#runs = new RecentRuns(KEEP_PER_KEY, options);
    this.#maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
    mkdirSync(dirname(path), { recursive: true });
    let text = "";
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    let skipped = 0;
    for (const line of text.split("\n")) {
      if (line.trim().length === 0) continue;
      const entry = parseEntry(line);
      if (entry) this.#runs.add(entry);
      else skipped++;
    }
    this.skippedLines = skipped;
    this.#bytes = Buffer.byteLength(text);
    this.#compactAt = this.#maxBytes;
    this.#fd = openSync(path, "a");
    // A line cut short by a crash is ended, so that the next record starts a line of its own.
    if (text.length > 0 && !text.endsWith("\n")) this.#append("\n");
    if (this.#bytes > this.#compactAt) this.compact();
  }

  record(entry: HistoryEntry): void {
    this.#runs.add(entry);
    this.#append(`${JSON.stringify(entryLine(entry))}\n`);
    if (this.#fd !== undefined && this.#bytes > this.#compactAt) this.compact();
  }

  estimate(key: string): HistoryEstimate | undefined {
    return this.#runs.estimate(key);
  }

  /** Rewrites the file with only the recent runs of each key (done by itself past `maxBytes`). */
  compact(): void {
    if (this.#fd === undefined) return;
    this.#runs.retainRecentKeys(MAX_KEYS);
    let text = "";
    for (const entry of this.#runs.entries()) text += `${JSON.stringify(entryLine(entry))}\n`;
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, text);
      renameSync(temporary, this.path);
      closeSync(this.#fd);
      this.#fd = openSync(this.path, "a");
      this.#bytes = Buffer.byteLength(text);
      this.#compactAt = Math.max(this.#maxBytes, 2 * this.#bytes);
    } catch (error) {
      rmSync(temporary, { force: true });
      this.#stopWriting(error as Error);
    }
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #append(text: string): void {
    if (this.#fd === undefined) return;
    try {
      writeSync(this.#fd, text);
      this.#bytes += Buffer.byteLength(text);
    } catch (error) {
      this.#stopWriting(error as Error);
    }
  }

  #stopWriting(error: Error): void {
    this.writeError = error;
    this.close();
  }
}

/** The entry with its fields in a fixed order, and nothing else. */
function entryLine(entry: HistoryEntry): HistoryEntry {
  const { key, peakBytes, runtimeMs, cpuTimeMs, status, exitCode, at } = entry;
  return { key, peakBytes, runtimeMs, cpuTimeMs, status, exitCode, at };
}

/** A line of the file as an entry, or undefined if it is not one. */
function parseEntry(line: string): HistoryEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const amount = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x >= 0;
  if (typeof v.key !== "string" || v.key.length === 0) return undefined;
  if (!amount(v.peakBytes) || !amount(v.runtimeMs) || !amount(v.cpuTimeMs) || !amount(v.at)) return undefined;
  if (typeof v.status !== "string" || v.status.length === 0) return undefined;
  if (v.exitCode !== null && !Number.isInteger(v.exitCode)) return undefined;
  return entryLine({
    key: v.key,
    peakBytes: v.peakBytes,
    runtimeMs: v.runtimeMs,
    cpuTimeMs: v.cpuTimeMs,
    status: v.status as JobStatus,
    exitCode: v.exitCode as number | null,
    at: v.at,
  });
}
