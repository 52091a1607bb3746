import { extname } from "node:path";
import type { JobFormat } from "./types.js";

const BY_EXTENSION: Readonly<Record<string, JobFormat>> = {
  ".yaml": "yaml",
  ".yml": "yaml",
  ".json": "json",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".txt": "text",
  ".sh": "text",
  ".cmds": "text",
  ".commands": "text",
};

// How JSON begins: an object's first key or its end, or a list of objects. A shell line that
// starts with `{ cmd; }` or `[ -f x ]` does not look like this.
const JSON_START = /^(?:\{\s*(?:"|\}|$)|\[\s*(?:\{|\]|$))/;
const JSON_OBJECT_START = /^\{\s*(?:"|\})/;
const JSON_DOCUMENT_START = /^\{\s*"(?:jobs|defaults)"\s*:/;
// How a YAML job file begins: a document marker, a top-level `jobs:` or `defaults:`, or a list
// item that is a mapping. No shell command starts like these.
const YAML_START = /^(?:---|%YAML|(?:jobs|defaults)\s*:(?:\s|$)|-\s+(?:\{|["']?[\w-]+["']?\s*:(?:\s|$)))/;

/**
 * The format of a job file: from its name's extension when it has a known one, else from its
 * content. Content rules, in order, on the non-blank lines:
 * 1. the first line starts with `{"jobs":` or `{"defaults":`: JSON;
 * 2. every line starts like a JSON object (`{"` or `{}`): JSON Lines;
 * 3. the first line starts like JSON (`{"`, `{}`, `[{`, `[]`, or a lone `{` or `[`): JSON;
 * 4. the first line that is not a `#` comment starts like a YAML job file (`jobs:`, `defaults:`,
 *    `---`, or a list item that is a mapping, such as `- cmd: ...`): YAML;
 * 5. anything else: plain text, one command per line.
 * A file that looks like JSON or YAML is read as such even when it is broken, so that its syntax
 * error is reported rather than its lines run as commands.
 */
export function detectFormat(name: string, text: string): JobFormat {
  return BY_EXTENSION[extname(name).toLowerCase()] ?? formatOfContent(text);
}

function formatOfContent(text: string): JobFormat {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const [first = ""] = lines;
  if (JSON_DOCUMENT_START.test(first)) return "json";
  if (lines.length > 0 && lines.every((line) => JSON_OBJECT_START.test(line))) return "jsonl";
  if (JSON_START.test(first)) return "json";
  if (YAML_START.test(lines.find((line) => !line.startsWith("#")) ?? "")) return "yaml";
  return "text";
}
