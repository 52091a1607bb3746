import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readJobFile } from "../../../src/cli/input/index.js";

const DOC = readFileSync(join(import.meta.dirname, "../../../docs/job-files.md"), "utf8");

/** The first code block under a heading of docs/job-files.md, with its fence's language. */
function exampleUnder(heading: string, language: string): string {
  const section = DOC.split(`## ${heading}\n`)[1]?.split("\n## ")[0] ?? "";
  const code = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section)?.[1];
  if (code === undefined) throw new Error(`no ${language || "plain"} block under "## ${heading}"`);
  return code;
}

describe("the examples of docs/job-files.md", () => {
  it("reads the YAML example", () => {
    const loaded = readJobFile({ name: "-", text: exampleUnder("YAML and JSON", "yaml") });
    expect(loaded.format).toBe("yaml");
    expect(loaded.specs.map((spec) => spec.m)).toEqual(["4G", "12G", "100M"]);
  });

  it("reads the JSON example", () => {
    const loaded = readJobFile({ name: "-", text: exampleUnder("YAML and JSON", "json") });
    expect(loaded.format).toBe("json");
    expect(loaded.specs).toHaveLength(2);
  });

  it("reads the JSON Lines example", () => {
    const loaded = readJobFile({ name: "-", text: exampleUnder("JSON Lines", "") });
    expect(loaded.format).toBe("jsonl");
    expect(loaded.specs.map((spec) => spec.id)).toEqual(["s1", "s2"]);
  });

  it("reads the plain-text example", () => {
    const loaded = readJobFile({ name: "-", text: exampleUnder("Plain text", "sh") });
    expect(loaded.format).toBe("text");
    expect(loaded.specs.map(({ p, m, cwd }) => ({ p, m, cwd }))).toEqual([
      { p: undefined, m: undefined, cwd: undefined },
      { p: 8, m: "12G", cwd: undefined },
      { p: 8, m: "12G", cwd: undefined },
      { p: undefined, m: "500M", cwd: "/data/my run" },
    ]);
  });
});
