// The packing benchmark: `npm run bench:packing`.
//
// Runs the synthetic workloads of workloads.ts in the simulator under our packing policy and
// the baselines, measures the policy's decision cost with 100,000 jobs waiting, and writes
// bench/results/packing.json and the "## Packing" section of docs/benchmarks.md.

import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { measureDecisionCost } from "./decision-cost.js";
import { ERRORS, runMakespanSuite, SEEDS } from "./makespan-suite.js";
import { packingSection, type RunInfo, writeSection } from "./report.js";
import { judgeTargets } from "./targets.js";
import { MACHINE, WORKLOADS } from "./workloads.js";

const RESULTS = fileURLToPath(new URL("../results/packing.json", import.meta.url));
const DOCS = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));

const info: RunInfo = {
  command: "npm run bench:packing",
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}`,
  node: process.versions.node,
  loadBefore: loadavg()
    .map((l) => l.toFixed(2))
    .join(" "),
};

console.error("makespan suite ...");
const rows = runMakespanSuite();
console.error("decision cost with 100,000 pending ...");
const costs = measureDecisionCost();
const targets = judgeTargets(rows, costs);

mkdirSync(dirname(RESULTS), { recursive: true });
writeFileSync(
  RESULTS,
  `${JSON.stringify(
    {
      ...info,
      capacity: { cpus: MACHINE.cpus, memoryBytes: MACHINE.memory },
      seeds: SEEDS,
      estimateErrors: ERRORS,
      workloads: WORKLOADS.map((w) => ({ name: w.name, description: w.description })),
      targets,
      makespan: rows,
      decisionCost: costs,
    },
    null,
    2,
  )}\n`,
);
writeSection(DOCS, packingSection(info, rows, costs, targets));
for (const t of targets)
  console.log(`${t.met ? "met " : "MISS"}  ${t.target}: ${t.measured} (goal ${t.goal})`);
