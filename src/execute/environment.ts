/**
 * Thread-count variables that common runtimes read (OpenMP, BLAS libraries, numexpr, Julia,
 * Rayon, Polars). Each job sees them set to its `p`, so a job declared with 2 cores does not
 * start 64 threads, unless the job's own `env` sets them.
 */
export const THREAD_COUNT_VARIABLES = [
  "OMP_NUM_THREADS",
  "MKL_NUM_THREADS",
  "OPENBLAS_NUM_THREADS",
  "BLIS_NUM_THREADS",
  "VECLIB_MAXIMUM_THREADS",
  "NUMEXPR_NUM_THREADS",
  "JULIA_NUM_THREADS",
  "RAYON_NUM_THREADS",
  "POLARS_MAX_THREADS",
] as const;

/** The environment a job runs with: the parent's, then the thread counts, then the job's own variables. */
export function jobEnvironment(
  parent: NodeJS.ProcessEnv,
  own: Readonly<Record<string, string>> | undefined,
  cpus: number,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) if (value !== undefined) env[key] = value;
  for (const key of THREAD_COUNT_VARIABLES) env[key] = String(cpus);
  return { ...env, ...own };
}
