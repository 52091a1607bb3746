/**
 * Job files and command templates read into checked job specs, for `mpmsub run`. Pure: the
 * caller reads files and stdin.
 *
 * @module
 */
export { InputError, type InputProblem } from "./input-error.js";
export { readJobFile } from "./read-job-file.js";
export { expandTemplate, splitTemplateArgs, type TemplateArguments } from "./template.js";
export type { JobFormat, LoadedJobs, SourceLocation } from "./types.js";
