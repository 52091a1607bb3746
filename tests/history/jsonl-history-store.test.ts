import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultHistoryPath } from "../../src/history/default-path.js";
import type { HistoryEntry } from "../../src/history/history-store.js";
import { JsonlHistoryStore } from "../../src/history/jsonl-history-store.js";

let dir: string;
let path: string;
const stores: JsonlHistoryStore[] = [];

function open(options = {}): JsonlHistoryStore {
  const store = new JsonlHistoryStore(path, options);
  stores.push(store);
  return store;
}

function run(key: string, peakBytes: number, at: number): HistoryEntry {
  return { key, peakBytes, runtimeMs: 1000, cpuTimeMs: 900, status: "completed", exitCode: 0, at };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mpmsub-history-"));
  path = join(dir, "nested", "history.jsonl");
});

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

describe("JsonlHistoryStore", () => {
  it("appends one line per finished job, and a later run reads it back", () => {
    const store = open();
    store.record(run("cmd:sort *.txt", 100, 1));
    store.record(run("cmd:sort *.txt", 300, 2));
    store.close();
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] as string)).toEqual(run("cmd:sort *.txt", 100, 1));
    expect(open().estimate("cmd:sort *.txt")).toMatchObject({
      samples: 2,
      memoryBytes: 300,
      runtimeMs: 1000,
    });
  });

  it("skips garbage and a truncated last line, never failing, and starts its next line cleanly", () => {
    const good = JSON.stringify(run("k", 5, 1));
    path = join(dir, "history.jsonl");
    writeFileSync(
      path,
      [
        good,
        "not json",
        "[1,2,3]",
        JSON.stringify({ ...run("k", 5, 1), peakBytes: -1 }),
        JSON.stringify({ ...run("k", 5, 1), key: "" }),
        JSON.stringify({ ...run("k", 5, 1), runtimeMs: "fast" }),
        good.slice(0, 25),
      ].join("\n"),
    );
    const store = open();
    expect(store.skippedLines).toBe(6);
    expect(store.estimate("k")?.samples).toBe(1);
    store.record(run("k", 7, 2));
    store.close();
    const reread = open();
    expect(reread.skippedLines).toBe(6);
    expect(reread.estimate("k")).toMatchObject({ samples: 2, memoryBytes: 7 });
  });

  it("compacts past its size bound by rewriting and renaming, keeping the recent runs of each key", () => {
    const store = open({ maxBytes: 20_000 });
    for (let i = 0; i < 400; i++) store.record(run(`cmd:job ${i % 4}`, i, i));
    // 400 lines of about 110 bytes would be 44 kB; compaction keeps 50 runs of each of the 4 keys.
    expect(statSync(path).size).toBeLessThan(30_000);
    expect(readdirSync(join(dir, "nested"))).toEqual(["history.jsonl"]);
    expect(store.estimate("cmd:job 3")).toMatchObject({ samples: 20, memoryBytes: 395 });
    store.close();
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(4 * 50 + 200);
    expect(open().estimate("cmd:job 0")).toMatchObject({ samples: 20, memoryBytes: 392 });
  });

  it("compacts a file that is already past its bound when opened", () => {
    path = join(dir, "history.jsonl");
    for (let i = 0; i < 200; i++) appendFileSync(path, `${JSON.stringify(run("k", i, i))}\n`);
    const before = statSync(path).size;
    const store = open({ maxBytes: 1000 });
    expect(statSync(path).size).toBeLessThan(before);
    expect(store.estimate("k")?.memoryBytes).toBe(198);
  });

  it("fails clearly when its directory cannot be made", () => {
    writeFileSync(join(dir, "file"), "");
    path = join(dir, "file", "history.jsonl");
    expect(() => open()).toThrow(/ENOTDIR|EEXIST/);
  });
});

describe("defaultHistoryPath", () => {
  it("lives in the user's cache directory", () => {
    expect(defaultHistoryPath({}, "linux", "/home/u")).toBe("/home/u/.cache/mpmsub/history.jsonl");
    expect(defaultHistoryPath({ XDG_CACHE_HOME: "/var/cache/u" }, "linux", "/home/u")).toBe(
      "/var/cache/u/mpmsub/history.jsonl",
    );
    // A relative XDG_CACHE_HOME is invalid by the XDG spec and ignored.
    expect(defaultHistoryPath({ XDG_CACHE_HOME: "cache" }, "linux", "/home/u")).toBe(
      "/home/u/.cache/mpmsub/history.jsonl",
    );
    expect(defaultHistoryPath({ XDG_CACHE_HOME: "/x" }, "darwin", "/Users/u")).toBe(
      "/Users/u/Library/Caches/mpmsub/history.jsonl",
    );
  });
});
