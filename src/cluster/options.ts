import * as z from "zod";
import type { Launcher } from "../execute/launcher.js";
import { ChildProcessLauncher } from "../execute/local/child-process-launcher.js";
import { defaultHistoryPath } from "../history/default-path.js";
import type { HistoryStore } from "../history/history-store.js";
import { JsonlHistoryStore } from "../history/jsonl-history-store.js";
import type { MeasurementChoice } from "../measure/backend.js";
import { detectCpus, readMemoryView } from "../measure/system.js";
import { fifoBackfill } from "../schedule/fifo-backfill.js";
import type { HaltPolicy } from "../schedule/halt.js";
import { toIncremental } from "../schedule/incremental.js";
import { PackingPolicy } from "../schedule/packing-policy.js";
import type { IncrementalPolicy, Resources, SchedulingPolicy } from "../schedule/policy.js";
import type { PressureSettings } from "../schedule/pressure.js";
import { strictFifo } from "../schedule/strict-fifo.js";
import { problemsFromIssues, SpecError } from "../spec/errors.js";
import {
  cpusSchema,
  type MemoryPolicy,
  memoryPolicySchema,
  memorySizeSchema,
  resourcesSchema,
} from "../spec/job-spec.js";
import { formatMemory, mbToBytes } from "../spec/memory.js";
import type { ClusterOptions, ResultSink } from "./types.js";

/** A cluster's settings with every default filled in; memory in bytes, times in ms. */
export interface ClusterSettings {
  cpus: number;
  memoryBytes: number;
  floorBytes: number;
  progressBar: boolean;
  killGraceMs: number;
  captureLimitBytes: number;
  handleSignals: boolean;
  measurement: MeasurementChoice;
  /** Makes the policy for one run, for the cluster's capacity. */
  createPolicy: (capacity: Resources) => IncrementalPolicy;
  /** Named resources the cluster has. */
  resources: Readonly<Record<string, number>> | undefined;
  /** Opens the history store, or undefined when history is off. */
  history: (() => HistoryStore) | undefined;
  sinks: readonly ResultSink[];
  /** Memory for jobs that declare none: `auto` (history), a size in bytes, or undefined (live admission). */
  defaultMemory: number | "auto" | undefined;
  launcher: Launcher;
  memoryPolicy: MemoryPolicy;
  memoryTolerance: number;
  /** Undefined when the response to pressure is off. */
  pressure: PressureSettings | undefined;
  retryDelayMs: number;
  chained: boolean;
  halt: HaltPolicy | undefined;
}

const MB = 1024 ** 2;
const GB = 1024 ** 3;

const optionsSchema = z.strictObject({
  p: cpusSchema.optional(),
  cpus: cpusSchema.optional(),
  cpu: cpusSchema.optional(),
  m: memorySizeSchema.optional(),
  memory: memorySizeSchema.optional(),
  memoryFloor: z.union([z.literal(0), memorySizeSchema]).optional(),
  progressBar: z.boolean({ error: "expected true or false" }).optional(),
  killGrace: z.number({ error: "expected seconds as a number" }).min(0, "must be 0 or more").optional(),
  captureLimit: memorySizeSchema.optional(),
  handleSignals: z.boolean({ error: "expected true or false" }).optional(),
  measurement: z.enum(["auto", "cgroup-v1", "cgroup-v2", "proc", "ps"]).optional(),
  policy: z
    .union(
      [
        z.enum(["packing", "fifo-backfill", "first-fit", "strict-fifo"]),
        z.custom<SchedulingPolicy>((v) => typeof (v as SchedulingPolicy | null)?.select === "function"),
      ],
      { error: 'expected "packing", "fifo-backfill", "first-fit", "strict-fifo" or a SchedulingPolicy' },
    )
    .optional(),
  resources: resourcesSchema.optional(),
  history: z
    .union(
      [
        z.literal(false),
        z.string().min(1, "the history file path is empty"),
        z.custom<HistoryStore>((v) => typeof (v as HistoryStore | null)?.estimate === "function"),
      ],
      { error: "expected false, a file path or a HistoryStore" },
    )
    .optional(),
  defaultMemory: z
    .union([z.literal("auto"), memorySizeSchema], { error: 'expected a size such as "1G", or "auto"' })
    .optional(),
  sinks: z
    .array(
      z.custom<ResultSink>(
        (v) => typeof (v as ResultSink | null)?.record === "function",
        "expected a ResultSink",
      ),
    )
    .optional(),
  launcher: z
    .custom<Launcher>((v) => typeof (v as Launcher | null)?.launch === "function", "expected a Launcher")
    .optional(),
  memoryPolicy: memoryPolicySchema.optional(),
  memoryTolerance: z
    .number({ error: "expected a factor such as 1.2" })
    .min(1, "must be at least 1")
    .optional(),
  pressure: z
    .union(
      [
        z.literal(false),
        z.strictObject({
          hold: z.boolean({ error: "expected true or false" }).optional(),
          suspend: z.boolean({ error: "expected true or false" }).optional(),
          requeue: z.boolean({ error: "expected true or false" }).optional(),
          margin: memorySizeSchema.optional(),
        }),
      ],
      { error: "expected false or { hold, suspend, requeue, margin }" },
    )
    .optional(),
  retryDelay: z.number({ error: "expected seconds as a number" }).min(0, "must be 0 or more").optional(),
  chained: z.boolean({ error: "expected true or false" }).optional(),
  halt: z
    .strictObject({
      failures: z.number().int("expected a whole number").min(1, "must be at least 1").optional(),
      percent: z.number().gt(0, "must be more than 0").max(100, "must be at most 100").optional(),
      mode: z.enum(["now", "soon"], { error: 'expected "now" or "soon"' }),
    })
    .refine((h) => h.failures !== undefined || h.percent !== undefined, "give failures or percent")
    .optional(),
});

/**
 * Checks cluster options and fills in what the machine allows: CPUs this process may use and
 * 90% of the memory available now.
 *
 * @throws {@link SpecError} naming each option that is wrong.
 */
export function resolveClusterOptions(options: ClusterOptions): ClusterSettings {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new SpecError(
      "cluster options",
      problemsFromIssues(parsed.error.issues, Object.keys(optionsSchema.shape)),
    );
  }
  const o = parsed.data;
  const cpuAliases = [o.p, o.cpus, o.cpu].filter((v) => v !== undefined);
  const memoryAliases = [o.m, o.memory].filter((v) => v !== undefined);
  if (cpuAliases.length > 1)
    throw new SpecError("cluster options", [{ field: "p", message: "give only one of p, cpus, cpu" }]);
  if (memoryAliases.length > 1)
    throw new SpecError("cluster options", [{ field: "m", message: "give only one of m, memory" }]);

  const view = readMemoryView();
  const memoryBytes =
    memoryAliases[0] === undefined ? Math.floor(view.availableBytes * 0.9) : mbToBytes(memoryAliases[0]);
  if (o.memoryFloor !== undefined && mbToBytes(o.memoryFloor) >= view.totalBytes) {
    const total = formatMemory(view.totalBytes / (1024 * 1024));
    throw new SpecError("cluster options", [
      {
        field: "memoryFloor",
        message: `${formatMemory(o.memoryFloor)} is not less than this machine's memory (${total})`,
      },
    ]);
  }
  return {
    cpus: cpuAliases[0] ?? detectCpus(),
    memoryBytes,
    floorBytes: o.memoryFloor === undefined ? Math.min(view.totalBytes * 0.05, GB) : mbToBytes(o.memoryFloor),
    progressBar: o.progressBar ?? true,
    killGraceMs: Math.round((o.killGrace ?? 2) * 1000),
    captureLimitBytes: mbToBytes(o.captureLimit ?? 1),
    handleSignals: o.handleSignals ?? true,
    measurement: o.measurement ?? "auto",
    createPolicy: policyFactory(o.policy ?? "packing"),
    resources: o.resources,
    history: historyOpener(o.history),
    defaultMemory:
      o.defaultMemory === undefined || o.defaultMemory === "auto"
        ? o.defaultMemory
        : mbToBytes(o.defaultMemory),
    launcher: o.launcher ?? new ChildProcessLauncher(),
    sinks: o.sinks ?? [],
    memoryPolicy: o.memoryPolicy ?? "warn",
    memoryTolerance: o.memoryTolerance ?? 1,
    pressure:
      o.pressure === false
        ? undefined
        : {
            hold: o.pressure?.hold ?? true,
            suspend: o.pressure?.suspend ?? true,
            requeue: o.pressure?.requeue ?? true,
            marginBytes:
              o.pressure?.margin === undefined
                ? Math.min(Math.max(Math.min(memoryBytes, view.totalBytes) * 0.05, 64 * MB), GB)
                : mbToBytes(o.pressure.margin),
          },
    retryDelayMs: Math.round((o.retryDelay ?? 1) * 1000),
    chained: o.chained ?? false,
    halt: o.halt,
  };
}

/** The policies a cluster may be given by name, besides any `SchedulingPolicy`. */
export type PolicyName = "packing" | "fifo-backfill" | "first-fit" | "strict-fifo";

function policyFactory(policy: PolicyName | SchedulingPolicy): (capacity: Resources) => IncrementalPolicy {
  switch (policy) {
    case "packing":
      return (capacity) => new PackingPolicy(capacity);
    case "fifo-backfill":
      return () => toIncremental(fifoBackfill());
    case "first-fit":
      return () => toIncremental(fifoBackfill({ reserve: false }));
    case "strict-fifo":
      return () => toIncremental(strictFifo());
    default:
      return () => toIncremental(policy);
  }
}

/** Opens history once, on first use; a store that cannot be opened turns history off with a warning, never fails the run. */
function historyOpener(option: false | string | HistoryStore | undefined): (() => HistoryStore) | undefined {
  if (option === false) return undefined;
  if (typeof option === "object") return () => option;
  let store: HistoryStore | undefined;
  return () => {
    if (!store) {
      const path = option ?? defaultHistoryPath();
      try {
        store = new JsonlHistoryStore(path);
      } catch (error) {
        process.stderr.write(`mpmsub: history off, cannot open ${path}: ${(error as Error).message}\n`);
        store = { record: () => {}, estimate: () => undefined, close: () => {} };
      }
    }
    return store;
  };
}
