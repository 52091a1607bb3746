// The side channel for tasks whose arguments are not all numbers (or that transfer buffers):
// they cannot live in a task record, so they are posted to one chosen worker, many tasks per
// message. The record still carries the function id and takes the result, so completion,
// abort and supervision are the same as for queued tasks.

import type { TransferListItem } from "node:worker_threads";
import { Fifo } from "./fifo.js";
import { ORIGIN, type TaskTable } from "./task-table.js";

export interface InboxHooks {
  /** Whether worker `w` is ready to be given tasks. */
  accepts(w: number): boolean;
  /** Posts to worker `w`'s inbox; throws what postMessage throws (an argument that cannot be cloned). */
  post(w: number, message: unknown, transfer: readonly TransferListItem[]): void;
  /** The task was aborted before it was posted: its record can go. */
  release(slot: number): void;
  fail(slot: number, reason: unknown): void;
}

export class Inbox {
  private readonly backlog = new Fifo<number>();
  /** Per worker, inbox tasks posted and not yet finished. */
  private readonly outstanding: Int32Array;

  constructor(
    private readonly table: TaskTable,
    workers: number,
    /** Most inbox tasks a worker holds at once, so one slow task holds back few others. */
    private readonly perWorker: number,
    private readonly hooks: InboxHooks,
  ) {
    this.outstanding = new Int32Array(workers);
  }

  /** Tasks not yet posted. */
  get length(): number {
    return this.backlog.length;
  }

  push(slot: number): void {
    this.backlog.push(slot);
  }

  /** The task in `slot` no longer occupies its worker (finished, or the worker is gone). */
  left(slot: number): void {
    const w = this.table.assignedTo[slot] as number;
    this.table.assignedTo[slot] = -1;
    this.outstanding[w] = (this.outstanding[w] as number) - 1;
  }

  /** Posts waiting tasks, one message per worker, to the ready workers holding the fewest. */
  dispatch(): void {
    while (this.backlog.length > 0) {
      const w = this.leastLoaded();
      if (w < 0) return;
      const slots: number[] = [];
      const args: (readonly unknown[])[] = [];
      const transfer: TransferListItem[] = [];
      const room = this.perWorker - (this.outstanding[w] as number);
      while (slots.length < room && this.backlog.length > 0) {
        const slot = this.backlog.shift() as number;
        if (this.table.origin[slot] === ORIGIN.ABANDONED) {
          this.hooks.release(slot);
          continue;
        }
        slots.push(slot);
        args.push(this.table.args[slot] as readonly unknown[]);
        const moved = this.table.transfer[slot];
        if (moved !== undefined) transfer.push(...moved);
      }
      if (slots.length > 0) this.post(w, slots, args, transfer);
    }
  }

  private leastLoaded(): number {
    let best = -1;
    for (let w = 0; w < this.outstanding.length; w++) {
      const held = this.outstanding[w] as number;
      if (held >= this.perWorker || !this.hooks.accepts(w)) continue;
      if (best < 0 || held < (this.outstanding[best] as number)) best = w;
    }
    return best;
  }

  private post(w: number, slots: number[], args: (readonly unknown[])[], transfer: TransferListItem[]): void {
    try {
      this.hooks.post(w, { type: "tasks", slots, args }, transfer);
    } catch (error) {
      if (slots.length === 1) {
        this.hooks.fail(slots[0] as number, error);
        return;
      }
      // One argument that cannot be cloned must not fail the others: post them one by one.
      for (let k = 0; k < slots.length; k++) {
        const slot = slots[k] as number;
        this.post(w, [slot], [args[k] as readonly unknown[]], [...(this.table.transfer[slot] ?? [])]);
      }
      return;
    }
    for (const slot of slots) this.table.assignedTo[slot] = w;
    this.outstanding[w] = (this.outstanding[w] as number) + slots.length;
  }
}
