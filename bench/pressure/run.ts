// The memory-floor stress run: mpmsub inside a memory cgroup made here, given jobs that want far
// more memory than there is, with an independent watcher sampling the cgroup every 50 ms.
// Runs the same workload with the response to pressure on and off, interleaved, and writes
// bench/results/pressure.json. Needs root and cgroup v1 (as the tests do).
// usage: npx tsx bench/pressure/run.ts [repetitions]
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { median } from "../../src/history/recent-runs.js";
import { runInCgroup } from "../../tests/support/cgroup-host.js";
import { ALLOC, canUseCgroups } from "../../tests/support/helpers.js";

const repetitions = Number(process.argv[2] ?? 3);
const LIMIT_MB = 2048;
const FLOOR_MB = 400;
// Eight jobs, each growing 10 MB every 20 ms to 600 MB and holding it 1.5 s: 4.8 GB wanted in a
// 2 GB cgroup whose floor leaves about 1.5 GB for jobs. Declared small (50 MB) on purpose: the
// declarations are wrong, as they often are. The budget m is set high so that only the floor protects.
const jobs = Array.from({ length: 8 }, (_, i) => ({
  id: `grow${i + 1}`,
  cmd: [ALLOC, "600", "1500", "0", "10", "20"],
  m: "50M",
}));
const variants = {
  on: { p: 8, m: "16G", memoryFloor: `${FLOOR_MB}M` },
  off: { p: 8, m: "16G", memoryFloor: `${FLOOR_MB}M`, pressure: false },
} as const;

if (!canUseCgroups()) {
  console.error("needs root and a writable cgroup v1 memory controller");
  process.exit(2);
}

const runs: Record<string, unknown>[] = [];
for (let rep = 0; rep < repetitions; rep++) {
  for (const [name, cluster] of Object.entries(variants)) {
    const run = await runInCgroup(LIMIT_MB, { cluster, jobs });
    const row = {
      variant: name,
      repetition: rep + 1,
      seconds: Number(run.seconds.toFixed(2)),
      minAvailableMb: Number(run.minAvailableMb.toFixed(1)),
      floorCrossedBy: Number(Math.max(0, FLOOR_MB - run.minAvailableMb).toFixed(1)),
      samples: run.samples,
      oomJobs: run.results.filter((r) => r.status === "oom").length,
      completed: run.results.filter((r) => r.status === "completed").length,
      statuses: run.results.map((r) => r.status),
      responses: run.stats.responses,
    };
    runs.push(row);
    console.log(JSON.stringify(row));
  }
}

const summary = Object.keys(variants).map((variant) => {
  const rows = runs.filter((r) => r.variant === variant) as {
    seconds: number;
    minAvailableMb: number;
    oomJobs: number;
    completed: number;
  }[];
  return {
    variant,
    medianSeconds: median(rows.map((r) => r.seconds)),
    worstMinAvailableMb: Math.min(...rows.map((r) => r.minAvailableMb)),
    oomJobsPerRun: rows.map((r) => r.oomJobs),
    completedPerRun: rows.map((r) => r.completed),
  };
});
const out = join(import.meta.dirname, "..", "results", "pressure.json");
writeFileSync(
  out,
  `${JSON.stringify({ command: `npx tsx bench/pressure/run.ts ${repetitions}`, limitMb: LIMIT_MB, floorMb: FLOOR_MB, jobs: jobs.length, summary, runs }, null, 2)}\n`,
);
console.log(JSON.stringify(summary, null, 2));
