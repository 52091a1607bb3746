import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JobResult, MemoryStatus, PressureEvent, RunStats } from "../../src/index.js";
import { findOwnCgroups } from "../../src/measure/cgroup/hierarchy.js";

const ROOT = join(import.meta.dirname, "..", "..");
const MB = 1024 * 1024;

/** Memory available inside a v1 memory cgroup: its limit less what it uses, reclaimable cache aside. */
function availableIn(dir: string, limit: number): number {
  const usage = Number(readFileSync(join(dir, "memory.usage_in_bytes"), "utf8"));
  const inactive = Number(
    /^total_inactive_file (\d+)/m.exec(readFileSync(join(dir, "memory.stat"), "utf8"))?.[1] ?? 0,
  );
  return limit - (usage - inactive);
}

export interface HostedRun {
  /** Wall-clock seconds of the run. */
  seconds: number;
  /** Pressure events, each with the epoch ms it happened at. */
  events: (PressureEvent & { at: number })[];
  /** The watcher's samples: epoch ms and MB available. */
  timeline: [number, number][];
  results: JobResult[];
  stats: RunStats;
  /** What mpmsub reported as `memoryStatus` before its run, from inside the cgroup. */
  memoryAtStart: MemoryStatus;
  /** The least memory the independent watcher saw available in the cgroup, in MB. */
  minAvailableMb: number;
  samples: number;
}

/** Runs mpmsub inside a memory cgroup of `limitMb`, sampled every 50 ms by a watcher in this process. */
export async function runInCgroup(limitMb: number, config: unknown): Promise<HostedRun> {
  const memory = findOwnCgroups().v1.get("memory") as string;
  const dir = join(memory, `mpmsub-host-${process.pid}-${Date.now()}`);
  mkdirSync(dir);
  const limit = limitMb * MB;
  writeFileSync(join(dir, "memory.limit_in_bytes"), String(limit));
  let minAvailable = Number.POSITIVE_INFINITY;
  let samples = 0;
  const timeline: [number, number][] = [];
  const watcher = setInterval(() => {
    const available = availableIn(dir, limit);
    minAvailable = Math.min(minAvailable, available);
    timeline.push([Date.now(), available / MB]);
    samples++;
  }, 50);
  try {
    const script = join(ROOT, "tests/fixtures/pressure-run.mts");
    const child = spawn(
      "sh",
      [
        "-c",
        `echo $$ > ${dir}/cgroup.procs && exec "$0" --import tsx "$1" "$2"`,
        process.execPath,
        script,
        JSON.stringify(config),
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    const started = performance.now();
    const code = await new Promise((resolve) => child.once("exit", resolve));
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`hosted run exited ${code}: ${out}`);
    const lines = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const last = lines.pop();
    return {
      events: lines.map((l) => ({ ...l.event, at: l.at })),
      timeline,
      results: last.results,
      stats: last.stats,
      memoryAtStart: last.memoryAtStart,
      minAvailableMb: minAvailable / MB,
      samples,
      seconds,
    };
  } finally {
    clearInterval(watcher);
    rmdirSync(dir);
  }
}
