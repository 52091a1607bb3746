import { readFileSync, writeFileSync } from "node:fs";
import Table from "cli-table3";
import { cluster, formatMemory, type JobResult } from "../index.js";
import { formatDuration } from "../report/format.js";
import { recommendedMemory } from "../report/profile.js";
import { EXIT } from "./exit-codes.js";
import { type JobFormat, readJobFile } from "./input/index.js";
import { reportBadInput } from "./run-command.js";
import { writeBack } from "./write-back.js";

/** Cores to recommend for a job that used `cpuTime` CPU seconds in `runtime` seconds: its average parallelism, rounded up past 10%. */
export function recommendedCpus(cpuTime: number, runtime: number): number {
  return runtime > 0 ? Math.max(1, Math.ceil(cpuTime / runtime - 0.1)) : 1;
}

/**
 * `mpmsub profile FILE`: runs the jobs one at a time, each alone, measures them, prints the
 * cores and memory to ask for, and with `--write` puts them into the file.
 */
export async function profileCommand(
  file: string,
  flags: { write?: boolean; format?: JobFormat; json?: boolean },
): Promise<number> {
  let text: string;
  let loaded: ReturnType<typeof readJobFile>;
  try {
    text = readFileSync(file, "utf8");
    loaded = readJobFile({ name: file, text }, { format: flags.format });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) {
      process.stderr.write(
        `mpmsub: cannot read the job file ${file}: ${(error as NodeJS.ErrnoException).code}\n`,
      );
      return EXIT.badInput;
    }
    return reportBadInput(error);
  }
  const p = cluster({ progressBar: process.stderr.isTTY && !flags.json });
  const ids = p.jobs.extend(loaded.specs);
  const results = await p.profile({ print: false });
  const byId = new Map(results.map((r) => [r.id, r]));
  const ordered = ids.map((id) => byId.get(id)).filter((r): r is JobResult => r !== undefined);
  const recommended = ordered.map((r) => ({
    id: r.id,
    status: r.status,
    runtime: r.runtime,
    cpuTime: r.cpuTime,
    memoryUsed: r.memoryUsed,
    memoryMethod: r.memoryMethod,
    p: recommendedCpus(r.cpuTime, r.runtime),
    m: recommendedMemory(r.memoryUsed),
  }));

  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ command: "profile", file, jobs: recommended }, null, 2)}\n`);
  } else {
    const table = new Table({
      head: ["job", "status", "runtime", "CPU", "peak memory", "p", "m"],
      style: { head: [], border: [] },
    });
    for (const r of recommended) {
      table.push([
        r.id,
        r.status,
        formatDuration(r.runtime),
        formatDuration(r.cpuTime),
        formatMemory(r.memoryUsed),
        String(r.p),
        r.m,
      ]);
    }
    process.stdout.write(
      `${table.toString()}\nRecommended: p = average cores used, m = peak x 1.2; memory measured by ${ordered[0]?.memoryMethod ?? "-"}\n`,
    );
  }
  if (flags.write) {
    const ok = recommended.every((r) => r.status === "completed");
    if (!ok) {
      process.stderr.write(
        "mpmsub: not writing back: some jobs did not complete, so their measurements are not to be trusted\n",
      );
      return EXIT.someFailed;
    }
    writeFileSync(
      file,
      writeBack(
        text,
        loaded,
        recommended.map((r) => ({ p: r.p, m: r.m })),
      ),
    );
    process.stderr.write(`mpmsub: wrote p and m of ${recommended.length} jobs into ${file}\n`);
  }
  return results.every((r) => r.success) ? EXIT.ok : EXIT.someFailed;
}
