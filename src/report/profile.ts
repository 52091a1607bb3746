import { formatMemory } from "../spec/memory.js";
import type { JobResult } from "../spec/result.js";
import { formatDuration } from "./format.js";
import { failureReason } from "./summary.js";

/** Headroom over the measured peak in a recommended memory request. */
export const PROFILE_HEADROOM = 1.2;

/** The memory to request for a job that peaked at `peakMb`: peak x 1.2, rounded up to a whole MB. */
export function recommendedMemory(peakMb: number): string {
  return `${Math.max(1, Math.ceil(peakMb * PROFILE_HEADROOM))}M`;
}

/** Profiling output: a line per job, and the specs to paste with the recommended requests. */
export function formatProfile(results: readonly JobResult[]): { perJob: string; recommendation: string } {
  const perJob = results
    .map((r) =>
      r.success
        ? `  ✓ ${r.id}: ${formatDuration(r.runtime)}, peak ${formatMemory(r.memoryUsed)}, CPU ${formatDuration(r.cpuTime)} → m: "${recommendedMemory(r.memoryUsed)}"\n`
        : `  ✗ ${r.id} [${r.status}]: ${failureReason(r)}${r.startTime === null ? "" : `, peak ${formatMemory(r.memoryUsed)}`}\n`,
    )
    .join("");
  const measured = results.filter((r) => r.startTime !== null);
  const lines = measured.map(
    (r) =>
      `  { id: ${JSON.stringify(r.id)}, ${commandField(r.cmd)}, p: ${r.cpus}, m: "${recommendedMemory(r.memoryUsed)}" },`,
  );
  const recommendation =
    lines.length > 0
      ? `\nRecommended (peak x ${PROFILE_HEADROOM}, measured by ${measured[0]?.memoryMethod}):\n${lines.join("\n")}\n`
      : "";
  return { perJob, recommendation };
}

/** The command as the spec field it came from: `cmd`, `cmd` with `shell`, or `pipeline`. */
function commandField(cmd: JobResult["cmd"]): string {
  if (typeof cmd === "string") return `cmd: ${JSON.stringify(cmd)}, shell: true`;
  if (cmd.some((part) => Array.isArray(part))) return `pipeline: ${JSON.stringify(cmd)}`;
  return `cmd: ${JSON.stringify(cmd)}`;
}
