import { mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MeasurementMethod } from "../../spec/result.js";
import type { JobMeter, JobUsage } from "../meter.js";
import { CLOCK_TICKS, readProcess } from "../proc/process-table.js";
import { parseKeyValues, readNumber, readText } from "../read.js";

/** The file names and memory.stat keys that differ between cgroup v1 and v2. */
export interface CgroupDialect {
  method: Extract<MeasurementMethod, "cgroup-v1" | "cgroup-v2">;
  /** Kernel's peak of charged memory (resident + page cache), if the kernel keeps one. */
  peakFile: string;
  /** memory.stat keys: resident anonymous memory, mapped file pages, and all page cache. */
  anonKey: string;
  mappedKey: string;
  cacheKey: string;
  /** Peak kernel memory (page tables, slab) charged to the group, which is not resident memory of the job's processes. */
  kernelBytes(dir: string, stat: ReadonlyMap<string, number>): number;
  /** Files that set a hard limit, in the order they must be written; the swap one keeps a job from swapping past it. */
  limitFiles: readonly { file: string; value: (bytes: number) => string }[];
  /** File and line holding the count of OOM kills. */
  oomFile: string;
  /** CPU usage: file and how to read it in milliseconds. */
  cpuFile: string;
  cpuMs(text: string): number | undefined;
}

export const CGROUP_V1: CgroupDialect = {
  method: "cgroup-v1",
  peakFile: "memory.max_usage_in_bytes",
  anonKey: "total_rss",
  mappedKey: "total_mapped_file",
  cacheKey: "total_cache",
  kernelBytes: (dir) => readNumber(join(dir, "memory.kmem.max_usage_in_bytes")) ?? 0,
  // memsw (memory + swap) must be at least the memory limit, so it is written second.
  limitFiles: [
    { file: "memory.limit_in_bytes", value: String },
    { file: "memory.memsw.limit_in_bytes", value: String },
  ],
  oomFile: "memory.oom_control",
  cpuFile: "cpuacct.usage",
  cpuMs: (text) => {
    const ns = Number(text.trim());
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  },
};

export const CGROUP_V2: CgroupDialect = {
  method: "cgroup-v2",
  peakFile: "memory.peak",
  anonKey: "anon",
  mappedKey: "file_mapped",
  cacheKey: "file",
  kernelBytes: (_, stat) =>
    stat.get("kernel") ??
    ["kernel_stack", "pagetables", "percpu", "sock", "slab"].reduce(
      (sum, key) => sum + (stat.get(key) ?? 0),
      0,
    ),
  limitFiles: [
    { file: "memory.max", value: String },
    { file: "memory.swap.max", value: () => "0" },
  ],
  oomFile: "memory.events",
  cpuFile: "cpu.stat",
  cpuMs: (text) => {
    const us = parseKeyValues(text).get("usage_usec");
    return us === undefined ? undefined : us / 1000;
  },
};

/**
 * Measures a job in a memory cgroup of its own. The kernel's peak counter catches every spike,
 * however short, but it also counts page cache (a job writing a 300 MB file "uses" 300 MB) and
 * kernel memory (page tables, slab). So the peak reported is the larger of
 *  - resident memory (anonymous + mapped file pages) sampled every tick, and
 *  - the kernel's peak minus the most unmapped page cache and the most kernel memory seen,
 * which is exact for jobs whose cache only grows and errs low, never high, otherwise.
 */
export class CgroupMeter implements JobMeter {
  readonly joinFiles: string[];
  readonly cgroupDirs: string[];
  #usage: JobUsage = { currentBytes: 0, peakBytes: 0, cpuMs: 0, oomKills: 0 };
  #residentPeak = 0;
  #unmappedCacheMax = 0;
  #kernelMax = 0;
  #released = false;
  #cpuDir: string | undefined;

  /**
   * @param memoryDir the job's memory cgroup, created here.
   * @param cpuDir the job's CPU accounting cgroup, when it is a separate hierarchy (v1).
   */
  constructor(
    private readonly dialect: CgroupDialect,
    private readonly memoryDir: string,
    cpuDir: string | undefined,
  ) {
    mkdirSync(memoryDir);
    this.cgroupDirs = [memoryDir];
    if (cpuDir) {
      try {
        mkdirSync(cpuDir);
        this.cgroupDirs.push(cpuDir);
        this.#cpuDir = cpuDir;
      } catch {
        // Without a CPU accounting group, CPU time is summed from the members instead.
      }
    }
    this.joinFiles = this.cgroupDirs.map((d) => join(d, "cgroup.procs"));
  }

  get method(): MeasurementMethod {
    return this.dialect.method;
  }

  limit(bytes: number): boolean {
    const rounded = String(Math.ceil(bytes / 4096) * 4096);
    let enforced = false;
    for (const [i, { file, value }] of this.dialect.limitFiles.entries()) {
      try {
        writeFileSync(join(this.memoryDir, file), value(Number(rounded)));
        if (i === 0) enforced = true;
      } catch {
        // The swap file is absent without swap accounting; the memory limit alone still holds.
      }
    }
    return enforced;
  }

  attach(): void {
    this.sample();
  }

  sample(): void {
    if (this.#released) return;
    const stat = parseKeyValues(readText(join(this.memoryDir, "memory.stat")) ?? "");
    const mapped = stat.get(this.dialect.mappedKey) ?? 0;
    const resident = (stat.get(this.dialect.anonKey) ?? 0) + mapped;
    const unmappedCache = Math.max(0, (stat.get(this.dialect.cacheKey) ?? 0) - mapped);
    this.#residentPeak = Math.max(this.#residentPeak, resident);
    this.#unmappedCacheMax = Math.max(this.#unmappedCacheMax, unmappedCache);
    this.#kernelMax = Math.max(this.#kernelMax, this.dialect.kernelBytes(this.memoryDir, stat));
    const chargedPeak = readNumber(join(this.memoryDir, this.dialect.peakFile)) ?? 0;
    this.#usage = {
      currentBytes: resident,
      peakBytes: Math.max(this.#residentPeak, chargedPeak - this.#unmappedCacheMax - this.#kernelMax),
      cpuMs: this.#cpuMs() ?? this.#usage.cpuMs,
      oomKills: this.#oomKills(),
    };
  }

  livePids(): number[] {
    const text = readText(join(this.memoryDir, "cgroup.procs")) ?? "";
    return text
      .split("\n")
      .filter((l) => l.length > 0)
      .map(Number)
      .filter((pid) => readProcess(pid)?.state !== "Z");
  }

  usage(): JobUsage {
    return this.#usage;
  }

  finish(): JobUsage {
    this.sample();
    this.#released = true;
    for (const dir of [...this.cgroupDirs].reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // Still busy (a process that would not die) or already gone: the watchdog and the
        // backend's close() try again.
      }
    }
    return this.#usage;
  }

  #cpuMs(): number | undefined {
    const dir = this.#cpuDir ?? (this.dialect.method === "cgroup-v2" ? this.memoryDir : undefined);
    if (dir) {
      const text = readText(join(dir, this.dialect.cpuFile));
      const ms = text === undefined ? undefined : this.dialect.cpuMs(text);
      if (ms !== undefined) return ms;
    }
    // No CPU accounting cgroup: sum the members' own times (children's included once reaped).
    let ticks = 0;
    for (const pid of this.livePids()) ticks += readProcess(pid)?.cpuTicks ?? 0;
    return Math.max(this.#usage.cpuMs, (ticks * 1000) / CLOCK_TICKS);
  }

  #oomKills(): number {
    const text = readText(join(this.memoryDir, this.dialect.oomFile)) ?? "";
    return parseKeyValues(text).get("oom_kill") ?? 0;
  }
}
