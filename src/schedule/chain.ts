/**
 * Chained constraints (PyExPool): when a job of a category fails by timeout or memory, the jobs
 * of that category at least as large would fail the same way, so they are cancelled; smaller
 * ones are left alone. Pure.
 */

export interface ChainMember {
  id: string;
  category: string | undefined;
  size: number | undefined;
}

/** Ids of the jobs to cancel because `origin` failed by timeout or memory. */
export function chainedVictims(origin: ChainMember, jobs: Iterable<ChainMember>): string[] {
  if (origin.category === undefined || origin.size === undefined) return [];
  const victims: string[] = [];
  for (const job of jobs) {
    if (
      job.id !== origin.id &&
      job.category === origin.category &&
      job.size !== undefined &&
      job.size >= origin.size
    ) {
      victims.push(job.id);
    }
  }
  return victims;
}
