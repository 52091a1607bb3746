// The main thread's half of every task's life: admission (a free task record, else the waiting
// line), placement (inline numbers on the shared queue, anything else through a worker's
// inbox), completion (from the completion rings when Atomics.waitAsync wakes us, or from a
// worker's results message), abort, and what happens to a dead worker's tasks.

import type { TransferListItem } from "node:worker_threads";
import { decodeThrown, TaskTimeoutError, WorkerExitError } from "./errors.js";
import { Fifo } from "./fifo.js";
import { Inbox } from "./inbox.js";
import { FN, PAYLOAD, RESULT } from "./layout.js";
import type { MapJob } from "./map-job.js";
import type { ResolvedOptions } from "./options.js";
import { isRunning, type SharedQueue } from "./shared-queue.js";
import type { PoolCounters } from "./status.js";
import type { ExitCause } from "./supervisor.js";
import { ORIGIN, type Reject, type Resolve, ROUTE, TaskTable } from "./task-table.js";

/** A call that has no task record yet: waiting for one, or for the handler names. */
export interface Request {
  name: string;
  args: readonly unknown[];
  origin: number;
  /** Settles the caller's promise: the call's result for exec/submit, admission for enqueue with wait. */
  resolve: Resolve | undefined;
  reject: Reject | undefined;
  signal: AbortSignal | undefined;
  transfer: readonly TransferListItem[] | undefined;
  timeout: number;
  job: MapJob | undefined;
  /** Removes the abort listener; the record calls it when it is released. */
  unwire: (() => void) | undefined;
  /** Its record once admitted, -1 before. */
  slot: number;
}

export interface DispatcherHooks {
  /** Posts to worker `w`'s inbox channel. */
  post(w: number, message: unknown, transfer: readonly TransferListItem[]): void;
  /** Whether worker `w` is alive and has loaded the handlers. */
  accepts(w: number): boolean;
  /** Nothing is queued, waiting or running any more. */
  idle(): void;
}

/** Counts of enqueued tasks that ended, for run(). */
export interface RunCounts {
  /** Tasks that returned. */
  done: number;
  /** Tasks that threw, timed out, or whose worker died on every attempt. */
  failed: number;
  /** The reasons of the first 100 failures. */
  errors: unknown[];
}

const MAX_RUN_ERRORS = 100;

export function newRequest(name: string, args: readonly unknown[], origin: number): Request {
  return {
    name,
    args,
    origin,
    resolve: undefined,
    reject: undefined,
    signal: undefined,
    transfer: undefined,
    timeout: 0,
    job: undefined,
    unwire: undefined,
    slot: -1,
  };
}

export class Dispatcher {
  readonly table: TaskTable;
  readonly counters: PoolCounters = {
    submitted: 0,
    done: 0,
    failed: 0,
    cancelled: 0,
    retried: 0,
    timedOut: 0,
    respawned: 0,
    recycled: 0,
  };
  /** Handler name to id, filled in once the first worker has loaded the module. */
  readonly ids = new Map<string, number>();
  private names: readonly string[] | undefined;
  private runCounts: RunCounts = { done: 0, failed: 0, errors: [] };
  private readonly waiting = new Fifo<Request>();
  /** Records admitted before the handler names were known. */
  private readonly unplaced = new Fifo<number>();
  private readonly inbox: Inbox;
  private flushScheduled = false;
  private waitArmed = false;
  /** Holds the process open while tasks are in flight; workers and channels are unref'd. */
  private readonly keepAlive: NodeJS.Timeout;
  private held = false;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly queue: SharedQueue,
    private readonly hooks: DispatcherHooks,
  ) {
    this.table = new TaskTable(options.slots);
    this.inbox = new Inbox(this.table, options.workers, 2 * options.batch, {
      accepts: hooks.accepts,
      post: hooks.post,
      release: (slot) => this.release(slot),
      fail: (slot, reason) => this.settleFailure(slot, reason),
    });
    this.keepAlive = setInterval(() => {}, 2 ** 31 - 1);
    this.keepAlive.unref();
  }

  get known(): boolean {
    return this.names !== undefined;
  }

  /** True when a call can take a record at once (nothing is waiting ahead of it). */
  get hasRoom(): boolean {
    return this.table.available > 0 && this.waiting.length === 0;
  }

  get isIdle(): boolean {
    return this.table.inUse === 0 && this.waiting.length === 0;
  }

  /** Tasks not yet taken by a worker. */
  get queued(): number {
    return this.queue.queued() + this.inbox.length + this.unplaced.length;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  /** The handler names as the workers reported them; false if they differ from the first report. */
  learnNames(names: readonly string[]): boolean {
    if (this.names !== undefined) return names.join("\n") === this.names.join("\n");
    this.names = names;
    for (const [k, name] of names.entries()) this.ids.set(name, FN.FIRST_HANDLER_ID + k);
    for (let slot = this.unplaced.shift(); slot !== undefined; slot = this.unplaced.shift()) {
      const table = this.table;
      if (table.origin[slot] === ORIGIN.ABANDONED) this.release(slot);
      else
        this.placeByName(
          slot,
          table.name[slot] as string,
          table.args[slot] as unknown[],
          table.transfer[slot],
        );
    }
    return true;
  }

  /** The fast path of exec: the caller has checked `hasRoom` and knows the id. */
  start(fnId: number, args: readonly unknown[], resolve: Resolve, reject: Reject): void {
    const slot = this.take(ORIGIN.CALL);
    this.table.resolve[slot] = resolve;
    this.table.reject[slot] = reject;
    this.place(slot, fnId, args, undefined);
  }

  admit(request: Request): void {
    if (request.signal !== undefined) this.wireAbort(request, request.signal);
    if (this.hasRoom) this.assign(request);
    else {
      this.hold();
      this.waiting.push(request);
    }
  }

  /** Counts of enqueued tasks since the last call. */
  takeRunCounts(): RunCounts {
    const counts = this.runCounts;
    this.runCounts = { done: 0, failed: 0, errors: [] };
    return counts;
  }

  /** Rejects everything waiting or in flight; the records whose workers still run are let go. */
  cancelAll(reason: unknown): void {
    for (let request = this.waiting.shift(); request !== undefined; request = this.waiting.shift()) {
      this.countFailure(request.origin, reason);
      request.unwire?.();
      request.reject?.(reason);
      request.job?.ticketFailed(reason);
    }
    for (let slot = 0; slot < this.table.capacity; slot++) {
      const origin = this.table.origin[slot];
      if (origin === ORIGIN.ABANDONED) this.release(slot);
      else if (origin !== ORIGIN.FREE) this.settleFailure(slot, reason);
    }
    if (this.isIdle) this.becomeIdle();
  }

  /** Stops holding the process open for good. */
  dispose(): void {
    clearInterval(this.keepAlive);
  }

  nameOfSlot(slot: number): string {
    const fnId = this.table.fnId[slot] as number;
    if (fnId === FN.MAP_TICKET) return `map(${this.table.job[slot]?.message.name ?? ""})`;
    return this.names?.[fnId - FN.FIRST_HANDLER_ID] ?? String(this.table.name[slot]);
  }

  unknownHandler(name: string): Error {
    return new TypeError(
      `no handler named ${JSON.stringify(name)} in ${this.options.handlers}; it exports: ${this.names?.join(", ")}`,
    );
  }

  // --- admission and placement -------------------------------------------------------------

  private take(origin: number): number {
    this.hold();
    return this.table.take(origin);
  }

  private assign(request: Request): void {
    const slot = this.take(request.origin);
    const table = this.table;
    request.slot = slot;
    table.timeout[slot] = request.timeout;
    table.cleanup[slot] = request.unwire;
    if (request.origin === ORIGIN.CALL) {
      table.resolve[slot] = request.resolve;
      table.reject[slot] = request.reject;
    } else if (request.origin === ORIGIN.QUEUED) {
      request.resolve?.(undefined);
    }
    if (request.job !== undefined) {
      table.job[slot] = request.job;
      table.fnId[slot] = FN.MAP_TICKET;
      table.route[slot] = ROUTE.QUEUE;
      this.queue.writeTicket(slot, request.job.id, 0, 0);
      this.queue.push(slot);
      this.scheduleFlush();
    } else if (this.names === undefined) {
      table.name[slot] = request.name;
      table.args[slot] = request.args;
      table.transfer[slot] = request.transfer;
      this.unplaced.push(slot);
    } else {
      this.placeByName(slot, request.name, request.args, request.transfer);
    }
  }

  private placeByName(
    slot: number,
    name: string,
    args: readonly unknown[],
    transfer: readonly TransferListItem[] | undefined,
  ): void {
    const fnId = this.ids.get(name);
    if (fnId === undefined) this.settleFailure(slot, this.unknownHandler(name));
    else this.place(slot, fnId, args, transfer);
  }

  private place(
    slot: number,
    fnId: number,
    args: readonly unknown[],
    transfer: readonly TransferListItem[] | undefined,
  ): void {
    const table = this.table;
    table.fnId[slot] = fnId;
    if (transfer === undefined && this.queue.writeInline(slot, fnId, args)) {
      table.route[slot] = ROUTE.QUEUE;
      this.queue.push(slot);
    } else {
      this.queue.writeMessageCall(slot, fnId);
      table.route[slot] = ROUTE.INBOX;
      table.args[slot] = args;
      table.transfer[slot] = transfer;
      this.inbox.push(slot);
    }
    this.scheduleFlush();
  }

  // --- publishing and completions ----------------------------------------------------------

  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(this.flush);
  }

  /** Once per burst of calls: post inbox tasks, publish the queue tail, collect what is done. */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.inbox.length > 0) this.inbox.dispatch();
    this.queue.publish();
    this.drainCompletions();
    this.armWait();
  };

  private drainCompletions(): void {
    for (let w = 0; w < this.options.workers; w++) this.queue.drain(w, this.onCompletion);
  }

  /**
   * Waits, without blocking, for a worker to publish completions. Workers notify only while
   * MAIN_WAITING is set, so the announcement comes before the last look at the rings.
   */
  private armWait(): void {
    if (this.waitArmed || this.table.inUse === 0) return;
    this.waitArmed = true;
    const seq = this.queue.mainSeq();
    this.queue.announceWait();
    this.drainCompletions();
    const wait = this.queue.waitForCompletions(seq);
    // Already bumped: come back after the event loop has had a turn, never in a microtask loop.
    if (wait === undefined) setImmediate(this.onWake);
    else void wait.then(this.onWake);
  }

  private readonly onWake = (): void => {
    this.waitArmed = false;
    this.flush();
  };

  private readonly onCompletion = (slot: number, kind: number, value: number): void => {
    if (kind === RESULT.NUMBER) this.settleValue(slot, value);
    else if (kind === RESULT.UNDEFINED) this.settleValue(slot, undefined);
    else if (this.table.origin[slot] !== ORIGIN.FREE) this.release(slot);
  };

  /** A worker's results message: [slot, kind, payload, ...]. */
  results(data: readonly unknown[]): void {
    for (let k = 0; k < data.length; k += 3) {
      const slot = data[k] as number;
      const kind = data[k + 1] as number;
      if (kind === PAYLOAD.VALUE) this.settleValue(slot, data[k + 2]);
      else this.settleFailure(slot, decodeThrown(kind, data[k + 2]));
    }
  }

  private settleValue(slot: number, value: unknown): void {
    const table = this.table;
    switch (table.origin[slot]) {
      case ORIGIN.CALL:
        this.counters.done++;
        (table.resolve[slot] as Resolve)(value);
        break;
      case ORIGIN.QUEUED:
        this.counters.done++;
        this.runCounts.done++;
        break;
      case ORIGIN.TICKET:
        (table.job[slot] as MapJob).ticketDone();
        break;
      case ORIGIN.FREE:
        return;
    }
    this.release(slot);
  }

  private settleFailure(slot: number, reason: unknown): void {
    const table = this.table;
    const origin = table.origin[slot] as number;
    if (origin === ORIGIN.FREE) return;
    this.countFailure(origin, reason);
    if (origin === ORIGIN.CALL) (table.reject[slot] as Reject)(reason);
    else if (origin === ORIGIN.TICKET) (table.job[slot] as MapJob).ticketFailed(reason);
    this.release(slot);
  }

  private countFailure(origin: number, reason: unknown): void {
    if (origin === ORIGIN.CALL || origin === ORIGIN.QUEUED) this.counters.failed++;
    if (origin === ORIGIN.QUEUED) {
      this.runCounts.failed++;
      if (this.runCounts.errors.length < MAX_RUN_ERRORS) this.runCounts.errors.push(reason);
    }
  }

  private release(slot: number): void {
    if (this.table.assignedTo[slot] !== -1) {
      this.inbox.left(slot);
      if (this.inbox.length > 0) this.scheduleFlush();
    }
    this.table.release(slot);
    if (this.waiting.length > 0) {
      while (this.table.available > 0 && this.waiting.length > 0)
        this.assign(this.waiting.shift() as Request);
    } else if (this.table.inUse === 0) this.becomeIdle();
  }

  // --- idleness ----------------------------------------------------------------------------

  private hold(): void {
    if (this.held) return;
    this.held = true;
    this.keepAlive.ref();
  }

  private becomeIdle(): void {
    if (this.held) {
      this.held = false;
      this.keepAlive.unref();
    }
    this.hooks.idle();
  }

  // --- abort ---------------------------------------------------------------------------------

  private wireAbort(request: Request, signal: AbortSignal): void {
    const onAbort = (): void => {
      if (request.slot < 0) {
        if (!this.waiting.remove(request)) return;
        this.counters.cancelled++;
        request.reject?.(signal.reason);
        if (this.isIdle) this.becomeIdle();
      } else if (this.table.origin[request.slot] === request.origin) {
        this.abandon(request.slot, signal.reason);
      }
    };
    signal.addEventListener("abort", onAbort, { once: true });
    request.unwire = () => signal.removeEventListener("abort", onAbort);
  }

  /** Rejects a task now; its record stays taken until no worker can touch it any more. */
  private abandon(slot: number, reason: unknown): void {
    const table = this.table;
    const reject = table.reject[slot];
    table.origin[slot] = ORIGIN.ABANDONED;
    this.counters.cancelled++;
    if (table.route[slot] !== ROUTE.UNPLACED) this.queue.cancel(slot);
    reject?.(reason);
  }

  // --- a worker ended ------------------------------------------------------------------------

  /**
   * Settles the fate of what an ended worker held: the task it was running is rejected (timeout)
   * or retried until `retries` is used up; the tasks it had claimed but not started go back.
   */
  recover(index: number, cause: ExitCause, code: number, error: unknown): void {
    this.drainCompletions();
    const state = this.queue.state(index);
    const running = isRunning(state) ? this.queue.current(index) : -1;
    const table = this.table;
    for (let slot = 0; slot < table.capacity; slot++) {
      const origin = table.origin[slot];
      if (origin === ORIGIN.FREE) continue;
      const held =
        (table.route[slot] === ROUTE.QUEUE && this.queue.owner(slot) === index + 1) ||
        table.assignedTo[slot] === index;
      if (!held) continue;
      if (origin === ORIGIN.ABANDONED) this.release(slot);
      else if (slot === running) this.retryOrFail(slot, index, cause, code, error);
      else this.requeue(slot, code, error);
    }
    if (cause === "retired") this.counters.recycled++;
    else this.counters.respawned++;
    this.scheduleFlush();
  }

  private retryOrFail(slot: number, index: number, cause: ExitCause, code: number, error: unknown): void {
    const table = this.table;
    if (cause === "timeout") {
      this.counters.timedOut++;
      const limit = table.timeout[slot] || this.options.taskTimeout;
      this.settleFailure(slot, new TaskTimeoutError(this.nameOfSlot(slot), limit));
      return;
    }
    const attempts = (table.attempts[slot] as number) + 1;
    table.attempts[slot] = attempts;
    // Transferred buffers went with the worker: such a task cannot be sent again.
    if (attempts > this.options.retries || table.transfer[slot] !== undefined) {
      this.settleFailure(slot, new WorkerExitError(this.nameOfSlot(slot), code, attempts, error));
      return;
    }
    this.counters.retried++;
    const job = table.job[slot];
    if (job !== undefined) {
      const [start, end] = this.queue.range(index);
      this.queue.writeTicket(slot, job.id, start, end);
    }
    this.requeue(slot, code, error);
  }

  private requeue(slot: number, code: number, error: unknown): void {
    const table = this.table;
    if (table.route[slot] === ROUTE.QUEUE) {
      this.queue.requeue(slot);
      return;
    }
    this.inbox.left(slot);
    if (table.transfer[slot] !== undefined) {
      // Its transferred buffers went to the worker that ended; there is nothing left to send again.
      const attempts = table.attempts[slot] as number;
      this.settleFailure(slot, new WorkerExitError(this.nameOfSlot(slot), code, attempts, error));
      return;
    }
    this.inbox.push(slot);
  }
}
