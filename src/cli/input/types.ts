import type { JobSpec } from "../../spec/job-spec.js";

/** The formats a job file can be in. */
export type JobFormat = "yaml" | "json" | "jsonl" | "text";

/**
 * Where a job was written, for the journal and for error messages. Lines and columns count from 1.
 * For a command template, `line` is the job's sequence number `{#}`, which is also its line on
 * stdin when the arguments came from there.
 */
export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
}

/** Jobs read from a file or a template: checked, with every default merged in. */
export interface LoadedJobs {
  /** Complete specs, ready for `cluster().jobs.extend()`. */
  specs: JobSpec[];
  /** `locations[i]` is where `specs[i]` was written. */
  locations: SourceLocation[];
  /** The format the jobs were read as. */
  format: JobFormat | "template";
}
