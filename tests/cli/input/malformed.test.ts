import { describe, expect, it } from "vitest";
import {
  expandTemplate,
  InputError,
  type JobFormat,
  readJobFile,
  splitTemplateArgs,
} from "../../../src/cli/input/index.js";
import type { JobSpec } from "../../../src/spec/job-spec.js";

const MEMORY = 'expected a positive number of MB or a size such as "512M", "1.5G", "2GiB"';

/** The message InputError carries for what `read` does, which must fail. */
function messageOf(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error("expected an InputError, but the input was accepted");
}

interface Case {
  what: string;
  name: string;
  text: string;
  format?: JobFormat;
  defaults?: Partial<JobSpec>;
  expected: string;
}

// Each row is one malformed input and the exact message the command line prints for it.
const FILES: Case[] = [
  // YAML syntax
  {
    what: "YAML: an unclosed flow sequence",
    name: "jobs.yaml",
    text: "jobs:\n  - cmd: [gzip, a\n  - cmd: [b]\n",
    expected:
      "jobs.yaml:3:3: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]",
  },
  {
    what: "YAML: a tab as indentation",
    name: "jobs.yaml",
    text: "defaults:\n\tp: 2\njobs: []\n",
    expected: "jobs.yaml:2:1: YAML syntax: Tabs are not allowed as indentation",
  },
  {
    what: "YAML: a key given twice in a job",
    name: "jobs.yaml",
    text: "jobs:\n  - cmd: [a]\n    cmd: [b]\n",
    expected: "jobs.yaml:3:5: YAML syntax: Map keys must be unique",
  },
  {
    what: "YAML: several documents",
    name: "jobs.yaml",
    text: "- cmd: [a]\n---\n- cmd: [b]\n",
    expected:
      "jobs.yaml:2:1: YAML syntax: Source contains multiple documents; please use YAML.parseAllDocuments()",
  },
  // YAML and JSON: the top level
  {
    what: "YAML: a scalar at the top",
    name: "jobs.yaml",
    text: "gzip a.txt\n",
    expected:
      "jobs.yaml:1:1: expected jobs: with a list of jobs (and optionally defaults:), or a list of jobs",
  },
  {
    what: "YAML: a misspelt jobs key",
    name: "jobs.yaml",
    text: "defaults: { p: 1 }\njob:\n  - cmd: [a]\n",
    expected: [
      "jobs.yaml:1:1: jobs: expected a list of jobs",
      'jobs.yaml:2:1: job: unknown field (did you mean "jobs"?)',
    ].join("\n"),
  },
  {
    what: "YAML: jobs that are not a list",
    name: "jobs.yaml",
    text: "jobs: gzip a.txt\n",
    expected: "jobs.yaml:1:7: jobs: expected a list of jobs",
  },
  {
    what: "YAML: defaults that are not a mapping",
    name: "jobs.yaml",
    text: "defaults: 4G\njobs: []\n",
    expected: "jobs.yaml:1:11: defaults: expected a mapping of job fields such as p, m, timeout",
  },
  // YAML: defaults
  {
    what: "YAML: per-job keys, unknown keys and bad values in defaults, all at once",
    name: "jobs.yaml",
    text: "defaults:\n  id: x\n  cmd: [ls]\n  mem: 1G\n  timeout: -5\njobs: []\n",
    expected: [
      "jobs.yaml:2:7: defaults.id: ids are per job, not a default",
      "jobs.yaml:3:8: defaults.cmd: the command is per job, not a default",
      'jobs.yaml:4:3: defaults.mem: unknown field (did you mean "m"?)',
      "jobs.yaml:5:12: defaults.timeout: must be greater than 0",
    ].join("\n"),
  },
  {
    what: "YAML: bad defaults are reported once, not in every job",
    name: "jobs.yaml",
    text: "defaults:\n  m: 12Q\njobs:\n  - cmd: [a]\n  - cmd: [b]\n",
    expected: `jobs.yaml:2:6: defaults.m: invalid memory size "12Q": ${MEMORY}`,
  },
  // YAML: jobs
  {
    what: "YAML: a bad memory size, as in the issue",
    name: "jobs.yaml",
    text: [
      "# alignments for run 7",
      "defaults:",
      "  p: 4",
      "  timeout: 3600",
      "",
      "jobs:",
      "  - id: align-1",
      "    cmd: [bwa, mem, ref.fa, r1.fq]",
      "    m: 12G",
      "  - id: align-2",
      "    cmd: [bwa, mem, ref.fa, r2.fq]",
      "  - id: align-3",
      "    cmd: [bwa, mem, ref.fa, r3.fq]",
      "    m: 12Q",
    ].join("\n"),
    expected: `jobs.yaml:14:8: job "align-3": m: invalid memory size "12Q": ${MEMORY}`,
  },
  {
    what: "YAML: an unknown key, pointed at by its name",
    name: "jobs.yaml",
    text: "- id: align-7\n  cmd: [bwa]\n  mem: 4G\n",
    expected: 'jobs.yaml:3:3: job "align-7": mem: unknown field (did you mean "m"?)',
  },
  {
    what: "YAML: a string command without shell",
    name: "jobs.yaml",
    text: "- cmd: sort big.txt\n",
    expected:
      'jobs.yaml:1:8: job #1: cmd: a string command needs shell: true (or give an argv array such as ["sort","big.txt"])',
  },
  {
    what: "YAML: unquoted arguments that YAML makes numbers and booleans, each pointed at",
    name: "jobs.yaml",
    text: "- cmd: [gzip, -9, a.txt]\n- cmd: [tool, --fast, yes, true]\n",
    expected: [
      "jobs.yaml:1:15: job #1: cmd.1: expected a string, found -9 (put it in quotes)",
      "jobs.yaml:2:28: job #2: cmd.3: expected a string, found true (put it in quotes)",
    ].join("\n"),
  },
  {
    what: "YAML: aliases that expand without bound",
    name: "jobs.yaml",
    text: [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "jobs: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
    ].join("\n"),
    expected: "jobs.yaml:1: YAML: Excessive alias count indicates a resource exhaustion attack",
  },
  {
    what: "YAML: a job without a command, located at the job",
    name: "jobs.yaml",
    text: "- cmd: [a]\n- p: 2\n  m: 1G\n",
    expected: 'jobs.yaml:2:3: job #2: cmd: missing: give the command as an argv array, e.g. ["ls", "-l"]',
  },
  {
    what: "YAML: both cmd and pipeline",
    name: "jobs.yaml",
    text: "- cmd: [a]\n  pipeline: [[b], [c]]\n",
    expected: "jobs.yaml:1:3: job #1: cmd, pipeline: give either cmd or pipeline, not both",
  },
  {
    what: "YAML: a job that is a string, not a mapping",
    name: "jobs.yaml",
    text: "jobs:\n  - cmd: [a]\n  - gzip b.txt\n",
    expected:
      "jobs.yaml:3:5: job #2: expected a job spec (a mapping of fields such as cmd, p, m), found a string",
  },
  {
    what: "YAML: an empty list item",
    name: "jobs.yaml",
    text: "- cmd: [a]\n-\n",
    expected:
      "jobs.yaml:2:2: job #2: expected a job spec (a mapping of fields such as cmd, p, m), found nothing",
  },
  {
    what: "YAML: a fraction of a core",
    name: "jobs.yaml",
    text: "- { id: a, cmd: [x], p: 1.5 }\n",
    expected: 'jobs.yaml:1:25: job "a": p: expected a whole number of CPU cores',
  },
  {
    what: "YAML: two names for the cores",
    name: "jobs.yaml",
    text: "- cmd: [x]\n  p: 2\n  cpus: 2\n",
    expected: "jobs.yaml:1:3: job #1: p, cpus: give only one of p, cpus, cpu",
  },
  {
    what: "YAML: an environment value that is a number, pointed at inside env",
    name: "jobs.yaml",
    text: "- cmd: [x]\n  env:\n    OMP_NUM_THREADS: 4\n",
    expected: "jobs.yaml:3:22: job #1: env.OMP_NUM_THREADS: environment values must be strings",
  },
  {
    what: "YAML: a bad list entry, pointed at by its index",
    name: "jobs.yaml",
    text: "- cmd: [x]\n  retryOn: [oom, crash]\n",
    expected: 'jobs.yaml:2:18: job #1: retryOn.1: each must be "oom", "timeout" or "failed"',
  },
  {
    what: "YAML: a resource name with a dot and a negative count",
    name: "jobs.yaml",
    text: "- cmd: [x]\n  resources: { licence.matlab: -1 }\n",
    expected: "jobs.yaml:2:32: job #1: resources.licence.matlab: must be 0 or more",
  },
  {
    what: "YAML: a duplicate id, with both places, beside the job's other problems",
    name: "jobs.yaml",
    text: "- id: a\n  cmd: [x]\n- id: b\n  cmd: [y]\n- id: a\n  cmd: [z]\n  m: 0\n",
    expected: [
      'jobs.yaml:5:7: job "a": id: duplicate id, first used at line 1, column 7',
      `jobs.yaml:7:6: job "a": m: invalid memory size 0: ${MEMORY}`,
    ].join("\n"),
  },
  // JSON
  {
    what: "JSON: a missing comma",
    name: "jobs.json",
    text: '{\n  "jobs": [\n    {"cmd": ["a"] "m": "1G"}\n  ]\n}\n',
    expected: 'jobs.json:3:19: JSON syntax: expected "," or "}" after a value, found a string',
  },
  {
    what: "JSON: a trailing comma",
    name: "jobs.json",
    text: '{"jobs": [{"cmd": ["a"]},]}',
    expected: 'jobs.json:1:25: JSON syntax: a "," before "]" is not allowed in JSON',
  },
  {
    what: "JSON: single quotes",
    name: "jobs.json",
    text: "{\"jobs\": [{'cmd': ['a']}]}",
    expected: 'jobs.json:1:12: JSON syntax: expected a property name in double quotes, found "\'"',
  },
  {
    what: "JSON: an unquoted word",
    name: "jobs.json",
    text: '{"jobs": [{"cmd": ["a"], "m": big}]}',
    expected: 'jobs.json:1:31: JSON syntax: expected a value, found "big" (strings need double quotes)',
  },
  {
    what: "JSON: a string left open",
    name: "jobs.json",
    text: '{"jobs": [{"cmd": ["a]}]}',
    expected: "jobs.json:1:20: JSON syntax: string not closed",
  },
  {
    what: "JSON: a line break inside a string",
    name: "jobs.json",
    text: '{"jobs": [{"cmd": ["a\nb"]}]}',
    expected: "jobs.json:1:22: JSON syntax: line break in a string (write it as \\n)",
  },
  {
    what: "JSON: text after the document",
    name: "jobs.json",
    text: '{"jobs": []}\n{"jobs": []}\n',
    expected: 'jobs.json:2:1: JSON syntax: unexpected "{" after the JSON value',
  },
  {
    what: "JSON: a key given twice",
    name: "jobs.json",
    text: '{"jobs": [], "jobs": []}',
    expected: "jobs.json:1:14: JSON syntax: Map keys must be unique",
  },
  {
    what: "JSON: a value of the wrong type, pointed at",
    name: "jobs.json",
    text: '{"jobs": [\n  {"id": "sort-1", "cmd": ["sort"], "timeout": "60"}\n]}',
    expected: 'jobs.json:2:48: job "sort-1": timeout: expected seconds as a number',
  },
  // JSON Lines
  {
    what: "JSON Lines: a line that is a command, not JSON",
    name: "jobs.jsonl",
    text: '{"cmd": ["a"]}\ngzip b.txt\n',
    expected: 'jobs.jsonl:2:1: not JSON: expected a value, found "gzip" (strings need double quotes)',
  },
  {
    what: "JSON Lines: a bad field; blank lines and broken lines keep the job numbers",
    name: "jobs.jsonl",
    text: '{"cmd": ["a"]}\n\n{"cmd": ["b"]\n{"cmd": ["c"], "m": "12Q"}\n',
    expected: [
      'jobs.jsonl:3:14: not JSON: expected "," or "}" after a value, found the end',
      `jobs.jsonl:4:21: job #3: m: invalid memory size "12Q": ${MEMORY}`,
    ].join("\n"),
  },
  {
    what: "JSON Lines: a line that is a list",
    name: "jobs.jsonl",
    text: '["gzip", "a"]\n',
    expected:
      "jobs.jsonl:1: job #1: expected a job spec (a mapping of fields such as cmd, p, m), found a list",
  },
  {
    what: "JSON Lines: an unknown key, pointed at by its name",
    name: "jobs.jsonl",
    text: '{"id": "x", "cmd": ["a"], "timout": 5}\n',
    expected: 'jobs.jsonl:1:27: job "x": timout: unknown field (did you mean "timeout"?)',
  },
  // Plain text: directives
  {
    what: "text: an unknown key in a directive",
    name: "cmds.txt",
    text: "gzip a\n#mpmsub mem=4G\ngzip b\n",
    expected: 'cmds.txt:2:9: mem: unknown field (did you mean "m"?)',
  },
  {
    what: "text: a bad value in a directive, pointed at",
    name: "cmds.txt",
    text: "#mpmsub p=2 m=4Q\ngzip a\n",
    expected: `cmds.txt:1:15: m: invalid memory size "4Q": ${MEMORY}`,
  },
  {
    what: "text: a word without = in a directive",
    name: "cmds.txt",
    text: "#mpmsub p=2 bigmem\ngzip a\n",
    expected: 'cmds.txt:1:13: expected key=value, found "bigmem"',
  },
  {
    what: "text: a quote left open in a directive",
    name: "cmds.txt",
    text: '#mpmsub cwd="/data/run 1\ngzip a\n',
    expected: "cmds.txt:1:13: quote not closed",
  },
  {
    what: "text: a key given twice in a directive",
    name: "cmds.txt",
    text: "#mpmsub p=2 p=4\ngzip a\n",
    expected: "cmds.txt:1:13: p: given twice on this line",
  },
  {
    what: "text: per-job keys in a directive",
    name: "cmds.txt",
    text: "#mpmsub id=x shell=false\ngzip a\n",
    expected: [
      "cmds.txt:1:12: id: ids are per job, not a default",
      "cmds.txt:1:20: shell: the command is per job, not a default",
    ].join("\n"),
  },
  {
    what: "text: a resource count that is not a number",
    name: "cmds.txt",
    text: "#mpmsub resources.gpu=one\ngzip a\n",
    expected: "cmds.txt:1:23: resources.gpu: expected a count",
  },
  // The format given explicitly, and stdin
  {
    what: "--format json on YAML",
    name: "-",
    text: "jobs:\n  - cmd: [a]\n",
    format: "json",
    expected: '<stdin>:1:1: JSON syntax: expected a value, found "jobs" (strings need double quotes)',
  },
  {
    what: "--format jsonl on a JSON document spread over lines",
    name: "-",
    text: '{\n  "jobs": []\n}\n',
    format: "jsonl",
    expected: [
      "<stdin>:1:2: not JSON: expected a property name in double quotes, found the end",
      '<stdin>:2:9: not JSON: unexpected ":" after the JSON value',
      '<stdin>:3:1: not JSON: expected a value, found "}"',
    ].join("\n"),
  },
  // The command line's defaults
  {
    what: "bad command-line defaults, reported once and first",
    name: "jobs.jsonl",
    text: '{"cmd": ["a"], "p": 0}\n{"cmd": ["b"]}\n',
    defaults: { m: "12Q", id: "x" },
    expected: [
      "command line: id: ids are per job, not a default",
      `command line: m: invalid memory size "12Q": ${MEMORY}`,
      "jobs.jsonl:1:21: job #1: p: must be at least 1",
    ].join("\n"),
  },
];

describe("malformed job files", () => {
  it("has at least 30 cases", () => {
    expect(FILES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(FILES)("$what", ({ name, text, format, defaults, expected }) => {
    expect(messageOf(() => readJobFile({ name, text }, { format, defaults }))).toBe(expected);
  });
});

describe("malformed templates", () => {
  it.each([
    {
      what: "a position past the last list",
      run: () => expandTemplate(["paste", "{1}", "{3.}"], [["a"], ["b"]]),
      expected: "command line: {3} refers to argument list 3, but there are 2",
    },
    {
      what: "position 0",
      run: () => expandTemplate(["echo", "{0}"], [["a"]]),
      expected: "command line: {0}: argument lists are numbered from 1",
    },
    {
      what: "no argument lists at all",
      run: () => expandTemplate(["gzip"], []),
      expected: "command line: no arguments: give them after ::: or on stdin",
    },
    {
      what: "parallel's :::: (arguments from files)",
      run: () => splitTemplateArgs(["gzip", "::::", "files.txt"]),
      expected:
        'command line: "::::" is not supported: give the arguments after ":::" (every combination) or on stdin',
    },
    {
      what: "parallel's :::+ (linked lists)",
      run: () => splitTemplateArgs(["cp", "{1}", "{2}", ":::", "a", ":::+", "b"]),
      expected:
        'command line: ":::+" is not supported: give the arguments after ":::" (every combination) or on stdin',
    },
    {
      what: "an empty program name from an empty stdin line",
      run: () => expandTemplate(["{}"], [["ls", ""]], { source: "<stdin>" }),
      expected: "<stdin>:2: job #2: cmd: program name is empty",
    },
    {
      what: "an empty command from an empty argument, with no template",
      run: () => expandTemplate([], [["ls", "  "]], { source: "<stdin>" }),
      expected: "<stdin>:2: job #2: cmd: command is empty",
    },
  ])("$what", ({ run, expected }) => {
    expect(messageOf(run)).toBe(expected);
  });
});
