// A worker's life: claim a range of queued tasks, run them, publish the results, and sleep when
// there is nothing to do. All shared offsets come from the layout in workerData (layout.ts).
//
// Results: a number or undefined goes into the task's record and its slot onto this worker's
// completion ring; anything else (and every error) is collected and posted to the main thread
// as one message per batch, never one per task.
//
// Termination safety: STATE holds (serial << 1) | 1 while a task runs. The main thread kills a
// stuck task by swapping that exact value for DOOMED; a worker that finds DOOMED when it tries to
// leave the task parks until terminated. So a worker is only ever terminated inside a task or
// parked, never halfway through claiming or publishing.

import v8 from "node:v8";
import { receiveMessageOnPort } from "node:worker_threads";
import { encodeThrown } from "./worker-errors.mjs";
import { createMapRunner } from "./worker-map.mjs";
import { isThenable } from "./worker-thenable.mjs";

/**
 * A claim aims at this much work (ms), by each handler's measured time per task, so short
 * tasks come in batches and long ones one by one; a task of a handler not yet measured is
 * claimed alone.
 */
const TARGET_BATCH_MS = 0.2;
/** Rounds of checking the queue before sleeping: about 15 µs, enough to catch the next task of a round trip. */
const SPIN_ROUNDS = 500;
/**
 * After this many spins in a row that found nothing, a worker stops spinning (trying again on
 * every SPIN_PROBE-th idle spell): when the main thread is slow to come back, as on a busy
 * machine, spinning only takes a core from it.
 */
const SPIN_GIVE_UP = 2;
const SPIN_PROBE = 16;
/** Longest sleep before the worker gives its own event loop a turn (ms). */
const SLEEP_MS = 500;
/**
 * A busy worker with plenty of queued work left wakes the main thread at most this often (ms):
 * every wake-up costs a context switch, and with more threads than cores it takes a core from
 * a worker. Results still reach the completion ring at once; only the notification waits.
 */
const MAX_NOTIFY_DELAY_MS = 1;
/** How often a busy worker samples its heap (ms). */
const HEAP_SAMPLE_MS = 100;

/**
 * @param {{
 *   sab: SharedArrayBuffer, layout: import("./layout.js").Layout, index: number,
 *   port: import("node:worker_threads").MessagePort, fns: Function[], batch: number,
 *   recycleTasks: number, recycleHeapBytes: number,
 * }} context
 */
export function runWorker(context) {
  const { sab, layout, index, port, fns, batch, recycleTasks, recycleHeapBytes } = context;
  const i32 = new Int32Array(sab);
  const f64 = new Float64Array(sab);
  const { header, slot: S, worker: W, phase, result, fn: FN, payload: PAYLOAD } = layout;
  const { HEAD, TAIL, WAKE, SLEEPERS, SPINNERS, MAIN_SEQ, MAIN_WAITING } = header;
  const { queue, records, mask, workers } = layout;
  const SLOT_WORDS = S.BYTES / 4;
  const status = layout.workerBase + index * layout.workerStride;
  const statusF = status >> 1;
  const STATE = status + W.STATE;
  const CURRENT = status + W.CURRENT;
  const PHASE = status + W.PHASE;
  const INBOX = status + W.INBOX;
  const COMPLETION_TAIL = status + W.COMPLETION_TAIL;
  const completions = status + layout.completionOffset;
  const owner = index + 1;
  const firstHandler = FN.FIRST_HANDLER_ID;
  const park = new Int32Array(new SharedArrayBuffer(4));

  const local = new Int32Array(batch);
  /** The function id of each claimed task, as read when claiming (records are reused after). */
  const localFn = new Int32Array(batch);
  let localCount = 0;
  let localNext = 0;
  /** Slots delivered by inbox messages, with their arguments. */
  const inboxSlots = [];
  let inboxNext = 0;
  /** @type {Map<number, unknown[]>} */
  const inboxArgs = new Map();
  /** Flat [slot, kind, payload, ...] waiting to be posted. */
  let results = [];
  let completionTail = Atomics.load(i32, COMPLETION_TAIL);
  let completed = false;
  let serial = 0;
  let running = 0;
  let tasksDone = 0;
  /** Per handler, measured milliseconds per task, or -1 before the first measurement. */
  const costs = new Float64Array(fns.length).fill(-1);
  let batchStartedAt = 0;
  let publishedAt = 0;
  let heapSampledAt = 0;
  let retiring = false;
  let fruitlessSpins = 0;
  let idleSpells = 0;

  const map = createMapRunner({
    f64,
    layout,
    status,
    fns,
    workers,
    enterTask,
    leaveTask,
    countDone: (n) => {
      tasksDone += n;
    },
    complete: (slot) => complete(slot, result.UNDEFINED),
    fail: report,
  });

  function loop() {
    for (;;) {
      while (localNext < localCount) {
        const pending = runTask(local[localNext++]);
        if (pending !== undefined) return awaitTask(pending);
      }
      if (localCount > 0) finishClaim();
      while (inboxNext < inboxSlots.length) {
        const pending = runTask(inboxSlots[inboxNext++]);
        if (pending !== undefined) return awaitTask(pending);
      }
      if (inboxNext > 0) {
        inboxSlots.length = 0;
        inboxNext = 0;
        publish();
      }
      if (retiring) return retire();
      if (Atomics.load(i32, INBOX) > 0) receiveInbox();
      else if (!claim()) {
        publish();
        if (!idle()) {
          setImmediate(loop);
          return;
        }
      }
    }
  }

  /** Lets the event loop settle an asynchronous task; what finished before it is published first. */
  function awaitTask(pending) {
    publish();
    pending.then(loop);
  }

  function claim() {
    for (;;) {
      const head = Atomics.load(i32, HEAD);
      const queued = (Atomics.load(i32, TAIL) - head) | 0;
      if (queued <= 0) return false;
      const limit = Math.min(batch, Math.ceil(queued / workers));
      // Entries (and their records) are read before the claim: an entry cannot be overwritten
      // while HEAD is still at or before it (each queued entry owns an allocated slot), and the
      // CAS proves it was.
      let n = 0;
      let cost = 0;
      while (n < limit && cost < TARGET_BATCH_MS) {
        const slot = i32[queue + ((head + n) & mask)];
        const fnId = i32[records + slot * SLOT_WORDS + S.FN];
        const estimate = costOf(fnId);
        if (n > 0 && (estimate < 0 || cost + estimate > TARGET_BATCH_MS)) break;
        local[n] = slot;
        localFn[n++] = fnId;
        cost += estimate < 0 ? TARGET_BATCH_MS : estimate;
      }
      if (Atomics.compareExchange(i32, HEAD, head, (head + n) | 0) === head) {
        for (let k = 0; k < n; k++) i32[records + local[k] * SLOT_WORDS + S.OWNER] = owner;
        localCount = n;
        localNext = 0;
        batchStartedAt = performance.now();
        // Busy for a while with work left behind: get a sleeping worker to help.
        if (cost >= TARGET_BATCH_MS && queued > n) recruit();
        return true;
      }
    }
  }

  function costOf(fnId) {
    if (fnId >= firstHandler) return costs[fnId - firstHandler];
    return fnId === FN.CANCELLED ? 0 : -1;
  }

  function recruit() {
    if (Atomics.load(i32, SLEEPERS) > 0 && Atomics.load(i32, SPINNERS) === 0) {
      Atomics.add(i32, WAKE, 1);
      Atomics.notify(i32, WAKE, 1);
    }
  }

  function finishClaim() {
    const now = performance.now();
    const claimed = localCount;
    learnCost(now - batchStartedAt, claimed);
    localCount = 0;
    localNext = 0;
    // The main thread must hear from us before the queue runs dry, or within MAX_NOTIFY_DELAY_MS.
    const queued = (Atomics.load(i32, TAIL) - Atomics.load(i32, HEAD)) | 0;
    if (queued < 2 * workers * claimed || now - publishedAt >= MAX_NOTIFY_DELAY_MS) {
      publish();
      publishedAt = now;
    }
    if (now - heapSampledAt > HEAP_SAMPLE_MS) sampleHeap(now);
    if (recycleTasks > 0 && tasksDone >= recycleTasks) retiring = true;
  }

  /** Updates a handler's time per task from a batch that ran only that handler. */
  function learnCost(elapsed, claimed) {
    const fnId = localFn[0];
    if (fnId < firstHandler) return;
    for (let k = 1; k < claimed; k++) if (localFn[k] !== fnId) return;
    const measured = elapsed / claimed;
    const known = costs[fnId - firstHandler];
    costs[fnId - firstHandler] = known < 0 ? measured : (known + measured) / 2;
  }

  /** Posts collected results and wakes the main thread if it waits for completions. */
  function publish() {
    f64[statusF + W.TASKS_DONE] = tasksDone;
    if (results.length > 0) postResults();
    if (completed) {
      completed = false;
      if (Atomics.load(i32, MAIN_WAITING) !== 0 && Atomics.exchange(i32, MAIN_WAITING, 0) !== 0) {
        Atomics.add(i32, MAIN_SEQ, 1);
        Atomics.notify(i32, MAIN_SEQ);
      }
    }
  }

  function postResults() {
    const batchResults = results;
    results = [];
    try {
      port.postMessage(batchResults);
    } catch {
      // One value that cannot be cloned must not lose the others: send them one by one.
      for (let k = 0; k < batchResults.length; k += 3) {
        const entry = batchResults.slice(k, k + 3);
        try {
          port.postMessage(entry);
        } catch (error) {
          port.postMessage([entry[0], ...encodeThrown(error, PAYLOAD)]);
        }
      }
    }
  }

  function receiveInbox() {
    while (Atomics.load(i32, INBOX) > 0) {
      const received = receiveMessageOnPort(port);
      if (received === undefined) return;
      Atomics.sub(i32, INBOX, 1);
      const message = received.message;
      if (message.type === "map") map.addJob(message);
      else {
        for (let k = 0; k < message.slots.length; k++) {
          inboxSlots.push(message.slots[k]);
          inboxArgs.set(message.slots[k], message.args[k]);
        }
      }
    }
  }

  /**
   * Spins briefly if no other worker is spinning and spinning has been paying off, then sleeps;
   * false when the sleep timed out and the event loop should get a turn. One spinner is enough
   * to catch the next task, and on a machine with few cores more would take the CPU from the
   * threads doing work.
   */
  function idle() {
    const alone = Atomics.add(i32, SPINNERS, 1) === 0;
    if (alone && (fruitlessSpins < SPIN_GIVE_UP || ++idleSpells % SPIN_PROBE === 0)) {
      for (let round = 0; round < SPIN_ROUNDS; round++) {
        if (hasWork()) {
          Atomics.sub(i32, SPINNERS, 1);
          fruitlessSpins = 0;
          return true;
        }
      }
      fruitlessSpins++;
    }
    const wake = Atomics.load(i32, WAKE);
    // Counted as a sleeper before no longer counting as a spinner: see SharedQueue.publish.
    Atomics.add(i32, SLEEPERS, 1);
    Atomics.sub(i32, SPINNERS, 1);
    i32[PHASE] = phase.SLEEPING;
    const outcome = hasWork() ? "ok" : Atomics.wait(i32, WAKE, wake, SLEEP_MS);
    Atomics.sub(i32, SLEEPERS, 1);
    i32[PHASE] = phase.IDLE;
    if (outcome !== "timed-out") return true;
    sampleHeap(performance.now());
    return false;
  }

  function hasWork() {
    return Atomics.load(i32, TAIL) !== Atomics.load(i32, HEAD) || Atomics.load(i32, INBOX) > 0;
  }

  /** Runs one task; returns a promise only when it finishes asynchronously. */
  function runTask(slot) {
    const record = records + slot * SLOT_WORDS;
    const fnId = Atomics.load(i32, record + S.FN);
    const argc = i32[record + S.ARGC];
    const args = argc === layout.argsInMessage ? takeInboxArgs(slot) : undefined;
    if (fnId === FN.CANCELLED) return complete(slot, result.SKIPPED);
    i32[CURRENT] = slot;
    if (fnId === FN.MAP_TICKET) return map.runTicket(slot, record);
    const fn = fns[fnId - firstHandler];
    enterTask();
    let value;
    try {
      if (args !== undefined) value = fn(...args);
      else {
        const a = (record >> 1) + S.ARGS;
        // Spelled out so the common arities call without allocating an arguments array.
        if (argc === 1) value = fn(f64[a]);
        else if (argc === 2) value = fn(f64[a], f64[a + 1]);
        else if (argc === 0) value = fn();
        else if (argc === 3) value = fn(f64[a], f64[a + 1], f64[a + 2]);
        else if (argc === 4) value = fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3]);
        else value = fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4]);
      }
    } catch (error) {
      finishError(slot, error);
      return undefined;
    }
    if (typeof value === "number") finishValue(slot, value);
    else if (isThenable(value)) {
      return Promise.resolve(value).then(
        (settled) => finishValue(slot, settled),
        (error) => finishError(slot, error),
      );
    } else finishValue(slot, value);
    return undefined;
  }

  function takeInboxArgs(slot) {
    const args = inboxArgs.get(slot);
    inboxArgs.delete(slot);
    return args;
  }

  function enterTask() {
    serial = (serial + 1) & 0x3fffffff;
    running = (serial << 1) | 1;
    Atomics.store(i32, STATE, running);
  }

  /** Leaves the running task; if the main thread doomed it meanwhile, never returns. */
  function leaveTask() {
    if (Atomics.compareExchange(i32, STATE, running, running - 1) !== running) {
      for (;;) Atomics.wait(park, 0, 0);
    }
  }

  function finishValue(slot, value) {
    leaveTask();
    tasksDone++;
    const record = records + slot * SLOT_WORDS;
    if (typeof value === "number") {
      f64[(record >> 1) + S.RESULT] = value;
      complete(slot, result.NUMBER);
    } else if (value === undefined) complete(slot, result.UNDEFINED);
    else results.push(slot, PAYLOAD.VALUE, value);
  }

  function finishError(slot, error) {
    leaveTask();
    tasksDone++;
    report(slot, error);
  }

  function report(slot, error) {
    const [kind, payload] = encodeThrown(error, PAYLOAD);
    results.push(slot, kind, payload);
    return undefined;
  }

  function complete(slot, kind) {
    i32[records + slot * SLOT_WORDS + S.RESULT_KIND] = kind;
    i32[completions + (completionTail & mask)] = slot;
    completionTail = (completionTail + 1) | 0;
    Atomics.store(i32, COMPLETION_TAIL, completionTail);
    completed = true;
    return undefined;
  }

  function sampleHeap(now) {
    heapSampledAt = now;
    const used = v8.getHeapStatistics().used_heap_size;
    f64[statusF + W.HEAP_USED] = used;
    if (recycleHeapBytes > 0 && used > recycleHeapBytes) retiring = true;
  }

  function retire() {
    publish();
    i32[PHASE] = phase.RETIRED;
    process.exit(0);
  }

  i32[PHASE] = phase.IDLE;
  sampleHeap(performance.now());
  loop();
}
