import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/helpers.js";

const ROOT = join(import.meta.dirname, "..", "..");
const TSX = import.meta.resolve("tsx");

function hasScript(): boolean {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe.runIf(hasScript())("on a terminal (a pseudo-terminal from script(1))", () => {
  it("draws a live display: the bar with counts, then each running job with its memory", () => {
    const dir = tempDir();
    const cli = `"${process.execPath}" --import ${TSX} ${join(ROOT, "src/cli/main.ts")}`;
    const command = `stty cols 160; ${cli} run -M 1G --no-history -m 300M -- sh -c 'sleep 1.5' ::: a b c`;
    const r = spawnSync("script", ["-qec", command, "/dev/null"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, XDG_CACHE_HOME: join(dir, ".cache") },
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    const screen = r.stdout.replaceAll("\r", "");
    expect(screen).toMatch(/\] 0\/3 0% ETA - \| 2 running, 0 failed \| mem 600M of 1\.0G/);
    expect(screen).toMatch(/ {2}job_0001 +[\d.]+s +\d+K \(peak \d+K\) {2}sh -c 'sleep 1\.5'/);
    // It redraws in place: cursor up, clear down.
    expect(screen).toContain("\u001b[3A\u001b[0J");
    expect(screen).toMatch(/\] 3\/3 100%/);
  });
});
