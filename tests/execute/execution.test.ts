import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pipeline } from "../../src/index.js";
import { quietCluster, tempDir } from "../support/helpers.js";

async function runOne(spec: Parameters<ReturnType<typeof quietCluster>["jobs"]["append"]>[0]) {
  const p = quietCluster({ p: 2, m: "1G" });
  p.jobs.append(spec);
  await p.run();
  const [result] = p.results;
  if (!result) throw new Error("no result");
  return result;
}

describe("execution", () => {
  it("passes argv through untouched, without a shell", async () => {
    const r = await runOne({ cmd: ["printf", "%s|", "a b", "$HOME", "*", "it's"] });
    expect(r.status).toBe("completed");
    expect(r.stdout).toBe("a b|$HOME|*|it's|");
  });

  it("runs a string through /bin/sh with shell: true", async () => {
    const r = await runOne({ cmd: "echo $((6 * 7)) | tr 4 X", shell: true });
    expect(r.stdout).toBe("X2\n");
    expect(r.command).toBe("echo $((6 * 7)) | tr 4 X");
  });

  it("reports a non-zero exit as failed with its exit code", async () => {
    const r = await runOne({ cmd: ["sh", "-c", "echo oops >&2; exit 3"] });
    expect(r).toMatchObject({
      status: "failed",
      success: false,
      exitCode: 3,
      signal: null,
      stderr: "oops\n",
    });
  });

  it("reports death by signal", async () => {
    const r = await runOne({ cmd: ["sh", "-c", "kill -SEGV $$"] });
    expect(r).toMatchObject({
      status: "failed",
      exitCode: null,
      signal: "SIGSEGV",
      error: "killed by SIGSEGV",
    });
  });

  it("runs in cwd", async () => {
    const dir = tempDir();
    expect((await runOne({ cmd: ["pwd"], cwd: dir })).stdout.trim()).toBe(dir);
  });

  it("merges env onto the parent's environment and sets thread counts to p", async () => {
    const r = await runOne({
      cmd: ["sh", "-c", 'echo "$HOME|$PATH|$MINE|$OMP_NUM_THREADS|$MKL_NUM_THREADS"'],
      env: { MINE: "x" },
      p: 2,
    });
    expect(r.stdout.trim()).toBe(`${process.env.HOME}|${process.env.PATH}|x|2|2`);
  });

  it("lets the job's own env override the thread counts", async () => {
    const r = await runOne({ cmd: ["sh", "-c", "echo $OMP_NUM_THREADS"], env: { OMP_NUM_THREADS: "7" } });
    expect(r.stdout.trim()).toBe("7");
  });

  it("writes stdout and stderr to files, truncating them first", async () => {
    const dir = tempDir();
    const out = join(dir, "out.txt");
    const err = join(dir, "err.txt");
    writeFileSync(out, "old content that must go\n");
    const r = await runOne({ cmd: ["sh", "-c", "echo to-out; echo to-err >&2"], stdout: out, stderr: err });
    expect(readFileSync(out, "utf8")).toBe("to-out\n");
    expect(readFileSync(err, "utf8")).toBe("to-err\n");
    expect(r.stdout).toBe(`[Output redirected to ${out}]`);
  });

  it("shares one file when stdout and stderr name the same path", async () => {
    const file = join(tempDir(), "both.txt");
    await runOne({ cmd: ["sh", "-c", "echo a; echo b >&2; echo c"], stdout: file, stderr: file });
    expect(readFileSync(file, "utf8")).toBe("a\nb\nc\n");
  });

  it("keeps only the last 1 MiB of a stream, so a job printing 20 MB cannot grow our memory", async () => {
    const r = await runOne({ cmd: ["sh", "-c", "head -c 20000000 /dev/zero | tr '\\0' x; echo END"] });
    expect(r.status).toBe("completed");
    expect(r.stdout).toMatch(/^\[mpmsub: \d+ earlier bytes dropped\]\n/);
    expect(r.stdout.endsWith("xEND\n")).toBe(true);
    expect(r.stdout.length).toBeLessThan(1024 * 1024 + 100);
  });

  it("honours a smaller capture limit", async () => {
    const p = quietCluster({ p: 1, m: "1G", captureLimit: "1K" });
    p.jobs.append({ cmd: ["sh", "-c", "seq 1 10000"] });
    await p.run();
    expect(p.results[0]?.stdout).toMatch(/^\[mpmsub: 47870 earlier bytes dropped\]\n/);
  });
});

describe("pipelines", () => {
  it("feeds each stage's stdout into the next", async () => {
    const r = await runOne(
      pipeline([
        ["seq", "1", "1000"],
        ["grep", "7"],
        ["wc", "-l"],
      ]),
    );
    expect(r.stdout.trim()).toBe("271");
    expect(r.command).toBe("seq 1 1000 | grep 7 | wc -l");
  });

  it("captures every stage's stderr, labelled", async () => {
    const r = await runOne(
      pipeline([
        ["sh", "-c", "echo one >&2; echo data"],
        ["sh", "-c", "cat; echo two >&2"],
      ]),
    );
    expect(r.stdout).toBe("data\n");
    expect(r.stderr).toBe(
      "[stage 1: sh -c 'echo one >&2; echo data']\none\n[stage 2: sh -c 'cat; echo two >&2']\ntwo\n",
    );
  });

  it("fails with the rightmost failing stage's exit code (pipefail)", async () => {
    const r = await runOne(pipeline([["sh", "-c", "exit 4"], ["sh", "-c", "cat; exit 5"], ["cat"]]));
    expect(r).toMatchObject({ status: "failed", exitCode: 5 });
    expect(r.error).toBe("stage 2 of 3 (sh -c 'cat; exit 5') exited with code 5");
  });

  it("does not deadlock when an upstream stage writes megabytes to stderr", async () => {
    const r = await runOne(pipeline([["sh", "-c", "head -c 5000000 /dev/zero >&2; echo ok"], ["cat"]]));
    expect(r.status).toBe("completed");
    expect(r.stdout).toBe("ok\n");
  });

  it("lets an upstream stage die of SIGPIPE when a downstream one exits early", async () => {
    const r = await runOne(pipeline([["yes"], ["head", "-n", "2"]]));
    expect(r.stdout).toBe("y\ny\n");
    expect(r.signal).toBe("SIGPIPE");
  });
});

describe("spawn errors end the job with status error, and the run goes on", () => {
  it("a missing program, a bad cwd, a missing relative program and an unwritable output file", async () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ id: "missing", cmd: ["no-such-program-xyz", "arg"] });
    p.jobs.append({ id: "badcwd", cmd: ["true"], cwd: "/no/such/dir" });
    p.jobs.append({ id: "relative", cmd: ["./no-such-script.sh"] });
    p.jobs.append({ id: "badout", cmd: ["true"], stdout: "/no/such/dir/out.txt" });
    p.jobs.append({ id: "fine", cmd: ["echo", "still running"] });
    const stats = await p.run();
    const byId = Object.fromEntries(p.results.map((r) => [r.id, r]));
    expect(byId.missing).toMatchObject({ status: "error", exitCode: null, startTime: null });
    expect(byId.missing?.error).toMatch(/^command not found: no-such-program-xyz \(searched /);
    expect(byId.badcwd?.error).toBe("working directory /no/such/dir does not exist");
    expect(byId.relative?.error).toBe("cannot run ./no-such-script.sh: does not exist");
    expect(byId.badout?.error).toMatch(/^cannot open stdout file \/no\/such\/dir\/out.txt: ENOENT/);
    expect(byId.fine).toMatchObject({ status: "completed", stdout: "still running\n" });
    expect(stats.jobs).toMatchObject({ completed: 1, failed: 4, total: 5 });
  });
});
