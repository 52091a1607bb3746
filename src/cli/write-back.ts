import { isMap, isSeq, parseDocument } from "yaml";
import type { JobSpec } from "../index.js";
import type { LoadedJobs } from "./input/index.js";

/** Cores and memory to write into a job. */
export interface Recommendation {
  p: number;
  m: string;
}

/** Spec keys that say cores or memory: the recommendation replaces all of them. */
const RESOURCE_KEYS = ["p", "cpus", "cpu", "m", "memory"] as const;

/**
 * The job file with each job's `p` and `m` set to its recommendation, in the file's own format,
 * keeping the rest as it was (YAML keeps its comments and layout).
 *
 * @throws when the jobs came from a command template: there is no file to write.
 */
export function writeBack(text: string, loaded: LoadedJobs, values: readonly Recommendation[]): string {
  switch (loaded.format) {
    case "yaml":
      return writeYaml(text, values);
    case "json": {
      const document = JSON.parse(text) as unknown;
      const jobs = (Array.isArray(document) ? document : (document as { jobs: unknown[] }).jobs) as Record<
        string,
        unknown
      >[];
      for (const [i, job] of jobs.entries()) setResources(job, values[i]);
      return `${JSON.stringify(document, null, 2)}\n`;
    }
    case "jsonl": {
      const lines = text.split("\n");
      loaded.locations.forEach((where, i) => {
        const job = JSON.parse(lines[where.line - 1] as string) as Record<string, unknown>;
        setResources(job, values[i]);
        lines[where.line - 1] = JSON.stringify(job);
      });
      return lines.join("\n");
    }
    case "text":
      return writeText(text, loaded, values);
    default:
      throw new Error("jobs from a command template have no file to write back to");
  }
}

function setResources(job: Record<string, unknown>, value: Recommendation | undefined): void {
  if (!value) return;
  for (const key of RESOURCE_KEYS) delete job[key];
  job.p = value.p;
  job.m = value.m;
}

function writeYaml(text: string, values: readonly Recommendation[]): string {
  const document = parseDocument(text);
  const root = document.contents;
  const prefix = isSeq(root) ? [] : ["jobs"];
  const jobs = isSeq(root) ? root : isMap(root) ? root.get("jobs") : undefined;
  if (!isSeq(jobs)) throw new Error("no jobs list to write back to");
  jobs.items.forEach((item, i) => {
    const value = values[i];
    if (!isMap(item) || !value) return;
    for (const key of RESOURCE_KEYS) document.deleteIn([...prefix, i, key]);
    document.setIn([...prefix, i, "p"], value.p);
    document.setIn([...prefix, i, "m"], value.m);
  });
  return document.toString();
}

/**
 * A text file's `#mpmsub` lines replace one another, so each command gets one of its own,
 * carrying what applied to it before with the new `p` and `m`; the old ones go, and a line
 * that would repeat the one above is left out.
 */
function writeText(text: string, loaded: LoadedJobs, values: readonly Recommendation[]): string {
  const directiveAt = new Map<number, string>();
  loaded.locations.forEach((where, i) => {
    const spec = loaded.specs[i] as JobSpec;
    const value = values[i] as Recommendation;
    directiveAt.set(where.line, directive(spec, value));
  });
  const out: string[] = [];
  let current = "";
  text.split("\n").forEach((line, index) => {
    if (/^\s*#mpmsub(\s|$)/.test(line)) return;
    const wanted = directiveAt.get(index + 1);
    if (wanted !== undefined && wanted !== current) {
      out.push(wanted);
      current = wanted;
    }
    out.push(line);
  });
  return out.join("\n");
}

function directive(spec: JobSpec, value: Recommendation): string {
  const words = [`p=${value.p}`, `m=${value.m}`];
  for (const [key, v] of Object.entries(spec)) {
    if (
      key === "cmd" ||
      key === "shell" ||
      (RESOURCE_KEYS as readonly string[]).includes(key) ||
      v === undefined
    )
      continue;
    if (key === "env" || key === "resources") {
      for (const [name, entry] of Object.entries(v as Record<string, unknown>))
        words.push(`${key}.${name}=${quote(String(entry))}`);
    } else if (Array.isArray(v)) words.push(`${key}=${v.join(",")}`);
    else words.push(`${key}=${quote(String(v))}`);
  }
  return `#mpmsub ${words.join(" ")}`;
}

function quote(value: string): string {
  return /^[^\s"'#]+$/.test(value) ? value : `"${value.replaceAll('"', '\\"')}"`;
}
