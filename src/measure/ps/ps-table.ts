import { execFileSync } from "node:child_process";
import type { ProcessEntry } from "../proc/process-table.js";
import { ProcessSnapshot } from "../proc/process-tree.js";

/**
 * The process table from `ps`, for systems without /proc (macOS). RSS comes in KiB and CPU
 * time as [[dd-]hh:]mm:ss.cc; there is no high-water mark, so short spikes are missed.
 */
export function psSnapshot(): ProcessSnapshot {
  const table = new Map<number, ProcessEntry>();
  let text = "";
  try {
    text = execFileSync("ps", ["-A", "-o", "pid=,ppid=,pgid=,state=,rss=,time="], { encoding: "utf8" });
  } catch {
    return new ProcessSnapshot(table);
  }
  for (const line of text.split("\n")) {
    const [pid, ppid, pgid, state, rss, time] = line.trim().split(/\s+/);
    if (!pid || !time) continue;
    table.set(Number(pid), {
      pid: Number(pid),
      ppid: Number(ppid),
      pgid: Number(pgid),
      state: (state ?? "?").charAt(0),
      startTicks: 0,
      cpuTicks: Math.round(parseCpuTime(time) * 100),
      rssBytes: Number(rss) * 1024,
    });
  }
  return new ProcessSnapshot(table);
}

function parseCpuTime(time: string): number {
  const [days, rest] = time.includes("-") ? time.split("-") : ["0", time];
  const parts = (rest ?? "").split(":").map(Number);
  let seconds = 0;
  for (const part of parts) seconds = seconds * 60 + (Number.isFinite(part) ? part : 0);
  return seconds + Number(days) * 86400;
}
