// Types that let `createPool<typeof import("./tasks.js")>` check handler names, arguments and
// results at compile time. Without a type argument every name and argument is accepted.

/** The functions of a handlers module by export name; the default accepts any name and arguments. */
export type Handlers = Record<string, (...args: unknown[]) => unknown>;

/** Names of the functions among a module's exports. */
export type HandlerName<H> = {
  [K in keyof H]: H[K] extends (...args: never[]) => unknown ? K : never;
}[keyof H] &
  string;

/** The parameters of handler K. */
export type HandlerArgs<H, K extends keyof H> = H[K] extends (...args: infer A) => unknown ? A : never;

/** What awaiting a call of handler K gives. */
export type HandlerResult<H, K extends keyof H> = H[K] extends (...args: never[]) => infer R
  ? Awaited<R>
  : never;
