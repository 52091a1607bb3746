import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { mpmsub } from "../support/cli.js";
import { ALLOC, tempDir } from "../support/helpers.js";

describe("mpmsub profile", () => {
  it("runs the jobs one at a time, prints recommended p and m, and writes them back with --write", () => {
    const dir = tempDir();
    const file = join(dir, "jobs.yaml");
    writeFileSync(
      file,
      `# keep this comment\njobs:\n  - { id: a, cmd: [${ALLOC}, "100", "300"] }\n  - { id: b, cmd: [${ALLOC}, "50", "300"], memory: 1G }\n`,
    );
    const r = mpmsub(["profile", "--write", "jobs.yaml"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ a\s+│ completed/);
    const written = readFileSync(file, "utf8");
    expect(written).toMatch(/# keep this comment/);
    const jobs = parse(written).jobs;
    expect(jobs[0].p).toBe(1);
    expect(Number.parseInt(jobs[0].m, 10)).toBeGreaterThanOrEqual(120);
    expect(Number.parseInt(jobs[1].m, 10)).toBeGreaterThanOrEqual(60);
    expect(jobs[1].memory).toBeUndefined();
  });

  it("writes back JSON Lines and plain text too", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "jobs.jsonl"), `{"cmd": ["${ALLOC}", "80", "200"]}\n`);
    expect(mpmsub(["profile", "--write", "jobs.jsonl"], { cwd: dir }).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "jobs.jsonl"), "utf8"))).toMatchObject({
      p: 1,
      m: expect.stringMatching(/^\d+M$/),
    });
    writeFileSync(join(dir, "cmds.txt"), `${ALLOC} 80 200\n`);
    expect(mpmsub(["profile", "--write", "cmds.txt"], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(dir, "cmds.txt"), "utf8")).toMatch(/^#mpmsub p=1 m=\d+M\n.*alloc 80 200\n$/);
  });
});
