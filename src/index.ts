/**
 * mpmsub: run many jobs on one machine without running out of memory.
 *
 * @packageDocumentation
 */
export { Cluster, cluster } from "./cluster/cluster.js";
export type { QueuedJobInfo } from "./cluster/job-queue.js";
export { JobQueue } from "./cluster/job-queue.js";
export type {
  ClusterEvents,
  ClusterOptions,
  MemoryStatus,
  PressureEvent,
  PressureOptions,
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
export type { MeasurementChoice } from "./measure/backend.js";
export { fifoBackfill } from "./schedule/fifo-backfill.js";
export type { HaltPolicy } from "./schedule/halt.js";
export type {
  QueuedJob,
  Resources,
  ScheduleInput,
  SchedulingPolicy,
  UnsizedAdmission,
} from "./schedule/policy.js";
export { JobSpecError, SpecError, type SpecProblem } from "./spec/errors.js";
export { Job, type JobOptions, job, pipeline } from "./spec/job.js";
export type { JobSpec, MemoryPolicy, RetryReason } from "./spec/job-spec.js";
export { formatMemory, type MemorySize, MemorySizeError, parseMemory } from "./spec/memory.js";
export type {
  AttemptStatus,
  JobAttempt,
  JobResult,
  JobStatus,
  MeasurementMethod,
  StartedJob,
} from "./spec/result.js";
