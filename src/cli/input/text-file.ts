import { checkDefaults, type RawJob } from "./check-jobs.js";
import type { Defaults } from "./defaults.js";
import { DIRECTIVE, parseDirective } from "./directive.js";
import type { InputProblem } from "./input-error.js";

// An odd number of backslashes at the end: the last one escapes the line break.
const CONTINUED = /(?:^|[^\\])(?:\\\\)*\\$/;

/**
 * Reads plain text: one shell command per line, as `parallel < cmds.txt` does. Blank lines and
 * `#` comments are skipped; a line ending in `\` goes on on the next line (kept as written, for
 * the shell to join). A `#mpmsub key=value ...` line sets values for the commands below it, up to
 * the next such line, which replaces it whole (a bare `#mpmsub` clears them). They count as the
 * jobs' own values, so they win over the command line's defaults.
 */
export function readTextCommands(text: string, file: string, problems: InputProblem[]): RawJob[] {
  const lines = text.split(/\r?\n/);
  const jobs: RawJob[] = [];
  let directive: Defaults = {};
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const lineText = lines[index] ?? "";
    if (DIRECTIVE.test(lineText)) {
      directive = readDirective(lineText, file, line, problems) ?? {};
      continue;
    }
    let command = lineText.trim();
    if (command === "" || command.startsWith("#")) continue;
    while (CONTINUED.test(command) && index + 1 < lines.length) command += `\n${lines[++index]}`;
    jobs.push({ spec: { cmd: command.trimEnd(), shell: true, ...directive }, location: { file, line } });
  }
  return jobs;
}

function readDirective(
  lineText: string,
  file: string,
  line: number,
  problems: InputProblem[],
): Defaults | undefined {
  const directive = parseDirective(lineText);
  for (const { column, field, message } of directive.problems) {
    problems.push({ file, line, column, ...(field ? { field } : {}), message });
  }
  const values = checkDefaults(
    directive.values,
    (field) => {
      const column = directive.columnOf(field);
      return column === undefined ? { file, line } : { file, line, column };
    },
    problems,
  );
  return directive.problems.length === 0 ? values : undefined;
}
