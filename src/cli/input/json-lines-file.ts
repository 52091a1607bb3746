import { LineCounter, parseDocument } from "yaml";
import { JOB_SPEC_KEYS } from "../../spec/job-spec.js";
import type { RawJob } from "./check-jobs.js";
import type { InputProblem } from "./input-error.js";
import { parseJson } from "./json-syntax.js";
import { fieldNode, isUnknownKey, nodePosition, type Position } from "./positions.js";

/**
 * Reads JSON Lines: one job spec per line; blank lines are skipped. Each line is read with
 * JSON.parse, which keeps large files fast; a line is parsed again for positions only when one of
 * its fields is wrong.
 */
export function readJsonLines(text: string, file: string, problems: InputProblem[]): RawJob[] {
  const jobs: RawJob[] = [];
  text.split(/\r?\n/).forEach((lineText, index) => {
    if (lineText.trim() === "") return;
    const line = index + 1;
    const { value, error } = parseJson(lineText);
    if (error) {
      problems.push({ file, line, column: error.offset + 1, message: `not JSON: ${error.message}` });
      // Still a job, so that the jobs after it keep their numbers.
      jobs.push({ spec: undefined, location: { file, line } });
      return;
    }
    jobs.push({
      spec: value,
      location: { file, line },
      locate: (field) => fieldPosition(lineText, line, field),
    });
  });
  return jobs;
}

function fieldPosition(lineText: string, line: number, field: string): Position | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(lineText, { lineCounter });
  const node = fieldNode(document.contents, field, isUnknownKey(field, JOB_SPEC_KEYS));
  const position = node && nodePosition(node, lineCounter);
  return position && { line, column: position.column };
}
