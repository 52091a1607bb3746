/** The first syntax error in a JSON text: where it is (a character offset) and what is wrong. */
export interface JsonSyntaxError {
  offset: number;
  message: string;
}

class Fault {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_$][\w$.-]*/y;
const ESCAPED = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

/** A JSON text read: its value, or its first syntax error. */
export type JsonResult =
  | { value: unknown; error?: undefined }
  | { value?: undefined; error: JsonSyntaxError };

/**
 * Reads one JSON value. JSON.parse decides; when it refuses, a small scanner finds the place,
 * because V8's messages often give no position and change between Node versions.
 */
export function parseJson(text: string): JsonResult {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    try {
      scanJson(text);
    } catch (fault) {
      if (fault instanceof Fault) return { error: { offset: fault.offset, message: fault.message } };
      throw fault;
    }
    // Should the scanner ever accept what JSON.parse refused, JSON.parse's own words still say why.
    return { error: { offset: 0, message: (error as Error).message } };
  }
}

function scanJson(text: string): void {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new Fault(at, message);
  };
  const space = (): void => {
    while (i < text.length && " \t\n\r".includes(text.charAt(i))) i++;
  };
  const found = (): string => {
    if (i >= text.length) return "the end";
    if (text.charAt(i) === '"') return "a string";
    WORD.lastIndex = i;
    return JSON.stringify(WORD.exec(text)?.[0] ?? text.charAt(i));
  };

  const value = (): void => {
    space();
    const c = text.charAt(i);
    const literal = ["true", "false", "null"].find((word) => text.startsWith(word, i));
    if (c === "{") object();
    else if (c === "[") array();
    else if (c === '"') string();
    else if (c === "-" || (c >= "0" && c <= "9")) number();
    else if (literal) i += literal.length;
    else
      fail(
        `expected a value, found ${found()}${/['A-Za-z_$]/.test(c) ? " (strings need double quotes)" : ""}`,
      );
  };

  const members = (close: "}" | "]", member: () => void): void => {
    i++;
    space();
    if (text.charAt(i) === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      space();
      const c = text.charAt(i);
      if (c === close) {
        i++;
        return;
      }
      if (c !== ",") fail(`expected "," or "${close}" after a value, found ${found()}`);
      const comma = i++;
      space();
      if (text.charAt(i) === close) fail(`a "," before "${close}" is not allowed in JSON`, comma);
    }
  };

  const object = (): void =>
    members("}", () => {
      space();
      if (text.charAt(i) !== '"') fail(`expected a property name in double quotes, found ${found()}`);
      string();
      space();
      if (text.charAt(i) !== ":") fail(`expected ":" after a property name, found ${found()}`);
      i++;
      value();
    });

  const array = (): void => members("]", value);

  const string = (): void => {
    const start = i++;
    for (;;) {
      if (i >= text.length) fail("string not closed", start);
      const c = text.charAt(i);
      if (c === '"') {
        i++;
        return;
      }
      if (c === "\\") {
        const next = text.charAt(i + 1);
        if (ESCAPED.has(next)) i += 2;
        else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail(`invalid escape "\\${next}"`);
      } else if (c < " ") {
        fail(c === "\n" ? "line break in a string (write it as \\n)" : "control character in a string");
      } else {
        i++;
      }
    }
  };

  const number = (): void => {
    NUMBER.lastIndex = i;
    if (!NUMBER.exec(text)) fail(`invalid number, found ${found()}`);
    i = NUMBER.lastIndex;
  };

  value();
  space();
  if (i < text.length) fail(`unexpected ${found()} after the JSON value`);
}
