import { median } from "../../src/history/recent-runs.js";
import type { CostRow } from "./decision-cost.js";
import type { SuiteRow } from "./makespan-suite.js";

export interface Target {
  target: string;
  goal: string;
  measured: string;
  met: boolean;
}

/** Mean makespan / LB allowed with exact estimates; +0.05 with +/-30% errors. */
const RATIO_GOALS: Record<string, number> = {
  uniform: 1.05,
  "heavy-tailed": 1.05,
  "many-tiny": 1.05,
  "memory-skewed": 1.1,
  bimodal: 1.1,
};

const MAX_DECISION_MICROS = 50;

/** The targets, judged on what was measured. */
export function judgeTargets(rows: readonly SuiteRow[], costs: readonly CostRow[]): Target[] {
  const targets: Target[] = [];
  for (const row of rows) {
    const goal = (RATIO_GOALS[row.workload] ?? Number.NaN) + (row.error > 0 ? 0.05 : 0);
    const measured = row.mean.packing as number;
    targets.push({
      target: `${row.workload}, ${estimates(row.error)}: mean makespan / LB`,
      goal: `<= ${goal.toFixed(2)}`,
      measured: measured.toFixed(3),
      met: measured <= goal,
    });
  }
  for (const row of rows.filter((r) => r.workload === "memory-skewed")) {
    const reduction = shorterThanFirstFit(row);
    targets.push({
      target: `memory-skewed, ${estimates(row.error)}: makespan shorter than FIFO first-fit`,
      goal: ">= 15%",
      measured: `${(reduction * 100).toFixed(1)}%`,
      met: reduction >= 0.15,
    });
  }
  const worst = Math.max(...costs.map((c) => median(c.perStart)));
  targets.push({
    target: "decision cost with 100,000 pending (worst workload mix, median of repeats)",
    goal: `< ${MAX_DECISION_MICROS} µs per started job`,
    measured: `${worst.toFixed(1)} µs`,
    met: worst < MAX_DECISION_MICROS,
  });
  return targets;
}

/** Mean over seeds of 1 - ours / first-fit. */
export function shorterThanFirstFit(row: SuiteRow): number {
  const reductions = row.seeds.map(
    (s) => 1 - (s.makespan.packing as number) / (s.makespan["fifo-first-fit"] as number),
  );
  return reductions.reduce((a, b) => a + b, 0) / reductions.length;
}

export function estimates(error: number): string {
  return error === 0 ? "exact runtimes" : `runtimes +/-${Math.round(error * 100)}%`;
}
