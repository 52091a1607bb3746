/**
 * mpmsub: run many jobs on one machine without running out of memory.
 *
 * @packageDocumentation
 */
export { Cluster, cluster } from "./cluster/cluster.js";
export type { QueuedJobInfo } from "./cluster/job-queue.js";
export { JobQueue } from "./cluster/job-queue.js";
export type { PolicyName } from "./cluster/options.js";
export type { Plan, PlannedJob } from "./cluster/plan.js";
export type {
  ClusterEvents,
  ClusterOptions,
  MemoryStatus,
  PressureEvent,
  PressureOptions,
  ProfileOptions,
  ResultSink,
  RetryEvent,
  RunningJob,
  RunOptions,
  RunStats,
} from "./cluster/types.js";
export type {
  JobExit,
  JobOutput,
  LaunchedJob,
  Launcher,
  LaunchSpec,
  OutputTarget,
  StageExit,
} from "./execute/launcher.js";
export { defaultHistoryPath } from "./history/default-path.js";
export { historyKey, normaliseCommand } from "./history/history-key.js";
export type { HistoryEntry, HistoryEstimate, HistoryStore } from "./history/history-store.js";
export { type JsonlHistoryOptions, JsonlHistoryStore } from "./history/jsonl-history-store.js";
export type { MeasurementChoice } from "./measure/backend.js";
export * from "./pool/index.js";
export { fifoBackfill } from "./schedule/fifo-backfill.js";
export type { HaltPolicy } from "./schedule/halt.js";
export { fromIncremental, toIncremental } from "./schedule/incremental.js";
export { makespanLowerBound, type SizedRun } from "./schedule/lower-bound.js";
export { type PackingOptions, PackingPolicy, packing } from "./schedule/packing-policy.js";
export type {
  IncrementalPolicy,
  QueuedJob,
  Reservation,
  Resources,
  RunningAllocation,
  ScheduleInput,
  ScheduleState,
  SchedulingPolicy,
  UnsizedAdmission,
} from "./schedule/policy.js";
export {
  type JobRecord,
  PolicyViolation,
  type SimulatedJob,
  type SimulationOptions,
  type SimulationResult,
  simulate,
  type Workload,
} from "./schedule/simulator.js";
export { strictFifo } from "./schedule/strict-fifo.js";
export { JobSpecError, SpecError, type SpecProblem } from "./spec/errors.js";
export { Job, type JobOptions, job, pipeline } from "./spec/job.js";
export type { JobSpec, MemoryPolicy, MemorySource, RetryReason } from "./spec/job-spec.js";
export { formatMemory, type MemorySize, MemorySizeError, parseMemory } from "./spec/memory.js";
export type {
  AttemptStatus,
  JobAttempt,
  JobResult,
  JobStatus,
  MeasurementMethod,
  StartedJob,
} from "./spec/result.js";
