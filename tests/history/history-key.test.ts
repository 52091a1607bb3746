import { describe, expect, it } from "vitest";
import { historyKey, normaliseCommand } from "../../src/history/history-key.js";

const key = (...argv: string[]) => historyKey({ stages: [argv] });

describe("historyKey", () => {
  it("gives the same command on different files one key", () => {
    expect(key("sort", "a.txt")).toBe(key("sort", "b.txt"));
    expect(key("sort", "a.txt")).toBe("cmd:sort *.txt");
    expect(key("/usr/bin/sort", "/data/run1/b.txt")).toBe("cmd:sort *.txt");
    expect(key("sort", "a.txt")).not.toBe(key("sort", "a.csv"));
    expect(key("gzip", "-d", "/x/s_01.fastq.gz")).toBe("cmd:gzip -d *.fastq.gz");
  });

  it("generalises numbers, in plain words, options and name=value pairs", () => {
    expect(key("head", "-n", "10", "x")).toBe(key("head", "-n", "20", "x"));
    expect(key("sort", "-k2", "--parallel=4", "chunk7")).toBe("cmd:sort -k# --parallel=# chunk#");
    expect(key("picard", "I=in.bam", "MAX_RECORDS=500000")).toBe("cmd:picard I=*.bam MAX_RECORDS=#");
    expect(key("sleep", "0.5")).toBe("cmd:sleep #");
  });

  it("keeps an interpreter's script by name, and generalises inline code word by word", () => {
    expect(key("python3", "/home/me/align.py", "s1.fq")).toBe("cmd:python3 align.py *.fq");
    expect(key("python3", "align.py", "s1.fq")).not.toBe(key("python3", "plot.py", "s1.fq"));
    expect(key("python3.11", "-u", "align.py")).toBe("cmd:python3.11 -u align.py");
    expect(historyKey({ stages: [["/bin/sh", "-c", "zcat r1.gz | wc -l > n1.txt"]] })).toBe(
      "cmd:sh -c zcat *.gz | wc -l > *.txt",
    );
  });

  it("joins pipeline stages and collapses repeated arguments", () => {
    expect(
      normaliseCommand([
        ["cat", "a.txt", "b.txt", "c.txt"],
        ["grep", "x"],
      ]),
    ).toBe("cat *.txt+ | grep x");
    expect(key("cat", "a.txt", "b.txt")).toBe(key("cat", "a.txt", "b.txt", "c.txt"));
  });

  it("uses the group instead of the command when there is one", () => {
    expect(historyKey({ stages: [["sort", "a.txt"]], group: "align" })).toBe("group:align");
    expect(historyKey({ stages: [["other"]], group: "align" })).toBe("group:align");
    expect(historyKey({ stages: [["sort"]], group: undefined })).toBe("cmd:sort");
  });

  it("bounds the length of a key by a hash of a long command", () => {
    const long = key(
      "sh",
      "-c",
      Array.from({ length: 300 }, (_, i) => `step${i % 7 === 0 ? "x" : "y"}${i}`).join(" ; "),
    );
    expect(long.length).toBeLessThanOrEqual(400);
    expect(long).toMatch(/~[0-9a-f]{8}$/);
    expect(long).not.toBe(key("sh", "-c", "other"));
  });
});
