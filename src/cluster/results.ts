import { type AttemptOutcome, notStartedOutcome } from "../execute/run-attempt.js";
import type { JobDefinition } from "../spec/job-spec.js";
import { bytesToMb } from "../spec/memory.js";
import type { JobAttempt, JobResult, JobStatus, MeasurementMethod } from "../spec/result.js";

/** A result before the run loop adds the memory policy that applied to the job. */
export type ResultWithoutPolicy = Omit<JobResult, "memoryPolicy">;

/** The record of one attempt, kept in `result.attempts`. */
export function attemptRecord(attempt: number, job: JobDefinition, outcome: AttemptOutcome): JobAttempt {
  return {
    attempt,
    status: outcome.status,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    error: outcome.error,
    memoryUsed: bytesToMb(outcome.usage.peakBytes),
    memoryRequested: job.memoryBytes === undefined ? null : bytesToMb(job.memoryBytes),
    runtime: outcome.runtimeMs / 1000,
    cpuTime: outcome.usage.cpuMs / 1000,
    startTime: outcome.startTime,
    endTime: outcome.endTime,
  };
}

/**
 * The result of a job from its last attempt and every attempt's record. `note` adds why it was
 * not run again, when a retry was refused.
 */
export function jobResult(
  job: JobDefinition,
  status: JobStatus,
  outcome: AttemptOutcome,
  attempts: JobAttempt[],
  method: MeasurementMethod,
  note?: string,
): ResultWithoutPolicy {
  const last = attempts[attempts.length - 1] as JobAttempt;
  const error = note ? `${outcome.error ?? "failed"}; not retried: ${note}` : outcome.error;
  return {
    id: job.id,
    cmd: job.cmd,
    command: job.command,
    status,
    success: status === "completed",
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    error,
    stdout: outcome.stdout,
    stderr: outcome.stderr,
    runtime: last.runtime,
    memoryUsed: last.memoryUsed,
    memoryMethod: outcome.startTime === null ? "none" : method,
    memoryDeclared: job.memoryBytes === undefined ? null : bytesToMb(job.memoryBytes),
    cpus: job.cpus,
    cpuTime: last.cpuTime,
    startTime: outcome.startTime,
    endTime: outcome.endTime,
    attempts,
  };
}

/**
 * The result of a job that ends without (another) attempt: it could never fit, the run was
 * cancelled or halted, or a chained failure cancelled it. Earlier attempts, if any, are kept.
 */
export function endedWithoutAttempt(
  job: JobDefinition,
  status: JobStatus,
  error: string,
  earlier: JobAttempt[] = [],
): ResultWithoutPolicy {
  const outcome = notStartedOutcome(status, error);
  return jobResult(
    job,
    status,
    outcome,
    [...earlier, attemptRecord(earlier.length + 1, job, outcome)],
    "none",
  );
}
