import { describe, expect, it } from "vitest";
import { Job, JobSpecError, job, pipeline } from "../../src/index.js";
import { quietCluster } from "../support/helpers.js";

function appendError(spec: unknown): JobSpecError {
  const p = quietCluster({ p: 2, m: "1G" });
  try {
    p.jobs.append(spec as never);
  } catch (error) {
    expect(error).toBeInstanceOf(JobSpecError);
    expect(p.jobs.length).toBe(0);
    return error as JobSpecError;
  }
  throw new Error("append accepted a bad spec");
}

describe("job spec validation at append", () => {
  it.each([
    [{ cmd: ["x"], m: -5 }, "m", /invalid memory size -5/],
    [{ cmd: ["x"], m: 0 }, "m", /invalid memory size 0/],
    [{ cmd: ["x"], m: Number.NaN }, "m", /invalid memory size NaN/],
    [{ cmd: ["x"], m: "1e3" }, "m", /"1e3"/],
    [{ cmd: ["x"], m: "12Q" }, "m", /"12Q"/],
    [{ cmd: ["x"], memory: "lots" }, "memory", /"lots"/],
    [{ cmd: ["x"], m: true }, "m", /invalid memory size of type boolean/],
    [{ cmd: ["x"], p: 0 }, "p", /at least 1/],
    [{ cmd: ["x"], p: -1 }, "p", /at least 1/],
    [{ cmd: ["x"], p: 1.5 }, "p", /whole number/],
    [{ cmd: ["x"], cpus: "2" }, "cpus", /whole number/],
    [{ cmd: [] }, "cmd", /command is empty/],
    [{ cmd: [""] }, "cmd", /program name is empty/],
    [{ cmd: ["ls", 3] }, "cmd", /./],
    [{}, "cmd", /missing/],
    [{ cmd: "ls -l" }, "cmd", /needs shell: true/],
    [{ cmd: ["ls"], shell: true }, "shell", /one string/],
    [{ cmd: "   ", shell: true }, "cmd", /empty/],
    [{ cmd: ["x"], mem: "1G" }, "mem", /unknown field \(did you mean "m"\?\)/],
    [{ cmd: ["x"], timout: 5 }, "timout", /did you mean "timeout"/],
    [{ cmd: ["x"], bogus: 1 }, "bogus", /unknown field/],
    [{ cmd: ["x"], timeout: 0 }, "timeout", /greater than 0/],
    [{ cmd: ["x"], timeout: "5" }, "timeout", /seconds/],
    [{ cmd: ["x"], env: { A: 1 } }, "env.A", /strings/],
    [{ cmd: ["x"], env: { "A=B": "1" } }, "env.A=B", /'='/],
    [{ cmd: ["x"], cwd: "" }, "cwd", /empty/],
    [{ cmd: ["x"], id: "" }, "id", /empty/],
    [{ cmd: ["x"], id: "a\nb" }, "id", /line break/],
    [{ cmd: ["x"], onDone: "not a function" }, "onDone", /function/],
    [{ cmd: ["x"], p: 1, cpus: 2 }, "p, cpus", /only one of/],
    [{ cmd: ["x"], m: 1, memory: 2 }, "m, memory", /only one of/],
    [{ pipeline: [["a"]] }, "pipeline", /at least 2 stages/],
    [{ pipeline: [["a"], []] }, "pipeline.1", /empty/],
    [{ cmd: ["a"], pipeline: [["a"], ["b"]] }, "cmd, pipeline", /either cmd or pipeline/],
  ])("rejects %j in field %s", (spec, field, message) => {
    const error = appendError(spec);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^job #1: /);
  });

  it("names the job by its id when it has one", () => {
    expect(appendError({ id: "align-3", cmd: ["x"], m: "12Q" }).message).toMatch(/^job "align-3": m: /);
  });

  it("names the job by its position in the queue", () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ cmd: ["true"] });
    p.jobs.append({ cmd: ["true"] });
    expect(() => p.jobs.append({ cmd: ["true"], p: 0 })).toThrow(/^job #3: p: must be at least 1/);
  });

  it("rejects things that are not specs", () => {
    expect(appendError(null).message).toMatch(/expected a job spec/);
    expect(appendError(["ls"]).message).toMatch(/expected a job spec/);
  });

  it("rejects a duplicate id", () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ id: "a", cmd: ["true"] });
    expect(() => p.jobs.append({ id: "a", cmd: ["true"] })).toThrow(
      /job "a": id: another job already has this id/,
    );
  });

  it("extend adds all jobs or none", () => {
    const p = quietCluster({ p: 2, m: "1G" });
    expect(() => p.jobs.extend([{ cmd: ["true"] }, { cmd: ["true"], m: "12Q" }])).toThrow(/job #2: m:/);
    expect(p.jobs.length).toBe(0);
    expect(p.jobs.extend([{ cmd: ["true"] }, { cmd: ["true"] }])).toEqual(["job_0001", "job_0002"]);
  });
});

describe("the queue", () => {
  it("append returns ids, extend the ids, push the new length", () => {
    const p = quietCluster({ p: 2, m: "1G" });
    expect(p.jobs.append({ cmd: ["true"] })).toBe("job_0001");
    expect(p.jobs.append({ cmd: ["true"], id: "mine" })).toBe("mine");
    expect(p.jobs.extend([{ cmd: ["true"] }, new Job(["true"])])).toEqual(["job_0002", "job_0003"]);
    expect(p.jobs.push({ cmd: ["true"] }, job(["true"]))).toBe(6);
    expect(p.jobs.length).toBe(6);
    expect([...p.jobs].map((j) => j.id)).toEqual([
      "job_0001",
      "mine",
      "job_0002",
      "job_0003",
      "job_0004",
      "job_0005",
    ]);
  });

  it("skips automatic ids that a job already took", () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append({ cmd: ["true"], id: "job_0001" });
    expect(p.jobs.append({ cmd: ["true"] })).toBe("job_0002");
  });
});

describe("Job builder, job() and pipeline()", () => {
  it("builds the spec step by step", () => {
    const j = new Job(["prog", "in.txt"])
      .cpu(2)
      .memory("4G")
      .withTimeout(300)
      .withId("analysis")
      .workingDir("/tmp")
      .environment({ A: "1" })
      .stdoutTo("/tmp/o")
      .stderrTo("/tmp/e");
    expect(j.toSpec()).toEqual({
      cmd: ["prog", "in.txt"],
      p: 2,
      m: "4G",
      timeout: 300,
      id: "analysis",
      cwd: "/tmp",
      env: { A: "1" },
      stdout: "/tmp/o",
      stderr: "/tmp/e",
    });
  });

  it("replaces an alias when the builder sets the field", () => {
    expect(job(["x"], { cpus: 3, memory: "1G" }).cpu(1).memory("2G").toSpec()).toEqual({
      cmd: ["x"],
      p: 1,
      m: "2G",
    });
  });

  it("pipeTo turns a command into a pipeline and extends it", () => {
    const j = new Job(["cat", "x"]).pipeTo(["grep", "y"]).pipeTo(["wc", "-l"]);
    expect(j.toSpec()).toEqual({
      pipeline: [
        ["cat", "x"],
        ["grep", "y"],
        ["wc", "-l"],
      ],
    });
    expect(() => new Job("a | b", { shell: true }).pipeTo(["c"])).toThrow(/shell/);
  });

  it("pipeline() makes a job the cluster accepts", () => {
    const p = quietCluster({ p: 2, m: "1G" });
    p.jobs.append(
      pipeline(
        [
          ["cat", "x"],
          ["grep", "y"],
        ],
        { m: "100M" },
      ),
    );
    expect([...p.jobs][0]).toMatchObject({ command: "cat x | grep y", memory: 100 });
  });

  it("builder errors are reported at append, naming the field", () => {
    const p = quietCluster({ p: 2, m: "1G" });
    expect(() => p.jobs.append(new Job(["x"]).memory("12Q"))).toThrow(/job #1: m: invalid memory size "12Q"/);
  });
});

describe("cluster options", () => {
  it.each([
    [{ p: 0 }, /cluster options: p: must be at least 1/],
    [{ m: "12Q" }, /cluster options: m: invalid memory size "12Q"/],
    [{ cpus: 2, p: 2 }, /only one of p, cpus, cpu/],
    [{ memory: "1G", m: "1G" }, /only one of m, memory/],
    [{ memroy: "1G" }, /memroy: unknown field \(did you mean "memory"\?\)/],
    [{ killGrace: -1 }, /killGrace: must be 0 or more/],
    [{ measurement: "magic" }, /measurement/],
  ])("rejects %j", (options, message) => {
    expect(() => quietCluster(options as never)).toThrow(message);
  });

  it("takes the aliases cpu/cpus and memory", () => {
    const p = quietCluster({ cpu: 3, memory: "2G" });
    expect(p.cpus).toBe(3);
    expect(p.memory).toBe(2048);
  });
});
