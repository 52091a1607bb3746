import { isMap, isNode, isScalar, isSeq, type LineCounter, type Node } from "yaml";

/** A place in a file; both count from 1. */
export interface Position {
  line: number;
  column?: number;
}

/** The line and column of a character offset in `text`. */
export function lineColumn(text: string, offset: number): Required<Position> {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: offset - lineStart + 1 };
}

/** Where a node of a parsed YAML or JSON document starts. */
export function nodePosition(node: Node, lineCounter: LineCounter): Required<Position> | undefined {
  if (!node.range) return undefined;
  const { line, col } = lineCounter.linePos(node.range[0]);
  return { line, column: col };
}

/**
 * The node of a field under `node`, by a dotted path such as `m`, `env.HOME` or `cmd.1`: the
 * value, or the key when `atKey` (an unknown key is wrong as a name, not as a value). Keys may
 * hold dots themselves (`resources.licence.matlab`), so the longest key that matches wins.
 */
export function fieldNode(node: unknown, field: string, atKey: boolean): Node | undefined {
  let current: unknown = node;
  let rest = field.split(".");
  while (rest.length > 0) {
    if (isSeq(current)) {
      current = current.items[Number(rest[0])];
      rest = rest.slice(1);
    } else if (isMap(current)) {
      const map = current;
      const match = longestKey(rest, (key) => map.items.find((pair) => keyName(pair.key) === key));
      if (!match) return undefined;
      rest = rest.slice(match.segments);
      if (rest.length === 0 && atKey) return isNode(match.found.key) ? match.found.key : undefined;
      current = match.found.value;
    } else {
      return undefined;
    }
  }
  return isNode(current) ? current : undefined;
}

/**
 * Whether a problem with `field` is about its key: a key the file should not have is wrong as a
 * name, so errors point at it rather than at its value.
 */
export function isUnknownKey(field: string, knownKeys: readonly string[]): boolean {
  return !field.includes(".") && !knownKeys.includes(field);
}

function longestKey<T>(
  segments: readonly string[],
  find: (key: string) => T | undefined,
): { found: T; segments: number } | undefined {
  for (let count = segments.length; count > 0; count--) {
    const found = find(segments.slice(0, count).join("."));
    if (found !== undefined) return { found, segments: count };
  }
  return undefined;
}

function keyName(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}
