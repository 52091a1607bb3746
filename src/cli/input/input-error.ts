/**
 * One thing wrong with the input, and where. `line` is absent only for problems with the command
 * line itself (its options or template); `job` and `field` are absent for syntax errors.
 */
export interface InputProblem {
  /** The file as the user named it, `<stdin>`, or `command line`. */
  file: string;
  line?: number;
  column?: number;
  /** The job, as `job "align-3"` (its id) or `job #3` (its 1-based position). */
  job?: string;
  /** The field, as a dotted path: `m`, `env.HOME`, `defaults.timeout`. */
  field?: string;
  message: string;
}

// Past a screenful, more lines help nobody: the first ones show what kind of mistake it is.
const SHOWN = 20;

/**
 * Input that cannot be run, with every problem found in it. Nothing from the input should run.
 * The message is what the command line prints: one problem per line, as
 * `jobs.yaml:14:7: job "align-3": m: invalid memory size "12Q": ...`.
 */
export class InputError extends Error {
  override readonly name = "InputError";

  constructor(readonly problems: readonly InputProblem[]) {
    const lines = problems.slice(0, SHOWN).map(formatProblem);
    if (problems.length > SHOWN) lines.push(`... and ${problems.length - SHOWN} more problems`);
    super(lines.join("\n"));
  }
}

/** One problem as one line: `file:line:column: job: field: message`, leaving out what is unknown. */
export function formatProblem(problem: InputProblem): string {
  const place = [problem.file, problem.line, problem.column].filter((part) => part !== undefined).join(":");
  const parts = [place, problem.job, problem.field, problem.message].filter((part) => part);
  return parts.join(": ");
}

/** Problems in reading order: the command line's first, then by line and column. */
export function inReadingOrder(problems: readonly InputProblem[]): InputProblem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
