import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { median } from "../../src/history/recent-runs.js";
import type { CostRow } from "./decision-cost.js";
import { MEASURED_STARTS, PENDING, REPEATS } from "./decision-cost.js";
import { SEEDS, type SuiteRow } from "./makespan-suite.js";
import { CONTENDERS } from "./policies.js";
import { estimates, shorterThanFirstFit, type Target } from "./targets.js";

export interface RunInfo {
  command: string;
  date: string;
  machine: string;
  node: string;
  loadBefore: string;
}

const HEADING = "## Packing";

/** The "## Packing" section of docs/benchmarks.md. */
export function packingSection(
  info: RunInfo,
  rows: readonly SuiteRow[],
  costs: readonly CostRow[],
  targets: readonly Target[],
): string {
  const lines = [
    HEADING,
    "",
    `Made by \`${info.command}\` (bench/packing/run.ts) on ${info.date}: ${info.machine}, Node ${info.node},`,
    `load average ${info.loadBefore} before the run. Raw figures, per seed with the lower bound's terms:`,
    "bench/results/packing.json. How the policy works: docs/scheduling.md.",
    "",
    "Each workload runs in the deterministic simulator (src/schedule/simulator.ts) on a machine of",
    `32 cores and 128 GiB, every job ready at time 0, for ${SEEDS.length} seeds, with exact runtime estimates and`,
    "with each estimate off by a factor drawn from [0.7, 1.3]. Makespans are divided by the lower",
    "bound LB = max(Σ p·t / P, Σ m·t / M, longest job, Σ t over jobs with p > P/2, Σ t over jobs with",
    "m > M/2), with true runtimes. The makespans are exact and the same on every machine; only the",
    "decision costs depend on the machine (which is shared and noisy).",
    "",
    "### Targets",
    "",
    "| target | goal | measured | met |",
    "|---|---|---|---|",
    ...targets.map((t) => `| ${t.target} | ${t.goal} | ${t.measured} | ${t.met ? "yes" : "**no**"} |`),
    "",
    `### Makespan / LB (mean over ${SEEDS.length} seeds, worst in brackets)`,
    "",
    `| workload | jobs | estimates | ${CONTENDERS.map((c) => c.label).join(" | ")} |`,
    `|---|---|---|${CONTENDERS.map(() => "---").join("|")}|`,
    ...rows.map(
      (row) =>
        `| ${row.workload} | ${row.jobs} | ${estimates(row.error)} | ${CONTENDERS.map(
          (c) => `${(row.mean[c.name] as number).toFixed(3)} (${(row.worst[c.name] as number).toFixed(3)})`,
        ).join(" | ")} |`,
    ),
    "",
    "Workloads:",
    "",
    ...uniqueWorkloads(rows).map((row) => `- ${row.workload}: ${row.description}.`),
    "",
    ...memorySkewNote(rows),
    `### Decision cost with ${PENDING.toLocaleString("en")} pending`,
    "",
    `${PENDING.toLocaleString("en")} jobs of a workload's mix wait; each job that starts brings a new one, so the queue`,
    `stays at ${PENDING.toLocaleString("en")} while ${MEASURED_STARTS.toLocaleString("en")} jobs start. Cost per started job = the policy's CPU time`,
    "(process.cpuUsage around each call: deciding, and adding the replacement job) / jobs started;",
    `median and range of ${REPEATS} repeats. Adding the first ${PENDING.toLocaleString("en")} jobs is shown apart, per job.`,
    "",
    "| workload mix | µs per started job | range | µs per job added to the initial queue |",
    "|---|---|---|---|",
    ...costs.map(
      (c) =>
        `| ${c.workload} | ${median(c.perStart).toFixed(1)} | ${Math.min(...c.perStart).toFixed(1)}-${Math.max(...c.perStart).toFixed(1)} | ${median(c.perInitialAdd).toFixed(2)} |`,
    ),
    "",
  ];
  return `${lines.join("\n")}\n`;
}

function uniqueWorkloads(rows: readonly SuiteRow[]): SuiteRow[] {
  return rows.filter((row, i) => rows.findIndex((r) => r.workload === row.workload) === i);
}

/** Why the memory-skewed workload stays above its bound: every term of LB is nearly equal. */
function memorySkewNote(rows: readonly SuiteRow[]): string[] {
  const row = rows.find((r) => r.workload === "memory-skewed" && r.error === 0);
  if (!row) return [];
  const mean = (f: (s: SuiteRow["seeds"][number]) => number) =>
    (row.seeds.reduce((a, s) => a + f(s), 0) / row.seeds.length).toFixed(0);
  return [
    `On memory-skewed, packing is ${(shorterThanFirstFit(row) * 100).toFixed(1)}% shorter than FIFO first-fit but stays above the`,
    "target. LB is loose there: its terms are close to one another (means over the seeds: core area",
    `${mean((s) => s.terms.cpuArea)} s, memory area ${mean((s) => s.terms.memoryArea)} s, jobs over half the memory ${mean((s) => s.terms.overHalfMemory)} s; LB ${mean((s) => s.lowerBound)} s), and a schedule`,
    "must trade them off: two big jobs side by side leave cores idle, one alone lengthens the chain",
    "of big jobs, and LB counts neither. How far above LB the optimum lies there is not known.",
    "See docs/scheduling.md.",
    "",
  ];
}

/** Replaces only the Packing section of docs/benchmarks.md, from its heading to the next "## " heading. */
export function writeSection(path: string, section: string): void {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n";
  const start = text.indexOf(`${HEADING}\n`);
  if (start < 0) {
    writeFileSync(path, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf("\n## ", start + 1);
  writeFileSync(path, text.slice(0, start) + section + (next < 0 ? "" : text.slice(next + 1)));
}
