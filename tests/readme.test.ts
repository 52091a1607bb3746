import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./support/helpers.js";

const ROOT = join(import.meta.dirname, "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The code block under a README heading. */
function codeUnder(heading: string): string {
  const section = README.split(`## ${heading}\n`)[1] ?? "";
  const code = /```(?:js|ts)\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error(`no code block under "## ${heading}"`);
  return code;
}

describe("README", () => {
  it("starts with the install-and-demo and install-and-test commands", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(README)?.[1] ?? "";
    expect(firstBlock).toMatch(/^npm ci && npm run demo/m);
    expect(firstBlock).toMatch(/^npm ci && npm test/m);
    expect(readFileSync(join(ROOT, ".ci/run"), "utf8")).toMatch(/npm ci && npm test/);
  });

  it.runIf(existsSync(join(ROOT, "dist/index.js")))(
    "runs the Quick start as written, importing the built package",
    () => {
      // A script inside the package resolves `import "mpmsub"` to this package (self-reference).
      const scripts = join(ROOT, "tests/.bin");
      mkdirSync(scripts, { recursive: true });
      const script = join(scripts, "readme-quickstart.mjs");
      writeFileSync(script, codeUnder("Quick start"));
      const cwd = tempDir();
      writeFileSync(join(cwd, "big.txt"), "pear\napple\nfig\n".repeat(1000));
      const out = execFileSync(process.execPath, [script], {
        cwd,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      expect(out).toMatch(/^job_0001 \d+\.\d\ds \d+\.\dMB$/m);
      expect(out).toMatch(/Completed: 1/);
    },
  );
});
