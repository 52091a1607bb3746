import { describe, expect, it } from "vitest";
import { InputError, readJobFile } from "../../../src/cli/input/index.js";

const read = (name: string, text: string, options: Parameters<typeof readJobFile>[1] = {}) =>
  readJobFile({ name, text }, options);

describe("YAML job files", () => {
  const text = [
    "# nightly alignments",
    "defaults:",
    "  p: 2",
    "  m: 1G",
    "  timeout: 600",
    "  env: { OMP_PROC_BIND: close, TMPDIR: /tmp }",
    "jobs:",
    "  - id: align-1",
    "    cmd: [bwa, mem, ref.fa, a.fq]",
    "  - cmd: [bwa, mem, ref.fa, b.fq]",
    "    cpus: 8",
    "    memory: 6G",
    "    env: { TMPDIR: /scratch }",
    '  - { cmd: "zcat c.fq.gz | wc -l", shell: true, timeout: 60 }',
  ].join("\n");

  it("merges the defaults block into each job, the job's own values first", () => {
    const loaded = read("jobs.yaml", text);
    expect(loaded.format).toBe("yaml");
    expect(loaded.specs).toEqual([
      {
        id: "align-1",
        cmd: ["bwa", "mem", "ref.fa", "a.fq"],
        p: 2,
        m: "1G",
        timeout: 600,
        env: { OMP_PROC_BIND: "close", TMPDIR: "/tmp" },
      },
      {
        // cpus and memory are p and m: the defaults for those are not added beside them.
        cmd: ["bwa", "mem", "ref.fa", "b.fq"],
        cpus: 8,
        memory: "6G",
        timeout: 600,
        env: { OMP_PROC_BIND: "close", TMPDIR: "/scratch" },
      },
      {
        cmd: "zcat c.fq.gz | wc -l",
        shell: true,
        timeout: 60,
        p: 2,
        m: "1G",
        env: { OMP_PROC_BIND: "close", TMPDIR: "/tmp" },
      },
    ]);
  });

  it("gives each job's location: the line and column where its mapping starts", () => {
    expect(read("jobs.yaml", text).locations).toEqual([
      { file: "jobs.yaml", line: 8, column: 5 },
      { file: "jobs.yaml", line: 10, column: 5 },
      { file: "jobs.yaml", line: 14, column: 5 },
    ]);
  });

  it("puts the command line's defaults between the job's values and the file's defaults", () => {
    const loaded = read("jobs.yaml", text, { defaults: { cpus: 4, timeout: 30, retries: 2 } });
    expect(
      loaded.specs.map(({ p, cpus, m, memory, timeout, retries }) => ({
        p,
        cpus,
        m,
        memory,
        timeout,
        retries,
      })),
    ).toEqual([
      { p: undefined, cpus: 4, m: "1G", memory: undefined, timeout: 30, retries: 2 },
      { p: undefined, cpus: 8, m: undefined, memory: "6G", timeout: 30, retries: 2 },
      { p: undefined, cpus: 4, m: "1G", memory: undefined, timeout: 60, retries: 2 },
    ]);
  });

  it("ignores command-line defaults left undefined", () => {
    const loaded = read("jobs.yaml", "- cmd: [ls]", { defaults: { p: undefined, m: "2G" } });
    expect(loaded.specs).toEqual([{ cmd: ["ls"], m: "2G" }]);
  });

  it("reads a bare list of jobs", () => {
    const loaded = read("jobs.yml", "- cmd: [gzip, a.txt]\n- cmd: [gzip, b.txt]\n  m: 200M\n");
    expect(loaded.specs).toEqual([{ cmd: ["gzip", "a.txt"] }, { cmd: ["gzip", "b.txt"], m: "200M" }]);
    expect(loaded.locations).toEqual([
      { file: "jobs.yml", line: 1, column: 3 },
      { file: "jobs.yml", line: 2, column: 3 },
    ]);
  });

  it("reads every library key a file can hold", () => {
    const loaded = read(
      "jobs.yaml",
      [
        "- pipeline: [[cat, x], [grep, y]]",
        "  m: auto",
        "  memoryPolicy: kill",
        "  retries: 2",
        "  retryOn: [oom, timeout]",
        "  priority: -1",
        "  resources: { gpu: 1, licence.matlab: 1 }",
        "  group: grep",
        "  category: big",
        "  size: 3.5",
        "  stdout: out.txt",
        "  cwd: /data",
      ].join("\n"),
    );
    expect(loaded.specs[0]).toMatchObject({
      pipeline: [
        ["cat", "x"],
        ["grep", "y"],
      ],
      m: "auto",
      size: 3.5,
    });
  });

  it("holds no jobs when the file is empty or only comments", () => {
    expect(read("jobs.yaml", "").specs).toEqual([]);
    expect(read("jobs.yaml", "# nothing yet\n").specs).toEqual([]);
    expect(read("jobs.yaml", "jobs: []\n").specs).toEqual([]);
  });
});

describe("JSON job files", () => {
  it("reads { defaults, jobs } with positions, as YAML", () => {
    const text =
      '{\n  "defaults": { "m": "2G" },\n  "jobs": [\n    { "cmd": ["sort", "a"] },\n    { "cmd": ["sort", "b"], "m": 512 }\n  ]\n}\n';
    const loaded = read("jobs.json", text);
    expect(loaded.format).toBe("json");
    expect(loaded.specs).toEqual([
      { cmd: ["sort", "a"], m: "2G" },
      { cmd: ["sort", "b"], m: 512 },
    ]);
    expect(loaded.locations).toEqual([
      { file: "jobs.json", line: 4, column: 5 },
      { file: "jobs.json", line: 5, column: 5 },
    ]);
  });

  it("reads a bare array of jobs", () => {
    expect(read("jobs.json", '[{"cmd": ["true"]}, {"cmd": ["false"]}]').specs).toHaveLength(2);
  });
});

describe("JSON Lines job files", () => {
  it("reads one job per line, skipping blank lines, with the command line's defaults", () => {
    const text =
      '{"cmd": ["gzip", "a"]}\n\n{"cmd": ["gzip", "b"], "p": 2}\r\n{"id": "c", "cmd": ["gzip", "c"]}\n';
    const loaded = read("jobs.jsonl", text, { defaults: { p: 1, m: "100M" } });
    expect(loaded.format).toBe("jsonl");
    expect(loaded.specs).toEqual([
      { cmd: ["gzip", "a"], p: 1, m: "100M" },
      { cmd: ["gzip", "b"], p: 2, m: "100M" },
      { id: "c", cmd: ["gzip", "c"], p: 1, m: "100M" },
    ]);
    expect(loaded.locations).toEqual([
      { file: "jobs.jsonl", line: 1 },
      { file: "jobs.jsonl", line: 3 },
      { file: "jobs.jsonl", line: 4 },
    ]);
  });
});

describe("plain text job files", () => {
  it("makes each line a shell command, skipping blank lines and comments", () => {
    const loaded = read("cmds.txt", "#!/bin/sh\n# compress everything\ngzip -9 a.txt\n\n  bzip2 b.txt  \n");
    expect(loaded.format).toBe("text");
    expect(loaded.specs).toEqual([
      { cmd: "gzip -9 a.txt", shell: true },
      { cmd: "bzip2 b.txt", shell: true },
    ]);
    expect(loaded.locations).toEqual([
      { file: "cmds.txt", line: 3 },
      { file: "cmds.txt", line: 5 },
    ]);
  });

  it("applies a #mpmsub line to the lines below it, until the next one replaces it", () => {
    const text = [
      "small-1",
      "#mpmsub p=2 m=4G timeout=60",
      "big-1",
      "big-2",
      "#mpmsub m=512M",
      "medium-1",
      "#mpmsub",
      "small-2",
    ].join("\n");
    expect(read("cmds.txt", text).specs).toEqual([
      { cmd: "small-1", shell: true },
      { cmd: "big-1", shell: true, p: 2, m: "4G", timeout: 60 },
      { cmd: "big-2", shell: true, p: 2, m: "4G", timeout: 60 },
      { cmd: "medium-1", shell: true, m: "512M" },
      { cmd: "small-2", shell: true },
    ]);
  });

  it("reads every kind of directive value", () => {
    const text = [
      `#mpmsub cpus=2 memory=4096 env.TMPDIR=/scratch env.N=8 resources.gpu=1 retryOn=oom,timeout cwd="/data/my run" stdout='out file.txt' restartOnTimeout=true priority=-1.5`,
      "run",
    ].join("\n");
    expect(read("cmds.txt", text).specs).toEqual([
      {
        cmd: "run",
        shell: true,
        cpus: 2,
        memory: 4096,
        env: { TMPDIR: "/scratch", N: "8" },
        resources: { gpu: 1 },
        retryOn: ["oom", "timeout"],
        cwd: "/data/my run",
        stdout: "out file.txt",
        restartOnTimeout: true,
        priority: -1.5,
      },
    ]);
  });

  it("reads the rest of a #mpmsub line after a # word as a comment", () => {
    expect(read("cmds.txt", "#mpmsub p=8 # the big ones, m=1G\nbig\n").specs).toEqual([
      { cmd: "big", shell: true, p: 8 },
    ]);
  });

  it("counts a #mpmsub line as the jobs' own values: they win over the command line's", () => {
    const text = "#mpmsub m=8G env.A=1\nheavy\n#mpmsub\nlight\n";
    expect(read("cmds.txt", text, { defaults: { m: "1G", p: 2, env: { B: "2" } } }).specs).toEqual([
      { cmd: "heavy", shell: true, m: "8G", p: 2, env: { A: "1", B: "2" } },
      { cmd: "light", shell: true, m: "1G", p: 2, env: { B: "2" } },
    ]);
  });

  it("continues a line that ends in a backslash, leaving the joining to the shell", () => {
    const text = "bwa mem \\\n  ref.fa \\\n  a.fq\necho one\\\\\necho two\n";
    const loaded = read("cmds.txt", text);
    expect(loaded.specs.map((spec) => spec.cmd)).toEqual([
      "bwa mem \\\n  ref.fa \\\n  a.fq",
      // An escaped backslash does not continue the line.
      "echo one\\\\",
      "echo two",
    ]);
    expect(loaded.locations.map((location) => location.line)).toEqual([1, 4, 5]);
  });

  it("names stdin <stdin> and drops a byte order mark", () => {
    const loaded = read("-", "\uFEFFecho hi\n");
    expect(loaded.specs).toEqual([{ cmd: "echo hi", shell: true }]);
    expect(loaded.locations).toEqual([{ file: "<stdin>", line: 1 }]);
  });
});

describe("InputError", () => {
  it("carries every problem, and its message shows the first 20", () => {
    const text = Array.from({ length: 25 }, (_, i) => `{"id": "j${i}", "cmd": ["x"], "p": 0}`).join("\n");
    const error = (() => {
      try {
        read("jobs.jsonl", text);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    const { problems, message } = error as InputError;
    expect(problems).toHaveLength(25);
    expect(problems[0]).toEqual({
      file: "jobs.jsonl",
      line: 1,
      column: 33,
      job: 'job "j0"',
      field: "p",
      message: "must be at least 1",
    });
    const lines = message.split("\n");
    expect(lines).toHaveLength(21);
    expect(lines[19]).toBe('jobs.jsonl:20:34: job "j19": p: must be at least 1');
    expect(lines[20]).toBe("... and 5 more problems");
  });
});
