import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mpmsub, mpmsubAsync } from "../support/cli.js";
import { tempDir, waitUntil } from "../support/helpers.js";

/** Jobs that log their start and end; the slow ones take 37.5 s while a file named "slow" exists. */
function jobFile(dir: string): void {
  const job = (n: number, slow: boolean) =>
    `  - { id: j${n}, cmd: [sh, -c, 'echo start-${n} >> log; ${slow ? "[ -f slow ] && sleep 37.5; " : "sleep 0.2; "}echo end-${n} >> log'] }`;
  const jobs = [1, 2, 3].map((n) => job(n, false)).concat([4, 5].map((n) => job(n, true)));
  writeFileSync(join(dir, "jobs.yaml"), `defaults:\n  m: 10M\njobs:\n${jobs.join("\n")}\n`);
}

/** The top-level status of each job line of a journal. */
function statuses(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .filter((line) => line.type === "job")
    .map((line) => line.status);
}

function count(log: string, word: string): number {
  return log.split("\n").filter((line) => line === word).length;
}

describe("journal and resume", () => {
  it("after kill -9, --resume runs no completed job again, loses no result, and reruns the jobs that were running", async () => {
    const dir = tempDir();
    jobFile(dir);
    writeFileSync(join(dir, "slow"), "");
    const child = mpmsubAsync(["run", "-P", "5", "-M", "1G", "jobs.yaml"], { cwd: dir });
    const journal = join(dir, "jobs.yaml.journal.jsonl");
    const log = () => (existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8") : "");
    const completed = () => statuses(journal).filter((status) => status === "completed").length;
    expect(
      await waitUntil(
        () => completed() === 3 && log().includes("start-4") && log().includes("start-5"),
        30_000,
      ),
    ).toBe(true);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    // The watchdog stops the slow jobs it left behind.
    expect(
      await waitUntil(() => !/sleep 30/.test(readFileSync("/proc/self/status", "utf8")) && true, 100),
    ).toBe(true);

    const interrupted = mpmsub(["report", "jobs.yaml.journal.jsonl"], { cwd: dir });
    expect(interrupted.stdout).toMatch(/completed\s*│\s*3/);
    expect(interrupted.stdout).toMatch(/killed before it ended/);

    rmSync(join(dir, "slow"));
    const resumed = mpmsub(["run", "--resume", "--json", "-P", "5", "-M", "1G", "jobs.yaml"], { cwd: dir });
    expect(resumed.code).toBe(0);
    const doc = JSON.parse(resumed.stdout);
    expect(doc.skipped).toBe(3);
    expect(doc.results.map((r: { id: string }) => r.id).sort()).toEqual(["j4", "j5"]);
    const text = log();
    for (const n of [1, 2, 3]) {
      expect(count(text, `start-${n}`)).toBe(1);
      expect(count(text, `end-${n}`)).toBe(1);
    }
    for (const n of [4, 5]) {
      expect(count(text, `start-${n}`)).toBe(2);
      expect(count(text, `end-${n}`)).toBe(1);
    }
    const report = mpmsub(["report", "--json", "jobs.yaml.journal.jsonl"], { cwd: dir });
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({ byStatus: { completed: 5 }, interrupted: null });
  });

  it("keys jobs by what defines them, so editing the file does not shift them", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "jobs.txt"), "echo a\necho b\n");
    expect(mpmsub(["run", "jobs.txt"], { cwd: dir }).code).toBe(0);
    // A new first line: the old jobs keep their keys and are skipped.
    writeFileSync(join(dir, "jobs.txt"), "echo new\necho a\necho b\n");
    const r = mpmsub(["run", "--resume", "jobs.txt"], { cwd: dir });
    expect(r.stdout).toBe("new\n");
  });

  it("--resume skips failed jobs, --resume-failed runs them again", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "jobs.txt"), "echo fine\n[ -f fixed ] && echo repaired\n");
    expect(mpmsub(["run", "jobs.txt"], { cwd: dir }).code).toBe(1);
    writeFileSync(join(dir, "fixed"), "");
    expect(mpmsub(["run", "--resume", "jobs.txt"], { cwd: dir }).stdout).toBe("");
    const again = mpmsub(["run", "--resume-failed", "jobs.txt"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("repaired\n");
  });

  it("a run interrupted by SIGINT exits 130 with its journal written", async () => {
    const dir = tempDir();
    jobFile(dir);
    writeFileSync(join(dir, "slow"), "");
    const child = mpmsubAsync(["run", "-P", "5", "-M", "1G", "jobs.yaml"], { cwd: dir });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    const log = () => (existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8") : "");
    expect(await waitUntil(() => count(log(), "end-3") === 1 && log().includes("start-5"), 30_000)).toBe(
      true,
    );
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/interrupted: SIGINT/);
    const journal = join(dir, "jobs.yaml.journal.jsonl");
    expect(statuses(journal).sort()).toEqual([
      "cancelled",
      "cancelled",
      "completed",
      "completed",
      "completed",
    ]);
    expect(readFileSync(journal, "utf8")).toMatch(/"type":"end".*"interrupted":"SIGINT"/);
  });

  it("report of a missing journal exits 2", () => {
    const r = mpmsub(["report", "nope.jsonl"], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read the journal nope\.jsonl: ENOENT/);
  });
});
