import { PAYLOAD } from "./layout.js";

/** The pool was closed before the task could finish, or a call came after `close()`. */
export class PoolClosedError extends Error {
  override name = "PoolClosedError";
}

/** A task ran longer than its timeout; its worker was terminated and replaced. */
export class TaskTimeoutError extends Error {
  override name = "TaskTimeoutError";
  constructor(
    readonly handler: string,
    readonly timeout: number,
  ) {
    super(`task ${handler} ran longer than its timeout of ${timeout} ms; its worker was replaced`);
  }
}

/** The worker running the task died (process.exit, heap limit, uncaught error) on every attempt. */
export class WorkerExitError extends Error {
  override name = "WorkerExitError";
  constructor(
    readonly handler: string,
    readonly exitCode: number,
    readonly attempts: number,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? `: ${cause.message}` : ` with exit code ${exitCode}`;
    const tries = attempts === 1 ? "once" : `${attempts} times`;
    super(`the worker running ${handler} died${why}; the task was tried ${tries}`, { cause });
  }
}

/** An error as a worker sends it: structured clone keeps neither its class nor its own properties. */
export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
  props: Record<string, unknown>;
}

const BUILT_IN: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** What a worker reported as thrown (layout.payload ERROR or THROWN), as the main thread rejects with it. */
export function decodeThrown(kind: number, payload: unknown): unknown {
  return kind === PAYLOAD.ERROR ? reviveError(payload as SerializedError) : payload;
}

/** Rebuilds a handler's error on the main thread: same name, message, stack and own properties. */
export function reviveError(serialized: SerializedError): Error {
  const error = new (BUILT_IN[serialized.name] ?? Error)(serialized.message);
  if (error.name !== serialized.name) {
    Object.defineProperty(error, "name", { value: serialized.name, configurable: true, writable: true });
  }
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  return Object.assign(error, serialized.props);
}
