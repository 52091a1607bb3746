import { availableParallelism } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ResourceLimits } from "node:worker_threads";

/** Options of {@link createPool}. Times are in milliseconds. */
export interface PoolOptions {
  /**
   * The module whose exported functions the workers may run, by export name: a file path
   * (relative paths are resolved against the current directory) or a URL.
   */
  handlers: string | URL;
  /** Worker threads; defaults to the usable CPUs (`os.availableParallelism()`). */
  workers?: number;
  /** Task records in the shared queue, a power of two; defaults to 4096. */
  slots?: number;
  /** Most tasks a worker claims from the queue at once; defaults to 64. */
  batch?: number;
  /** Times a task is run again after its worker died while running it; defaults to 2. */
  retries?: number;
  /** A task running longer than this has its worker terminated and replaced, and is rejected. */
  taskTimeout?: number;
  /** Replace a worker after it has run this many tasks, or once its V8 heap exceeds this size. */
  recycleAfter?: { tasks?: number; heapMB?: number };
  /** V8 heap limits for each worker (Node's `Worker` option); a worker over them dies and is replaced. */
  resourceLimits?: ResourceLimits;
  /** Redraw a live status table on stderr while tasks run, when stderr is a terminal. */
  display?: boolean;
}

export interface ResolvedOptions {
  handlers: string;
  workers: number;
  slots: number;
  batch: number;
  retries: number;
  taskTimeout: number;
  recycleTasks: number;
  recycleHeapBytes: number;
  resourceLimits: ResourceLimits | undefined;
  display: boolean;
}

const MAX_WORKERS = 1024;
const MAX_SLOTS = 1 << 24;
const MAX_BATCH = 1024;

export function resolveOptions(options: PoolOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createPool needs an options object with at least `handlers`");
  }
  const workers = options.workers ?? availableParallelism();
  const slots = options.slots ?? 4096;
  const batch = options.batch ?? 64;
  const retries = options.retries ?? 2;
  checkInteger("workers", workers, 1, MAX_WORKERS);
  checkInteger("slots", slots, 2, MAX_SLOTS);
  if ((slots & (slots - 1)) !== 0) {
    throw new RangeError(`createPool: slots must be a power of two, got ${slots}`);
  }
  checkInteger("batch", batch, 1, MAX_BATCH);
  checkInteger("retries", retries, 0, 255);
  const taskTimeout = options.taskTimeout ?? 0;
  if (options.taskTimeout !== undefined)
    checkPositive("createPool: taskTimeout", taskTimeout, "milliseconds");
  const recycle = options.recycleAfter ?? {};
  if (recycle.tasks !== undefined)
    checkInteger("recycleAfter.tasks", recycle.tasks, 1, Number.MAX_SAFE_INTEGER);
  if (recycle.heapMB !== undefined) checkPositive("createPool: recycleAfter.heapMB", recycle.heapMB, "MB");
  return {
    handlers: handlersUrl(options.handlers),
    workers,
    slots,
    batch,
    retries,
    taskTimeout,
    recycleTasks: recycle.tasks ?? 0,
    recycleHeapBytes: (recycle.heapMB ?? 0) * 1024 * 1024,
    resourceLimits: options.resourceLimits,
    display: options.display ?? false,
  };
}

/** Checks a per-call timeout (submit's `timeout`) the same way as the pool's. */
export function checkTimeout(name: string, value: number): void {
  checkPositive(name, value, "milliseconds");
}

function handlersUrl(handlers: string | URL): string {
  if (handlers instanceof URL) return handlers.href;
  if (typeof handlers !== "string" || handlers === "") {
    throw new TypeError(`createPool: handlers must be a module path or URL, got ${String(handlers)}`);
  }
  if (/^(file|data):/.test(handlers)) return handlers;
  return pathToFileURL(isAbsolute(handlers) ? handlers : resolve(handlers)).href;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`createPool: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function checkPositive(name: string, value: number, unit: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number of ${unit}, got ${value}`);
  }
}
