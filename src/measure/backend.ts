import { existsSync, mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MeasurementMethod } from "../spec/result.js";
import { CGROUP_V1, CGROUP_V2, CgroupMeter } from "./cgroup/cgroup-meter.js";
import type { OwnCgroups } from "./cgroup/hierarchy.js";
import type { JobMeter, MeasurementBackend } from "./meter.js";
import { ProcMeter } from "./proc/proc-meter.js";
import { scanProcesses } from "./proc/process-table.js";
import { ProcessSnapshot } from "./proc/process-tree.js";
import { psSnapshot } from "./ps/ps-table.js";
import { ownCgroups } from "./system.js";

/** Sampling period of running jobs: fast enough to catch most short spikes from /proc, cheap with cgroups. */
const SAMPLE_MS = 50;
/** `ps` costs tens of milliseconds a call, so macOS samples less often. */
const PS_SAMPLE_MS = 500;

/** Which measurement to use; `auto` picks the most exact one this machine allows. */
export type MeasurementChoice = "auto" | MeasurementMethod;

/**
 * Opens the most exact way of measuring jobs that works here: a memory cgroup per job (v1 or
 * v2, where this process may create them), else sampling /proc, else `ps` (macOS).
 */
export function openMeasurement(
  choice: MeasurementChoice = "auto",
  cgroups: OwnCgroups = ownCgroups(),
): MeasurementBackend {
  if (choice === "proc" || choice === "ps") return procBackend(choice, undefined);
  if (process.platform !== "linux") {
    return procBackend(
      "ps",
      `no cgroups or /proc on ${process.platform}: memory is sampled with ps every 500 ms`,
    );
  }
  const reasons: string[] = [];
  return openCgroups(cgroups, choice, reasons) ?? procBackend("proc", reasons.join("; ") || undefined);
}

function openCgroups(
  cgroups: OwnCgroups,
  choice: MeasurementChoice,
  reasons: string[],
): MeasurementBackend | undefined {
  const v1 = cgroups.v1.get("memory");
  if (v1 && choice !== "cgroup-v2") {
    const runDir = makeRunDir(v1, reasons);
    if (runDir) {
      const cpuParent = cgroups.v1.get("cpuacct");
      const cpuRunDir = cpuParent && cpuParent !== v1 ? makeRunDir(cpuParent, []) : undefined;
      return cgroupBackend("cgroup-v1", [runDir, ...(cpuRunDir ? [cpuRunDir] : [])], (label) => {
        return new CgroupMeter(CGROUP_V1, join(runDir, label), cpuRunDir && join(cpuRunDir, label));
      });
    }
  } else if (!v1) {
    reasons.push("no cgroup v1 memory controller");
  }
  if (cgroups.v2 && choice !== "cgroup-v1") {
    const runDir = makeRunDir(cgroups.v2, reasons);
    if (runDir) {
      // Job groups get a memory controller only if ours delegates it to children, which it
      // usually does not where this process shares its cgroup (v2's no-internal-process rule).
      try {
        if (!existsSync(join(runDir, "memory.current"))) throw new Error("not delegated");
        writeFileSync(join(runDir, "cgroup.subtree_control"), "+memory");
      } catch {
        reasons.push(`cgroup v2 memory controller not delegated below ${cgroups.v2}`);
        removeDir(runDir);
        return undefined;
      }
      return cgroupBackend(
        "cgroup-v2",
        [runDir],
        (label) => new CgroupMeter(CGROUP_V2, join(runDir, label), undefined),
      );
    }
  } else if (!cgroups.v2) {
    reasons.push("no cgroup v2 hierarchy");
  }
  return undefined;
}

function makeRunDir(parent: string, reasons: string[]): string | undefined {
  const dir = join(parent, `mpmsub-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    mkdirSync(dir);
    return dir;
  } catch (error) {
    reasons.push(`cannot create cgroups under ${parent} (${(error as NodeJS.ErrnoException).code})`);
    return undefined;
  }
}

function removeDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // busy or gone
  }
}

function cgroupBackend(
  method: MeasurementMethod,
  runDirs: string[],
  create: (label: string) => JobMeter,
): MeasurementBackend {
  let jobs = 0;
  return {
    method,
    fallbackReason: undefined,
    sampleIntervalMs: SAMPLE_MS,
    cgroupDirs: runDirs,
    createMeter: (label) => create(`${label.replace(/[^\w.-]/g, "_").slice(0, 60)}-${++jobs}`),
    refresh: () => {},
    close: () => {
      for (const dir of runDirs) removeDir(dir);
    },
  };
}

function procBackend(method: "proc" | "ps", fallbackReason: string | undefined): MeasurementBackend {
  let snapshot: ProcessSnapshot | undefined;
  const scan = method === "proc" ? () => new ProcessSnapshot(scanProcesses()) : () => psSnapshot();
  const current = (fresh: boolean) => {
    if (fresh || !snapshot) snapshot = scan();
    return snapshot;
  };
  return {
    method,
    fallbackReason,
    sampleIntervalMs: method === "proc" ? SAMPLE_MS : PS_SAMPLE_MS,
    cgroupDirs: [],
    createMeter: () => new ProcMeter(method, current, method === "proc"),
    refresh: () => {
      snapshot = scan();
    },
    close: () => {},
  };
}
