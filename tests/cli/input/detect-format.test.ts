import { describe, expect, it } from "vitest";
import { InputError, readJobFile } from "../../../src/cli/input/index.js";

const formatOf = (name: string, text: string) => readJobFile({ name, text }).format;

describe("format detection", () => {
  it.each([
    ["jobs.yaml", "- cmd: [ls]"],
    ["jobs.YML", "- cmd: [ls]"],
    ["jobs.json", '[{"cmd": ["ls"]}]'],
    ["jobs.jsonl", '{"cmd": ["ls"]}'],
    ["jobs.ndjson", '{"cmd": ["ls"]}'],
    ["cmds.txt", "ls"],
    ["run.sh", "ls"],
    ["todo.cmds", "ls"],
    ["todo.commands", "ls"],
  ])("goes by the extension: %s", (name, text) => {
    const expected = { yaml: "yaml", yml: "yaml", json: "json", jsonl: "jsonl", ndjson: "jsonl" }[
      name.split(".").at(-1)?.toLowerCase() ?? ""
    ];
    expect(formatOf(name, text)).toBe(expected ?? "text");
  });

  it("trusts the extension over the content", () => {
    // A text file of commands that happen to look like JSON Lines stays text.
    expect(formatOf("cmds.txt", '{"cmd": ["ls"]}')).toBe("text");
  });

  it.each([
    ["a JSON document", '{\n  "jobs": [{"cmd": ["ls"]}]\n}', "json"],
    ["a one-line JSON document", '{"defaults": {"p": 1}, "jobs": [{"cmd": ["ls"]}]}', "json"],
    ["a JSON array", '[\n  {"cmd": ["ls"]}\n]', "json"],
    ["JSON Lines", '{"cmd": ["ls"]}\n\n{"cmd": ["pwd"]}\n', "jsonl"],
    ["a single JSON line that is a job", '{"cmd": ["ls"]}', "jsonl"],
    ["YAML with jobs:", "jobs:\n  - cmd: [ls]\n", "yaml"],
    [
      "YAML with defaults: first, after a comment",
      "# mine\ndefaults: { p: 1 }\njobs: [{ cmd: [ls] }]\n",
      "yaml",
    ],
    ["a YAML list of mappings", "- cmd: [ls]\n- id: b\n  cmd: [pwd]\n", "yaml"],
    ["a YAML list of flow mappings", "- { cmd: [ls] }\n", "yaml"],
    ["a YAML document marker", "---\n- cmd: [ls]\n", "yaml"],
    ["shell commands", "gzip a.txt\ngzip b.txt\n", "text"],
    ["shell commands with colons", "echo jobs: done\nscp a host:b\n", "text"],
    ["shell test and group commands", "[ -f a ] && gzip a\n{ cd x; make; }\n", "text"],
    ["commands after a #mpmsub line", "#mpmsub p=2\ngzip a\n", "text"],
    ["nothing at all", "\n  \n", "text"],
  ])("reads the content when there is no extension: %s", (_, text, format) => {
    expect(formatOf("-", text)).toBe(format);
  });

  it("reads broken JSON as JSON, so that the error is reported instead of the lines being run", () => {
    expect(() => formatOf("-", '{"jobs": [\n  {"cmd": ["ls"]},\n')).toThrow(
      new InputError([
        { file: "<stdin>", line: 3, column: 1, message: "JSON syntax: expected a value, found the end" },
      ]),
    );
  });

  it("reads JSON Lines with a line cut short as JSON Lines, so that the error names that line", () => {
    expect(() => formatOf("-", '{"cmd": ["ls"]}\n{"cmd": ["pw')).toThrow(
      new InputError([{ file: "<stdin>", line: 2, column: 10, message: "not JSON: string not closed" }]),
    );
  });

  it("lets an explicit format settle what the content cannot", () => {
    const yamlish = "- cmd: [ls]\n";
    expect(formatOf("-", yamlish)).toBe("yaml");
    expect(readJobFile({ name: "-", text: yamlish }, { format: "text" }).specs).toEqual([
      { cmd: "- cmd: [ls]", shell: true },
    ]);
  });
});
