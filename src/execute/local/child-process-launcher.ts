import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { constants } from "node:os";
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
import { joinCgroupsScript, parseStageStatuses, pipelineScript } from "./shell-script.js";

/** Milliseconds to wait, after the shell exits, for a pipeline's stage statuses to arrive. */
const STATUS_GRACE_MS = 1000;

/**
 * Starts jobs with Node's child_process: each job in a new session and process group
 * (`detached`), stdin from /dev/null, stdout and stderr captured (tail-capped) or written to
 * files. A pipeline runs in one /bin/sh with real pipes between its stages.
 */
export class ChildProcessLauncher implements Launcher {
  launch(spec: LaunchSpec): LaunchedJob {
    const files = new OutputFiles(spec.stdout, spec.stderr);
    try {
      return spec.stages.length === 1 ? launchCommand(spec, files) : launchPipeline(spec, files);
    } finally {
      // The child holds its own copies of the descriptors.
      files.close();
    }
  }
}

function launchCommand(spec: LaunchSpec, files: OutputFiles): LaunchedJob {
  const argv = spec.stages[0] as readonly string[];
  // With cgroups, a shell joins them and then becomes the command (exec), so nothing escapes.
  const [program, ...args] =
    spec.joinFiles.length === 0
      ? argv
      : ["/bin/sh", "-c", `${joinCgroupsScript(spec.joinFiles)}exec "$@"`, "mpmsub-job", ...argv];
  const child = start(program as string, args, spec, [files.stdio("stdout"), files.stdio("stderr")]);
  const stdout = capture(child.stdout, spec.captureLimitBytes);
  const stderr = capture(child.stderr, spec.captureLimitBytes);
  const exited = exitOf(child).then(
    ({ code, signal, error }): JobExit => ({ stages: [{ code, signal }], spawnError: error }),
  );
  return launched(child, exited, spec, async (graceMs) => {
    await settle([stdout.stream, stderr.stream], graceMs);
    return { stdout: stdout.text(), stderr: stderr.text() };
  });
}

function launchPipeline(spec: LaunchSpec, files: OutputFiles): LaunchedJob {
  const n = spec.stages.length;
  const stageStderr = files.stdio("stderr");
  const stdio: StdioOptions = [files.stdio("stdout"), stageStderr];
  for (let i = 0; i < n - 1; i++) stdio.push(stageStderr);
  stdio.push("pipe");
  const script = joinCgroupsScript(spec.joinFiles) + pipelineScript(spec.stages);
  const child = start("/bin/sh", ["-c", script], spec, stdio);
  const stdout = capture(child.stdout, spec.captureLimitBytes);
  // The last stage writes to the shell's own stderr; stages before it to descriptors 3 .. n+1.
  const stderrs = [...Array.from({ length: n - 1 }, (_, i) => child.stdio[i + 3]), child.stderr].map((s) =>
    capture(s as Readable | null, spec.captureLimitBytes),
  );
  const statusStream = child.stdio[n + 2] as Readable | null;
  let statusText = "";
  statusStream?.setEncoding("utf8").on("data", (chunk: string) => {
    statusText += chunk;
  });
  statusStream?.on("error", () => {});

  const exited = exitOf(child).then(async ({ code, signal, error }): Promise<JobExit> => {
    if (statusStream) await settle([statusStream], STATUS_GRACE_MS);
    const statuses = parseStageStatuses(statusText, n);
    // A stage without a status line never finished: the shell itself was killed.
    const stages = statuses.map(
      (status): StageExit => (status === undefined ? { code, signal } : fromShellStatus(status)),
    );
    return { stages, spawnError: error };
  });
  return launched(child, exited, spec, async (graceMs) => {
    await settle([stdout.stream, ...stderrs.map((s) => s.stream)], graceMs);
    const labelled = stderrs
      .map((s, i) => ({ text: s.text(), label: `[stage ${i + 1}: ${formatArgv(spec.stages[i] ?? [])}]` }))
      .filter((s) => s.text.length > 0)
      .map((s) => `${s.label}\n${s.text}${s.text.endsWith("\n") ? "" : "\n"}`)
      .join("");
    return {
      stdout: stdout.text(),
      stderr: spec.stderr.kind === "file" ? (stderrs[0]?.text() ?? "") : labelled,
    };
  });
}

const SIGNAL_NAMES = new Map(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/** A shell's `$?`: 128+N means the command was killed by signal N. */
function fromShellStatus(status: number): StageExit {
  const signal = status > 128 ? SIGNAL_NAMES.get(status - 128) : undefined;
  return signal ? { code: null, signal } : { code: status, signal: null };
}

function start(
  program: string,
  args: readonly string[],
  spec: LaunchSpec,
  output: StdioOptions,
): ChildProcess {
  const stdio = ["ignore", ...(output as unknown[])] as StdioOptions;
  return spawn(program, args, { cwd: spec.cwd, env: spec.env, stdio, detached: true });
}

function launched(
  child: ChildProcess,
  exited: Promise<JobExit>,
  spec: LaunchSpec,
  collect: (graceMs: number) => Promise<JobOutput>,
): LaunchedJob {
  const pids = child.pid === undefined ? [] : [child.pid];
  return {
    pids,
    processGroups: pids,
    exited,
    signal: (signal) => {
      for (const pid of pids) signalGroup(pid, signal);
    },
    collectOutput: async (graceMs) => {
      const output = await collect(graceMs);
      return {
        stdout: spec.stdout.kind === "file" ? `[Output redirected to ${spec.stdout.path}]` : output.stdout,
        stderr: spec.stderr.kind === "file" ? `[Output redirected to ${spec.stderr.path}]` : output.stderr,
      };
    },
  };
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

/** Keeps the tail of a stream; a missing stream (written to a file) reads as empty. */
function capture(stream: Readable | null, limit: number): { stream: Readable | null; text(): string } {
  const buffer = new TailBuffer(limit);
  stream?.on("data", (chunk: Buffer) => buffer.push(chunk));
  stream?.on("error", () => {});
  return { stream, text: () => buffer.toString() };
}

/** Waits until every stream has closed, for at most `graceMs`; a process that left a grandchild holding the pipe cannot stall the job. */
async function settle(streams: readonly (Readable | null)[], graceMs: number): Promise<void> {
  const open = streams.filter((s): s is Readable => s !== null && !s.closed);
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

/** Sends a signal to a process group, ignoring one that is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
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

  close(): void {
    for (const fd of this.#fds.values()) closeSync(fd);
    this.#fds.clear();
  }
}
