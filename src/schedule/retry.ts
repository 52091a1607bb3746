/** Whether and how a job that failed runs again. Pure: no clock, no I/O. */

import type { RetryReason } from "../spec/job-spec.js";
import type { JobStatus } from "../spec/result.js";

export interface RetryInput {
  status: JobStatus;
  /** Number of the attempt that just ended, from 1; requeues under pressure do not count. */
  attempt: number;
  retries: number;
  retryOn: ReadonlySet<RetryReason>;
  /** Memory the attempt asked for, in bytes, or undefined. */
  requestedBytes: number | undefined;
  /** What the attempt measured at its peak. */
  peakBytes: number;
  /** The cluster's memory. */
  capacityBytes: number;
  /** Delay before the first retry; each later one doubles it. */
  baseDelayMs: number;
}

export type RetryPlan =
  | { retry: true; delayMs: number; memoryBytes: number | undefined }
  | { retry: false; reason: string | undefined };

/** Longest wait between attempts, however many there were. */
export const MAX_RETRY_DELAY_MS = 5 * 60_000;

/** Growth of the memory request after an out-of-memory end: of the request, and over the measured peak. */
const OOM_REQUEST_GROWTH = 1.5;
const OOM_PEAK_HEADROOM = 1.2;

export function planRetry(input: RetryInput): RetryPlan {
  const reason = retryReason(input.status);
  if (!reason || !input.retryOn.has(reason) || input.attempt > input.retries)
    return { retry: false, reason: undefined };
  const delayMs = Math.min(input.baseDelayMs * 2 ** (input.attempt - 1), MAX_RETRY_DELAY_MS);
  if (reason !== "oom") return { retry: true, delayMs, memoryBytes: input.requestedBytes };

  if (input.requestedBytes !== undefined && input.requestedBytes >= input.capacityBytes) {
    return {
      retry: false,
      reason: `it ran out of memory with all of the cluster's ${formatMb(input.capacityBytes)}, so no retry can fit`,
    };
  }
  const wanted = Math.max(
    (input.requestedBytes ?? 0) * OOM_REQUEST_GROWTH,
    input.peakBytes * OOM_PEAK_HEADROOM,
  );
  return { retry: true, delayMs, memoryBytes: Math.ceil(Math.min(wanted, input.capacityBytes)) };
}

function retryReason(status: JobStatus): RetryReason | undefined {
  if (status === "oom" || status === "timeout" || status === "failed") return status;
  return undefined;
}

function formatMb(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)}G` : `${Math.round(mb)}M`;
}
