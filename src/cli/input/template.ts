import type { JobSpec } from "../../spec/job-spec.js";
import { checkCommandLineDefaults, checkJobs, type RawJob } from "./check-jobs.js";
import { InputError, type InputProblem, inReadingOrder } from "./input-error.js";
import { hasReplacement, positionsIn, substitute, substituteWord } from "./replacement-strings.js";
import type { LoadedJobs } from "./types.js";

const COMMAND_LINE = "command line";
const SEPARATOR = ":::";
// parallel's other separators read files or pair lists up; mpmsub has neither.
const UNSUPPORTED_SEPARATORS = new Set(["::::", ":::+", "::::+"]);
// A template given as one word with any of these is a shell command line, not a program name.
const SHELL_SYNTAX = /[\s|&;<>()$`\\"'*?~]/;
// Arguments made only of these need no quotes in a shell command line.
const SHELL_SAFE = /^[\w@%+:,./-]+$/;

/** A command line split at `:::`: the command template and the argument lists after it. */
export interface TemplateArguments {
  template: string[];
  /** One list per `:::`; none when the command line has no `:::` (then the arguments come from stdin). */
  lists: string[][];
}

/**
 * Splits the words after `mpmsub run --` at each `:::`, as GNU parallel does.
 *
 * @example
 * splitTemplateArgs(["gzip", "-9", ":::", "a.txt", "b.txt"]);
 * // { template: ["gzip", "-9"], lists: [["a.txt", "b.txt"]] }
 * @throws {@link InputError} for parallel's `::::` and `:::+`, which mpmsub does not support.
 */
export function splitTemplateArgs(argv: readonly string[]): TemplateArguments {
  const template: string[] = [];
  const lists: string[][] = [];
  for (const word of argv) {
    if (UNSUPPORTED_SEPARATORS.has(word)) {
      throw new InputError([
        {
          file: COMMAND_LINE,
          message: `"${word}" is not supported: give the arguments after ":::" (every combination) or on stdin`,
        },
      ]);
    }
    if (word === SEPARATOR) lists.push([]);
    else (lists.at(-1) ?? template).push(word);
  }
  return { template, lists };
}

/**
 * Makes one job per combination of arguments, GNU parallel style: the product of the lists,
 * the first list varying slowest. In each word of the template, `{}` is the argument, `{.}` it
 * without its extension, `{/}` its basename, `{//}` its dirname, `{/.}` its basename without
 * extension, `{#}` the job's number from 1; `{1}`, `{2.}`, `{1/}` ... take one list's argument.
 * With several lists, `{}` stands for all the arguments. A template without any replacement
 * string gets the arguments appended as words. With no template at all, the arguments are the
 * commands (shell command lines), as in parallel.
 *
 * The template is an argv, run without a shell, unless it is a single word with spaces or shell
 * syntax (`'gzip -9 {} && mv {}.gz out/'`): then it is a shell command line and each argument is
 * put in single quotes where it needs them.
 *
 * @param options.defaults Values from the command line for every job (a job's own values win).
 * @param options.source Where the arguments came from, for locations (`<stdin>`); default `command line`.
 * @throws {@link InputError} listing every problem; nothing is returned in part.
 */
export function expandTemplate(
  template: readonly string[],
  argumentLists: readonly (readonly string[])[],
  options: { defaults?: Partial<JobSpec>; source?: string } = {},
): LoadedJobs {
  const problems: InputProblem[] = [];
  const defaults = checkCommandLineDefaults(options.defaults, problems);
  if (argumentLists.length === 0) {
    problems.push({ file: COMMAND_LINE, message: "no arguments: give them after ::: or on stdin" });
  } else {
    for (const position of new Set(positionsIn(template))) {
      if (position < 1 || position > argumentLists.length) {
        problems.push({ file: COMMAND_LINE, message: positionProblem(position, argumentLists.length) });
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);

  const file = options.source ?? COMMAND_LINE;
  const shell = template.length === 1 && SHELL_SYNTAX.test(template[0] ?? "");
  const placesArguments = hasReplacement(template);
  const jobs: RawJob[] = product(argumentLists).map((args, index) => ({
    spec: jobSpec(template, args, index + 1, shell, placesArguments),
    location: { file, line: index + 1 },
  }));
  const specs = checkJobs(jobs, [defaults], problems);
  if (problems.length > 0) throw new InputError(inReadingOrder(problems));
  return { specs, locations: jobs.map((job) => job.location), format: "template" };
}

function positionProblem(position: number, lists: number): string {
  if (position === 0) return "{0}: argument lists are numbered from 1";
  return `{${position}} refers to argument list ${position}, but there ${lists === 1 ? "is 1" : `are ${lists}`}`;
}

// Every combination, one argument from each list; the first list varies slowest.
function product(lists: readonly (readonly string[])[]): string[][] {
  let combinations: string[][] = [[]];
  for (const list of lists) combinations = combinations.flatMap((head) => list.map((arg) => [...head, arg]));
  return combinations;
}

function jobSpec(
  template: readonly string[],
  args: readonly string[],
  sequence: number,
  shell: boolean,
  placesArguments: boolean,
): Record<string, unknown> {
  const [first = ""] = template;
  if (template.length === 0) return { cmd: args.join(" "), shell: true };
  if (shell) {
    const cmd = placesArguments
      ? substitute(first, args, sequence, shellQuote)
      : [first, ...args.map(shellQuote)].join(" ");
    return { cmd, shell: true };
  }
  const cmd = placesArguments
    ? template.flatMap((word) => substituteWord(word, args, sequence))
    : [...template, ...args];
  return { cmd };
}

/** Single quotes around a value that needs them; a `'` inside becomes `'\''`. */
function shellQuote(value: string): string {
  return SHELL_SAFE.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}
