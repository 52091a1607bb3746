import type { AttemptOutcome } from "../execute/run-attempt.js";
import type { JobDefinition } from "../spec/job-spec.js";
import { bytesToMb } from "../spec/memory.js";
import type { JobAttempt, JobResult, JobStatus, MeasurementMethod } from "../spec/result.js";

/** Turns an attempt's outcome into the attempt record kept in `result.attempts`. */
export function attemptRecord(attempt: number, outcome: AttemptOutcome): JobAttempt {
  return {
    attempt,
    status: outcome.status,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    error: outcome.error,
    memoryUsed: bytesToMb(outcome.usage.peakBytes),
    runtime: outcome.runtimeMs / 1000,
    cpuTime: outcome.usage.cpuMs / 1000,
    startTime: outcome.startTime,
    endTime: outcome.endTime,
  };
}

/** The result of a job from its last attempt's outcome and every attempt's record. */
export function jobResult(
  job: JobDefinition,
  outcome: AttemptOutcome,
  attempts: JobAttempt[],
  method: MeasurementMethod,
): JobResult {
  const last = attempts[attempts.length - 1] as JobAttempt;
  return {
    id: job.id,
    cmd: job.cmd,
    command: job.command,
    status: outcome.status,
    success: outcome.status === "completed",
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    error: outcome.error,
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

/** The result of a job that never started: it could never fit, or the run was cancelled first. */
export function notStartedResult(job: JobDefinition, status: JobStatus, error: string): JobResult {
  const outcome: AttemptOutcome = {
    status,
    exitCode: null,
    signal: null,
    error,
    stdout: "",
    stderr: "",
    startTime: null,
    endTime: Date.now(),
    runtimeMs: 0,
    usage: { currentBytes: 0, peakBytes: 0, cpuMs: 0, oomKills: 0 },
  };
  return jobResult(job, outcome, [attemptRecord(1, outcome)], "none");
}
