// The main thread's bookkeeping for each task record: who waits for the result, how the
// arguments travel, retries, timeout, abort wiring. Indexed by slot, in flat arrays, because
// this is touched once per task on the fast path.

import type { TransferListItem } from "node:worker_threads";
import type { MapJob } from "./map-job.js";

/** What a slot's task is for, which decides what its completion does. */
export const ORIGIN = {
  FREE: 0,
  /** exec/submit: a promise waits. */
  CALL: 1,
  /** enqueue: counted by run(). */
  QUEUED: 2,
  /** A map job's ticket. */
  TICKET: 3,
  /** Aborted: its promise is already rejected; the record waits for the worker to let go. */
  ABANDONED: 4,
} as const;

/** How the arguments reach a worker. */
export const ROUTE = { UNPLACED: 0, QUEUE: 1, INBOX: 2 } as const;

export type Resolve = (value: unknown) => void;
export type Reject = (reason: unknown) => void;

export class TaskTable {
  readonly origin: Uint8Array;
  readonly route: Uint8Array;
  readonly attempts: Uint8Array;
  /** Inbox tasks: the worker they were posted to, else -1. */
  readonly assignedTo: Int16Array;
  readonly fnId: Int32Array;
  /** Per-task timeout (ms); 0 means the pool's. */
  readonly timeout: Float64Array;
  readonly resolve: (Resolve | undefined)[];
  readonly reject: (Reject | undefined)[];
  /** The handler name, until the registry is known and the task is placed. */
  readonly name: (string | undefined)[];
  /** Arguments kept on this side: inbox tasks (to post, and to post again after a death) and unplaced ones. */
  readonly args: (readonly unknown[] | undefined)[];
  readonly transfer: (readonly TransferListItem[] | undefined)[];
  readonly cleanup: ((() => void) | undefined)[];
  readonly job: (MapJob | undefined)[];
  private readonly free: Int32Array;
  private freeCount: number;

  constructor(readonly capacity: number) {
    this.origin = new Uint8Array(capacity);
    this.route = new Uint8Array(capacity);
    this.attempts = new Uint8Array(capacity);
    this.assignedTo = new Int16Array(capacity).fill(-1);
    this.fnId = new Int32Array(capacity);
    this.timeout = new Float64Array(capacity);
    this.resolve = new Array(capacity).fill(undefined);
    this.reject = new Array(capacity).fill(undefined);
    this.name = new Array(capacity).fill(undefined);
    this.args = new Array(capacity).fill(undefined);
    this.transfer = new Array(capacity).fill(undefined);
    this.cleanup = new Array(capacity).fill(undefined);
    this.job = new Array(capacity).fill(undefined);
    this.free = new Int32Array(capacity);
    // Lowest slots on top, so a lightly used pool keeps touching the same few records.
    for (let k = 0; k < capacity; k++) this.free[k] = capacity - 1 - k;
    this.freeCount = capacity;
  }

  get available(): number {
    return this.freeCount;
  }

  get inUse(): number {
    return this.capacity - this.freeCount;
  }

  /** Takes a free slot; the caller has checked `available`. */
  take(origin: number): number {
    const slot = this.free[--this.freeCount] as number;
    this.origin[slot] = origin;
    return slot;
  }

  release(slot: number): void {
    this.origin[slot] = ORIGIN.FREE;
    this.route[slot] = ROUTE.UNPLACED;
    this.attempts[slot] = 0;
    this.timeout[slot] = 0;
    this.resolve[slot] = undefined;
    this.reject[slot] = undefined;
    if (this.assignedTo[slot] !== -1) this.assignedTo[slot] = -1;
    if (this.args[slot] !== undefined) {
      this.args[slot] = undefined;
      this.transfer[slot] = undefined;
    }
    if (this.name[slot] !== undefined) this.name[slot] = undefined;
    if (this.job[slot] !== undefined) this.job[slot] = undefined;
    const cleanup = this.cleanup[slot];
    if (cleanup !== undefined) {
      this.cleanup[slot] = undefined;
      cleanup();
    }
    this.free[this.freeCount++] = slot;
  }
}
