import type { RunStats } from "../cluster/types.js";
import { formatMemory } from "../spec/memory.js";
import type { JobResult, JobStatus } from "../spec/result.js";
import { formatDuration } from "./format.js";

/** Failures listed one by one before the rest are counted. */
const FAILURES_SHOWN = 20;
const RULE = "=".repeat(64);

/**
 * The end-of-run summary: counts by status, runtimes, CPU time, memory, the jobs that used more
 * memory than they declared, and each failure with its reason.
 */
export function formatSummary(stats: RunStats, results: readonly JobResult[]): string {
  const lines: string[] = [RULE, "MPMSUB EXECUTION SUMMARY", RULE];
  const c = stats.cluster;
  lines.push(
    `Cluster: ${c.maxCpus} CPUs, ${formatMemory(c.maxMemoryMb)} memory (floor ${formatMemory(c.memoryFloorMb)})`,
  );
  lines.push(`Memory measured by: ${c.measurement}${c.measurementNote ? ` (${c.measurementNote})` : ""}`);
  lines.push(
    `Runtime: ${c.runtimeFormatted}${stats.interrupted ? ` (interrupted: ${stats.interrupted})` : ""}`,
  );

  const j = stats.jobs;
  lines.push("", `Jobs: ${j.total} total`);
  lines.push(`  ✓ Completed: ${j.completed}`);
  const failedKinds = (Object.entries(j.byStatus) as [JobStatus, number][])
    .filter(([status, n]) => status !== "completed" && n > 0)
    .map(([status, n]) => `${n} ${status}`);
  lines.push(`  ✗ Not completed: ${j.failed}${failedKinds.length > 0 ? ` (${failedKinds.join(", ")})` : ""}`);
  if (j.pending + j.running > 0) lines.push(`  … Waiting: ${j.pending}, running: ${j.running}`);

  const ran = results.filter((r) => r.startTime !== null);
  if (ran.length > 0) {
    const runtimes = ran.map((r) => r.runtime);
    const peak = ran.reduce((a, b) => (b.memoryUsed > a.memoryUsed ? b : a));
    lines.push("", "Performance:");
    lines.push(`  Average runtime: ${formatDuration(sum(runtimes) / ran.length)}`);
    lines.push(`  Total job runtime: ${formatDuration(sum(runtimes))}`);
    lines.push(`  Total CPU time: ${formatDuration(sum(ran.map((r) => r.cpuTime)))}`);
    lines.push(`  Peak memory: ${formatMemory(peak.memoryUsed)} (${peak.id})`);
    lines.push(`  Average memory: ${formatMemory(sum(ran.map((r) => r.memoryUsed)) / ran.length)}`);
  }

  const over = ran.filter(
    (r) => r.memoryPolicy !== "none" && r.memoryDeclared !== null && r.memoryUsed > r.memoryDeclared,
  );
  if (over.length > 0) {
    lines.push("", `Used more memory than declared (${over.length}):`);
    for (const r of over.slice(0, FAILURES_SHOWN)) {
      lines.push(
        `  ! ${r.id}: used ${formatMemory(r.memoryUsed)}, declared ${formatMemory(r.memoryDeclared ?? 0)}`,
      );
    }
    if (over.length > FAILURES_SHOWN) lines.push(`  ... and ${over.length - FAILURES_SHOWN} more`);
  }

  const responses = describeResponses(stats.responses);
  if (responses.length > 0) lines.push("", "Responses:", ...responses.map((line) => `  ${line}`));
  if (stats.haltReason) lines.push("", `Halted: ${stats.haltReason}`);

  const failed = results.filter((r) => !r.success);
  if (failed.length > 0) {
    lines.push("", "Failed jobs:");
    for (const r of failed.slice(0, FAILURES_SHOWN))
      lines.push(`  ✗ ${r.id} [${r.status}]: ${failureReason(r)}`);
    if (failed.length > FAILURES_SHOWN) lines.push(`  ... and ${failed.length - FAILURES_SHOWN} more`);
  }
  lines.push(RULE);
  return `${lines.join("\n")}\n`;
}

/** What memory pressure, retries and chained failures did, a line each, only for what happened. */
function describeResponses(r: RunStats["responses"]): string[] {
  const lines: string[] = [];
  if (r.holds > 0)
    lines.push(`Held starts for want of memory: ${r.holds} times, ${formatDuration(r.holdSeconds)} in all`);
  if (r.suspensions + r.resumes > 0)
    lines.push(`Suspended under memory pressure: ${r.suspensions} (resumed ${r.resumes})`);
  if (r.requeues > 0) lines.push(`Stopped under memory pressure and run again: ${r.requeues}`);
  if (r.retries > 0) lines.push(`Retries after failures: ${r.retries}`);
  if (r.chainCancellations > 0) lines.push(`Cancelled by a chained failure: ${r.chainCancellations}`);
  return lines;
}

/** Why a job failed, in words: its error, else its exit code or signal. */
export function failureReason(r: JobResult): string {
  if (r.error) return r.error;
  if (r.signal) return `killed by ${r.signal}`;
  return `exit code ${r.exitCode}`;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
