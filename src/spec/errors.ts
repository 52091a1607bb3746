import type { core } from "zod";

/** One thing wrong with a job spec: the field (a dotted path) and what is wrong with it. */
export interface SpecProblem {
  field: string;
  message: string;
}

/**
 * Input that cannot be used. The message names what is wrong (a job, by its id or its position
 * when it has none; or a set of options) and every field that is wrong with it.
 */
export class SpecError extends Error {
  constructor(
    /** What the problems are about: `job "align-3"`, `job #4`, `cluster options`. */
    readonly subject: string,
    readonly problems: readonly SpecProblem[],
  ) {
    super(
      `${subject}: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join("; ")}`,
    );
    this.name = "SpecError";
  }

  /** The first field that is wrong (most errors have exactly one). */
  get field(): string {
    return this.problems[0]?.field ?? "";
  }
}

/** A job spec that cannot run, so that nothing half-runs on bad input. */
export class JobSpecError extends SpecError {
  override readonly name = "JobSpecError";

  /** How the job is named in messages: `job "align-3"` or `job #4`. */
  get job(): string {
    return this.subject;
  }
}

/** Names a job in messages by its id when it has a usable one, else by its 1-based position. */
export function describeJob(id: unknown, position: number): string {
  return typeof id === "string" && /^[^\p{Cc}]{1,200}$/u.test(id) ? `job "${id}"` : `job #${position}`;
}

/** Turns zod issues into problems that name the field and, for unknown keys, suggest the likely one. */
export function problemsFromIssues(
  issues: readonly core.$ZodIssue[],
  knownKeys: readonly string[],
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const field = path ? `${path}.${key}` : key;
        const guess = closest(key, knownKeys);
        problems.push({ field, message: `unknown field${guess ? ` (did you mean "${guess}"?)` : ""}` });
      }
    } else {
      problems.push({ field: path, message: issue.message });
    }
  }
  return problems;
}

// Levenshtein distance, for "did you mean" on misspelt keys; keys are short, so the
// quadratic table costs nothing.
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
