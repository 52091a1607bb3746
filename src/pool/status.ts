// Pool.status(): a snapshot assembled from the main thread's counters and the workers' status
// lines in shared memory (read without stopping anyone, so figures may be a moment apart).

import { PHASE } from "./layout.js";
import { isRunning, type SharedQueue } from "./shared-queue.js";
import type { WorkerInfo } from "./supervisor.js";

/** Tasks counted since the pool started; a map() call counts as one task. */
export interface PoolCounters {
  submitted: number;
  done: number;
  failed: number;
  /** Aborted by their signal. */
  cancelled: number;
  /** Runs again after their worker died. */
  retried: number;
  timedOut: number;
  /** Workers replaced after dying or being terminated. */
  respawned: number;
  /** Workers replaced by `recycleAfter`. */
  recycled: number;
}

export type WorkerState = "starting" | "idle" | "sleeping" | "running" | "retiring" | "exited";

export interface WorkerStatus {
  index: number;
  /** The worker thread's id, -1 while none is alive at this index. */
  threadId: number;
  state: WorkerState;
  /** Tasks (map elements count one each) run by the current thread at this index. */
  tasksDone: number;
  /** Its V8 heap in use when last sampled, in MB. */
  heapMB: number;
  /** The handler it is running, if any. */
  task: string | undefined;
}

export interface PoolStatus {
  /** Task records in the shared queue (the `slots` option). */
  capacity: number;
  /** Records in use: queued, running, or finished and not yet collected. */
  occupied: number;
  /** Tasks waiting for a worker to take them. */
  queued: number;
  /** Calls beyond capacity, waiting on the main thread for a record. */
  waiting: number;
  workers: WorkerStatus[];
  totals: PoolCounters;
  /** Each handler's numeric id. */
  handlers: Record<string, number>;
}

export interface StatusSources {
  capacity: number;
  occupied: number;
  queued: number;
  waiting: number;
  queue: SharedQueue;
  workers: WorkerInfo[];
  /** The handler name of the task in a slot. */
  taskOf: (slot: number) => string;
  counters: PoolCounters;
  ids: ReadonlyMap<string, number>;
}

const PHASE_STATE: Record<number, WorkerState> = {
  [PHASE.STARTING]: "starting",
  [PHASE.IDLE]: "idle",
  [PHASE.SLEEPING]: "sleeping",
  [PHASE.RETIRED]: "retiring",
};

export function describePool(sources: StatusSources): PoolStatus {
  const { queue } = sources;
  const count = queue.layout.workers;
  const workers: WorkerStatus[] = [];
  for (let index = 0; index < count; index++) {
    const info = sources.workers.find((worker) => worker.index === index);
    if (info === undefined) {
      workers.push({ index, threadId: -1, state: "exited", tasksDone: 0, heapMB: 0, task: undefined });
      continue;
    }
    const running = info.ready && isRunning(queue.state(index));
    const current = queue.current(index);
    workers.push({
      index,
      threadId: info.threadId,
      state: running ? "running" : info.ready ? (PHASE_STATE[queue.phase(index)] ?? "idle") : "starting",
      tasksDone: queue.tasksDone(index),
      heapMB: queue.heapUsed(index) / (1024 * 1024),
      task: running && current >= 0 ? sources.taskOf(current) : undefined,
    });
  }
  return {
    capacity: sources.capacity,
    occupied: sources.occupied,
    queued: sources.queued,
    waiting: sources.waiting,
    workers,
    totals: { ...sources.counters },
    handlers: Object.fromEntries(sources.ids),
  };
}
