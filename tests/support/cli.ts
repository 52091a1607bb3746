import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");
const MAIN = join(ROOT, "src/cli/main.ts");
/** tsx's loader by absolute URL: the CLI runs in temporary directories, where a bare "tsx" does not resolve. */
const TSX = import.meta.resolve("tsx");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mpmsub ARGS` from the sources (no build needed), with no history and no TTY. */
export function mpmsub(
  args: readonly string[],
  options: { cwd: string; input?: string; env?: NodeJS.ProcessEnv },
): CliResult {
  const result = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd: options.cwd,
    input: options.input ?? "",
    encoding: "utf8",
    env: { ...process.env, XDG_CACHE_HOME: join(options.cwd, ".cache"), ...options.env },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `mpmsub ARGS` in the background. */
export function mpmsubAsync(args: readonly string[], options: { cwd: string }): ChildProcess {
  return spawn(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, XDG_CACHE_HOME: join(options.cwd, ".cache") },
  });
}
