// The main thread's side of the shared memory: writing task records, publishing the queue,
// waking workers, reading completions and worker status. Single-threaded by construction: only
// the main thread calls these methods, so its own counters need no atomics.

import { computeLayout, DOOMED, HEADER, type Layout, RESULT, SLOT, SLOT_WORDS, WORKER } from "./layout.js";

const { HEAD, TAIL, WAKE, SLEEPERS, SPINNERS, MAIN_SEQ, MAIN_WAITING } = HEADER;

/** Atomics.waitAsync is in Node 20 (V8 8.7+) but in TypeScript's lib only from ES2024. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
    ): { async: boolean; value: Promise<unknown> | string };
  }
).waitAsync;

export class SharedQueue {
  readonly layout: Layout;
  readonly buffer: SharedArrayBuffer;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly queue: number;
  private readonly records: number;
  private readonly mask: number;
  private tail = 0;
  private publishedTail = 0;
  /** Per worker, the next completion-ring position to read. */
  private readonly completionHeads: Int32Array;

  constructor(slots: number, workers: number) {
    this.layout = computeLayout(slots, workers);
    this.buffer = new SharedArrayBuffer(this.layout.bytes);
    this.i32 = new Int32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.queue = this.layout.queue;
    this.records = this.layout.records;
    this.mask = this.layout.mask;
    this.completionHeads = new Int32Array(workers);
    for (let w = 0; w < workers; w++) this.i32[this.statusOf(w) + WORKER.CURRENT] = -1;
  }

  /**
   * Writes a call whose arguments are all numbers (at most five) into its record; false, and
   * nothing written, when they must travel in an inbox message instead.
   */
  writeInline(slot: number, fnId: number, args: readonly unknown[]): boolean {
    const argc = args.length;
    if (argc > SLOT.MAX_INLINE_ARGS) return false;
    for (let k = 0; k < argc; k++) if (typeof args[k] !== "number") return false;
    const record = this.records + slot * SLOT_WORDS;
    const a = (record >> 1) + SLOT.ARGS;
    for (let k = 0; k < argc; k++) this.f64[a + k] = args[k] as number;
    this.writeHeader(record, fnId, argc);
    return true;
  }

  writeMessageCall(slot: number, fnId: number): void {
    this.writeHeader(this.records + slot * SLOT_WORDS, fnId, this.layout.argsInMessage);
  }

  /** A map ticket: the job, and the range a dead worker left unfinished (empty for a fresh ticket). */
  writeTicket(slot: number, jobId: number, redoStart: number, redoEnd: number): void {
    const record = this.records + slot * SLOT_WORDS;
    const a = (record >> 1) + SLOT.ARGS;
    this.f64[a] = jobId;
    this.f64[a + 1] = redoStart;
    this.f64[a + 2] = redoEnd;
    this.writeHeader(record, this.layout.fn.MAP_TICKET, 3);
  }

  private writeHeader(record: number, fnId: number, argc: number): void {
    const i32 = this.i32;
    i32[record + SLOT.FN] = fnId;
    i32[record + SLOT.ARGC] = argc;
    i32[record + SLOT.RESULT_KIND] = RESULT.NONE;
    i32[record + SLOT.OWNER] = 0;
  }

  /** Makes a queued or inbox task be skipped by the worker that reaches it. */
  cancel(slot: number): void {
    Atomics.store(this.i32, this.records + slot * SLOT_WORDS + SLOT.FN, this.layout.fn.CANCELLED);
  }

  /** Appends a slot to the queue; workers see it after the next publish(). */
  push(slot: number): void {
    this.i32[this.queue + (this.tail & this.mask)] = slot;
    this.tail = (this.tail + 1) | 0;
  }

  /**
   * Makes pushed slots visible to the workers, and wakes one sleeping worker if none is spinning.
   * More workers join as the work needs them: a worker that claims a long batch and leaves tasks
   * behind wakes another (worker-loop.mjs). A worker that stops spinning counts itself as a
   * sleeper first and then looks at TAIL again, so a task is never left with everyone asleep.
   */
  publish(): void {
    if (this.tail === this.publishedTail) return;
    this.publishedTail = this.tail;
    Atomics.store(this.i32, TAIL, this.tail);
    if (Atomics.load(this.i32, SLEEPERS) > 0 && Atomics.load(this.i32, SPINNERS) === 0) this.wake(1);
  }

  /** Wakes every sleeping worker (an inbox message is for one of them, which one sleeps is unknown). */
  wakeWorkers(): void {
    if (Atomics.load(this.i32, SLEEPERS) > 0) this.wake(Number.POSITIVE_INFINITY);
  }

  private wake(count: number): void {
    Atomics.add(this.i32, WAKE, 1);
    Atomics.notify(this.i32, WAKE, count);
  }

  /** Tasks in the queue not yet claimed by a worker. */
  queued(): number {
    return (Atomics.load(this.i32, TAIL) - Atomics.load(this.i32, HEAD)) | 0;
  }

  /** Calls `done(slot, kind, value)` for each completion worker `w` has published; returns how many. */
  drain(w: number, done: (slot: number, kind: number, value: number) => void): number {
    const ring = this.statusOf(w) + this.layout.completionOffset;
    const tail = Atomics.load(this.i32, this.statusOf(w) + WORKER.COMPLETION_TAIL);
    let head = this.completionHeads[w] as number;
    if (head === tail) return 0;
    const count = (tail - head) | 0;
    for (; head !== tail; head = (head + 1) | 0) {
      const slot = this.i32[ring + (head & this.mask)] as number;
      const record = this.records + slot * SLOT_WORDS;
      done(
        slot,
        this.i32[record + SLOT.RESULT_KIND] as number,
        this.f64[(record >> 1) + SLOT.RESULT] as number,
      );
    }
    this.completionHeads[w] = tail;
    return count;
  }

  /** The sequence number to wait on; call before announcing the wait and checking for completions. */
  mainSeq(): number {
    return Atomics.load(this.i32, MAIN_SEQ);
  }

  /** Asks workers to notify MAIN_SEQ at their next completion. */
  announceWait(): void {
    Atomics.store(this.i32, MAIN_WAITING, 1);
  }

  /** Never blocks: resolves once a worker bumps MAIN_SEQ past `seq` (at once if it already has). */
  waitForCompletions(seq: number): Promise<unknown> | undefined {
    const wait = waitAsync(this.i32, MAIN_SEQ, seq);
    return wait.async ? (wait.value as Promise<unknown>) : undefined;
  }

  postedInbox(w: number): void {
    Atomics.add(this.i32, this.statusOf(w) + WORKER.INBOX, 1);
    this.wakeWorkers();
  }

  /** Resets a worker's status line for its replacement; the completion ring continues where it was. */
  resetWorker(w: number): void {
    const status = this.statusOf(w);
    Atomics.store(this.i32, status + WORKER.STATE, 0);
    Atomics.store(this.i32, status + WORKER.INBOX, 0);
    this.i32[status + WORKER.CURRENT] = -1;
    this.i32[status + WORKER.PHASE] = this.layout.phase.STARTING;
    this.f64[(status >> 1) + WORKER.TASKS_DONE] = 0;
    this.f64[(status >> 1) + WORKER.HEAP_USED] = 0;
  }

  state(w: number): number {
    return Atomics.load(this.i32, this.statusOf(w) + WORKER.STATE);
  }

  /** Claims a running task for termination; false if the worker has moved on since `state` was read. */
  doom(w: number, state: number): boolean {
    return Atomics.compareExchange(this.i32, this.statusOf(w) + WORKER.STATE, state, DOOMED) === state;
  }

  current(w: number): number {
    return this.i32[this.statusOf(w) + WORKER.CURRENT] as number;
  }

  phase(w: number): number {
    return this.i32[this.statusOf(w) + WORKER.PHASE] as number;
  }

  tasksDone(w: number): number {
    return this.f64[(this.statusOf(w) >> 1) + WORKER.TASKS_DONE] as number;
  }

  heapUsed(w: number): number {
    return this.f64[(this.statusOf(w) >> 1) + WORKER.HEAP_USED] as number;
  }

  /** The map range worker `w` is in (or was last in). */
  range(w: number): [number, number] {
    const status = this.statusOf(w) >> 1;
    return [this.f64[status + WORKER.RANGE_START] as number, this.f64[status + WORKER.RANGE_END] as number];
  }

  /** 1 + index of the worker that claimed this slot's task from the queue, 0 while queued. */
  owner(slot: number): number {
    return this.i32[this.records + slot * SLOT_WORDS + SLOT.OWNER] as number;
  }

  /** Puts a claimed task back on the queue (after its worker died), keeping its record. */
  requeue(slot: number): void {
    this.i32[this.records + slot * SLOT_WORDS + SLOT.OWNER] = 0;
    this.push(slot);
  }

  private statusOf(w: number): number {
    return this.layout.workerBase + w * this.layout.workerStride;
  }
}

/** True while the STATE word says a task is running (odd), including one doomed by the watchdog. */
export function isRunning(state: number): boolean {
  return (state & 1) === 1 || state === DOOMED;
}
