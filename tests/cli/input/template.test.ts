import { describe, expect, it } from "vitest";
import { expandTemplate, InputError, splitTemplateArgs } from "../../../src/cli/input/index.js";

const commands = (template: string[], lists: string[][]) =>
  expandTemplate(template, lists).specs.map((spec) => spec.cmd);

describe("splitTemplateArgs", () => {
  it("splits the command line at each :::", () => {
    expect(splitTemplateArgs(["gzip", "-9", ":::", "a.txt", "b.txt", ":::", "x"])).toEqual({
      template: ["gzip", "-9"],
      lists: [["a.txt", "b.txt"], ["x"]],
    });
  });

  it("gives no lists when there is no ::: (the arguments then come from stdin)", () => {
    expect(splitTemplateArgs(["gzip", "{}"])).toEqual({ template: ["gzip", "{}"], lists: [] });
  });

  it("keeps an empty list, as a glob that matched nothing leaves it", () => {
    expect(splitTemplateArgs(["gzip", ":::"])).toEqual({ template: ["gzip"], lists: [[]] });
  });
});

describe("expandTemplate", () => {
  it("appends the argument when the template has no replacement string", () => {
    expect(commands(["gzip", "-9"], [["a.txt", "b.txt"]])).toEqual([
      ["gzip", "-9", "a.txt"],
      ["gzip", "-9", "b.txt"],
    ]);
  });

  it("fills every replacement string", () => {
    const [cmd] = commands(["echo", "{}", "{.}", "{/}", "{//}", "{/.}", "{#}"], [["data/run.1/reads.fq.gz"]]);
    expect(cmd).toEqual([
      "echo",
      "data/run.1/reads.fq.gz",
      "data/run.1/reads.fq",
      "reads.fq.gz",
      "data/run.1",
      "reads.fq",
      "1",
    ]);
  });

  it("follows parallel on the edge cases of paths", () => {
    const fill = (arg: string) => commands(["echo", "{.}", "{/}", "{//}", "{/.}"], [[arg]])[0];
    expect(fill("a.txt")).toEqual(["echo", "a", "a.txt", ".", "a"]);
    expect(fill("/a/b")).toEqual(["echo", "/a/b", "b", "/a", "b"]);
    expect(fill("dir.d/file")).toEqual(["echo", "dir.d/file", "file", "dir.d", "file"]);
    expect(fill("/a.jpg")).toEqual(["echo", "/a", "a.jpg", "/", "a"]);
  });

  it("fills replacement strings inside words", () => {
    expect(commands(["convert", "{}", "out/{/.}.png"], [["img/cat.jpg"]])).toEqual([
      ["convert", "img/cat.jpg", "out/cat.png"],
    ]);
  });

  it("numbers the jobs from 1 with {#}", () => {
    expect(commands(["split", "{}", "part{#}"], [["a", "b", "c"]]).map((cmd) => cmd?.[2])).toEqual([
      "part1",
      "part2",
      "part3",
    ]);
  });

  it("makes the product of several lists, the first varying slowest, with {1} {2} ...", () => {
    expect(
      commands(
        ["run", "--sample={1}", "--k={2}", "{1/.}_{2}.out"],
        [
          ["in/a.fq", "in/b.fq"],
          ["21", "31"],
        ],
      ),
    ).toEqual([
      ["run", "--sample=in/a.fq", "--k=21", "a_21.out"],
      ["run", "--sample=in/a.fq", "--k=31", "a_31.out"],
      ["run", "--sample=in/b.fq", "--k=21", "b_21.out"],
      ["run", "--sample=in/b.fq", "--k=31", "b_31.out"],
    ]);
  });

  it("lets {} stand for all the arguments of several lists, each its own word", () => {
    expect(commands(["echo", "{}"], [["a"], ["1", "2"]])).toEqual([
      ["echo", "a", "1"],
      ["echo", "a", "2"],
    ]);
    expect(commands(["echo", "x{.}"], [["a.txt"], ["b.txt"]])).toEqual([["echo", "xa b"]]);
    expect(commands(["echo"], [["a"], ["1"]])).toEqual([["echo", "a", "1"]]);
  });

  it("passes arguments to an argv untouched, whatever they hold", () => {
    const nasty = ["a b", "it's", "$HOME", "*", ""];
    expect(commands(["touch", "{}"], [nasty])).toEqual(nasty.map((arg) => ["touch", arg]));
  });

  it("takes stdin lines as one list, locating each job at its line", () => {
    const loaded = expandTemplate(["gzip", "{}"], [["a.txt", "b.txt"]], { source: "<stdin>" });
    expect(loaded.format).toBe("template");
    expect(loaded.locations).toEqual([
      { file: "<stdin>", line: 1 },
      { file: "<stdin>", line: 2 },
    ]);
    expect(expandTemplate(["gzip"], [["a"]]).locations).toEqual([{ file: "command line", line: 1 }]);
  });

  it("gives each job the command line's defaults", () => {
    expect(expandTemplate(["gzip", "{}"], [["a"]], { defaults: { m: "2G", p: 1 } }).specs).toEqual([
      { cmd: ["gzip", "a"], m: "2G", p: 1 },
    ]);
  });

  it("makes no jobs from an empty list", () => {
    expect(expandTemplate(["gzip"], [[]]).specs).toEqual([]);
  });

  it("runs the arguments themselves as commands when there is no template, as parallel does", () => {
    expect(expandTemplate([], [["echo a | wc -c", "ls"]]).specs).toEqual([
      { cmd: "echo a | wc -c", shell: true },
      { cmd: "ls", shell: true },
    ]);
  });

  describe("a single word with shell syntax", () => {
    it("runs through the shell, quoting each argument where it needs it", () => {
      expect(expandTemplate(["gzip -9 {} && mv {}.gz out/"], [["a.txt"]]).specs).toEqual([
        { cmd: "gzip -9 a.txt && mv a.txt.gz out/", shell: true },
      ]);
    });

    it.each([
      ["a b", "'a b'"],
      ["it's", "'it'\\''s'"],
      ["$HOME", "'$HOME'"],
      ["*", "'*'"],
      ["", "''"],
      ["x;rm -rf ~", "'x;rm -rf ~'"],
      ["`id`", "'`id`'"],
      ['say "hi"', `'say "hi"'`],
      ["line\nbreak", "'line\nbreak'"],
      ["plain-name_1.txt", "plain-name_1.txt"],
    ])("quotes %j as %s", (arg, quoted) => {
      expect(commands(["wc -c < {}"], [[arg]])).toEqual([`wc -c < ${quoted}`]);
    });

    it("quotes what the replacement strings make, and appends quoted arguments", () => {
      expect(commands(["cat {/} > {.}.out"], [["dir/it's.txt"]])).toEqual([
        `cat 'it'\\''s.txt' > 'dir/it'\\''s'.out`,
      ]);
      expect(commands(["sort -u"], [["my file"]])).toEqual(["sort -u 'my file'"]);
      expect(commands(["paste {1} {2}"], [["a b"], ["c"]])).toEqual(["paste 'a b' c"]);
      expect(commands(["echo {}"], [["a b"], ["c"]])).toEqual(["echo 'a b' c"]);
    });

    it("treats a single plain word as a program", () => {
      expect(expandTemplate(["./tool"], [["x"]]).specs).toEqual([{ cmd: ["./tool", "x"] }]);
    });
  });
});

describe("expandTemplate errors", () => {
  it("reports every problem at once, and returns nothing", () => {
    expect(() => expandTemplate(["x", "{3}", "{0}"], [["a"], ["b"]], { defaults: { m: "lots" } })).toThrow(
      new InputError([
        {
          file: "command line",
          field: "m",
          message:
            'invalid memory size "lots": expected a positive number of MB or a size such as "512M", "1.5G", "2GiB"',
        },
        { file: "command line", message: "{3} refers to argument list 3, but there are 2" },
        { file: "command line", message: "{0}: argument lists are numbered from 1" },
      ]),
    );
  });
});
