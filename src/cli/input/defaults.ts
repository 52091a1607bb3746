import { JobSpecError, type SpecProblem } from "../../spec/errors.js";
import { defineJob } from "../../spec/job-spec.js";

/**
 * Values for every job that does not set them itself: a file's `defaults:` block, a `#mpmsub`
 * line of a text file, or the command line's options.
 */
export type Defaults = Readonly<Record<string, unknown>>;

// Keys that make no sense shared: two jobs cannot have one id, and the command is what a job is.
const PER_JOB: Readonly<Record<string, string>> = {
  id: "ids are per job, not a default",
  cmd: "the command is per job, not a default",
  pipeline: "the command is per job, not a default",
  shell: "the command is per job, not a default",
};

// Keys that name the same thing: a job that gives `cpus` does not get a default `p`.
const ALIASES: readonly (readonly string[])[] = [
  ["p", "cpus", "cpu"],
  ["m", "memory"],
];

/** What is wrong with a set of defaults: per-job keys, and anything the library would reject. */
export function defaultsProblems(defaults: Defaults): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const shared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(defaults)) {
    const perJob = PER_JOB[key];
    if (perJob) problems.push({ field: key, message: perJob });
    else shared[key] = value;
  }
  try {
    // A placeholder command lets the library judge the shared values as it will judge each job.
    defineJob({ ...shared, cmd: ["true"] }, 1, 0, () => "");
  } catch (error) {
    if (!(error instanceof JobSpecError)) throw error;
    problems.push(...error.problems);
  }
  return problems;
}

/**
 * The job with each default it does not set itself, from the first layer to the last: the first
 * layer that sets a key wins. Aliases count as one key. `env` merges by variable, as environments
 * do; every other value is replaced whole.
 */
export function applyDefaults(
  spec: Readonly<Record<string, unknown>>,
  layers: readonly (Defaults | undefined)[],
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...spec };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {})) {
      if (value === undefined) continue;
      if (key === "env" && isPlainObject(merged.env) && isPlainObject(value)) {
        merged.env = { ...value, ...merged.env };
      } else if (!sameKeys(key).some((k) => merged[k] !== undefined)) {
        merged[key] = value;
      }
    }
  }
  return merged;
}

function sameKeys(key: string): readonly string[] {
  return ALIASES.find((group) => group.includes(key)) ?? [key];
}

/** A plain object, as a job spec or a mapping read from a file is. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
