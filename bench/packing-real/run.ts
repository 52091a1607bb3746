// Real processes under two policies: the packer (the default) and FIFO first-fit (the Python
// mpmsub's), the same workload in the same run, interleaved and repeated. Each job allocates
// memory and holds it (tests/fixtures/alloc.c), so that memory, not CPU, is what limits.
//
// Workload: 3 big jobs (1200 MB for 4 s, plus ~0.6 s to touch the memory) and 24 small ones
// (50 MB for 1 s) on 4 slots and 1.5 GB. Only one big job fits at a time; three small ones fit beside it. Submitted in two
// orders: small jobs first (first-fit then runs all the small jobs, and the big ones alone after)
// and big jobs first. History from a warm-up run gives the packer its runtime estimates.
// usage: npx tsx bench/packing-real/run.ts [repetitions]
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "../../src/history/recent-runs.js";
import { cluster, type JobSpec, type PolicyName } from "../../src/index.js";

const repetitions = Number(process.argv[2] ?? 3);
const ROOT = join(import.meta.dirname, "..", "..");
const ALLOC = join(ROOT, "tests/.bin/alloc");
execFileSync("cc", ["-O2", "-o", ALLOC, join(ROOT, "tests/fixtures/alloc.c")]);

// The two kinds differ only in numbers, which history keys generalise: a group tells them apart.
const big = (i: number): JobSpec => ({
  id: `big${i}`,
  cmd: [ALLOC, "1200", "4000"],
  m: "1220M",
  group: "big",
});
const small = (i: number): JobSpec => ({
  id: `small${i}`,
  cmd: [ALLOC, "50", "1000"],
  m: "60M",
  group: "small",
});
const bigs = Array.from({ length: 3 }, (_, i) => big(i + 1));
const smalls = Array.from({ length: 24 }, (_, i) => small(i + 1));
const orders = { "small jobs first": [...smalls, ...bigs], "big jobs first": [...bigs, ...smalls] };
const policies: PolicyName[] = ["packing", "first-fit"];
const history = join(mkdtempSync(join(tmpdir(), "mpmsub-bench-")), "history.jsonl");

async function makespan(policy: PolicyName, jobs: JobSpec[]): Promise<number> {
  const p = cluster({ p: 4, m: "1536M", policy, history, progressBar: false, pressure: false });
  p.jobs.extend(jobs);
  const started = performance.now();
  await p.run();
  if (p.failedJobs.length > 0) throw new Error(`${p.failedJobs.length} jobs failed under ${policy}`);
  return (performance.now() - started) / 1000;
}

// Warm-up: one run records every job's memory and runtime in history.
await makespan("packing", orders["big jobs first"]);

const runs: { order: string; policy: string; repetition: number; seconds: number }[] = [];
for (let rep = 1; rep <= repetitions; rep++) {
  for (const [order, jobs] of Object.entries(orders)) {
    // Alternate which policy goes first, so that neither always runs on a warmer machine.
    for (const policy of rep % 2 ? policies : [...policies].reverse()) {
      const seconds = await makespan(policy, jobs);
      runs.push({ order, policy, repetition: rep, seconds: Number(seconds.toFixed(2)) });
      console.log(JSON.stringify(runs.at(-1)));
    }
  }
}

// The lower bound: the three big jobs can never overlap (each needs more than half the memory);
// each really runs about 4.6 s (4 s held, plus touching 1.2 GB).
const lowerBound = Number((3 * 4.6).toFixed(1));
const summary = Object.keys(orders).map((order) => {
  const of = (policy: string) =>
    median(runs.filter((r) => r.order === order && r.policy === policy).map((r) => r.seconds));
  return {
    order,
    packingSeconds: of("packing"),
    firstFitSeconds: of("first-fit"),
    packingShorterBy: Number((1 - of("packing") / of("first-fit")).toFixed(3)),
    lowerBoundSeconds: lowerBound,
  };
});
writeFileSync(
  join(ROOT, "bench/results/packing-real.json"),
  `${JSON.stringify({ command: `npx tsx bench/packing-real/run.ts ${repetitions}`, summary, runs }, null, 2)}\n`,
);
console.log(JSON.stringify(summary, null, 2));
