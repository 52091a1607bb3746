// Structured clone drops an error's class and its own properties (`code`, `errno`, ...), so a
// worker sends errors in a plain shape and the main thread rebuilds them (errors.ts).

/**
 * What a task threw, as [kind, payload] with kinds from layout.payload: an Error in plain
 * form, or any other thrown value as it is.
 * @param {unknown} thrown
 * @param {{ ERROR: number, THROWN: number }} kinds
 * @returns {[number, unknown]}
 */
export function encodeThrown(thrown, kinds) {
  if (!(thrown instanceof Error)) {
    try {
      return [kinds.THROWN, structuredClone(thrown)];
    } catch {
      return [
        kinds.ERROR,
        plainError(new TypeError(`a task threw a value that cannot be sent: ${typeof thrown}`)),
      ];
    }
  }
  return [kinds.ERROR, plainError(thrown)];
}

/** @param {Error} error */
function plainError(error) {
  /** @type {Record<string, unknown>} */
  const props = {};
  for (const key of Object.keys(error)) {
    const value = cloneable(/** @type {Record<string, unknown>} */ (error)[key]);
    if (value !== undefined) props[key] = value;
  }
  if (error.cause !== undefined) props.cause = cloneable(error.cause);
  return { name: error.name, message: error.message, stack: error.stack, props };
}

/** @param {unknown} value */
function cloneable(value) {
  try {
    return structuredClone(value);
  } catch {
    return undefined;
  }
}
