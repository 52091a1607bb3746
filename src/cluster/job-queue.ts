import { JobSpecError } from "../spec/errors.js";
import { Job } from "../spec/job.js";
import { defineJob, type JobDefinition, type JobSpec } from "../spec/job-spec.js";

/** A job as a queue lists it. */
export interface QueuedJobInfo {
  id: string;
  command: string;
  cpus: number;
  /** Declared memory in MB, or null. */
  memory: number | null;
}

/**
 * The jobs waiting to run: `p.jobs`. Every job is checked when it is added; a bad one is
 * rejected with an error naming it and its field, and in `extend` nothing is added unless
 * every job is good.
 */
export class JobQueue implements Iterable<QueuedJobInfo> {
  readonly #pending: JobDefinition[] = [];
  readonly #ids = new Set<string>();
  #appended = 0;
  #nextAutoId = 1;
  #listener: (() => void) | undefined;

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
    for (const definition of defined) {
      this.#ids.add(definition.id);
      this.#pending.push(definition);
    }
    if (defined.length > 0) this.#listener?.();
    return defined.map((d) => d.id);
  }

  /** Adds jobs like `Array.prototype.push`; returns the number of waiting jobs. */
  push(...jobs: (JobSpec | Job)[]): number {
    this.extend(jobs);
    return this.length;
  }

  /** Jobs waiting to run. */
  get length(): number {
    return this.#pending.length;
  }

  *[Symbol.iterator](): Iterator<QueuedJobInfo> {
    for (const d of this.#pending) {
      yield {
        id: d.id,
        command: d.command,
        cpus: d.cpus,
        memory: d.memoryBytes === undefined ? null : d.memoryBytes / (1024 * 1024),
      };
    }
  }

  /** @internal The waiting jobs, oldest first, for the run loop. */
  get pending(): readonly JobDefinition[] {
    return this.#pending;
  }

  /** @internal Removes jobs that have left the queue (started, rejected or cancelled). */
  remove(ids: ReadonlySet<string>): void {
    let kept = 0;
    for (const d of this.#pending) if (!ids.has(d.id)) this.#pending[kept++] = d;
    this.#pending.length = kept;
  }

  /**
   * @internal Puts a job that already ran back in its place by arrival order (a retry, or a job
   * stopped under memory pressure), so that it goes before jobs that came after it.
   */
  requeue(definition: JobDefinition): void {
    let low = 0;
    let high = this.#pending.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.#pending[mid] as JobDefinition).seq < definition.seq) low = mid + 1;
      else high = mid;
    }
    this.#pending.splice(low, 0, definition);
    this.#listener?.();
  }

  /** @internal Called whenever jobs are added, so that a running loop picks them up. */
  onAdd(listener: (() => void) | undefined): void {
    this.#listener = listener;
  }
}
