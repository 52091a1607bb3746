import { existsSync } from "node:fs";
import {
  type Cluster,
  cluster,
  type JobResult,
  type JobSpec,
  type MemorySize,
  type PolicyName,
  type RunStats,
  SpecError,
} from "../index.js";
import { finishedKeys, JournalWriter, journalKey, journalSpec, readJournal } from "../report/journal.js";
import { LiveDisplay } from "../report/live-display.js";
import { formatPlan } from "../report/plan.js";
import { createProgress } from "../report/progress.js";
import { summaryTables } from "../report/summary-table.js";
import { EXIT } from "./exit-codes.js";
import type { HaltFlag } from "./flags.js";
import { InputError, type JobFormat } from "./input/index.js";
import { JobOutput } from "./job-output.js";
import { loadJobSource } from "./job-source.js";

/** The flags of `mpmsub run`. */
export interface RunFlags {
  cpus?: number;
  memory?: MemorySize;
  jobCpus?: number;
  jobMemory?: MemorySize | "auto";
  memoryFloor?: MemorySize;
  timeout?: number;
  retries?: number;
  retryOn?: ("oom" | "timeout" | "failed")[];
  halt?: HaltFlag;
  policy?: PolicyName;
  format?: JobFormat;
  /** A path, `false` for none (`--no-journal`), or undefined for the default beside the job file. */
  journal?: string | false;
  resume?: boolean;
  resumeFailed?: boolean;
  dryRun?: boolean;
  json?: boolean;
  progress: boolean;
  quiet?: boolean;
  tag?: boolean;
  keepOrder?: boolean;
  output: "group" | "none";
  results?: string;
  /** A path, `false` for none (`--no-history`), or undefined for the default. */
  history?: string | false;
}

/** A job as this run knows it: its spec, journal key and where it came from. */
interface RunJob {
  spec: JobSpec;
  key: string;
  where: string;
}

/**
 * `mpmsub run`: reads and checks every job before anything starts, skips what a journal says is
 * finished when resuming, runs the rest under memory-aware scheduling with each job's output
 * printed whole as it ends, journals every result, and exits 0, 1, 2 or 130.
 */
export async function runCommand(
  file: string | undefined,
  template: string[] | undefined,
  flags: RunFlags,
): Promise<number> {
  const cwd = process.cwd();
  let source: ReturnType<typeof loadJobSource>;
  try {
    source = loadJobSource(file, template, { format: flags.format, defaults: jobDefaults(flags) });
  } catch (error) {
    return reportBadInput(error);
  }

  const jobs = keyed(source.jobs.specs, source.jobs.locations, cwd);
  const journalPath = flags.journal === false ? undefined : (flags.journal ?? source.defaultJournal);
  const resumeMode = flags.resumeFailed ? "resume-failed" : flags.resume ? "resume" : undefined;
  let toRun = jobs;
  if (resumeMode && journalPath && existsSync(journalPath)) {
    const finished = finishedKeys(readJournal(journalPath), resumeMode);
    toRun = jobs.filter((j) => !finished.has(j.key));
  }
  const skipped = jobs.length - toRun.length;

  const byId = new Map(toRun.map((j) => [j.spec.id as string, j]));
  // A dry run writes nothing: no journal is opened (and an existing one is left as it is).
  const journal =
    journalPath && !flags.dryRun
      ? new JournalWriter(
          journalPath,
          (id) => {
            const job = byId.get(id);
            return job && { key: job.key, spec: journalSpec(job.spec) };
          },
          resumeMode !== undefined,
        )
      : undefined;
  let p: Cluster;
  try {
    p = cluster({
      p: flags.cpus,
      m: flags.memory,
      memoryFloor: flags.memoryFloor,
      halt: flags.halt,
      policy: flags.policy,
      history: flags.history,
      progressBar: false,
      sinks: journal ? [journal] : [],
    });
  } catch (error) {
    journal?.close();
    return reportBadInput(error);
  }

  const live = !flags.quiet && !flags.json && flags.progress;
  const output = new JobOutput(
    {
      kind: flags.json ? "none" : flags.output,
      tag: flags.tag === true,
      keepOrder: flags.keepOrder === true,
      resultsDir: flags.results,
    },
    toRun.map((j) => j.spec.id as string),
    () => display?.clear(),
  );
  try {
    p.jobs.extend(toRun.map((j) => withOutputFiles(j.spec, output)));
  } catch (error) {
    output.finish();
    journal?.close();
    return reportBadInput(error);
  }

  if (flags.dryRun) {
    output.finish();
    const plan = p.plan();
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ command: "run", dryRun: true, skipped, plan }, null, 2)}\n`
        : formatPlan(plan),
    );
    return EXIT.ok;
  }

  journal?.start({
    startedAt: Date.now(),
    argv: process.argv.slice(2),
    cpus: p.cpus,
    memoryMb: p.memory,
    resumed: resumeMode !== undefined,
  });
  const display = live && process.stderr.isTTY ? liveDisplay(p) : undefined;
  const lines = live && !process.stderr.isTTY ? createProgress(process.stderr) : undefined;
  p.on("jobEnd", (result) => {
    output.ended(result);
    lines?.update(progressOf(p));
  });
  display?.start();
  const started = performance.now();
  let stats: RunStats;
  try {
    stats = await p.run();
  } finally {
    display?.stop();
    lines?.stop(progressOf(p));
    output.finish();
    journal?.end(p.stats.interrupted);
    journal?.close();
  }
  const wallSeconds = (performance.now() - started) / 1000;

  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify(jsonDocument(p.results, stats, byId, skipped, journalPath), null, 2)}\n`,
    );
  } else if (!flags.quiet) {
    process.stderr.write(
      summaryTables(
        {
          wallSeconds,
          cpus: p.cpus,
          memoryMb: p.memory,
          interrupted: stats.interrupted === "halt" ? null : stats.interrupted,
          haltReason: stats.haltReason,
          journal: journalPath,
          skipped,
        },
        p.results,
      ),
    );
  }
  return exitCode(stats, p.results);
}

/** Defaults that the command line's flags give to jobs that do not say. */
function jobDefaults(flags: RunFlags): Partial<JobSpec> {
  const defaults: Partial<JobSpec> = {};
  if (flags.jobCpus !== undefined) defaults.p = flags.jobCpus;
  if (flags.jobMemory !== undefined) defaults.m = flags.jobMemory;
  if (flags.timeout !== undefined) defaults.timeout = flags.timeout;
  if (flags.retries !== undefined) {
    defaults.retries = flags.retries;
    // GNU parallel's --retries retries any failure; --retry-on narrows it.
    defaults.retryOn = flags.retryOn ?? ["oom", "timeout", "failed"];
  }
  return defaults;
}

/**
 * Gives each job its journal key (from what defines it, before any id is assigned, so that
 * positions do not enter it) and an id by its position in the input where it has none, so
 * that a resumed run calls each job what the first one did.
 */
function keyed(
  specs: readonly JobSpec[],
  locations: readonly { file: string; line: number }[],
  cwd: string,
): RunJob[] {
  const seen = new Map<string, number>();
  const ids = new Set(specs.map((s) => s.id).filter((id): id is string => id !== undefined));
  return specs.map((spec, i) => {
    let key = journalKey(journalSpec(spec), cwd);
    // The same command twice is two jobs: the second is told apart by its occurrence.
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    if (occurrence > 1) key = `${key}.${occurrence}`;
    let id = spec.id;
    if (id === undefined) {
      id = `job_${String(i + 1).padStart(4, "0")}`;
      while (ids.has(id)) id = `${id}_`;
      ids.add(id);
    }
    const where = locations[i] ? `${locations[i]?.file}:${locations[i]?.line}` : "";
    return { spec: { ...spec, id }, key, where };
  });
}

function withOutputFiles(spec: JobSpec, output: JobOutput): JobSpec {
  if (spec.stdout !== undefined || spec.stderr !== undefined) return spec;
  const files = output.filesFor(spec.id as string);
  return files ? { ...spec, stdout: files.stdout, stderr: files.stderr } : spec;
}

function liveDisplay(p: Cluster): LiveDisplay {
  return new LiveDisplay(process.stderr, () => {
    const progress = progressOf(p);
    return { ...progress, running: p.running, budgetMb: p.memory };
  });
}

function progressOf(p: Cluster) {
  const stats = p.stats;
  return {
    total: stats.jobs.total,
    ended: stats.jobs.completed + stats.jobs.failed,
    failed: stats.jobs.failed,
    running: stats.jobs.running,
    memoryMb: stats.resources.memoryReservedMb,
  };
}

function jsonDocument(
  results: readonly JobResult[],
  stats: RunStats,
  byId: Map<string, RunJob>,
  skipped: number,
  journal: string | undefined,
) {
  return {
    command: "run",
    exitCode: exitCode(stats, results),
    interrupted: stats.interrupted,
    haltReason: stats.haltReason,
    journal: journal ?? null,
    skipped,
    cluster: stats.cluster,
    jobs: stats.jobs,
    responses: stats.responses,
    results: results.map(({ stdout: _o, stderr: _e, cmd, ...r }) => ({
      ...r,
      key: byId.get(r.id)?.key ?? null,
      cmd,
    })),
  };
}

function exitCode(stats: RunStats, results: readonly JobResult[]): number {
  if (stats.interrupted === "SIGINT" || stats.interrupted === "SIGTERM" || stats.interrupted === "abort")
    return EXIT.interrupted;
  return results.every((r) => r.success) ? EXIT.ok : EXIT.someFailed;
}

/** Prints why the input or usage is bad; nothing has run. */
export function reportBadInput(error: unknown): number {
  if (error instanceof InputError || error instanceof SpecError) {
    process.stderr.write(`mpmsub: ${error.message}\n`);
    return EXIT.badInput;
  }
  throw error;
}
