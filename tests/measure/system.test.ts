import { execFileSync } from "node:child_process";
import { mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cluster } from "../../src/index.js";
import { findOwnCgroups } from "../../src/measure/cgroup/hierarchy.js";
import { detectCpus, readMemoryView } from "../../src/measure/system.js";
import { canUseCgroups, tempDir } from "../support/helpers.js";

const ROOT = join(import.meta.dirname, "..", "..");

function meminfoKb(key: string): number {
  const line = execFileSync("grep", [`^${key}:`, "/proc/meminfo"], { encoding: "utf8" });
  return Number(/(\d+)/.exec(line)?.[1]);
}

describe("resource detection", () => {
  it("counts the CPUs of this process's affinity mask", () => {
    const allowed = execFileSync("grep", ["Cpus_allowed_list", "/proc/self/status"], { encoding: "utf8" });
    const expected = allowed
      .split(":")[1]
      ?.trim()
      .split(",")
      .reduce((n, part) => {
        const [a, b] = part.split("-").map(Number);
        return n + (b === undefined ? 1 : (b as number) - (a as number) + 1);
      }, 0);
    expect(detectCpus()).toBe(expected);
  });

  it("sees a narrower affinity mask (taskset -c 0) as one CPU", () => {
    const script = `import("${join(ROOT, "src/measure/system.ts")}").then(m => process.stdout.write(String(m.detectCpus())))`;
    const out = execFileSync("taskset", ["-c", "0", process.execPath, "--import", "tsx", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(out).toBe("1");
  });

  it("reads available memory from MemAvailable", () => {
    const view = readMemoryView();
    const available = meminfoKb("MemAvailable") * 1024;
    expect(Math.abs(view.availableBytes - available)).toBeLessThan(available * 0.05);
    expect(view.totalBytes).toBe(meminfoKb("MemTotal") * 1024);
  });

  it("defaults a cluster to the usable CPUs and 90% of available memory", () => {
    const p = cluster({ progressBar: false });
    const availableMb = meminfoKb("MemAvailable") / 1024;
    expect(p.cpus).toBe(detectCpus());
    expect(p.memory).toBeGreaterThan(availableMb * 0.85);
    expect(p.memory).toBeLessThan(availableMb * 0.95);
    expect(p.memoryFloor).toBe(Math.min((meminfoKb("MemTotal") / 1024) * 0.05, 1024));
  });
});

describe("findOwnCgroups", () => {
  it("finds v1 controllers and the v2 directory, through a container's partial mount", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "cgroup"),
      [
        "12:memory:/docker/abc/job",
        "11:cpu,cpuacct:/docker/abc",
        "4:freezer:/",
        "0::/user.slice/app.scope",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "mountinfo"),
      [
        "30 25 0:26 /docker/abc /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory",
        "31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct",
        "32 25 0:28 / /sys/fs/cgroup/freezer rw shared:9 - cgroup cgroup rw,freezer",
        "33 25 0:29 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate",
        "",
      ].join("\n"),
    );
    const found = findOwnCgroups(join(dir, "cgroup"), join(dir, "mountinfo"));
    expect(found.v1.get("memory")).toBe("/sys/fs/cgroup/memory/job");
    expect(found.v1.get("cpu")).toBe("/sys/fs/cgroup/cpu,cpuacct/docker/abc");
    expect(found.v1.get("cpuacct")).toBe("/sys/fs/cgroup/cpu,cpuacct/docker/abc");
    expect(found.v1.get("freezer")).toBe("/sys/fs/cgroup/freezer");
    expect(found.v2).toBe("/sys/fs/cgroup/unified/user.slice/app.scope");
  });

  it("finds nothing, without failing, where /proc is missing", () => {
    const found = findOwnCgroups("/nonexistent/cgroup", "/nonexistent/mountinfo");
    expect(found.v1.size).toBe(0);
    expect(found.v2).toBeUndefined();
  });
});

describe.runIf(canUseCgroups())("resource detection inside cgroups made by the test", () => {
  const own = findOwnCgroups();

  function inCgroups(dirs: string[], expression: string): string {
    const join = dirs.map((d) => `echo $$ > ${d}/cgroup.procs`).join(" && ");
    const script = `import("${ROOT}/src/measure/system.ts").then(m => process.stdout.write(JSON.stringify(${expression})))`;
    return execFileSync("sh", ["-c", `${join} && exec "$0" --import tsx -e '${script}'`, process.execPath], {
      cwd: ROOT,
      encoding: "utf8",
    });
  }

  it("honours a CPU quota (docker --cpus 1)", () => {
    const dir = join(own.v1.get("cpu") as string, `mpmsub-test-${process.pid}`);
    mkdirSync(dir);
    try {
      writeFileSync(join(dir, "cpu.cfs_period_us"), "100000");
      writeFileSync(join(dir, "cpu.cfs_quota_us"), "100000");
      expect(inCgroups([dir], "m.detectCpus()")).toBe("1");
    } finally {
      rmdirSync(dir);
    }
  });

  it("honours a memory cgroup limit", () => {
    const dir = join(own.v1.get("memory") as string, `mpmsub-test-${process.pid}`);
    mkdirSync(dir);
    try {
      writeFileSync(join(dir, "memory.limit_in_bytes"), String(500 * 1024 * 1024));
      const view = JSON.parse(inCgroups([dir], "m.readMemoryView()"));
      expect(view.totalBytes).toBe(500 * 1024 * 1024);
      expect(view.cgroup.limitBytes).toBe(500 * 1024 * 1024);
      // Node itself uses some of the 500 MB.
      expect(view.availableBytes).toBeLessThan(500 * 1024 * 1024);
      expect(view.availableBytes).toBeGreaterThan(300 * 1024 * 1024);
    } finally {
      rmdirSync(dir);
    }
  });
});
