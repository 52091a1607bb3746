// The shared memory layout, defined once here and handed to every worker in workerData, so the
// plain-JS worker side never carries a second copy of these numbers that could drift.
//
// One SharedArrayBuffer holds, in order:
//   header   hot words, each group on its own 64-byte line so main-written and worker-written
//            words never share a cache line
//   queue    `slots` Int32 entries: the ring of queued slot indices, [HEAD, TAIL)
//   slots    `slots` task records of 64 bytes: function id, argument count, result, owner, and
//            up to five float64 arguments; a record is the task's home from submission until
//            the main thread has taken its result, so retries find the arguments still there
//   workers  per worker a 64-byte status line and a completion ring of `slots` Int32 entries
//            (single producer: that worker; single consumer: the main thread)
//
// HEAD and TAIL are free-running Int32 positions (they wrap at 2^32); the ring index is
// position & mask. The number of queued tasks is (TAIL - HEAD) | 0, never ambiguous: a queued
// entry always owns a distinct allocated slot, so at most `slots` entries are queued and a full
// ring (TAIL - HEAD == slots) is told apart from an empty one (TAIL == HEAD).

const LINE_WORDS = 16; // Int32 words per 64-byte cache line

/** Header word indices (Int32). */
export const HEADER = {
  /** Next queue position to claim; workers advance it with compare-and-swap. */
  HEAD: 0,
  /** Next queue position to fill; only the main thread stores it. */
  TAIL: LINE_WORDS,
  /** Bumped whenever sleeping workers must look again (new tasks, inbox, shutdown). */
  WAKE: 2 * LINE_WORDS,
  /** Number of workers inside Atomics.wait or about to enter it. */
  SLEEPERS: 2 * LINE_WORDS + 1,
  /** Idle workers between finding the queue empty and sleeping; at most one of them spins. */
  SPINNERS: 2 * LINE_WORDS + 2,
  /** Bumped by a worker that wakes the main thread's Atomics.waitAsync. */
  MAIN_SEQ: 3 * LINE_WORDS,
  /** 1 while the main thread waits for completions and wants a notify. */
  MAIN_WAITING: 3 * LINE_WORDS + 1,
  WORDS: 4 * LINE_WORDS,
} as const;

/** Offsets inside one 64-byte task record. */
export const SLOT = {
  BYTES: 64,
  /** Int32: function id, or CANCELLED; read with Atomics.load because abort rewrites it. */
  FN: 0,
  /** Int32: number of inline float64 arguments, or ARGS_IN_MESSAGE. */
  ARGC: 1,
  /** Int32: how the result was left (RESULT.*). */
  RESULT_KIND: 2,
  /** Int32: 1 + index of the worker that claimed the task from the queue, 0 while queued. */
  OWNER: 3,
  /** Float64 offset of the first inline argument. */
  ARGS: 2,
  /** Float64 offset of the numeric result. */
  RESULT: 7,
  /** How many numeric arguments travel inline. */
  MAX_INLINE_ARGS: 5,
} as const;

/** Offsets inside one worker's 64-byte status line. */
export const WORKER = {
  /** Int32: (task serial << 1) | 1 while a task runs, serial << 1 between tasks, or DOOMED. */
  STATE: 0,
  /** Int32: slot of the task running or last run, -1 before the first. */
  CURRENT: 1,
  /** Int32: STARTING, IDLE, SLEEPING or RETIRED (PHASE.*); whether a task runs is in STATE. */
  PHASE: 2,
  /** Int32: inbox messages posted by the main thread and not yet received. */
  INBOX: 3,
  /** Int32: completion ring tail, stored by the worker after each completion. */
  COMPLETION_TAIL: 4,
  /** Float64: tasks (or map elements) finished by this worker thread. */
  TASKS_DONE: 4,
  /** Float64: V8 heap in use, bytes, sampled now and then. */
  HEAP_USED: 5,
  /** Float64: first element of the map range being processed. */
  RANGE_START: 6,
  /** Float64: end (exclusive) of the map range being processed. */
  RANGE_END: 7,
} as const;

/** STATE value the main thread swaps in to claim a stuck task for termination. */
export const DOOMED = -2;

export const PHASE = { STARTING: 0, IDLE: 1, SLEEPING: 2, RETIRED: 3 } as const;

export const RESULT = { NONE: 0, NUMBER: 1, UNDEFINED: 2, SKIPPED: 3 } as const;

/** Function ids below FIRST_HANDLER_ID are the pool's own; handlers are numbered from 0x1000, as MPOP does. */
export const FN = { CANCELLED: -1, MAP_TICKET: 1, FIRST_HANDLER_ID: 0x1000 } as const;

/** How an entry of a worker's results message [slot, kind, payload, ...] is to be read. */
export const PAYLOAD = { VALUE: 0, ERROR: 1, THROWN: 2 } as const;

/** ARGC value meaning the arguments came in an inbox message, not inline. */
export const ARGS_IN_MESSAGE = -1;

/**
 * A map job's own SharedArrayBuffer: Int32 control words, then the input and the output as
 * float64. Workers take ranges of elements from CURSOR with Atomics.add.
 */
export const MAP_JOB = { CURSOR: 0, FAILED: 1, FINISHED: 2, HEADER_BYTES: 16 } as const;

/** Where each region starts, for one pool's sizes; passed verbatim to the workers. */
export interface Layout {
  slots: number;
  mask: number;
  workers: number;
  /** Int32 index of queue entry 0. */
  queue: number;
  /** Int32 index of slot 0's record (multiply the slot by SLOT_WORDS). */
  records: number;
  /** Int32 index of worker 0's status line. */
  workerBase: number;
  /** Int32 words from one worker's status line to the next. */
  workerStride: number;
  /** Int32 words from a worker's status line to its completion ring. */
  completionOffset: number;
  bytes: number;
  header: typeof HEADER;
  slot: typeof SLOT;
  worker: typeof WORKER;
  doomed: number;
  phase: typeof PHASE;
  result: typeof RESULT;
  fn: typeof FN;
  argsInMessage: number;
  mapJob: typeof MAP_JOB;
  payload: typeof PAYLOAD;
}

export const SLOT_WORDS = SLOT.BYTES / 4;

export function computeLayout(slots: number, workers: number): Layout {
  const queue = HEADER.WORDS;
  // Records start on a line boundary; `slots` is a power of two >= 2, so the queue
  // length is a whole number of lines once slots >= 16 and rounding covers the rest.
  const records = roundToLine(queue + slots);
  const workerBase = records + slots * SLOT_WORDS;
  const completionOffset = LINE_WORDS;
  const workerStride = roundToLine(completionOffset + slots);
  return {
    slots,
    mask: slots - 1,
    workers,
    queue,
    records,
    workerBase,
    workerStride,
    completionOffset,
    bytes: (workerBase + workers * workerStride) * 4,
    header: HEADER,
    slot: SLOT,
    worker: WORKER,
    doomed: DOOMED,
    phase: PHASE,
    result: RESULT,
    fn: FN,
    argsInMessage: ARGS_IN_MESSAGE,
    mapJob: MAP_JOB,
    payload: PAYLOAD,
  };
}

function roundToLine(words: number): number {
  return Math.ceil(words / LINE_WORDS) * LINE_WORDS;
}
