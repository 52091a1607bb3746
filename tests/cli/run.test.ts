import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mpmsub } from "../support/cli.js";
import { ALLOC, tempDir } from "../support/helpers.js";

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("mpmsub run", () => {
  it("runs a YAML job file with defaults, prints each job's output whole, and exits 0", () => {
    const dir = tempDir();
    write(
      dir,
      "jobs.yaml",
      [
        "defaults:",
        "  m: 50M",
        "jobs:",
        "  - { id: one, cmd: [sh, -c, 'echo one-a; sleep 0.2; echo one-b'] }",
        "  - { id: two, cmd: [sh, -c, 'echo two-a; sleep 0.1; echo two-b'] }",
        "",
      ].join("\n"),
    );
    const r = mpmsub(["run", "-P", "2", "-M", "1G", "jobs.yaml"], { cwd: dir });
    expect(r.code).toBe(0);
    // Grouped: each job's lines together, never interleaved.
    expect(r.stdout).toMatch(/(one-a\none-b\ntwo-a\ntwo-b\n|two-a\ntwo-b\none-a\none-b\n)/);
    expect(r.stderr).toMatch(/completed\s*│\s*2/);
    expect(existsSync(join(dir, "jobs.yaml.journal.jsonl"))).toBe(true);
  });

  it("reads JSON Lines, plain text with #mpmsub directives, and stdin", () => {
    const dir = tempDir();
    write(dir, "jobs.jsonl", '{"cmd": ["echo", "from-jsonl"], "m": "10M"}\n');
    expect(mpmsub(["run", "jobs.jsonl"], { cwd: dir }).stdout).toBe("from-jsonl\n");
    write(dir, "cmds.txt", "#mpmsub m=10M\necho from-text | tr a-z A-Z\n");
    expect(mpmsub(["run", "cmds.txt"], { cwd: dir }).stdout).toBe("FROM-TEXT\n");
    expect(mpmsub(["run", "--format", "text", "-"], { cwd: dir, input: "echo from-stdin\n" }).stdout).toBe(
      "from-stdin\n",
    );
  });

  it("expands a GNU parallel style template with ::: and with arguments from stdin", () => {
    const dir = tempDir();
    const r = mpmsub(
      ["run", "--keep-order", "-m", "10M", "--", "echo", "{#}", "{/.}", "{}", ":::", "/x/a.txt", "/y/b.gz"],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("1 a /x/a.txt\n2 b /y/b.gz\n");
    const s = mpmsub(["run", "--keep-order", "--", "echo", "got"], { cwd: dir, input: "one\ntwo\n" });
    expect(s.stdout).toBe("got one\ngot two\n");
  });

  it("tags lines, keeps input order, prints nothing with --output none, and keeps --results", () => {
    const dir = tempDir();
    const tagged = mpmsub(
      [
        "run",
        "--tag",
        "--keep-order",
        "-P",
        "2",
        "-m",
        "10M",
        "--",
        "sh",
        "-c",
        "sleep {}; echo done {}",
        ":::",
        "0.3",
        "0",
      ],
      { cwd: dir },
    );
    expect(tagged.stdout).toBe("job_0001\tdone 0.3\njob_0002\tdone 0\n");
    const none = mpmsub(["run", "--output", "none", "--", "echo", "hidden", ":::", "x"], { cwd: dir });
    expect(none.stdout).toBe("");
    const kept = mpmsub(["run", "--results", "out", "--", "echo", "kept", ":::", "x"], { cwd: dir });
    expect(kept.stdout).toBe("kept x\n");
    expect(readFileSync(join(dir, "out", "job_0001", "stdout"), "utf8")).toBe("kept x\n");
  });

  it("exits 1 when a job fails, with the failure in the summary", () => {
    const dir = tempDir();
    const r = mpmsub(["run", "-m", "10M", "--", "sh", "-c", "exit {}", ":::", "0", "3"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/job_0002\s*│\s*failed\s*│\s*exit code 3/);
  });

  it("exits 2 on bad input and runs nothing", () => {
    const dir = tempDir();
    write(dir, "bad.yaml", "jobs:\n  - { cmd: [touch, ran], m: 12Q }\n");
    const r = mpmsub(["run", "bad.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:2:\d+: job #1: m: invalid memory size "12Q"/);
    expect(existsSync(join(dir, "ran"))).toBe(false);
  });

  it.each([
    [["run", "--halt", "sometimes", "x"], /--halt/],
    [["run", "-M", "lots", "x"], /invalid memory size "lots"/],
    [["run", "--timeout", "soon", "x"], /duration/],
    [["run", "-P", "0", "x"], /at least 1/],
    [["run", "--policy", "magic", "x"], /magic/],
    [["run", "--bogus"], /unknown option/],
    [["run"], /give a job file/],
    [["run", "missing.yaml"], /missing\.yaml.*cannot read/],
    [["frobnicate"], /unknown command/],
  ])("exits 2 on a usage error: %j", (args, message) => {
    const r = mpmsub(args, { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("prints help with examples, and the version", () => {
    const dir = tempDir();
    const help = mpmsub(["run", "--help"], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:/);
    expect(help.stdout).toMatch(/--resume-failed/);
    const top = mpmsub(["--help"], { cwd: dir });
    expect(top.stdout).toMatch(/run \[options\] \[file\]/);
    const version = mpmsub(["--version"], { cwd: dir });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("--json prints one document on stdout and nothing else there", () => {
    const dir = tempDir();
    const r = mpmsub(
      ["run", "--json", "-m", "10M", "--", "sh", "-c", "echo noise; exit {}", ":::", "0", "1"],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ command: "run", exitCode: 1, interrupted: null, skipped: 0 });
    expect(doc.jobs).toMatchObject({ completed: 1, failed: 1, total: 2 });
    expect(doc.results).toHaveLength(2);
    expect(doc.results[0]).toHaveProperty("key");
    expect(doc.results[0]).toHaveProperty("memoryUsed");
    expect(doc.results[0]).toHaveProperty("attempts");
    // The job's own output line is not there: only the document (which names the command).
    expect(r.stdout).not.toMatch(/^noise$/m);
  });

  it("--dry-run prints the predicted schedule, runs nothing, and answers what-ifs", () => {
    const dir = tempDir();
    const jobs = Array.from({ length: 4 }, (_, i) => `  - { cmd: [touch, ran${i}], m: 600M }`).join("\n");
    write(dir, "jobs.yaml", `jobs:\n${jobs}\n`);
    const small = mpmsub(["run", "--dry-run", "--json", "-P", "4", "-M", "1G", "jobs.yaml"], { cwd: dir });
    const big = mpmsub(["run", "--dry-run", "--json", "-P", "4", "-M", "4G", "jobs.yaml"], { cwd: dir });
    expect(JSON.parse(small.stdout).plan.makespan).toBe(240);
    expect(JSON.parse(big.stdout).plan.makespan).toBe(60);
    const text = mpmsub(["run", "--dry-run", "-M", "1G", "jobs.yaml"], { cwd: dir });
    expect(text.stdout).toMatch(/Predicted makespan: 4m 00s \(lower bound/);
    expect(existsSync(join(dir, "ran0"))).toBe(false);
    expect(existsSync(join(dir, "jobs.yaml.journal.jsonl"))).toBe(false);
  });

  it("retries with --retries and halts with --halt", () => {
    const dir = tempDir();
    const retried = mpmsub(["run", "--json", "--retries", "2", "--", "sh", "-c", "exit 1", ":::", "x"], {
      cwd: dir,
    });
    expect(JSON.parse(retried.stdout).results[0].attempts).toHaveLength(3);
    const halted = mpmsub(
      [
        "run",
        "--json",
        "-P",
        "1",
        "-m",
        "10M",
        "--halt",
        "soon,fail=1",
        "--",
        "sh",
        "-c",
        "exit {}",
        ":::",
        "1",
        "0",
        "0",
      ],
      { cwd: dir },
    );
    const doc = JSON.parse(halted.stdout);
    expect(doc.interrupted).toBe("halt");
    expect(doc.results.map((r: { status: string }) => r.status)).toEqual([
      "failed",
      "cancelled",
      "cancelled",
    ]);
  });

  it("reports memory, gated by -M", () => {
    const dir = tempDir();
    const r = mpmsub(
      ["run", "--json", "-P", "4", "-M", "300M", "-m", "200M", "--", ALLOC, "{}", "300", ":::", "150", "150"],
      { cwd: dir },
    );
    const doc = JSON.parse(r.stdout);
    expect(doc.results.every((x: { status: string }) => x.status === "completed")).toBe(true);
    const [a, b] = doc.results;
    // 200M each under 300M: one at a time.
    expect(Math.max(a.startTime, b.startTime)).toBeGreaterThanOrEqual(Math.min(a.endTime, b.endTime));
    expect(a.memoryUsed).toBeGreaterThan(140);
  });
});
