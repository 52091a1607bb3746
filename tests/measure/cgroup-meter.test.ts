import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CGROUP_V1, CGROUP_V2, CgroupMeter } from "../../src/measure/cgroup/cgroup-meter.js";
import { tempDir } from "../support/helpers.js";

const MB = 1024 * 1024;

// cgroup v2 cannot be created on this machine (its memory controller is on v1), so the
// peak arithmetic of both dialects is checked on files laid out as the kernel lays them out.
describe("CgroupMeter arithmetic on kernel-shaped files", () => {
  it("v2: subtracts unmapped page cache and kernel memory from memory.peak", () => {
    const dir = join(tempDir(), "job");
    const meter = new CgroupMeter(CGROUP_V2, dir, undefined);
    const write = (stat: Record<string, number>, peak: number) => {
      writeFileSync(
        join(dir, "memory.stat"),
        Object.entries(stat)
          .map(([k, v]) => `${k} ${v}`)
          .join("\n"),
      );
      writeFileSync(join(dir, "memory.peak"), `${peak}\n`);
      writeFileSync(join(dir, "cpu.stat"), "usage_usec 1500000\nuser_usec 1000000\n");
      writeFileSync(join(dir, "memory.events"), "low 0\nhigh 0\nmax 0\noom 1\noom_kill 1\n");
    };
    // A dd-like job: 300 MB of cache, 8 MB of kernel memory, 2 MB resident.
    write({ anon: 2 * MB, file: 300 * MB, file_mapped: 0, kernel: 8 * MB }, 310 * MB);
    meter.sample();
    expect(meter.usage().peakBytes).toBe(2 * MB);
    expect(meter.usage().cpuMs).toBe(1500);
    expect(meter.usage().oomKills).toBe(1);
    // A spike seen only by the kernel's peak counter.
    write({ anon: 1 * MB, file: 300 * MB, file_mapped: 0, kernel: 8 * MB }, 566 * MB);
    meter.sample();
    expect(meter.usage().peakBytes).toBe(258 * MB);
    expect(meter.usage().currentBytes).toBe(1 * MB);
  });

  it("v1: counts mapped file pages as resident and reads cpuacct.usage", () => {
    const root = tempDir();
    const dir = join(root, "mem");
    const cpuDir = join(root, "cpu");
    const meter = new CgroupMeter(CGROUP_V1, dir, cpuDir);
    writeFileSync(
      join(dir, "memory.stat"),
      `total_rss ${100 * MB}\ntotal_mapped_file ${20 * MB}\ntotal_cache ${50 * MB}\n`,
    );
    writeFileSync(join(dir, "memory.max_usage_in_bytes"), String(160 * MB));
    writeFileSync(join(dir, "memory.kmem.max_usage_in_bytes"), String(5 * MB));
    writeFileSync(join(dir, "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
    writeFileSync(join(cpuDir, "cpuacct.usage"), "2500000000\n");
    meter.sample();
    // Resident 120 MB; kernel peak 160 - unmapped cache 30 - kernel 5 = 125 MB.
    expect(meter.usage().peakBytes).toBe(125 * MB);
    expect(meter.usage().currentBytes).toBe(120 * MB);
    expect(meter.usage().cpuMs).toBe(2500);
    expect(meter.joinFiles).toEqual([join(dir, "cgroup.procs"), join(cpuDir, "cgroup.procs")]);
  });
});
