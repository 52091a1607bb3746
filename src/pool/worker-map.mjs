// map(): one ticket per worker goes through the queue; a worker holding a ticket takes ranges of
// elements from the job's shared cursor until none are left, calling the handler on each element
// and writing straight into the shared output. Ranges are sized to about TARGET_RANGE_MS of work,
// and shrink near the end, so workers finish together whatever an element costs.
//
// Each range counts as a task for supervision: STATE is "running" inside a range and RANGE_START
// and RANGE_END say which elements, so a worker that dies mid-range has exactly that range redone
// (the ticket's record carries it back as [job id, redo start, redo end]).

import { isThenable } from "./worker-thenable.mjs";

const TARGET_RANGE_MS = 0.1;
const FIRST_RANGE = 16;
const MAX_RANGE = 1 << 16;

/**
 * @param {{
 *   f64: Float64Array, layout: import("./layout.js").Layout, status: number,
 *   fns: Function[], workers: number, enterTask: () => void, leaveTask: () => void,
 *   countDone: (n: number) => void, complete: (slot: number) => undefined,
 *   fail: (slot: number, error: unknown) => undefined,
 * }} context
 */
export function createMapRunner(context) {
  const { f64, layout, status, fns, workers, enterTask, leaveTask, countDone, complete, fail } = context;
  const { mapJob: J, worker: W, slot: S, fn: FN } = layout;
  const statusF = status >> 1;
  /** @type {Map<number, MapJob>} */
  const jobs = new Map();
  let inRange = false;
  let rangeStartedAt = 0;
  let start = 0;
  let end = 0;

  /** @param {{ id: number, fn: number, name: string, length: number, buffer: SharedArrayBuffer }} message */
  function addJob(message) {
    for (const [id, job] of jobs) if (Atomics.load(job.control, J.FINISHED) !== 0) jobs.delete(id);
    const { buffer, length } = message;
    jobs.set(message.id, {
      fn: fns[message.fn - FN.FIRST_HANDLER_ID],
      name: message.name,
      length,
      control: new Int32Array(buffer, 0, J.HEADER_BYTES / 4),
      input: new Float64Array(buffer, J.HEADER_BYTES, length),
      output: new Float64Array(buffer, J.HEADER_BYTES + 8 * length, length),
      rangeSize: FIRST_RANGE,
    });
  }

  /** Runs a ticket; returns a promise only when an element's handler went asynchronous. */
  function runTicket(slot, record) {
    const args = (record >> 1) + S.ARGS;
    const job = jobs.get(f64[args]);
    if (job === undefined) return fail(slot, new Error(`map job ${f64[args]} is unknown to this worker`));
    let pending;
    try {
      const redoStart = f64[args + 1];
      const redoEnd = f64[args + 2];
      pending = redoStart < redoEnd ? runRange(job, redoStart, redoEnd) : undefined;
      pending = pending === undefined ? runRanges(job) : pending.then(() => runRangesAsync(job));
    } catch (error) {
      return failTicket(slot, job, error);
    }
    if (pending === undefined) return complete(slot);
    return pending.then(
      () => complete(slot),
      (error) => failTicket(slot, job, error),
    );
  }

  function failTicket(slot, job, error) {
    if (inRange) {
      inRange = false;
      leaveTask();
    }
    Atomics.store(job.control, J.FAILED, 1);
    return fail(slot, error);
  }

  function runRanges(job) {
    while (nextRange(job)) {
      const pending = runRange(job, start, end);
      if (pending !== undefined) return pending.then(() => runRangesAsync(job));
    }
    return undefined;
  }

  async function runRangesAsync(job) {
    while (nextRange(job)) await runRange(job, start, end);
  }

  /** Takes the next range from the job's cursor into start/end; false when none is left. */
  function nextRange(job) {
    if (Atomics.load(job.control, J.FAILED) !== 0) return false;
    const left = job.length - Atomics.load(job.control, J.CURSOR);
    const size = Math.max(1, Math.min(job.rangeSize, Math.ceil(left / (2 * workers))));
    start = Atomics.add(job.control, J.CURSOR, size);
    if (start >= job.length) return false;
    end = Math.min(start + size, job.length);
    return true;
  }

  function runRange(job, from, to) {
    f64[statusF + W.RANGE_START] = from;
    f64[statusF + W.RANGE_END] = to;
    enterTask();
    inRange = true;
    rangeStartedAt = performance.now();
    const { fn, input, output } = job;
    for (let i = from; i < to; i++) {
      const value = fn(input[i]);
      if (typeof value === "number") output[i] = value;
      else if (isThenable(value)) return finishRangeAsync(job, from, to, i, value);
      else throw notANumber(job, i, value);
    }
    endRange(job, from, to);
    return undefined;
  }

  async function finishRangeAsync(job, from, to, i, first) {
    job.output[i] = checkNumber(job, i, await first);
    for (let k = i + 1; k < to; k++) job.output[k] = checkNumber(job, k, await job.fn(job.input[k]));
    endRange(job, from, to);
  }

  function endRange(job, from, to) {
    inRange = false;
    leaveTask();
    countDone(to - from);
    const perElement = (performance.now() - rangeStartedAt) / (to - from);
    job.rangeSize = Math.max(
      1,
      Math.min(MAX_RANGE, Math.floor(TARGET_RANGE_MS / Math.max(perElement, 1e-6))),
    );
  }

  return { addJob, runTicket };
}

/**
 * @typedef {{ fn: Function, name: string, length: number, control: Int32Array, input: Float64Array,
 *   output: Float64Array, rangeSize: number }} MapJob
 */

function checkNumber(job, index, value) {
  if (typeof value !== "number") throw notANumber(job, index, value);
  return value;
}

function notANumber(job, index, value) {
  return new TypeError(`map: ${job.name} returned ${typeof value} for element ${index}; map needs numbers`);
}
