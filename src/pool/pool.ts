// The pool as its users see it: argument checks and call semantics, the pool's lifecycle
// (ready, close, failure to load the handlers), map jobs, status. Moving tasks is the
// dispatcher's job; starting and watching threads is the supervisor's.

import type { TransferListItem } from "node:worker_threads";
import { Dispatcher, newRequest, type RunCounts } from "./dispatcher.js";
import { StatusDisplay } from "./display.js";
import { PoolClosedError } from "./errors.js";
import type { HandlerArgs, HandlerName, HandlerResult, Handlers } from "./handler-types.js";
import { MAX_MAP_LENGTH, MapJob, type NumericArray } from "./map-job.js";
import { checkTimeout, type PoolOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { SharedQueue } from "./shared-queue.js";
import { describePool, type PoolStatus } from "./status.js";
import { Supervisor } from "./supervisor.js";
import { ORIGIN, type Reject, type Resolve } from "./task-table.js";

/** Options of {@link Pool.submit}. */
export interface SubmitOptions {
  /** Aborting rejects the call with the signal's reason; a task still queued is never run. */
  signal?: AbortSignal;
  /** ArrayBuffers (and other transferables) among the arguments to move to the worker instead of copying. */
  transfer?: readonly TransferListItem[];
  /** Milliseconds the task may run before its worker is terminated and replaced; overrides `taskTimeout`. */
  timeout?: number;
}

/** What {@link Pool.run} resolves with: the enqueued tasks that ended since the previous run() resolved. */
export type PoolRunResult = RunCounts;

/** Options of {@link Pool.close}. */
export interface PoolCloseOptions {
  /** Reject every unfinished task at once and terminate the workers, instead of letting tasks finish. */
  force?: boolean;
}

const NO_ARGS: readonly unknown[] = [];

interface Waiter {
  resolve: () => void;
  reject: Reject;
}

/**
 * A pool of worker threads running the functions a handlers module exports, through a queue in
 * shared memory. Create it with {@link createPool}; docs/pool.md has the guide and the design.
 */
export class Pool<H extends object = Handlers> {
  private readonly options: ResolvedOptions;
  private readonly queue: SharedQueue;
  private readonly dispatcher: Dispatcher;
  private readonly supervisor: Supervisor;
  private readonly jobs = new Map<number, MapJob>();
  private nextJobId = 1;
  private readonly readyWorkers = new Set<number>();
  private readyWaiters: Waiter[] = [];
  private namesWaiters: Waiter[] = [];
  private runWaiters: ((result: PoolRunResult) => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  /** Set once calls are refused: the pool is closing, or its handlers could not be loaded. */
  private refusal: Error | undefined;
  private closing: Promise<void> | undefined;
  private readonly display: StatusDisplay | undefined;

  constructor(options: PoolOptions) {
    this.options = resolveOptions(options);
    this.queue = new SharedQueue(this.options.slots, this.options.workers);
    this.dispatcher = new Dispatcher(this.options, this.queue, {
      post: (w, message, transfer) => {
        this.supervisor.post(w, message, transfer);
      },
      accepts: (w) => this.readyWorkers.has(w) && this.supervisor.isLive(w),
      idle: () => this.onIdle(),
    });
    const table = this.dispatcher.table;
    this.supervisor = new Supervisor(
      this.options,
      this.queue,
      {
        ready: (index, names) => this.onReady(index, names),
        results: (data) => this.dispatcher.results(data),
        exited: (index, cause, code, error) => {
          this.readyWorkers.delete(index);
          this.dispatcher.recover(index, cause, code, error);
          this.replace(index);
        },
        failed: (error) => this.fail(error),
      },
      (slot) => (slot < 0 ? 0 : table.timeout[slot] || this.options.taskTimeout),
    );
    this.supervisor.start();
    this.display =
      this.options.display && process.stderr.isTTY ? new StatusDisplay(() => this.status()) : undefined;
  }

  /** Runs handler `name` with `args` on a worker and resolves with its result: the fast path. */
  exec<K extends HandlerName<H>>(name: K, ...args: HandlerArgs<H, K>): Promise<HandlerResult<H, K>> {
    const dispatcher = this.dispatcher;
    const fnId = dispatcher.ids.get(name);
    if (fnId === undefined || !dispatcher.hasRoom || this.refusal !== undefined)
      return this.submit(name, args);
    dispatcher.counters.submitted++;
    return new Promise((resolve, reject) => dispatcher.start(fnId, args, resolve as Resolve, reject));
  }

  /** Like {@link exec}, with the arguments as an array and with options. */
  submit<K extends HandlerName<H>>(
    name: K,
    args: HandlerArgs<H, K>,
    options: SubmitOptions = {},
  ): Promise<HandlerResult<H, K>> {
    if (this.refusal !== undefined) return Promise.reject(this.refusal);
    if (!Array.isArray(args)) return Promise.reject(new TypeError("submit: args must be an array"));
    const { signal, transfer, timeout } = options;
    if (timeout !== undefined) {
      try {
        checkTimeout("submit: timeout", timeout);
      } catch (error) {
        return Promise.reject(error);
      }
      this.supervisor.watchTimeouts(timeout);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.dispatcher.counters.submitted++;
    return new Promise((resolve, reject) => {
      const request = newRequest(name, args, ORIGIN.CALL);
      request.resolve = resolve as Resolve;
      request.reject = reject;
      request.signal = signal;
      request.transfer = transfer;
      request.timeout = timeout ?? 0;
      this.dispatcher.admit(request);
    });
  }

  /**
   * Runs handler `name` on every element and resolves with the results in order: the bulk path.
   * The handler gets one number and must return a number (or a promise of one).
   */
  async map<K extends HandlerName<H>>(name: K, values: NumericArray): Promise<Float64Array> {
    if (this.refusal !== undefined) throw this.refusal;
    if (!ArrayBuffer.isView(values) || values instanceof DataView || typeof values[0] === "bigint") {
      throw new TypeError("map: values must be a typed array of numbers (not BigInt64Array or DataView)");
    }
    if (values.length > MAX_MAP_LENGTH) {
      throw new RangeError(`map: at most ${MAX_MAP_LENGTH} elements per call, got ${values.length}`);
    }
    const counters = this.dispatcher.counters;
    counters.submitted++;
    await this.names();
    const fnId = this.dispatcher.ids.get(name);
    if (fnId === undefined) {
      counters.failed++;
      throw this.dispatcher.unknownHandler(name);
    }
    if (values.length === 0) {
      counters.done++;
      return new Float64Array(0);
    }
    return new Promise((resolve, reject) => {
      const tickets = this.options.workers;
      const job = new MapJob(this.nextJobId++, fnId, name, values, tickets, (finished, error, output) => {
        this.jobs.delete(finished.id);
        if (error === undefined) {
          counters.done++;
          resolve(output);
        } else {
          counters.failed++;
          reject(error.reason);
        }
      });
      this.jobs.set(job.id, job);
      // Every worker learns the job before any of its tickets can reach one.
      for (let w = 0; w < this.options.workers; w++) this.supervisor.post(w, job.message);
      for (let t = 0; t < tickets; t++) {
        const request = newRequest(name, NO_ARGS, ORIGIN.TICKET);
        request.job = job;
        this.dispatcher.admit(request);
      }
    });
  }

  /**
   * MPOP style: queues a call whose result is not returned, only counted by {@link run}. Returns
   * false, queuing nothing, when the queue is full. With `{ wait: true }` first, it returns a
   * promise that resolves once the call is queued, however long that takes.
   */
  enqueue<K extends HandlerName<H>>(name: K, ...args: HandlerArgs<H, K>): boolean;
  enqueue<K extends HandlerName<H>>(
    options: { wait: true },
    name: K,
    ...args: HandlerArgs<H, K>
  ): Promise<void>;
  enqueue(first: string | { wait: true }, ...rest: unknown[]): boolean | Promise<void> {
    if (typeof first === "string") {
      if (this.refusal !== undefined) throw this.refusal;
      if (!this.dispatcher.hasRoom) return false;
      this.dispatcher.counters.submitted++;
      this.dispatcher.admit(newRequest(first, rest, ORIGIN.QUEUED));
      return true;
    }
    if (first?.wait !== true || typeof rest[0] !== "string") {
      throw new TypeError("enqueue: call enqueue(name, ...args) or enqueue({ wait: true }, name, ...args)");
    }
    if (this.refusal !== undefined) return Promise.reject(this.refusal);
    this.dispatcher.counters.submitted++;
    const request = newRequest(rest[0], rest.slice(1), ORIGIN.QUEUED);
    return new Promise((resolve, reject) => {
      request.resolve = resolve as Resolve;
      request.reject = reject;
      this.dispatcher.admit(request);
    });
  }

  /**
   * Drains the pool: resolves once nothing is queued, waiting or running, with the counts of
   * enqueued tasks that ended since the previous run() resolved. Given a `producer`, the pool
   * runs tasks while it enqueues more, and run() resolves only after the producer has returned
   * (or its promise settled) and everything has ended: the pool being idle for a moment while
   * a slow producer thinks does not end the run.
   */
  async run(producer?: () => unknown): Promise<PoolRunResult> {
    if (producer !== undefined) await producer();
    return new Promise((resolve) => {
      this.runWaiters.push(resolve);
      if (this.dispatcher.isIdle) this.onIdle();
    });
  }

  /** A snapshot: queue occupancy, each worker's state and counts, totals, handler ids. */
  status(): PoolStatus {
    const dispatcher = this.dispatcher;
    return describePool({
      capacity: this.options.slots,
      occupied: dispatcher.table.inUse,
      queued: dispatcher.queued,
      waiting: dispatcher.waitingCount,
      queue: this.queue,
      workers: this.supervisor.workers(),
      taskOf: (slot) => dispatcher.nameOfSlot(slot),
      counters: dispatcher.counters,
      ids: dispatcher.ids,
    });
  }

  /** Resolves once every worker has loaded the handlers module; rejects if they cannot. */
  ready(): Promise<void> {
    if (this.readyWorkers.size === this.options.workers) return Promise.resolve();
    if (this.refusal !== undefined) return Promise.reject(this.refusal);
    return keptOpen(new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject })));
  }

  /**
   * Stops taking calls, lets every accepted task finish (or, with `force`, rejects all unfinished
   * ones at once with PoolClosedError), then ends the worker threads. Resolves when none is left.
   */
  close(options: PoolCloseOptions = {}): Promise<void> {
    this.refusal ??= new PoolClosedError("the pool is closed");
    if (options.force === true) {
      this.dispatcher.cancelAll(new PoolClosedError("the pool was closed before this task finished"));
    }
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    if (!this.dispatcher.isIdle) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    // The last drawing shows the workers' final counts, before their threads go.
    this.display?.stop();
    await this.supervisor.stop();
    this.dispatcher.dispose();
    this.rejectWaiters(this.refusal);
  }

  /** The handlers module cannot be loaded: every call is rejected with why, and the threads end. */
  private fail(reason: unknown): void {
    if (this.closing !== undefined) return;
    this.refusal = reason instanceof Error ? reason : new Error(String(reason));
    this.rejectWaiters(reason);
    this.dispatcher.cancelAll(reason);
    this.closing = this.shutDown();
  }

  private rejectWaiters(reason: unknown): void {
    for (const waiter of [...this.readyWaiters.splice(0), ...this.namesWaiters.splice(0)])
      waiter.reject(reason);
  }

  private onReady(index: number, names: readonly string[]): void {
    if (!this.dispatcher.learnNames(names)) {
      this.fail(new Error(`the handlers module ${this.options.handlers} changed while the pool was running`));
      return;
    }
    for (const waiter of this.namesWaiters.splice(0)) waiter.resolve();
    this.readyWorkers.add(index);
    if (this.readyWorkers.size === this.options.workers) {
      for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
    }
    this.dispatcher.scheduleFlush();
  }

  /** Starts a worker in place of one that ended, unless the pool is closing with nothing left to run. */
  private replace(index: number): void {
    if (this.closing !== undefined && this.dispatcher.isIdle) return;
    this.supervisor.spawn(index);
    for (const job of this.jobs.values()) this.supervisor.post(index, job.message);
  }

  private onIdle(): void {
    if (this.runWaiters.length > 0) {
      const result = this.dispatcher.takeRunCounts();
      for (const resolve of this.runWaiters.splice(0)) resolve(result);
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private names(): Promise<void> {
    if (this.dispatcher.known) return Promise.resolve();
    if (this.refusal !== undefined) return Promise.reject(this.refusal);
    return keptOpen(new Promise((resolve, reject) => this.namesWaiters.push({ resolve, reject })));
  }
}

/** Keeps the process alive until `promise` settles, as a task in flight does (the threads do not). */
function keptOpen<T>(promise: Promise<T>): Promise<T> {
  const timer = setInterval(() => {}, 2 ** 31 - 1);
  return promise.finally(() => clearInterval(timer));
}

/**
 * Starts a pool of worker threads that run the functions exported by `options.handlers`.
 * Pass the module's type to get typed calls: `createPool<typeof import("./tasks.js")>(...)`.
 */
export function createPool<H extends object = Handlers>(options: PoolOptions): Pool<H> {
  return new Pool<H>(options);
}
