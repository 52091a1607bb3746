import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Cluster, type ClusterOptions, cluster } from "../../src/index.js";

/** The allocation helper built by global-setup: `alloc MB HOLD_MS [AFTER_MS]`. */
export const ALLOC = join(import.meta.dirname, "..", ".bin", "alloc");

/**
 * A cluster that prints nothing, leaves this process's signals alone (vitest owns them) and
 * keeps no history, so that no test's estimates depend on the runs before it.
 */
export function quietCluster(options: ClusterOptions = {}): Cluster {
  return cluster({ progressBar: false, handleSignals: false, history: false, ...options });
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "mpmsub-test-"));
}

/** Pids of live (not zombie) processes whose command line contains `marker`. */
export function livePidsWith(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
      if (cmdline.includes(marker) && state !== "Z") pids.push(pid);
    } catch {
      // gone
    }
  }
  return pids;
}

/** Polls until `check` returns true or `timeoutMs` passes; returns the last answer. */
export async function waitUntil(check: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}

/** Whether per-job memory cgroups can be created here (root with a cgroup v1 memory controller). */
export function canUseCgroups(): boolean {
  try {
    return process.getuid?.() === 0 && readFileSync("/proc/self/cgroup", "utf8").includes(":memory:");
  } catch {
    return false;
  }
}

/** The Linux measurement methods, each with whether this machine can use it, for `describe.each`. */
export const LINUX_METHODS = [
  ["cgroup-v1", canUseCgroups()],
  ["proc", process.platform === "linux"],
] as const;
