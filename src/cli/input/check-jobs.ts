import { describeJob, JobSpecError, type SpecProblem } from "../../spec/errors.js";
import { defineJob, type JobSpec } from "../../spec/job-spec.js";
import { applyDefaults, type Defaults, defaultsProblems, isPlainObject } from "./defaults.js";
import type { InputProblem } from "./input-error.js";
import type { Position } from "./positions.js";
import type { SourceLocation } from "./types.js";

/** A job as a reader found it, before defaults and checks. */
export interface RawJob {
  /** The job as written: anything, since a file can hold anything. Undefined when it could not be read at all (already reported). */
  spec: unknown;
  location: SourceLocation;
  /** Where a field of this job is written, when the format can tell. */
  locate?: (field: string) => Position | undefined;
}

/** Where a field of a set of defaults is written. */
export type DefaultsPlace = (field: string) => Omit<InputProblem, "message" | "field" | "job">;

/**
 * Checks a set of defaults, reporting each problem at its place with `fieldPrefix` before the
 * field. Returns the defaults when they are good, else nothing: bad defaults are reported once,
 * here, not again in every job that would inherit them.
 */
export function checkDefaults(
  defaults: Defaults,
  place: DefaultsPlace,
  problems: InputProblem[],
  fieldPrefix = "",
): Defaults | undefined {
  const found = defaultsProblems(defaults);
  for (const problem of found) {
    problems.push({ ...place(problem.field), field: fieldPrefix + problem.field, message: problem.message });
  }
  return found.length === 0 ? defaults : undefined;
}

/** Checks the command line's defaults (`options.defaults`); they have no line to point at. */
export function checkCommandLineDefaults(
  defaults: Partial<JobSpec> | undefined,
  problems: InputProblem[],
): Defaults | undefined {
  const given = Object.fromEntries(Object.entries(defaults ?? {}).filter(([, value]) => value !== undefined));
  return checkDefaults(given, () => ({ file: "command line" }), problems);
}

/**
 * Merges the defaults into each job (earlier layers win) and checks it with the library's own
 * validation; then checks that explicit ids are unique. Problems are added to `problems`; the
 * specs are returned in order, the bad ones left out.
 */
export function checkJobs(
  jobs: readonly RawJob[],
  layers: readonly (Defaults | undefined)[],
  problems: InputProblem[],
): JobSpec[] {
  const specs: JobSpec[] = [];
  const firstWithId = new Map<string, (field: string) => SourceLocation>();
  jobs.forEach((job, index) => {
    const position = index + 1;
    const at = (field: string): SourceLocation => ({ ...job.location, ...job.locate?.(field) });
    if (job.spec === undefined) return;
    if (!isPlainObject(job.spec)) {
      problems.push({
        ...job.location,
        job: `job #${position}`,
        message: `expected a job spec (a mapping of fields such as cmd, p, m), found ${kindOf(job.spec)}`,
      });
      return;
    }
    const spec = applyDefaults(job.spec, layers);
    // Ids are compared before validation, so that a duplicate is reported beside other problems.
    // The first place is looked up only for a duplicate: for JSON Lines it means parsing a line again.
    if (typeof spec.id === "string") {
      const first = firstWithId.get(spec.id);
      if (first) {
        problems.push({
          ...at("id"),
          job: describeJob(spec.id, position),
          field: "id",
          message: duplicateId(first("id")),
        });
      } else {
        firstWithId.set(spec.id, at);
      }
    }
    try {
      defineJob(spec, position, 0, () => "");
    } catch (error) {
      if (!(error instanceof JobSpecError)) throw error;
      for (const { field, message } of withArgumentProblems(error.problems, spec.cmd)) {
        problems.push({ ...at(field), job: error.job, ...(field ? { field } : {}), message });
      }
      return;
    }
    specs.push(spec as JobSpec);
  });
  return specs;
}

/**
 * The library takes `cmd` as an argv or a string, so it reports a bad argument as a bad `cmd`.
 * Unquoted YAML such as `[gzip, -9, a.txt]` makes numbers of arguments, the commonest slip in a
 * job file, so the problem is put on each such argument instead.
 */
function withArgumentProblems(problems: readonly SpecProblem[], cmd: unknown): SpecProblem[] {
  if (!Array.isArray(cmd)) return [...problems];
  const bad = cmd.flatMap((arg: unknown, index) =>
    typeof arg === "string"
      ? []
      : [{ field: `cmd.${index}`, message: `expected a string, found ${argumentKind(arg)}` }],
  );
  if (bad.length === 0) return [...problems];
  return problems.flatMap((problem) => (problem.field === "cmd" ? bad : [problem]));
}

function duplicateId(first: SourceLocation): string {
  const column = first.column === undefined ? "" : `, column ${first.column}`;
  return `duplicate id, first used at line ${first.line}${column}`;
}

function argumentKind(value: unknown): string {
  return typeof value === "number" || typeof value === "boolean"
    ? `${value} (put it in quotes)`
    : kindOf(value);
}

function kindOf(value: unknown): string {
  if (value === null) return "nothing";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}
