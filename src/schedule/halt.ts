/** When a run stops early because too many jobs failed (GNU parallel's --halt). Pure. */

/** Stop after this many failures, or this share of ended jobs failing; `now` stops running jobs too, `soon` lets them finish. */
export interface HaltPolicy {
  failures?: number;
  percent?: number;
  mode: "now" | "soon";
}

/** A share of failures is judged only once this many jobs have ended, so that one early failure is not 100%. */
export const HALT_PERCENT_MIN_ENDED = 3;

/** Why the run must halt, or undefined to go on. */
export function haltReason(
  policy: HaltPolicy | undefined,
  failed: number,
  ended: number,
): string | undefined {
  if (!policy) return undefined;
  if (policy.failures !== undefined && failed >= policy.failures) {
    return `halted after ${failed} failed job${failed === 1 ? "" : "s"} (halt ${policy.mode},fail=${policy.failures})`;
  }
  if (
    policy.percent !== undefined &&
    ended >= HALT_PERCENT_MIN_ENDED &&
    (100 * failed) / ended >= policy.percent
  ) {
    return `halted: ${failed} of ${ended} ended jobs failed (halt ${policy.mode},fail=${policy.percent}%)`;
  }
  return undefined;
}
