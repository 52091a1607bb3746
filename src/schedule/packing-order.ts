/**
 * The order in which the packing policy considers jobs of one priority: the most work first,
 * measured as the job's largest share of any one resource times its runtime. Starting the
 * largest and longest jobs first leaves short, small jobs to fill the gaps at the end, which is
 * what keeps the makespan near its lower bound (Graham's LPT rule, extended to several
 * resources the way vector-packing heuristics measure a job by its dominant share).
 */
export function packingScore(demand: Float64Array, capacity: Float64Array, runtime: number): number {
  let share = 0;
  for (let i = 0; i < demand.length; i++) {
    const total = capacity[i] as number;
    if (total > 0) share = Math.max(share, (demand[i] as number) / total);
  }
  return share * runtime;
}
