import type { QueuedJob, Resources } from "./policy.js";

/** Position of cores in a resource vector. */
export const CPUS = 0;
/** Position of memory in a resource vector. */
export const MEMORY = 1;

/**
 * The resources a cluster packs, as positions in a plain number vector: cores, memory, then its
 * named resources in name order. Policies compare vectors so that a GPU or a licence is packed
 * exactly like a core.
 */
export class Dimensions {
  /** The cluster's named resources, in vector order after cores and memory. */
  readonly names: readonly string[];
  readonly size: number;

  constructor(capacity: Resources) {
    this.names = Object.keys(capacity.resources ?? {}).sort();
    this.size = 2 + this.names.length;
  }

  /** Resources as a vector; a named resource left out counts 0. */
  of(resources: Resources): Float64Array {
    const vector = new Float64Array(this.size);
    vector[CPUS] = resources.cpus;
    vector[MEMORY] = resources.memory;
    const named = resources.resources;
    if (named)
      for (let i = 0; i < this.names.length; i++) vector[2 + i] = named[this.names[i] as string] ?? 0;
    return vector;
  }

  /**
   * What a job holds while it runs; memory counts 0 for a job without declared memory. Undefined
   * if it asks for a named resource the cluster does not have at all.
   */
  demand(job: Pick<QueuedJob, "cpus" | "memory" | "resources">): Float64Array | undefined {
    for (const [name, amount] of Object.entries(job.resources ?? {})) {
      if (amount > 0 && !this.names.includes(name)) return undefined;
    }
    return this.of({ cpus: job.cpus, memory: job.memory ?? 0, resources: job.resources });
  }
}

/** Whether every component of `need` is at most the same component of `available`. */
export function within(need: Float64Array, available: Float64Array): boolean {
  for (let i = 0; i < need.length; i++) {
    if ((need[i] as number) > (available[i] as number)) return false;
  }
  return true;
}
