import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ResultSink } from "../cluster/types.js";
import type { JobSpec } from "../spec/job-spec.js";
import type { JobResult, JobStatus } from "../spec/result.js";

/**
 * The journal: one JSON line per finished job, appended and written through before anyone else
 * hears of the job, so that a run killed at any moment (even with kill -9) can be resumed
 * without running a finished job again and without losing a result. Each job is known by a key
 * made of what defines it (its command, working directory, environment overrides and explicit
 * id), not its position, so that editing the job file does not shift the keys.
 */

/** The first line of each run written to a journal. */
export interface JournalRun {
  type: "run";
  /** Epoch ms. */
  startedAt: number;
  /** The command line that started the run. */
  argv: string[];
  cpus: number;
  memoryMb: number;
  /** Whether this run resumed an earlier one in the same journal. */
  resumed: boolean;
}

/** The line a run writes when it ends, however it ends short of being killed. */
export interface JournalEnd {
  type: "end";
  endedAt: number;
  interrupted: string | null;
}

/** What of a job's result a journal keeps: all but its captured output and what its spec says again. */
const JOB_FIELDS = [
  "id",
  "command",
  "status",
  "exitCode",
  "signal",
  "error",
  "runtime",
  "cpuTime",
  "memoryUsed",
  "memoryDeclared",
  "memoryMethod",
  "startTime",
  "endTime",
  "attempts",
] as const satisfies readonly (keyof JobResult)[];

/** One finished job. */
export type JournalJob = {
  type: "job";
  key: string;
  /** The spec as it was run (callbacks left out). */
  spec: JournalSpec;
} & Pick<JobResult, (typeof JOB_FIELDS)[number]>;

/** A job spec without its callbacks: what can be written as JSON. */
export type JournalSpec = Omit<JobSpec, "onStart" | "onDone" | "onFinish">;

export type JournalLine = JournalRun | JournalEnd | JournalJob;

/**
 * The key of a job: a hash of its command, its working directory (absolute, against `base`),
 * its environment overrides and its explicit id. Jobs that differ in none of these are the same job.
 */
export function journalKey(spec: JournalSpec, base: string): string {
  const identity = {
    cmd: spec.pipeline ?? spec.cmd ?? null,
    shell: spec.shell === true,
    cwd: resolve(base, spec.cwd ?? "."),
    env: Object.entries(spec.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    id: spec.id ?? null,
  };
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 16);
}

/** The spec without its callbacks, to write as JSON. */
export function journalSpec(spec: JobSpec): JournalSpec {
  const { onStart: _s, onDone: _d, onFinish: _f, ...rest } = spec;
  return rest;
}

/**
 * Writes a journal. Each line goes to the kernel with one write before `record` returns, so it
 * survives the process being killed; it is not fsync'ed, so it may not survive the machine
 * losing power.
 */
export class JournalWriter implements ResultSink {
  #fd: number | undefined;

  /**
   * @param describe the key and spec of a job, by id, for the jobs this run was given.
   * @param append keep what the journal holds (resuming), or start it afresh.
   */
  constructor(
    readonly path: string,
    private readonly describe: (id: string) => { key: string; spec: JournalSpec } | undefined,
    append: boolean,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, append ? "a" : "w");
  }

  start(run: Omit<JournalRun, "type">): void {
    this.#write({ type: "run", ...run });
  }

  record(result: JobResult): void {
    const job = this.describe(result.id);
    if (!job) return;
    const kept = Object.fromEntries(JOB_FIELDS.map((field) => [field, result[field]]));
    this.#write({ type: "job", key: job.key, spec: job.spec, ...kept } as JournalJob);
  }

  end(interrupted: string | null): void {
    this.#write({ type: "end", endedAt: Date.now(), interrupted });
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #write(line: JournalLine): void {
    if (this.#fd === undefined) return;
    writeSync(this.#fd, `${JSON.stringify(line)}\n`);
  }
}

/** What a journal holds. */
export interface JournalContents {
  runs: JournalRun[];
  ends: JournalEnd[];
  /** Every job line, in the order written. */
  jobs: JournalJob[];
  /** The last line of each key. */
  latest: Map<string, JournalJob>;
  /** Lines that were not journal lines (a last line cut short by a crash), skipped. */
  skipped: number;
}

/** Reads a journal, skipping any line that is not a journal line. @throws if the file cannot be read. */
export function readJournal(path: string): JournalContents {
  const contents: JournalContents = { runs: [], ends: [], jobs: [], latest: new Map(), skipped: 0 };
  for (const text of readFileSync(path, "utf8").split("\n")) {
    if (text.trim() === "") continue;
    let line: Partial<JournalLine>;
    try {
      line = JSON.parse(text);
    } catch {
      contents.skipped++;
      continue;
    }
    if (line.type === "run") contents.runs.push(line as JournalRun);
    else if (line.type === "end") contents.ends.push(line as JournalEnd);
    else if (line.type === "job" && typeof line.key === "string") {
      contents.jobs.push(line as JournalJob);
      contents.latest.set(line.key, line as JournalJob);
    } else contents.skipped++;
  }
  return contents;
}

/** Statuses that mean a job ran to its end; a cancelled job (the run was interrupted) did not. */
const ENDED: ReadonlySet<JobStatus> = new Set(["completed", "failed", "timeout", "oom", "error"]);

/**
 * The keys a resumed run skips: with `resume`, every job that ran to its end, however it ended;
 * with `resume-failed`, only the ones that completed, so that the failed ones run again. Jobs
 * that were running when the run was killed, or were cancelled, have no such line and run again.
 */
export function finishedKeys(contents: JournalContents, mode: "resume" | "resume-failed"): Set<string> {
  const keys = new Set<string>();
  for (const [key, job] of contents.latest) {
    if (mode === "resume" ? ENDED.has(job.status) : job.status === "completed") keys.add(key);
  }
  return keys;
}
