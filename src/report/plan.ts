import type { Plan } from "../cluster/plan.js";
import { formatMemory } from "../spec/memory.js";
import { formatDuration } from "./format.js";

/** Jobs listed one by one in a printed plan before the rest are counted. */
const JOBS_SHOWN = 20;

/** A plan for people: the predicted makespan against the lower bound, memory, and where estimates came from. */
export function formatPlan(plan: Plan): string {
  const resources = Object.entries(plan.resources)
    .map(([name, n]) => `, ${n} ${name}`)
    .join("");
  const fromHistory = plan.jobs.filter((j) => j.runtimeSource === "history").length;
  const memoryFromHistory = plan.jobs.filter((j) => j.memorySource === "history").length;
  const lines = [
    `Plan for ${plan.jobs.length} jobs on ${plan.cpus} CPUs, ${formatMemory(plan.memory)} memory${resources} (policy ${plan.policy}):`,
    `  Predicted makespan: ${formatDuration(plan.makespan)} (lower bound ${formatDuration(plan.lowerBound)}, ratio ${ratio(plan)})`,
    `  Peak declared memory: ${formatMemory(plan.peakDeclaredMemory)} of ${formatMemory(plan.memory)}`,
    `  Estimated from history: runtime of ${fromHistory}, memory of ${memoryFromHistory}; ` +
      `${plan.jobs.length - fromHistory} assumed to run ${formatDuration(plan.assumedRuntime)}`,
  ];
  for (const u of plan.unfit) lines.push(`  ✗ ${u.id}: ${u.reason}`);
  if (plan.jobs.length > 0) lines.push("", "  start     end       job            CPUs  memory   from");
  for (const j of plan.jobs.slice(0, JOBS_SHOWN)) {
    const memory = j.memory === null ? "live" : formatMemory(j.memory);
    lines.push(
      `  ${formatDuration(j.start).padEnd(9)} ${formatDuration(j.end).padEnd(9)} ${j.id.padEnd(14)} ${String(j.cpus).padStart(4)}  ${memory.padStart(7)}  ${j.memorySource}, ${j.runtimeSource} runtime`,
    );
  }
  if (plan.jobs.length > JOBS_SHOWN) lines.push(`  ... and ${plan.jobs.length - JOBS_SHOWN} more`);
  return `${lines.join("\n")}\n`;
}

function ratio(plan: Plan): string {
  return plan.lowerBound > 0 ? (plan.makespan / plan.lowerBound).toFixed(2) : "-";
}
