import type { JobSpec } from "../../spec/job-spec.js";
import { checkCommandLineDefaults, checkJobs, type RawJob } from "./check-jobs.js";
import type { Defaults } from "./defaults.js";
import { detectFormat } from "./detect-format.js";
import { InputError, type InputProblem, inReadingOrder } from "./input-error.js";
import { readJsonLines } from "./json-lines-file.js";
import { readStructured } from "./structured-file.js";
import { readTextCommands } from "./text-file.js";
import type { JobFormat, LoadedJobs } from "./types.js";

/**
 * Reads a job file into checked, complete job specs. The caller reads the file (or stdin); this
 * does no I/O.
 *
 * The format comes from `options.format`, else from the name's extension (`.yaml` `.yml`,
 * `.json`, `.jsonl` `.ndjson`, `.txt` `.sh` `.cmds` `.commands`), else from the content (see
 * docs/job-files.md). Each job gets its defaults: its own values first, then `options.defaults`
 * (the command line's), then the file's `defaults:` block; aliases (`p`/`cpus`/`cpu`,
 * `m`/`memory`) count as one key, and `env` merges by variable. A file with nothing but
 * whitespace holds no jobs.
 *
 * @param source.name The path as the user gave it; `-` or `<stdin>` for stdin.
 * @throws {@link InputError} listing every problem (syntax, fields, duplicate ids), each with its
 *   file, line, column where known, job and field. Nothing is returned in part.
 */
export function readJobFile(
  source: { name: string; text: string },
  options: { format?: JobFormat; defaults?: Partial<JobSpec> } = {},
): LoadedJobs {
  const file = source.name === "-" ? "<stdin>" : source.name;
  const text = source.text.replace(/^\uFEFF/, "");
  const format = options.format ?? detectFormat(source.name, text);
  const problems: InputProblem[] = [];
  const commandLine = checkCommandLineDefaults(options.defaults, problems);
  const { jobs, defaults } = text.trim() === "" ? { jobs: [] } : readFormat(format, text, file, problems);
  const specs = checkJobs(jobs, [commandLine, defaults], problems);
  if (problems.length > 0) throw new InputError(inReadingOrder(problems));
  return { specs, locations: jobs.map((job) => job.location), format };
}

function readFormat(
  format: JobFormat,
  text: string,
  file: string,
  problems: InputProblem[],
): { jobs: RawJob[]; defaults?: Defaults } {
  switch (format) {
    case "yaml":
    case "json":
      return readStructured(text, file, format, problems);
    case "jsonl":
      return { jobs: readJsonLines(text, file, problems) };
    case "text":
      return { jobs: readTextCommands(text, file, problems) };
  }
}
