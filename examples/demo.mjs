// The demo of `npm run demo`: memory gating at work.
//
// Eight jobs each declare 400 MB and really allocate about 250 MB for 1.5 s. The cluster gets
// this machine's CPUs but a budget of 1 GB, so at most two run at once however many cores
// there are; a job without a declared size waits until live memory allows it, and a pipeline
// is measured stage by stage. At the end: what each job really used, and how it was measured.
import { cluster, pipeline } from "../dist/index.js";

const allocate = (mb, ms) => [
  process.execPath,
  "-e",
  `const b = Buffer.alloc(${mb} * 1024 * 1024, 1); setTimeout(() => b.length, ${ms});`,
];

const p = cluster({ m: "1G" });
for (let i = 1; i <= 8; i++) p.jobs.append({ id: `alloc-${i}`, cmd: allocate(250, 1500), m: "400M" });
p.jobs.append({ id: "unsized", cmd: allocate(100, 500) });
p.jobs.append(
  pipeline(
    [
      ["seq", "1", "2000000"],
      ["sort", "-rn"],
      ["tail", "-n", "1"],
    ],
    { id: "pipeline", m: "200M" },
  ),
);

const t0 = Date.now();
let declared = 0;
let peakDeclared = 0;
p.on("jobStart", (job) => {
  declared += job.memoryDeclared ?? 0;
  peakDeclared = Math.max(peakDeclared, declared);
});
p.on("jobEnd", (result) => {
  declared -= result.memoryDeclared ?? 0;
});

console.log(`Cluster: ${p.cpus} CPUs, ${p.memory} MB budget; 10 jobs\n`);
await p.run();

console.log("job         start   runtime  declared  used (peak RSS of the whole tree)");
for (const r of [...p.results].sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0))) {
  const start = (((r.startTime ?? t0) - t0) / 1000).toFixed(1).padStart(5);
  const declaredMb = r.memoryDeclared === null ? "-" : `${r.memoryDeclared}M`;
  console.log(
    `${r.id.padEnd(10)} ${start}s ${r.runtime.toFixed(2).padStart(7)}s ${declaredMb.padStart(9)} ${r.memoryUsed.toFixed(1).padStart(8)}M  ${r.status}`,
  );
}
console.log(`\nMost memory declared at once: ${peakDeclared} MB of ${p.memory} MB`);
p.printSummary();
