import { JOB_SPEC_KEYS } from "../../spec/job-spec.js";
import { isPlainObject } from "./defaults.js";
import { isUnknownKey } from "./positions.js";

/** The word that starts a directive line in a text job file, as `#SBATCH` does for Slurm. */
export const DIRECTIVE = /^\s*#mpmsub(?:\s|$)/;

/** A `#mpmsub key=value ...` line read: its values, where each is written, and what is wrong with it. */
export interface Directive {
  values: Record<string, unknown>;
  /** The column of a field: its value, or its key when the key is unknown. */
  columnOf(field: string): number | undefined;
  /** Problems with the line's syntax; the values are judged later, as defaults. */
  problems: { column: number; field?: string; message: string }[];
}

// A word is a run of non-space characters and quoted stretches, so that `cwd="my dir"` is one.
const WORD = /(?:"[^"]*"|'[^']*'|[^\s"'])+/y;
const QUOTED = /^(["'])(.*)\1$/s;
const NUMBER = /^-?\d+(?:\.\d+)?$/;
// Keys whose entries are written one by one: `env.TMPDIR=/scratch resources.gpu=1`.
const NESTED = new Set(["env", "resources"]);

/**
 * Reads a directive line such as `#mpmsub p=2 m=4G timeout=600 env.TMPDIR=/scratch`. Unquoted
 * values that look like numbers or booleans become them; `retryOn` takes a comma-separated list;
 * quoted values and `env.*` values stay strings.
 */
export function parseDirective(lineText: string): Directive {
  const values: Record<string, unknown> = {};
  const columns = new Map<string, { key: number; value: number }>();
  const problems: Directive["problems"] = [];
  let i = lineText.indexOf("#mpmsub") + "#mpmsub".length;
  for (;;) {
    while (/\s/.test(lineText.charAt(i))) i++;
    if (i >= lineText.length) break;
    WORD.lastIndex = i;
    const word = WORD.exec(lineText)?.[0] ?? "";
    const end = i + word.length;
    if (end < lineText.length && !/\s/.test(lineText.charAt(end))) {
      problems.push({ column: end + 1, message: "quote not closed" });
      break;
    }
    if (word.startsWith("#")) break; // the rest of the line is a comment
    const equals = word.indexOf("=");
    if (equals < 1) {
      problems.push({ column: i + 1, message: `expected key=value, found "${word}"` });
    } else {
      const key = word.slice(0, equals);
      if (columns.has(key)) {
        problems.push({ column: i + 1, field: key, message: "given twice on this line" });
      } else {
        columns.set(key, { key: i + 1, value: i + equals + 2 });
        setValue(values, key, directiveValue(key, word.slice(equals + 1)));
      }
    }
    i = end;
  }
  const columnOf = (field: string): number | undefined => {
    const written = columns.get(field) ?? columns.get(field.split(".")[0] ?? field);
    return written && (isUnknownKey(field, JOB_SPEC_KEYS) ? written.key : written.value);
  };
  return { values, columnOf, problems };
}

function directiveValue(key: string, raw: string): unknown {
  const quoted = QUOTED.exec(raw);
  if (quoted) return quoted[2];
  if (key.startsWith("env.")) return raw;
  if (key === "retryOn") return raw.split(",");
  if (NUMBER.test(raw)) return Number(raw);
  if (raw === "true" || raw === "false") return raw === "true";
  return raw;
}

function setValue(values: Record<string, unknown>, key: string, value: unknown): void {
  const dot = key.indexOf(".");
  const head = key.slice(0, dot);
  if (dot > 0 && NESTED.has(head)) {
    const entries = isPlainObject(values[head]) ? values[head] : {};
    values[head] = { ...entries, [key.slice(dot + 1)]: value };
  } else {
    values[key] = value;
  }
}
