import { readdirSync } from "node:fs";
import { readText } from "../read.js";

/** One line of the process table. Times are in clock ticks, memory in bytes. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** State letter: R, S, D, T (stopped), Z (zombie), ... */
  state: string;
  /** Start time in clock ticks since boot; with the pid, it names a process uniquely. */
  startTicks: number;
  /** User + system ticks of the process and of its children that it has waited for. */
  cpuTicks: number;
  rssBytes: number;
}

/** Clock ticks per second of /proc times; 100 on every Linux configuration in use. */
export const CLOCK_TICKS = 100;
const PAGE_SIZE = 4096;

/** Parses /proc/<pid>/stat. The command name may hold spaces and parentheses, so fields are read after the last ")". */
export function parseStat(pid: number, text: string): ProcessEntry | undefined {
  const end = text.lastIndexOf(")");
  if (end < 0) return undefined;
  const f = text.slice(end + 2).split(" ");
  // After the name: state(0) ppid(1) pgrp(2) session(3) tty(4) tpgid(5) flags(6) minflt(7)
  // cminflt(8) majflt(9) cmajflt(10) utime(11) stime(12) cutime(13) cstime(14) priority(15)
  // nice(16) threads(17) itrealvalue(18) starttime(19) vsize(20) rss(21)
  const n = (i: number) => Number(f[i] ?? 0);
  return {
    pid,
    ppid: n(1),
    pgid: n(2),
    state: f[0] ?? "?",
    startTicks: n(19),
    cpuTicks: n(11) + n(12) + n(13) + n(14),
    rssBytes: n(21) * PAGE_SIZE,
  };
}

/** Reads one process's entry, or undefined if it has gone. */
export function readProcess(pid: number): ProcessEntry | undefined {
  const text = readText(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseStat(pid, text);
}

/** Scans /proc once: every process, by pid. */
export function scanProcesses(): Map<number, ProcessEntry> {
  const table = new Map<number, ProcessEntry>();
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return table;
  }
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const entry = readProcess(pid);
    if (entry) table.set(pid, entry);
  }
  return table;
}

/** Peak resident set (VmHWM) of a live process in bytes, or 0 if unknown. */
export function readHighWaterMark(pid: number): number {
  const status = readText(`/proc/${pid}/status`);
  const kb = status && /^VmHWM:\s+(\d+)/m.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}
