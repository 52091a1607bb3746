import * as z from "zod";
import { describeJob, JobSpecError, problemsFromIssues, type SpecProblem } from "./errors.js";
import { type MemorySize, type MemorySizeError, mbToBytes, parseMemory } from "./memory.js";
import type { JobResult, StartedJob } from "./result.js";

/**
 * A job as the user writes it. Unknown keys are errors.
 *
 * @example
 * { cmd: ["sort", "-o", "out.txt", "big.txt"], p: 1, m: "1G", timeout: 600 }
 * { cmd: "zcat a.gz | wc -l", shell: true, m: "100M" }
 * { pipeline: [["cat", "x"], ["grep", "y"]], m: "100M" }
 */
export interface JobSpec {
  /** The program and its arguments. A single string only with `shell: true`. */
  cmd?: readonly string[] | string;
  /** Stages of a pipeline, each an argv array; stage i's stdout feeds stage i+1's stdin. Instead of `cmd`. */
  pipeline?: readonly (readonly string[])[];
  /** Run `cmd` (a string) through `/bin/sh -c`. */
  shell?: boolean;
  /** CPU cores the job needs (default 1). Aliases: `cpus`, `cpu`. */
  p?: number;
  cpus?: number;
  cpu?: number;
  /**
   * Memory the job needs: MB as a number, or a size such as `"512M"`, `"1.5G"`; or `"auto"`, what
   * earlier runs of the same job used (from history, with headroom). Without it, or with `"auto"`
   * and no history, the job is admitted only while the machine has memory to spare, and counted
   * by what it uses. Alias: `memory`.
   */
  m?: MemorySize | "auto";
  memory?: MemorySize | "auto";
  /** A unique id; default `job_0001`, `job_0002`, ... */
  id?: string;
  /** Working directory. */
  cwd?: string;
  /** Variables merged onto the parent's environment. */
  env?: Readonly<Record<string, string>>;
  /** Seconds before the job is stopped (SIGTERM to its whole process tree, then SIGKILL). */
  timeout?: number;
  /** Write standard output to this file (truncated first) instead of capturing it. */
  stdout?: string;
  /** Write standard error to this file (truncated first) instead of capturing it. */
  stderr?: string;
  /**
   * What to do when the job uses more memory than it declared (times the cluster's
   * `memoryTolerance`): `"kill"` ends it as `oom` (a hard cgroup limit where available),
   * `"warn"` flags it in the summary, `"none"` says nothing. Default: the cluster's, else `"warn"`.
   */
  memoryPolicy?: MemoryPolicy;
  /** Times to run the job again after a failure of a kind in `retryOn` (default 0). */
  retries?: number;
  /**
   * Failures worth a retry (default `["oom"]`). After `oom` the retry asks for
   * max(previous m x 1.5, measured peak x 1.2), capped at the cluster's memory.
   */
  retryOn?: readonly RetryReason[];
  /** Restart the job when it times out (PyExPool's rsrtonto): adds `"timeout"` to `retryOn`, with `retries` 1 unless given. */
  restartOnTimeout?: boolean;
  /** Higher runs first (default 0). */
  priority?: number;
  /** Named resources the job holds while it runs, counted against the cluster's `resources`: `{ gpu: 1, licence: 1 }`. */
  resources?: Readonly<Record<string, number>>;
  /** Jobs of one group share their history (estimates of memory and runtime); default: the job's normalised command. */
  group?: string;
  /** A class of related jobs; with the cluster's `chained: true`, one that fails by timeout or memory cancels those of its category at least as large. */
  category?: string;
  /** Relative size of the job within its category (e.g. its input size); used with `category`. */
  size?: number;
  /** Called when the job starts. Exceptions are reported and never break the run. */
  onStart?: (job: StartedJob) => void;
  /** Called when the job completes successfully (only then). */
  onDone?: (result: JobResult) => void;
  /** Called when the job ends, however it ended. */
  onFinish?: (result: JobResult) => void;
}

const nonEmpty = (what: string) =>
  z.string({ error: `expected ${what} as a string` }).min(1, `${what} is empty`);

const argvSchema = z
  .array(z.string({ error: "every argument must be a string" }), {
    error: 'expected an argv array of strings, e.g. ["ls", "-l"]',
  })
  .min(1, "command is empty")
  .refine((argv) => (argv[0] ?? "").length > 0, "program name is empty");

// parseMemory judges every input itself, so that NaN, booleans and bad strings all get the
// same message naming the value.
function toMb(value: unknown, ctx: z.RefinementCtx): number {
  try {
    return parseMemory(value as MemorySize);
  } catch (error) {
    ctx.issues.push({ code: "custom", input: value, message: (error as MemorySizeError).message });
    return z.NEVER;
  }
}

/** A memory size, in MB. */
export const memorySizeSchema = z.unknown().transform(toMb);

const memorySchema = z
  .unknown()
  .transform((value, ctx): number | "auto" =>
    typeof value === "string" && value.trim().toLowerCase() === "auto" ? "auto" : toMb(value, ctx),
  );

/** A whole number of CPU cores, at least 1. */
export const cpusSchema = z
  .number({ error: "expected a whole number of CPU cores" })
  .int("expected a whole number of CPU cores")
  .min(1, "must be at least 1");

/**
 * Where a job's memory request comes from: it declared it, history estimated it (`m: "auto"`),
 * the cluster's default gave it, or nothing did and it is admitted on live memory. `auto` is a
 * request not yet looked up.
 */
export type MemorySource = "declared" | "history" | "default" | "live" | "auto";

/** How a job's memory beyond what it declared is treated. */
export type MemoryPolicy = "kill" | "warn" | "none";
/** Failures that `retryOn` may name. */
export type RetryReason = "oom" | "timeout" | "failed";

export const memoryPolicySchema = z.enum(["kill", "warn", "none"], {
  error: 'expected "kill", "warn" or "none"',
});

/** Names of resources beyond cores and memory: a word, as in `gpu` or `licence.matlab`. */
const RESOURCE_NAME = /^[A-Za-z_][\w.-]*$/;

/** Counts of named resources, as jobs ask for them and clusters have them. */
export const resourcesSchema = z
  .record(
    z.string(),
    z
      .number({ error: "expected a count" })
      .min(0, "must be 0 or more")
      .refine(Number.isFinite, "must be finite"),
    {
      error: "expected an object of counts such as { gpu: 1 }",
    },
  )
  .superRefine((resources, ctx) => {
    for (const name of Object.keys(resources)) {
      if (!RESOURCE_NAME.test(name)) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: "resource names are words such as gpu or licence",
        });
      }
    }
  });

const functionSchema = z.custom<(arg: never) => void>((v) => typeof v === "function", "expected a function");

const specSchema = z.strictObject({
  cmd: z
    .union([argvSchema, z.string()], {
      error: "expected an argv array of strings, or a string with shell: true",
    })
    .optional(),
  pipeline: z
    .array(argvSchema, { error: "expected an array of argv arrays" })
    .min(2, "a pipeline needs at least 2 stages")
    .optional(),
  shell: z.boolean({ error: "expected true or false" }).optional(),
  p: cpusSchema.optional(),
  cpus: cpusSchema.optional(),
  cpu: cpusSchema.optional(),
  m: memorySchema.optional(),
  memory: memorySchema.optional(),
  id: nonEmpty("an id")
    .max(200, "id is longer than 200 characters")
    .refine((id) => !/[\n\r\t]/.test(id), "id contains a line break or tab")
    .optional(),
  cwd: nonEmpty("a directory").optional(),
  env: z
    .record(z.string(), z.string({ error: "environment values must be strings" }), {
      error: "expected an object of string values",
    })
    .superRefine((env, ctx) => {
      for (const key of Object.keys(env)) {
        if (!/^[^=\0]+$/.test(key)) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: "variable names must be non-empty and contain no '='",
          });
        }
      }
    })
    .optional(),
  timeout: z
    .number({ error: "expected seconds as a number" })
    .positive("must be greater than 0")
    .refine(Number.isFinite, "must be finite")
    .optional(),
  stdout: nonEmpty("a file path").optional(),
  stderr: nonEmpty("a file path").optional(),
  memoryPolicy: memoryPolicySchema.optional(),
  retries: z
    .number({ error: "expected a whole number" })
    .int("expected a whole number")
    .min(0, "must be 0 or more")
    .optional(),
  retryOn: z
    .array(z.enum(["oom", "timeout", "failed"], { error: 'each must be "oom", "timeout" or "failed"' }), {
      error: 'expected a list such as ["oom", "timeout"]',
    })
    .optional(),
  restartOnTimeout: z.boolean({ error: "expected true or false" }).optional(),
  priority: z.number({ error: "expected a number" }).refine(Number.isFinite, "must be finite").optional(),
  resources: resourcesSchema.optional(),
  group: nonEmpty("a group").optional(),
  category: nonEmpty("a category").optional(),
  size: z
    .number({ error: "expected a number" })
    .min(0, "must be 0 or more")
    .refine(Number.isFinite, "must be finite")
    .optional(),
  onStart: functionSchema.optional(),
  onDone: functionSchema.optional(),
  onFinish: functionSchema.optional(),
});

/** The keys a job spec may have, for "did you mean" suggestions. */
export const JOB_SPEC_KEYS: readonly string[] = Object.keys(specSchema.shape);

/** A job spec checked and normalised: what every later stage of a job's life works from. */
export interface JobDefinition {
  id: string;
  /** Order of arrival in the cluster, from 0; FIFO order and tie-breaks use it. */
  seq: number;
  /** One argv per process; a plain command has one stage, a shell command runs `/bin/sh -c`. */
  stages: readonly (readonly string[])[];
  /** The command as given, for results. */
  cmd: JobResult["cmd"];
  /** The command as one line, for display. */
  command: string;
  cpus: number;
  /** Memory in bytes the job asks for (declared, or estimated from history), or undefined to admit it on live memory. */
  memoryBytes: number | undefined;
  /** Where `memoryBytes` came from; `auto` until the cluster looks up history. */
  memorySource: MemorySource;
  /** Expected runtime in ms from history, or undefined. */
  runtimeEstimateMs: number | undefined;
  /** The key the job's runs are recorded under in history, once the cluster has looked it up. */
  historyKey: string | undefined;
  /** Higher runs first. */
  priority: number;
  resources: Readonly<Record<string, number>> | undefined;
  group: string | undefined;
  cwd: string | undefined;
  env: Readonly<Record<string, string>> | undefined;
  timeoutMs: number | undefined;
  stdoutPath: string | undefined;
  stderrPath: string | undefined;
  /** Undefined: the cluster's policy applies. */
  memoryPolicy: MemoryPolicy | undefined;
  retries: number;
  retryOn: ReadonlySet<RetryReason>;
  category: string | undefined;
  size: number | undefined;
  hooks: Pick<JobSpec, "onStart" | "onDone" | "onFinish">;
}

/**
 * Checks a job spec and normalises it. `position` (1-based) and `assignId` let the cluster
 * name the job in errors and give it an id; nothing is consumed when the spec is rejected.
 *
 * @throws {@link JobSpecError} naming the job and each field that is wrong.
 */
export function defineJob(
  spec: unknown,
  position: number,
  seq: number,
  assignId: () => string,
): JobDefinition {
  const name = describeJob((spec as { id?: unknown } | null)?.id, position);
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new JobSpecError(name, [
      { field: "", message: "expected a job spec object, a Job, or a pipeline()" },
    ]);
  }
  const parsed = specSchema.safeParse(spec);
  if (!parsed.success) throw new JobSpecError(name, problemsFromIssues(parsed.error.issues, JOB_SPEC_KEYS));
  const s = parsed.data;

  const problems: SpecProblem[] = [];
  const cpus = oneOf<"p" | "cpus" | "cpu", number>(s, ["p", "cpus", "cpu"], problems);
  const memory = oneOf<"m" | "memory", number | "auto">(s, ["m", "memory"], problems);
  const stages = commandStages(s, problems);
  if (problems.length > 0 || !stages) throw new JobSpecError(name, problems);

  const cmd: JobResult["cmd"] = s.pipeline ?? (s.cmd as JobResult["cmd"]);
  return {
    id: s.id ?? assignId(),
    seq,
    stages,
    cmd,
    command: s.shell ? String(s.cmd) : stages.map(formatArgv).join(" | "),
    cpus: cpus ?? 1,
    memoryBytes: typeof memory === "number" ? mbToBytes(memory) : undefined,
    memorySource: memory === "auto" ? "auto" : memory === undefined ? "live" : "declared",
    runtimeEstimateMs: undefined,
    historyKey: undefined,
    priority: s.priority ?? 0,
    resources: s.resources,
    group: s.group,
    cwd: s.cwd,
    env: s.env,
    timeoutMs: s.timeout === undefined ? undefined : Math.round(s.timeout * 1000),
    stdoutPath: s.stdout,
    stderrPath: s.stderr,
    memoryPolicy: s.memoryPolicy,
    retries: s.retries ?? (s.restartOnTimeout ? 1 : 0),
    retryOn: new Set([...(s.retryOn ?? ["oom"]), ...(s.restartOnTimeout ? (["timeout"] as const) : [])]),
    category: s.category,
    size: s.size,
    hooks: { onStart: s.onStart, onDone: s.onDone, onFinish: s.onFinish } as JobDefinition["hooks"],
  };
}

function oneOf<K extends string, V>(
  spec: Partial<Record<K, V>>,
  keys: readonly K[],
  problems: SpecProblem[],
): V | undefined {
  const given = keys.filter((k) => spec[k] !== undefined);
  if (given.length > 1) {
    problems.push({ field: given.join(", "), message: `give only one of ${keys.join(", ")}` });
  }
  const first = given[0];
  return first === undefined ? undefined : spec[first];
}

function commandStages(
  s: { cmd?: readonly string[] | string; pipeline?: readonly (readonly string[])[]; shell?: boolean },
  problems: SpecProblem[],
): (readonly string[])[] | undefined {
  if (s.cmd !== undefined && s.pipeline !== undefined) {
    problems.push({ field: "cmd, pipeline", message: "give either cmd or pipeline, not both" });
    return undefined;
  }
  if (s.pipeline !== undefined) {
    if (s.shell)
      problems.push({ field: "shell", message: "a pipeline's stages are argv arrays; shell does not apply" });
    return [...s.pipeline];
  }
  if (s.cmd === undefined) {
    problems.push({ field: "cmd", message: 'missing: give the command as an argv array, e.g. ["ls", "-l"]' });
    return undefined;
  }
  if (typeof s.cmd === "string") {
    if (!s.shell) {
      problems.push({
        field: "cmd",
        message: `a string command needs shell: true (or give an argv array such as ${JSON.stringify(s.cmd.trim().split(/\s+/))})`,
      });
      return undefined;
    }
    if (s.cmd.trim().length === 0) {
      problems.push({ field: "cmd", message: "command is empty" });
      return undefined;
    }
    return [["/bin/sh", "-c", s.cmd]];
  }
  if (s.shell) {
    problems.push({ field: "shell", message: 'shell: true takes cmd as one string, e.g. "sort x | uniq"' });
    return undefined;
  }
  return [s.cmd];
}

const SAFE_WORD = /^[\w@%+=:,./-]+$/;

/** Quotes an argv for display the way a shell user would type it. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((a) => (SAFE_WORD.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(" ");
}
