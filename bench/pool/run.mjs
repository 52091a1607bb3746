// The pool benchmark: `npm run bench:pool` (REPS=5 by default).
//
// The same tasks on our pool (exec and map), piscina, tinypool, workerpool, plain worker_threads
// with one postMessage per task, and an inline loop, 2 workers each. Every measurement runs in
// a fresh process (measure.mjs); within each repetition the scenarios and, inside them, the
// competitors run in a shuffled order, so a noisy neighbour hits everyone alike. Reported: the
// median over repetitions of tasks/s and CPU µs per task, and ratios taken within each
// repetition (ours / piscina, ours / twice the inline rate), then their median.
//
// Writes bench/results/pool.json and the "## Function pool" section of docs/benchmarks.md.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const REPS = Number(process.env.REPS ?? 5);
const MEASURE = fileURLToPath(new URL("./measure.mjs", import.meta.url));
const RESULTS = fileURLToPath(new URL("../results/pool.json", import.meta.url));
const DOCS = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));
const COMMAND = "npm run bench:pool";

const POOLS = ["mpmsub", "piscina", "tinypool", "workerpool", "worker_threads"];
const SCENARIOS = [
  {
    name: "noop",
    title: "no-op task",
    task: "noop",
    count: 200_000,
    mode: "throughput",
    variants: [...POOLS, "mpmsub-map", "inline"],
  },
  {
    name: "small",
    title: "~10 µs task",
    task: "small",
    count: 100_000,
    mode: "throughput",
    variants: [...POOLS, "mpmsub-map", "inline"],
  },
  {
    name: "medium",
    title: "~1 ms task",
    task: "medium",
    count: 4_000,
    mode: "throughput",
    variants: [...POOLS, "mpmsub-map", "inline"],
  },
  {
    name: "latency",
    title: "idle round trip (one task in flight)",
    task: "noop",
    count: 20_000,
    mode: "latency",
    variants: POOLS,
  },
];

function shuffle(items) {
  const copy = [...items];
  for (let k = copy.length - 1; k > 0; k--) {
    const j = Math.floor(Math.random() * (k + 1));
    [copy[k], copy[j]] = [copy[j], copy[k]];
  }
  return copy;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function measure(scenario, variant) {
  const output = execFileSync(
    process.execPath,
    [MEASURE, variant, scenario.task, String(scenario.count), scenario.mode],
    { encoding: "utf8", timeout: 300_000 },
  );
  return JSON.parse(output.trim().split("\n").pop());
}

/** samples[scenario][variant] = one measurement per repetition */
function collect() {
  const samples = Object.fromEntries(
    SCENARIOS.map((s) => [s.name, Object.fromEntries(s.variants.map((v) => [v, []]))]),
  );
  for (let rep = 1; rep <= REPS; rep++) {
    for (const scenario of shuffle(SCENARIOS)) {
      for (const variant of shuffle(scenario.variants)) {
        const result = measure(scenario, variant);
        samples[scenario.name][variant].push(result);
        const figure =
          scenario.mode === "latency" ? `${result.usPerTask.toFixed(1)} µs` : `${Math.round(result.rate)}/s`;
        process.stderr.write(
          `rep ${rep}/${REPS}  ${scenario.name.padEnd(7)} ${variant.padEnd(14)} ${figure}\n`,
        );
      }
    }
  }
  return samples;
}

function summarise(samples) {
  const scenarios = {};
  for (const scenario of SCENARIOS) {
    const runs = samples[scenario.name];
    const variants = {};
    for (const variant of scenario.variants) {
      const list = runs[variant];
      const perRep = (other, f) => median(list.map((run, rep) => f(run, runs[other][rep])));
      variants[variant] = {
        rates: list.map((run) => Math.round(run.rate)),
        rate: median(list.map((run) => run.rate)),
        usPerTask: median(list.map((run) => run.usPerTask)),
        cpuUsPerTask: median(list.map((run) => run.cpuUsPerTask)),
        vsPiscina: perRep("piscina", (run, piscina) => run.rate / piscina.rate),
        ...(runs.inline
          ? {
              vsTwiceInline: perRep("inline", (run, inline) => run.rate / (2 * inline.rate)),
              // CPU the inline loop spends per task over what this variant spends: how much of
              // the CPU goes to the tasks themselves, whatever share of the machine we were given.
              cpuEfficiency: perRep("inline", (run, inline) => inline.cpuUsPerTask / run.cpuUsPerTask),
            }
          : {}),
      };
    }
    scenarios[scenario.name] = {
      title: scenario.title,
      task: scenario.task,
      count: scenario.count,
      mode: scenario.mode,
      variants,
    };
  }
  return scenarios;
}

function targets(scenarios) {
  const { noop, small, medium, latency } = scenarios;
  const list = [
    [
      "no-op tasks through exec",
      ">= 1,000,000/s",
      noop.variants.mpmsub.rate,
      (v) => v >= 1e6,
      (v) => `${fmtRate(v)}/s`,
    ],
    ["no-op exec vs piscina", ">= 25x", noop.variants.mpmsub.vsPiscina, (v) => v >= 25, fmtRatio],
    [
      "map, no-op elements",
      ">= 2,500,000/s",
      noop.variants["mpmsub-map"].rate,
      (v) => v >= 2.5e6,
      (v) => `${fmtRate(v)}/s`,
    ],
    ["~10 µs tasks vs 2x inline", ">= 80%", small.variants.mpmsub.vsTwiceInline, (v) => v >= 0.8, fmtPercent],
    ["~10 µs tasks vs piscina", ">= 4x", small.variants.mpmsub.vsPiscina, (v) => v >= 4, fmtRatio],
    ["~1 ms tasks vs 2x inline", ">= 90%", medium.variants.mpmsub.vsTwiceInline, (v) => v >= 0.9, fmtPercent],
    [
      "idle round trip",
      "<= 15 µs",
      latency.variants.mpmsub.usPerTask,
      (v) => v <= 15,
      (v) => `${v.toFixed(1)} µs`,
    ],
  ];
  return list.map(([name, target, value, met, format]) => ({
    name,
    target,
    value,
    shown: format(value),
    met: met(value),
  }));
}

function fmtRate(rate) {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)} M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)} k`;
  return rate.toFixed(0);
}

function fmtRatio(ratio) {
  return ratio >= 10 ? `${ratio.toFixed(0)}x` : `${ratio.toFixed(2)}x`;
}

function fmtPercent(ratio) {
  return `${(ratio * 100).toFixed(0)}%`;
}

function markdown(report) {
  const lines = [
    "## Function pool",
    "",
    `Made by \`${COMMAND}\` (bench/pool/run.mjs) on ${report.date}: ${report.machine.cpus} × ${report.machine.cpu},`,
    `Node ${report.machine.node}, load average ${report.machine.loadBefore} before the run; ${report.reps} repetitions,`,
    "each measurement in a fresh process, competitors in shuffled order within each repetition.",
    "Every pool has 2 workers; at most 4,096 tasks are in flight, each with its own promise (map: one",
    "promise for the whole array). Figures are medians over the repetitions; ratios are taken within",
    "each repetition, then their median. CPU is of the whole process, all threads, per task; CPU",
    "efficiency is the inline loop's CPU per task over the variant's, which does not depend on how",
    "much of the machine a run was given. The machine is shared and noisy (other people's builds and",
    "tests run on it), so trust ratios more than absolute rates. Raw figures: bench/results/pool.json.",
    "",
    "### Targets",
    "",
    "| target | goal | measured | met |",
    "|---|---|---|---|",
    ...report.targets.map((t) => `| ${t.name} | ${t.target} | ${t.shown} | ${t.met ? "yes" : "**no**"} |`),
  ];
  for (const [name, scenario] of Object.entries(report.scenarios)) {
    lines.push("", `### ${scenario.title} (${name}, ${scenario.count.toLocaleString("en")} tasks)`, "");
    if (scenario.mode === "latency") {
      lines.push(
        "| variant | µs per round trip | CPU µs per round trip | x piscina (speed) |",
        "|---|---|---|---|",
      );
      for (const [variant, v] of sortedVariants(scenario, (a, b) => a.usPerTask - b.usPerTask)) {
        lines.push(
          `| ${variant} | ${v.usPerTask.toFixed(1)} | ${v.cpuUsPerTask.toFixed(1)} | ${fmtRatio(v.vsPiscina)} |`,
        );
      }
      continue;
    }
    lines.push(
      "| variant | tasks/s | CPU µs per task | x piscina | of 2x inline | CPU efficiency |",
      "|---|---|---|---|---|---|",
    );
    for (const [variant, v] of sortedVariants(scenario, (a, b) => b.rate - a.rate)) {
      const ideal = variant === "inline" ? "(1 thread)" : fmtPercent(v.vsTwiceInline);
      const cells = [
        fmtRate(v.rate),
        v.cpuUsPerTask.toFixed(2),
        fmtRatio(v.vsPiscina),
        ideal,
        fmtPercent(v.cpuEfficiency),
      ];
      lines.push(`| ${variant} | ${cells.join(" | ")} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function sortedVariants(scenario, order) {
  return Object.entries(scenario.variants).sort(([, a], [, b]) => order(a, b));
}

/** Replaces only our section of docs/benchmarks.md, from its heading to the next "## " heading. */
function writeSection(section) {
  const text = existsSync(DOCS) ? readFileSync(DOCS, "utf8") : "# Benchmarks\n";
  const start = text.indexOf("## Function pool\n");
  if (start < 0) {
    writeFileSync(DOCS, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf("\n## ", start + 1);
  writeFileSync(DOCS, text.slice(0, start) + section + (next < 0 ? "" : text.slice(next)));
}

const loadBefore = loadavg()
  .map((load) => load.toFixed(2))
  .join(" ");
const samples = collect();
const scenarios = summarise(samples);
const report = {
  date: new Date().toISOString().slice(0, 10),
  command: COMMAND,
  reps: REPS,
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    node: process.versions.node,
    loadBefore,
  },
  targets: targets(scenarios),
  scenarios,
  samples,
};
writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
writeSection(markdown(report));
process.stdout.write(markdown(report));
