// The function pool's public API; see docs/pool.md.

export type { RunCounts } from "./dispatcher.js";
export { PoolClosedError, TaskTimeoutError, WorkerExitError } from "./errors.js";
export type { HandlerArgs, HandlerName, HandlerResult, Handlers } from "./handler-types.js";
export type { NumericArray } from "./map-job.js";
export type { PoolOptions } from "./options.js";
export { createPool, Pool, type PoolCloseOptions, type PoolRunResult, type SubmitOptions } from "./pool.js";
export type { PoolCounters, PoolStatus, WorkerState, WorkerStatus } from "./status.js";
