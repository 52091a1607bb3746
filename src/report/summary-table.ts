import Table from "cli-table3";
import { formatMemory } from "../spec/memory.js";
import type { JobResult, JobStatus } from "../spec/result.js";
import { formatDuration } from "./format.js";
import { peakConcurrent } from "./peak-concurrent.js";

/** A job as the summary table needs it: a result, or a journal line. */
export type SummaryJob = Pick<
  JobResult,
  | "id"
  | "status"
  | "error"
  | "exitCode"
  | "signal"
  | "runtime"
  | "cpuTime"
  | "memoryUsed"
  | "memoryDeclared"
  | "memoryMethod"
  | "startTime"
  | "endTime"
>;

/** What the summary says about the run as a whole. */
export interface SummaryRun {
  wallSeconds: number;
  cpus?: number;
  memoryMb?: number;
  interrupted?: string | null;
  haltReason?: string | null;
  journal?: string;
  /** Jobs a resumed run did not run again because the journal had them finished. */
  skipped?: number;
}

const FAILURES_SHOWN = 20;

/** The end-of-run summary as tables: the run, then each job that did not complete, with why. */
export function summaryTables(run: SummaryRun, jobs: readonly SummaryJob[]): string {
  const counts = new Map<JobStatus, number>();
  for (const j of jobs) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
  const ran = jobs.filter((j) => j.startTime !== null);
  const peak = ran.reduce<SummaryJob | undefined>(
    (a, b) => (!a || b.memoryUsed > a.memoryUsed ? b : a),
    undefined,
  );
  const methods = [...new Set(ran.map((j) => j.memoryMethod))].join(", ") || "-";
  const over = ran.filter((j) => j.memoryDeclared !== null && j.memoryUsed > j.memoryDeclared).length;

  const table = new Table({ style: { head: [], border: [] } });
  const row = (name: string, value: string) => table.push([name, value]);
  if (run.cpus !== undefined && run.memoryMb !== undefined)
    row("cluster", `${run.cpus} CPUs, ${formatMemory(run.memoryMb)}`);
  row(
    "jobs",
    String(jobs.length + (run.skipped ?? 0)) +
      (run.skipped ? ` (${run.skipped} finished before, skipped)` : ""),
  );
  row("completed", String(counts.get("completed") ?? 0));
  const notCompleted = [...counts].filter(([s]) => s !== "completed");
  row(
    "not completed",
    notCompleted.length === 0 ? "0" : notCompleted.map(([s, n]) => `${n} ${s}`).join(", "),
  );
  row(
    "wall time",
    formatDuration(run.wallSeconds) + (run.interrupted ? ` (interrupted: ${run.interrupted})` : ""),
  );
  row(
    "job time / CPU time",
    `${formatDuration(sum(ran.map((j) => j.runtime)))} / ${formatDuration(sum(ran.map((j) => j.cpuTime)))}`,
  );
  if (peak) row("peak memory", `${formatMemory(peak.memoryUsed)} (${peak.id}), measured by ${methods}`);
  const declaredAtOnce = peakConcurrent(
    ran.map((j) => ({ start: j.startTime ?? 0, end: j.endTime, amount: j.memoryDeclared ?? 0 })),
  );
  if (declaredAtOnce > 0) {
    row(
      "most memory declared at once",
      formatMemory(declaredAtOnce) + (run.memoryMb ? ` of ${formatMemory(run.memoryMb)}` : ""),
    );
  }
  if (over > 0) row("over their declared memory", String(over));
  if (run.haltReason) row("halted", run.haltReason);
  if (run.journal) row("journal", run.journal);
  let text = `${table.toString()}\n`;

  const failed = jobs.filter((j) => j.status !== "completed");
  if (failed.length > 0) {
    const failures = new Table({
      head: ["job", "status", "why"],
      style: { head: [], border: [] },
      wordWrap: true,
      colWidths: [16, 11, 60],
    });
    for (const j of failed.slice(0, FAILURES_SHOWN)) failures.push([j.id, j.status, reason(j)]);
    text += `${failures.toString()}\n`;
    if (failed.length > FAILURES_SHOWN) text += `... and ${failed.length - FAILURES_SHOWN} more\n`;
  }
  return text;
}

function reason(j: SummaryJob): string {
  if (j.error) return j.error;
  if (j.signal) return `killed by ${j.signal}`;
  return `exit code ${j.exitCode}`;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
