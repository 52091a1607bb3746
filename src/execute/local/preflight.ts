import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

/**
 * Checks, before anything is spawned, that the working directory exists and the program can be
 * found and executed, so that these common mistakes end the job with a readable message
 * rather than an exit code 127 from a shell.
 *
 * @returns the problem in words, or undefined when the job can start.
 */
export function preflight(
  program: string,
  cwd: string | undefined,
  path: string | undefined,
): string | undefined {
  const base = cwd === undefined ? process.cwd() : resolve(cwd);
  if (cwd !== undefined) {
    const problem = directoryProblem(base);
    if (problem) return `working directory ${cwd} ${problem}`;
  }
  if (program.includes("/")) {
    const problem = executableProblem(isAbsolute(program) ? program : resolve(base, program));
    return problem ? `cannot run ${program}: ${problem}` : undefined;
  }
  const dirs = (path ?? "").split(delimiter).filter((d) => d.length > 0);
  for (const dir of dirs) {
    if (executableProblem(join(resolve(base, dir), program)) === undefined) return undefined;
  }
  const searched = dirs.length > 0 ? dirs.join(delimiter) : "(PATH is empty)";
  return `command not found: ${program} (searched ${searched.length > 200 ? `${searched.slice(0, 200)}...` : searched})`;
}

function directoryProblem(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory()) return "is not a directory";
    accessSync(dir, constants.X_OK);
    return undefined;
  } catch (error) {
    return describe(error);
  }
}

function executableProblem(file: string): string | undefined {
  try {
    if (statSync(file).isDirectory()) return "it is a directory";
    accessSync(file, constants.X_OK);
    return undefined;
  } catch (error) {
    return describe(error);
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "does not exist";
  if (code === "EACCES") return "permission denied";
  if (code === "ENOTDIR") return "a path component is not a directory";
  return (error as Error).message;
}
