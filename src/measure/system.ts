import { availableParallelism, freemem, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { findOwnCgroups, type OwnCgroups } from "./cgroup/hierarchy.js";
import { parseKeyValues, readNumber, readText } from "./read.js";

/** The memory this process can use right now, in bytes. */
export interface MemoryView {
  /** Total memory: physical memory, or the cgroup limit where that is smaller. */
  totalBytes: number;
  /** Memory available without swapping: MemAvailable, or what the cgroup limit leaves, whichever is smaller. */
  availableBytes: number;
  /** The memory cgroup this process runs in, when it has a limit. */
  cgroup: { limitBytes: number; usageBytes: number } | undefined;
}

// Limits of v1 memory cgroups without one read as a huge number (PAGE_COUNTER_MAX pages).
const NO_LIMIT = 2 ** 60;

/**
 * Reads memory from /proc/meminfo and this process's memory cgroup. On systems without /proc
 * (macOS) it falls back to Node's figures, where "free" understates what could be reclaimed.
 */
export function readMemoryView(cgroups: OwnCgroups = ownCgroups()): MemoryView {
  const meminfo = readText("/proc/meminfo");
  let totalBytes = totalmem();
  let availableBytes = freemem();
  if (meminfo) {
    const kb = parseKeyValues(meminfo);
    totalBytes = (kb.get("MemTotal") ?? totalBytes / 1024) * 1024;
    availableBytes = (kb.get("MemAvailable") ?? (kb.get("MemFree") ?? 0) + (kb.get("Cached") ?? 0)) * 1024;
  }
  const cgroup = readCgroupMemory(cgroups);
  if (cgroup) {
    totalBytes = Math.min(totalBytes, cgroup.limitBytes);
    availableBytes = Math.min(availableBytes, Math.max(0, cgroup.limitBytes - cgroup.usageBytes));
  }
  return { totalBytes, availableBytes, cgroup };
}

function readCgroupMemory(cgroups: OwnCgroups): MemoryView["cgroup"] {
  const v1 = cgroups.v1.get("memory");
  if (v1) {
    const stat = parseKeyValues(readText(join(v1, "memory.stat")) ?? "");
    // hierarchical_memory_limit is the smallest limit on the path to the root.
    const limitBytes = stat.get("hierarchical_memory_limit") ?? readNumber(join(v1, "memory.limit_in_bytes"));
    const usage = readNumber(join(v1, "memory.usage_in_bytes"));
    if (limitBytes === undefined || usage === undefined || limitBytes >= NO_LIMIT) return undefined;
    // Inactive file cache is reclaimed before the limit bites, so it is not "used" (as docker stats).
    return { limitBytes, usageBytes: Math.max(0, usage - (stat.get("total_inactive_file") ?? 0)) };
  }
  if (cgroups.v2) {
    let limitBytes = Number.POSITIVE_INFINITY;
    for (let dir = cgroups.v2; dir.length > 1 && dir !== "/sys/fs/cgroup"; dir = dirname(dir)) {
      limitBytes = Math.min(limitBytes, readNumber(join(dir, "memory.max")) ?? Number.POSITIVE_INFINITY);
    }
    const usage = readNumber(join(cgroups.v2, "memory.current"));
    if (!Number.isFinite(limitBytes) || usage === undefined) return undefined;
    const stat = parseKeyValues(readText(join(cgroups.v2, "memory.stat")) ?? "");
    return { limitBytes, usageBytes: Math.max(0, usage - (stat.get("inactive_file") ?? 0)) };
  }
  return undefined;
}

/**
 * CPUs this process may use: the affinity mask (taskset, cpuset) and the cgroup CPU quota
 * (docker --cpus, Kubernetes limits), not merely the host's count.
 */
export function detectCpus(cgroups: OwnCgroups = ownCgroups()): number {
  let cpus = affinityCount() ?? availableParallelism();
  const quota = cpuQuota(cgroups);
  if (quota !== undefined) cpus = Math.min(cpus, Math.max(1, Math.ceil(quota)));
  return Math.max(1, cpus);
}

function affinityCount(): number | undefined {
  const status = readText("/proc/self/status");
  const list = status && /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1];
  if (!list) return undefined;
  let count = 0;
  for (const part of list.trim().split(",")) {
    const [from, to] = part.split("-").map(Number);
    if (from === undefined || !Number.isFinite(from)) continue;
    count += to === undefined ? 1 : to - from + 1;
  }
  return count > 0 ? count : undefined;
}

// The smallest quota on the path from this cgroup to the root, in CPUs.
function cpuQuota(cgroups: OwnCgroups): number | undefined {
  let quota: number | undefined;
  const take = (q: number) => {
    if (q > 0 && Number.isFinite(q)) quota = quota === undefined ? q : Math.min(quota, q);
  };
  const v1 = cgroups.v1.get("cpu");
  if (v1) {
    for (let dir = v1; dir.length > 1 && dir !== "/sys/fs/cgroup"; dir = dirname(dir)) {
      const q = readNumber(join(dir, "cpu.cfs_quota_us"));
      const period = readNumber(join(dir, "cpu.cfs_period_us"));
      if (q !== undefined && period) take(q / period);
    }
  } else if (cgroups.v2) {
    for (let dir = cgroups.v2; dir.length > 1 && dir !== "/sys/fs/cgroup"; dir = dirname(dir)) {
      const [q, period] = (readText(join(dir, "cpu.max")) ?? "").trim().split(" ");
      if (q && q !== "max" && period) take(Number(q) / Number(period));
    }
  }
  return quota;
}

let cached: OwnCgroups | undefined;

/** This process's cgroups, found once. */
export function ownCgroups(): OwnCgroups {
  cached ??= findOwnCgroups();
  return cached;
}
