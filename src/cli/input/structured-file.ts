import { isAlias, isMap, isNode, isSeq, LineCounter, parseDocument, type YAMLSeq } from "yaml";
import * as z from "zod";
import { problemsFromIssues } from "../../spec/errors.js";
import { JOB_SPEC_KEYS } from "../../spec/job-spec.js";
import { checkDefaults, type RawJob } from "./check-jobs.js";
import { type Defaults, isPlainObject } from "./defaults.js";
import type { InputProblem } from "./input-error.js";
import { parseJson } from "./json-syntax.js";
import { fieldNode, isUnknownKey, lineColumn, nodePosition, type Position } from "./positions.js";

/** What a YAML or JSON job file holds: its jobs and its `defaults:` block, when good. */
export interface StructuredJobs {
  jobs: RawJob[];
  defaults?: Defaults;
}

const TOP_LEVEL_KEYS = ["defaults", "jobs"];

const topLevelSchema = z.strictObject({
  defaults: z
    .record(z.string(), z.unknown(), { error: "expected a mapping of job fields such as p, m, timeout" })
    .optional(),
  jobs: z.array(z.unknown(), { error: "expected a list of jobs" }),
});

/**
 * Reads a YAML or JSON job file: `{ defaults?: {...}, jobs: [...] }` or a bare list of jobs.
 * Both go through the YAML parser (JSON is YAML 1.2), which gives every node its position; JSON
 * is first held to JSON's own syntax, so that what is accepted is JSON.
 */
export function readStructured(
  text: string,
  file: string,
  format: "yaml" | "json",
  problems: InputProblem[],
): StructuredJobs {
  if (format === "json") {
    const { error } = parseJson(text);
    if (error) {
      problems.push({ file, ...lineColumn(text, error.offset), message: `JSON syntax: ${error.message}` });
      return { jobs: [] };
    }
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  // One mistake often sets off several errors after it; the first is the one to fix.
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const { line, col } = lineCounter.linePos(syntaxError.pos[0]);
    const name = format === "json" ? "JSON" : "YAML";
    problems.push({ file, line, column: col, message: `${name} syntax: ${syntaxError.message}` });
    return { jobs: [] };
  }

  const root = document.contents;
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    // Aliases that expand without bound: the YAML library refuses them rather than run out of memory.
    problems.push({ file, line: 1, message: `YAML: ${(error as Error).message}` });
    return { jobs: [] };
  }
  const at = (node: unknown): Position | undefined =>
    isNode(node) ? nodePosition(node, lineCounter) : undefined;
  const place = (node: unknown, field: string, knownKeys: readonly string[]) => ({
    file,
    ...(at(fieldNode(node, field, isUnknownKey(field, knownKeys))) ?? at(node)),
  });
  const jobsIn = (seq: YAMLSeq, values: readonly unknown[]): RawJob[] =>
    values.map((spec, index) => {
      const item = seq.items[index];
      return {
        spec,
        location: { file, ...(at(item) ?? { line: 1 }) },
        locate: (field) => at(fieldNode(item, field, isUnknownKey(field, JOB_SPEC_KEYS))),
      };
    });

  if (root === null) return { jobs: [] };
  if (isSeq(root)) return { jobs: jobsIn(root, data as unknown[]) };
  if (!isMap(root)) {
    problems.push({
      file,
      ...at(root),
      message: "expected jobs: with a list of jobs (and optionally defaults:), or a list of jobs",
    });
    return { jobs: [] };
  }

  const top = topLevelSchema.safeParse(data);
  if (!top.success) {
    for (const { field, message } of problemsFromIssues(top.error.issues, TOP_LEVEL_KEYS)) {
      problems.push({ ...place(root, field, TOP_LEVEL_KEYS), field, message });
    }
  }
  const { defaults, jobs } = data as { defaults?: unknown; jobs?: unknown };
  // `jobs: *anchor` names a list written elsewhere; its jobs are located there.
  const resolve = (node: unknown) => (isAlias(node) ? node.resolve(document) : node);
  const defaultsNode = resolve(root.get("defaults", true));
  const jobsNode = resolve(root.get("jobs", true));
  return {
    jobs: isSeq(jobsNode) && Array.isArray(jobs) ? jobsIn(jobsNode, jobs) : [],
    defaults:
      isMap(defaultsNode) && isPlainObject(defaults)
        ? checkDefaults(defaults, (field) => place(defaultsNode, field, JOB_SPEC_KEYS), problems, "defaults.")
        : undefined,
  };
}
