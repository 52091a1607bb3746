import { posix } from "node:path";

/**
 * GNU parallel's replacement strings: `{}`, `{.}`, `{/}`, `{//}`, `{/.}`, `{#}`, and with a
 * position `{1}`, `{2.}`, `{1/}`, ... Group 1 is the position, group 2 the transformation.
 */
export const REPLACEMENT = /\{(?:#|(\d*)(\/\/|\/\.|\/|\.)?)\}/g;

// A word that is nothing but one replacement string for all the arguments.
const WHOLE_WORD = /^\{(\/\/|\/\.|\/|\.)?\}$/;

// As parallel defines them (its --rpl definitions): the extension is the last dot and what
// follows it in the last path component; the basename is what follows the last slash; the
// dirname is dirname(1)'s.
const removeExtension = (value: string): string => value.replace(/\.[^/.]+$/, "");
const basename = (value: string): string => value.replace(/^.*\//, "");
function transform(kind: string | undefined, value: string): string {
  switch (kind) {
    case ".":
      return removeExtension(value);
    case "/":
      return basename(value);
    case "//":
      return posix.dirname(value);
    case "/.":
      return removeExtension(basename(value));
    default:
      return value;
  }
}

/** The positions (`{1}` is 1) that a template's words refer to. */
export function positionsIn(words: readonly string[]): number[] {
  return words.flatMap((word) =>
    [...word.matchAll(REPLACEMENT)].flatMap((match) => (match[1] ? [Number(match[1])] : [])),
  );
}

/** Whether any word holds a replacement string. */
export function hasReplacement(words: readonly string[]): boolean {
  return words.some((word) => word.match(REPLACEMENT) !== null);
}

/**
 * Fills the replacement strings of one word for one job. `args` holds one argument per list;
 * `{}` (and `{.}` ...) without a position stands for all of them, joined by spaces. `quote`
 * makes each argument safe for where it goes (the identity for an argv).
 */
export function substitute(
  word: string,
  args: readonly string[],
  sequence: number,
  quote: (value: string) => string,
): string {
  return word.replace(REPLACEMENT, (match, position: string | undefined, kind: string | undefined) => {
    if (match === "{#}") return String(sequence);
    const values = position ? [args[Number(position) - 1] ?? ""] : args;
    return values.map((value) => quote(transform(kind, value))).join(" ");
  });
}

/**
 * The argv words one template word becomes: a word that is only `{}` (or `{.}` ...) stands for
 * each argument as a word of its own, as parallel passes them; any other word stays one word.
 */
export function substituteWord(word: string, args: readonly string[], sequence: number): string[] {
  const whole = WHOLE_WORD.exec(word);
  if (whole && args.length > 1) return args.map((value) => transform(whole[1], value));
  return [substitute(word, args, sequence, (value) => value)];
}
