import type { JobSpec } from "./job-spec.js";
import type { MemorySize } from "./memory.js";

/** Everything a job spec holds except the command. */
export type JobOptions = Omit<JobSpec, "cmd" | "pipeline">;

/**
 * A job built step by step. It is checked when appended to a cluster, like a plain spec.
 *
 * @example
 * new Job(["my_program", "input.txt"]).cpu(2).memory("4G").withTimeout(300).withId("analysis");
 * new Job(["cat", "input.txt"]).pipeTo(["grep", "important"]).memory("200M");
 */
export class Job {
  #spec: JobSpec;

  constructor(cmd: readonly string[] | string, options: JobOptions = {}) {
    this.#spec = { ...options, cmd };
  }

  /** Builds a pipeline job; see {@link pipeline}. */
  static fromPipeline(stages: readonly (readonly string[])[], options: JobOptions = {}): Job {
    const job = new Job([], options);
    job.#spec = { ...options, pipeline: stages };
    return job;
  }

  /** Sets the CPU cores the job needs. */
  cpu(cores: number): this {
    return this.#set({ p: cores }, ["cpus", "cpu"]);
  }

  /** Sets the memory the job needs: MB, a size such as `"4G"`, or `"auto"` (from history). */
  memory(size: MemorySize | "auto"): this {
    return this.#set({ m: size }, ["memory"]);
  }

  /** Sets the timeout in seconds. */
  withTimeout(seconds: number): this {
    return this.#set({ timeout: seconds });
  }

  /** Sets the job's id. */
  withId(id: string): this {
    return this.#set({ id });
  }

  /** Sets the working directory. */
  workingDir(path: string): this {
    return this.#set({ cwd: path });
  }

  /** Sets variables to merge onto the parent's environment. */
  environment(env: Readonly<Record<string, string>>): this {
    return this.#set({ env });
  }

  /** Writes standard output to a file. */
  stdoutTo(path: string): this {
    return this.#set({ stdout: path });
  }

  /** Writes standard error to a file. */
  stderrTo(path: string): this {
    return this.#set({ stderr: path });
  }

  /** Pipes this job's output into another command, making (or extending) a pipeline. */
  pipeTo(next: readonly string[]): this {
    const { cmd, pipeline, ...rest } = this.#spec;
    if (pipeline) {
      this.#spec = { ...rest, pipeline: [...pipeline, next] };
    } else if (typeof cmd === "string") {
      throw new TypeError(
        "pipeTo() needs an argv command; with shell: true, write the pipe into the command string",
      );
    } else {
      this.#spec = { ...rest, pipeline: [cmd ?? [], next] };
    }
    return this;
  }

  /** The job as a plain spec. */
  toSpec(): JobSpec {
    return { ...this.#spec };
  }

  #set(fields: Partial<JobSpec>, aliases: readonly (keyof JobSpec)[] = []): this {
    const spec: Record<string, unknown> = { ...this.#spec, ...fields };
    for (const alias of aliases) delete spec[alias];
    this.#spec = spec as JobSpec;
    return this;
  }
}

/** Creates a {@link Job}: `job(["echo", "hi"], { p: 1, m: "100M" })`. */
export function job(cmd: readonly string[] | string, options: JobOptions = {}): Job {
  return new Job(cmd, options);
}

/**
 * Creates a pipeline job: each stage's standard output feeds the next stage's standard input.
 * Every stage is measured and every stage's standard error is captured.
 *
 * @example
 * pipeline([["cat", "data.txt"], ["grep", "pattern"], ["sort"]], { m: "500M" });
 */
export function pipeline(stages: readonly (readonly string[])[], options: JobOptions = {}): Job {
  return Job.fromPipeline(stages, options);
}
