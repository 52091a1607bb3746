/** How `mpmsub` tells its caller how the run went. */
export const EXIT = {
  /** Every job completed. */
  ok: 0,
  /** Some job did not complete (failed, timed out, ran out of memory, could not start, or was cancelled by a halt). */
  someFailed: 1,
  /** Bad input or usage: nothing ran. */
  badInput: 2,
  /** Interrupted (SIGINT or SIGTERM): running jobs were stopped and the journal written. */
  interrupted: 130,
} as const;
