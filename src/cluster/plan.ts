import { peakConcurrent } from "../report/peak-concurrent.js";
import { makespanLowerBound } from "../schedule/lower-bound.js";
import { exceedsCapacity, type IncrementalPolicy, type Resources } from "../schedule/policy.js";
import { type SimulatedJob, simulate } from "../schedule/simulator.js";
import type { JobDefinition, MemorySource } from "../spec/job-spec.js";
import { bytesToMb } from "../spec/memory.js";

/** A job as the plan places it. Times in seconds from the start of the run. */
export interface PlannedJob {
  id: string;
  command: string;
  cpus: number;
  /** Memory it asks for, in MB, or null for a job admitted on live memory. */
  memory: number | null;
  memorySource: Exclude<MemorySource, "auto">;
  start: number;
  end: number;
  /** `history` when earlier runs gave its runtime, else `assumed` (see {@link Plan.assumedRuntime}). */
  runtimeSource: "history" | "assumed";
}

/** What `plan()` predicts for the waiting jobs, without running anything. Times in seconds, memory in MB. */
export interface Plan {
  policy: string;
  cpus: number;
  memory: number;
  resources: Readonly<Record<string, number>>;
  /** When the last job would end. */
  makespan: number;
  /** No schedule of these jobs on this cluster can be shorter (see docs/scheduling.md). */
  lowerBound: number;
  /** The most memory declared by jobs running at once. */
  peakDeclaredMemory: number;
  /** Runtime assumed for jobs that history knows nothing of. */
  assumedRuntime: number;
  /** Jobs in the order they would start. */
  jobs: PlannedJob[];
  /** Jobs that can never start on this cluster, with why. */
  unfit: { id: string; reason: string }[];
}

/** Runtime assumed, in ms, for a job history knows nothing of: the packer's neutral estimate. */
export const ASSUMED_RUNTIME_MS = 60_000;

/**
 * Plays the waiting jobs through the simulator with the cluster's own policy, all arriving at
 * once, each running as long as history says (or {@link ASSUMED_RUNTIME_MS}).
 */
export function planJobs(
  jobs: readonly JobDefinition[],
  capacity: Resources,
  policy: IncrementalPolicy,
): Plan {
  const unfit: Plan["unfit"] = [];
  const workload: SimulatedJob[] = [];
  const byId = new Map<string, JobDefinition>();
  for (const d of jobs) {
    const reason = exceedsCapacity({ cpus: d.cpus, memory: d.memoryBytes, resources: d.resources }, capacity);
    if (reason) {
      unfit.push({ id: d.id, reason });
      continue;
    }
    byId.set(d.id, d);
    const duration = d.runtimeEstimateMs ?? ASSUMED_RUNTIME_MS;
    workload.push({
      arrival: 0,
      duration,
      job: {
        id: d.id,
        seq: d.seq,
        cpus: d.cpus,
        memory: d.memoryBytes,
        priority: d.priority,
        resources: d.resources,
        runtime: d.runtimeEstimateMs,
      },
    });
  }
  const result = simulate({ capacity, jobs: workload }, policy);
  const planned: PlannedJob[] = result.records.map((record) => {
    const d = byId.get(record.id) as JobDefinition;
    return {
      id: d.id,
      command: d.command,
      cpus: d.cpus,
      memory: d.memoryBytes === undefined ? null : bytesToMb(d.memoryBytes),
      memorySource: d.memorySource === "auto" ? "live" : d.memorySource,
      start: record.start / 1000,
      end: record.end / 1000,
      runtimeSource: d.runtimeEstimateMs === undefined ? "assumed" : "history",
    };
  });
  const lowerBound = makespanLowerBound(
    workload.map((w) => ({
      cpus: w.job.cpus,
      memory: w.job.memory,
      resources: w.job.resources,
      duration: w.duration,
    })),
    capacity,
  );
  return {
    policy: policy.name,
    cpus: capacity.cpus,
    memory: bytesToMb(capacity.memory),
    resources: capacity.resources ?? {},
    makespan: result.makespan / 1000,
    lowerBound: lowerBound / 1000,
    peakDeclaredMemory: peakConcurrent(
      planned.map((j) => ({ start: j.start, end: j.end, amount: j.memory ?? 0 })),
    ),
    assumedRuntime: ASSUMED_RUNTIME_MS / 1000,
    jobs: planned,
    unfit,
  };
}
