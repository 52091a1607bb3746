import { JobSpecError } from "../spec/errors.js";
import { Job } from "../spec/job.js";
import { defineJob, type JobDefinition, type JobSpec } from "../spec/job-spec.js";

/** A job as a queue lists it. */
export interface QueuedJobInfo {
  id: string;
  command: string;
  cpus: number;
  /** Memory it asks for in MB (declared, or estimated from history), or null. */
  memory: number | null;
}

/**
 * The jobs waiting to run: `p.jobs`. Every job is checked when it is added; a bad one is
 * rejected with an error naming it and its field, and in `extend` nothing is added unless
 * every job is good. Waiting jobs are kept by id, so that taking one out costs the same
 * however long the queue is.
 */
export class JobQueue implements Iterable<QueuedJobInfo> {
  readonly #pending = new Map<string, JobDefinition>();
  /** The waiting jobs in arrival order, kept until the queue changes. */
  #ordered: JobDefinition[] | undefined;
  readonly #ids = new Set<string>();
  #appended = 0;
  #nextAutoId = 1;
  #listener: ((added: readonly JobDefinition[]) => void) | undefined;

  /**
   * @param resolve completes a checked job with what the cluster knows (history estimates); @internal
   */
  constructor(private readonly resolve: (job: JobDefinition) => JobDefinition = (job) => job) {}

  /** Adds a job; returns its id. */
  append(job: JobSpec | Job): string {
    return this.extend([job])[0] as string;
  }

  /** Adds several jobs at once, all or none; returns their ids. */
  extend(jobs: Iterable<JobSpec | Job>): string[] {
    const defined: JobDefinition[] = [];
    const ids = new Set<string>();
    let autoId = this.#nextAutoId;
    const takeId = () => {
      let id: string;
      do id = `job_${String(autoId++).padStart(4, "0")}`;
      while (this.#ids.has(id) || ids.has(id));
      return id;
    };
    for (const job of jobs) {
      const spec = job instanceof Job ? job.toSpec() : job;
      const position = this.#appended + defined.length + 1;
      const definition = defineJob(spec, position, position - 1, takeId);
      if (this.#ids.has(definition.id) || ids.has(definition.id)) {
        throw new JobSpecError(`job "${definition.id}"`, [
          { field: "id", message: "another job already has this id" },
        ]);
      }
      ids.add(definition.id);
      defined.push(definition);
    }
    this.#nextAutoId = autoId;
    this.#appended += defined.length;
    const added = defined.map((d) => this.resolve(d));
    for (const definition of added) {
      this.#ids.add(definition.id);
      this.#pending.set(definition.id, definition);
    }
    this.#ordered = undefined;
    if (added.length > 0) this.#listener?.(added);
    return added.map((d) => d.id);
  }

  /** Adds jobs like `Array.prototype.push`; returns the number of waiting jobs. */
  push(...jobs: (JobSpec | Job)[]): number {
    this.extend(jobs);
    return this.length;
  }

  /** Jobs waiting to run. */
  get length(): number {
    return this.#pending.size;
  }

  *[Symbol.iterator](): Iterator<QueuedJobInfo> {
    for (const d of this.pending) {
      yield {
        id: d.id,
        command: d.command,
        cpus: d.cpus,
        memory: d.memoryBytes === undefined ? null : d.memoryBytes / (1024 * 1024),
      };
    }
  }

  /** @internal The waiting jobs in arrival order. */
  get pending(): readonly JobDefinition[] {
    this.#ordered ??= [...this.#pending.values()].sort((a, b) => a.seq - b.seq);
    return this.#ordered;
  }

  /** @internal Takes a waiting job out, to start it; undefined if it is not waiting. */
  take(id: string): JobDefinition | undefined {
    const definition = this.#pending.get(id);
    if (definition) {
      this.#pending.delete(id);
      this.#ordered = undefined;
    }
    return definition;
  }

  /**
   * @internal Puts a job that already ran back (a retry, or a job stopped under memory
   * pressure), in its place by arrival order.
   */
  requeue(definition: JobDefinition): void {
    this.#pending.set(definition.id, definition);
    this.#ordered = undefined;
    this.#listener?.([definition]);
  }

  /** @internal Called with the jobs that join the queue, so that a running loop picks them up. */
  onAdd(listener: ((added: readonly JobDefinition[]) => void) | undefined): void {
    this.#listener = listener;
  }
}
