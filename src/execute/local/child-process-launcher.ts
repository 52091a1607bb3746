import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import type { Readable } from "node:stream";
import { formatArgv } from "../../spec/job-spec.js";
import { TailBuffer } from "../capture.js";
import type {
  JobExit,
  JobOutput,
  LaunchedJob,
  Launcher,
  LaunchSpec,
  OutputTarget,
  StageExit,
} from "../launcher.js";

/**
 * Joins the cgroups named on the command line, then becomes the command. It runs between fork
 * and exec, so every byte the command allocates is charged to the job's cgroup.
 * usage: sh -c JOIN_SCRIPT mpmsub-join N file1..fileN argv...
 */
const JOIN_SCRIPT =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ 2>/dev/null > "$1" || { echo "mpmsub: cannot join cgroup $1" >&2; exit 125; }; shift; n=$((n-1)); done; exec "$@"';

/**
 * Starts jobs with Node's child_process: each process in a new session and process group
 * (`detached`), stdin from /dev/null, stdout and stderr captured (tail-capped) or written to files.
 */
export class ChildProcessLauncher implements Launcher {
  launch(spec: LaunchSpec): LaunchedJob {
    const files = new OutputFiles(spec.stdout, spec.stderr);
    const children: ChildProcess[] = [];
    const exits: Promise<StageExit & { error?: string }>[] = [];
    const stdout = new TailBuffer(spec.captureLimitBytes);
    const stderrs: TailBuffer[] = [];
    const streams: Readable[] = [];
    try {
      let previous: Readable | undefined;
      spec.stages.forEach((argv, i) => {
        const last = i === spec.stages.length - 1;
        const stdio: StdioOptions = [
          previous ?? "ignore",
          last ? files.stdio("stdout") : "pipe",
          files.stdio("stderr"),
        ];
        const [program, ...args] = wrap(argv, spec.joinFiles);
        const child = spawn(program as string, args, { cwd: spec.cwd, env: spec.env, stdio, detached: true });
        children.push(child);
        exits.push(exitOf(child));
        // The next stage has its own copy of the pipe; ours must close, or an upstream stage
        // would never get SIGPIPE when the downstream one exits early.
        previous?.destroy();
        previous = last ? undefined : (child.stdout ?? undefined);
        if (last && child.stdout) streams.push(collect(child.stdout, stdout));
        if (child.stderr) {
          const buffer = new TailBuffer(spec.captureLimitBytes);
          stderrs.push(buffer);
          streams.push(collect(child.stderr, buffer));
        }
      });
    } catch (error) {
      for (const child of children) signalGroup(child.pid, "SIGKILL");
      throw error;
    } finally {
      files.close();
    }

    const pids = children.map((c) => c.pid).filter((p): p is number => p !== undefined);
    const exited: Promise<JobExit> = Promise.all(exits).then((stages) => ({
      stages: stages.map(({ code, signal }) => ({ code, signal })),
      spawnError: stages.find((s) => s.error)?.error,
    }));
    return {
      pids,
      processGroups: pids,
      exited,
      signal: (signal) => {
        for (const pid of pids) signalGroup(pid, signal);
      },
      collectOutput: async (graceMs): Promise<JobOutput> => {
        await settle(streams, graceMs);
        return {
          stdout:
            spec.stdout.kind === "file" ? `[Output redirected to ${spec.stdout.path}]` : stdout.toString(),
          stderr:
            spec.stderr.kind === "file"
              ? `[Output redirected to ${spec.stderr.path}]`
              : labelStages(spec.stages, stderrs.map(String)),
        };
      },
    };
  }
}

function wrap(argv: readonly string[], joinFiles: readonly string[]): readonly string[] {
  if (joinFiles.length === 0) return argv;
  return ["/bin/sh", "-c", JOIN_SCRIPT, "mpmsub-join", String(joinFiles.length), ...joinFiles, ...argv];
}

function exitOf(child: ChildProcess): Promise<StageExit & { error?: string }> {
  return new Promise((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      // 'error' without a pid means the process never started; with one, 'exit' still follows.
      if (child.pid === undefined) resolve({ code: null, signal: null, error: spawnMessage(error) });
    });
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

function spawnMessage(error: NodeJS.ErrnoException): string {
  const path = (error as { path?: string }).path;
  if (error.code === "ENOENT") return `command not found: ${path ?? error.message}`;
  if (error.code === "EACCES") return `permission denied: ${path ?? error.message}`;
  return `could not start: ${error.message}`;
}

function collect(stream: Readable, buffer: TailBuffer): Readable {
  stream.on("data", (chunk: Buffer) => buffer.push(chunk));
  stream.on("error", () => {});
  return stream;
}

/** Waits until every stream has closed, for at most `graceMs`; a process that left a grandchild holding the pipe cannot stall the job. */
async function settle(streams: readonly Readable[], graceMs: number): Promise<void> {
  const open = streams.filter((s) => !s.closed);
  if (open.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(open.map((s) => new Promise((resolve) => s.once("close", resolve)))),
    new Promise((resolve) => {
      timer = setTimeout(resolve, graceMs);
    }),
  ]);
  clearTimeout(timer);
  for (const s of open) s.destroy();
}

function labelStages(stages: readonly (readonly string[])[], texts: readonly string[]): string {
  if (stages.length === 1) return texts[0] ?? "";
  return texts
    .map((text, i) => (text.length > 0 ? `[stage ${i + 1}: ${formatArgv(stages[i] ?? [])}]\n${text}` : ""))
    .filter((t) => t.length > 0)
    .join(texts.some((t) => t.length > 0 && !t.endsWith("\n")) ? "\n" : "");
}

/** Sends a signal to a process group, ignoring one that is already gone. */
export function signalGroup(pgid: number | undefined, signal: NodeJS.Signals): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/** Output files opened for one job; stdout and stderr share one descriptor when they name the same file. */
class OutputFiles {
  readonly #fds = new Map<string, number>();

  constructor(
    private readonly stdout: OutputTarget,
    private readonly stderr: OutputTarget,
  ) {
    for (const [name, target] of [
      ["stdout", stdout],
      ["stderr", stderr],
    ] as const) {
      if (target.kind !== "file" || this.#fds.has(target.path)) continue;
      try {
        this.#fds.set(target.path, openSync(target.path, "w"));
      } catch (error) {
        this.close();
        throw new Error(`cannot open ${name} file ${target.path}: ${(error as Error).message}`);
      }
    }
  }

  stdio(which: "stdout" | "stderr"): "pipe" | number {
    const target = which === "stdout" ? this.stdout : this.stderr;
    return target.kind === "file" ? (this.#fds.get(target.path) as number) : "pipe";
  }

  /** The children hold their own copies of the descriptors; ours close once they are started. */
  close(): void {
    for (const fd of this.#fds.values()) closeSync(fd);
    this.#fds.clear();
  }
}
