import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { JobSpec } from "../index.js";
import {
  expandTemplate,
  InputError,
  type JobFormat,
  type LoadedJobs,
  readJobFile,
  splitTemplateArgs,
} from "./input/index.js";

/** Jobs read from a file, stdin or a command template, and where their journal goes by default. */
export interface JobSource {
  jobs: LoadedJobs;
  /** The job file's path, or undefined for stdin and templates. */
  file: string | undefined;
  /** The journal used unless `--journal` names another. */
  defaultJournal: string;
}

/**
 * Reads the jobs to run: a job file, `-` for stdin, or a command template (the words after
 * `--`, GNU parallel style, with its arguments after `:::` or, without `:::`, one per line of stdin).
 *
 * @throws {@link InputError} when the input cannot be read or holds a bad job.
 */
export function loadJobSource(
  file: string | undefined,
  template: readonly string[] | undefined,
  options: { format?: JobFormat; defaults: Partial<JobSpec> },
): JobSource {
  if (template && template.length > 0) {
    if (file !== undefined) {
      throw new InputError([
        {
          file: "command line",
          line: 1,
          job: "",
          field: "",
          message: `give a job file or a command template after --, not both (got ${file})`,
        },
      ]);
    }
    const split = splitTemplateArgs(template);
    const lists = split.lists.length > 0 ? split.lists : [stdinLines()];
    const jobs = expandTemplate(split.template, lists, {
      defaults: options.defaults,
      source: "command line",
    });
    return {
      jobs,
      file: undefined,
      defaultJournal: resolve(`mpmsub-${hash(JSON.stringify([split.template, lists]))}.journal.jsonl`),
    };
  }
  if (file === undefined) {
    throw new InputError([
      {
        file: "command line",
        line: 1,
        job: "",
        field: "",
        message: "give a job file, - for stdin, or a command template after --",
      },
    ]);
  }
  if (file === "-") {
    const text = readFileSync(0, "utf8");
    const jobs = readJobFile({ name: "<stdin>", text }, options);
    return { jobs, file: undefined, defaultJournal: resolve(`mpmsub-stdin-${hash(text)}.journal.jsonl`) };
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError([
      {
        file,
        line: 1,
        job: "",
        field: "",
        message: `cannot read the job file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      },
    ]);
  }
  return {
    jobs: readJobFile({ name: file, text }, options),
    file,
    defaultJournal: `${resolve(file)}.journal.jsonl`,
  };
}

/** One argument per line of stdin, as GNU parallel reads them; a final newline ends the last, it does not add one. */
function stdinLines(): string[] {
  const lines = readFileSync(0, "utf8")
    .split("\n")
    .map((line) => line.replace(/\r$/, ""));
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}
