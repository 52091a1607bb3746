/**
 * What a job is, for learning from earlier runs: its `group` when it has one, else its command
 * with the parts that vary from run to run generalised, so that `sort a.txt` and `sort b.txt`
 * share what was learned.
 */

/** Programs whose first argument is the script that says what the job is, kept by name. */
const INTERPRETERS = new Set([
  "bash",
  "bun",
  "dash",
  "deno",
  "java",
  "julia",
  "ksh",
  "node",
  "perl",
  "php",
  "pypy",
  "python",
  "R",
  "Rscript",
  "ruby",
  "sh",
  "tsx",
  "zsh",
]);

/** Interpreter options after which code follows inline rather than a script's name. */
const INLINE_CODE = new Set(["-c", "-e", "--eval"]);

/** Keys longer than this end in a hash of the rest, so that a long script makes a bounded key. */
const MAX_KEY_LENGTH = 400;

/**
 * The history key of a job: `group:<group>` when a group is given, else `cmd:` and its command
 * normalised by {@link normaliseCommand}.
 *
 * @example
 * historyKey({ stages: [["sort", "-k2", "a.txt"]] });         // "cmd:sort -k# *.txt"
 * historyKey({ stages: [["sort", "b.txt"]], group: "sorts" }); // "group:sorts"
 */
export function historyKey(job: {
  stages: readonly (readonly string[])[];
  group?: string | undefined;
}): string {
  if (job.group !== undefined) return `group:${job.group}`;
  const key = `cmd:${normaliseCommand(job.stages)}`;
  if (key.length <= MAX_KEY_LENGTH) return key;
  return `${key.slice(0, MAX_KEY_LENGTH - 10)}~${fnv1a(key)}`;
}

/**
 * A command with what varies between runs generalised: each program by its base name;
 * arguments with file paths as `*` plus their extension (`/data/s1.fastq.gz` is `*.fastq.gz`);
 * every other run of digits as `#`; repeats of the same generalised word as one word and `+`.
 * An interpreter's script keeps its name (`python3 align.py x.fq` is `python3 align.py *.fq`),
 * and words of inline code (`sh -c "..."`) are generalised one by one. Pipeline stages are
 * joined by ` | `.
 */
export function normaliseCommand(stages: readonly (readonly string[])[]): string {
  return stages.map(normaliseArgv).join(" | ");
}

function normaliseArgv(argv: readonly string[]): string {
  const [program = "", ...args] = argv;
  const name = baseName(program);
  const words = [name];
  // "python3.11" and "python3" are interpreters like "python".
  let script = INTERPRETERS.has(name.replace(/[\d.]+$/, "")) ? "pending" : "none";
  let inline = false;
  for (const arg of args) {
    if (script === "pending" && !arg.startsWith("-")) {
      script = "seen";
      if (inline) words.push(...generaliseWords(arg));
      else words.push(baseName(arg));
      continue;
    }
    if (script === "pending") inline = INLINE_CODE.has(arg);
    words.push(...generaliseWords(arg));
  }
  return collapseRepeats(words).join(" ");
}

function generaliseWords(arg: string): string[] {
  return arg
    .split(/\s+/)
    .filter((word) => word.length > 0)
    .map(generaliseWord);
}

/** An option or `name=value` keeps its name and generalises its value. */
function generaliseWord(word: string): string {
  const equals = word.indexOf("=");
  if (equals > 0 && /^-{0,2}[A-Za-z_][\w.-]*$/.test(word.slice(0, equals))) {
    return `${word.slice(0, equals).replace(/\d+/g, "#")}=${generaliseValue(word.slice(equals + 1))}`;
  }
  return generaliseValue(word);
}

function generaliseValue(value: string): string {
  const path = value.includes("/") || (!value.startsWith("-") && /\.[A-Za-z][A-Za-z0-9]*$/.test(value));
  if (path) return `*${/((?:\.[A-Za-z][A-Za-z0-9]*)+)$/.exec(baseName(value))?.[1] ?? ""}`;
  return value.replace(/\d+(?:\.\d+)?/g, "#");
}

function collapseRepeats(words: readonly string[]): string[] {
  const collapsed: string[] = [];
  for (const word of words) {
    const last = collapsed[collapsed.length - 1];
    if (last === word || last === `${word}+`) collapsed[collapsed.length - 1] = `${word}+`;
    else collapsed.push(word);
  }
  return collapsed;
}

function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** FNV-1a, 32 bits, as 8 hex digits. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}
