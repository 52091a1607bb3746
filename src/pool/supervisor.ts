// Starts the worker threads, listens to them, notices how each one ends, and terminates those
// stuck in a task for longer than its timeout. What to do about an ended worker (retry, reject,
// replace) is the pool's decision; this file only reports why it ended.

import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  type TransferListItem,
  Worker,
} from "node:worker_threads";
import { decodeThrown } from "./errors.js";
import { DOOMED, PHASE } from "./layout.js";
import type { ResolvedOptions } from "./options.js";
import { isRunning, type SharedQueue } from "./shared-queue.js";

const WORKER_URL = new URL("./worker.mjs", import.meta.url);

/** Why a worker ended. */
export type ExitCause = "crashed" | "timeout" | "retired";

export interface SupervisorEvents {
  /** The worker loaded the handlers module; `names` are its exported functions in id order. */
  ready(index: number, names: readonly string[]): void;
  /** A worker's batch of non-numeric results and errors: [slot, kind, payload, ...]. */
  results(data: readonly unknown[]): void;
  /** A worker that had been ready ended; its status line is still as it left it. */
  exited(index: number, cause: ExitCause, code: number, error: unknown): void;
  /** A worker could not load the handlers module: the pool cannot run anything. */
  failed(error: unknown): void;
}

interface Handle {
  readonly index: number;
  readonly worker: Worker;
  readonly port: MessagePort;
  ready: boolean;
  stopping: boolean;
  timedOut: boolean;
  error: unknown;
  loadError: unknown;
  /** The running STATE the watchdog saw last, and when it first saw it. */
  seenState: number;
  seenAt: number;
}

export interface WorkerInfo {
  index: number;
  threadId: number;
  ready: boolean;
}

export class Supervisor {
  private readonly handles: (Handle | undefined)[];
  private watchdog: NodeJS.Timeout | undefined;
  private watchdogPeriod = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly queue: SharedQueue,
    private readonly events: SupervisorEvents,
    /** The timeout (ms, 0 for none) of the task in a slot. */
    private readonly timeoutOf: (slot: number) => number,
  ) {
    this.handles = new Array(options.workers).fill(undefined);
  }

  start(): void {
    for (let index = 0; index < this.options.workers; index++) this.spawn(index);
    if (this.options.taskTimeout > 0) this.watchTimeouts(this.options.taskTimeout);
  }

  spawn(index: number): void {
    if (this.stopped) return;
    this.queue.resetWorker(index);
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_URL, {
      workerData: {
        sab: this.queue.buffer,
        layout: this.queue.layout,
        index,
        port: port2,
        handlers: this.options.handlers,
        batch: this.options.batch,
        recycleTasks: this.options.recycleTasks,
        recycleHeapBytes: this.options.recycleHeapBytes,
      },
      transferList: [port2],
      ...(this.options.resourceLimits === undefined ? {} : { resourceLimits: this.options.resourceLimits }),
    });
    const handle: Handle = {
      index,
      worker,
      port: port1,
      ready: false,
      stopping: false,
      timedOut: false,
      error: undefined,
      loadError: undefined,
      seenState: 0,
      seenAt: 0,
    };
    this.handles[index] = handle;
    // Neither an idle worker nor its channel keeps the process alive; the pool holds a
    // timer of its own while tasks are in flight.
    worker.unref();
    port1.on("message", (data: unknown) => this.onMessage(handle, data));
    port1.unref();
    worker.on("error", (error) => {
      handle.error = error;
    });
    worker.on("exit", (code) => this.onExit(handle, code));
  }

  /** Posts to a live worker's inbox channel; false if there is none at that index. */
  post(index: number, message: unknown, transfer?: readonly TransferListItem[]): boolean {
    const handle = this.handles[index];
    if (handle === undefined || handle.stopping || handle.timedOut) return false;
    handle.port.postMessage(message, transfer);
    this.queue.postedInbox(index);
    return true;
  }

  /** Whether a worker at this index can take inbox messages now. */
  isLive(index: number): boolean {
    const handle = this.handles[index];
    return handle !== undefined && !handle.stopping && !handle.timedOut;
  }

  workers(): WorkerInfo[] {
    const infos: WorkerInfo[] = [];
    for (const handle of this.handles) {
      if (handle !== undefined)
        infos.push({ index: handle.index, threadId: handle.worker.threadId, ready: handle.ready });
    }
    return infos;
  }

  /** Makes sure stuck tasks are noticed within about a quarter of `timeout` past it. */
  watchTimeouts(timeout: number): void {
    const period = Math.min(100, Math.max(1, timeout / 4));
    if (period >= this.watchdogPeriod || this.stopped) return;
    clearInterval(this.watchdog);
    this.watchdogPeriod = period;
    this.watchdog = setInterval(() => this.checkTimeouts(), period);
    this.watchdog.unref();
  }

  /** Terminates every worker and resolves once all threads have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    const exits: Promise<number>[] = [];
    for (const handle of this.handles) {
      if (handle === undefined) continue;
      handle.stopping = true;
      exits.push(handle.worker.terminate());
    }
    await Promise.all(exits);
  }

  private checkTimeouts(): void {
    const now = performance.now();
    for (const handle of this.handles) {
      if (handle === undefined || !handle.ready || handle.timedOut || handle.stopping) continue;
      const state = this.queue.state(handle.index);
      if (!isRunning(state) || state === DOOMED || state !== handle.seenState) {
        handle.seenState = state;
        handle.seenAt = now;
        continue;
      }
      const limit = this.timeoutOf(this.queue.current(handle.index));
      if (limit > 0 && now - handle.seenAt >= limit && this.queue.doom(handle.index, state)) {
        handle.timedOut = true;
        void handle.worker.terminate();
      }
    }
  }

  private onMessage(handle: Handle, data: unknown): void {
    if (Array.isArray(data)) {
      this.events.results(data);
      return;
    }
    const message = data as { type: string; names?: string[]; error?: [number, unknown] };
    if (message.type === "ready") {
      handle.ready = true;
      this.events.ready(handle.index, message.names ?? []);
    } else if (message.type === "failed" && message.error !== undefined) {
      handle.loadError = decodeThrown(...message.error);
    }
  }

  private onExit(handle: Handle, code: number): void {
    // Whatever the worker posted before it ended is still queued on our end of the channel.
    for (
      let received = receiveMessageOnPort(handle.port);
      received;
      received = receiveMessageOnPort(handle.port)
    ) {
      this.onMessage(handle, received.message);
    }
    handle.port.close();
    this.handles[handle.index] = undefined;
    if (handle.stopping) return;
    if (!handle.ready) {
      this.events.failed(
        handle.loadError ??
          handle.error ??
          new Error(`a pool worker exited with code ${code} before loading ${this.options.handlers}`),
      );
      return;
    }
    const cause: ExitCause = handle.timedOut
      ? "timeout"
      : this.queue.phase(handle.index) === PHASE.RETIRED
        ? "retired"
        : "crashed";
    this.events.exited(handle.index, cause, code, handle.error);
  }
}
