// One map() call: its input and output live in a SharedArrayBuffer of their own that every
// worker receives once; the queue carries only one ticket per worker (see worker-map.mjs).

import { MAP_JOB } from "./layout.js";

/** Typed arrays map() accepts; their elements are read as numbers. */
export type NumericArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray;

/** The cursor is an Int32 that runs a little past the end, so jobs stay well below 2^31 elements. */
export const MAX_MAP_LENGTH = 2 ** 30;

export interface MapJobMessage {
  type: "map";
  id: number;
  fn: number;
  name: string;
  length: number;
  buffer: SharedArrayBuffer;
}

export class MapJob {
  readonly message: MapJobMessage;
  private readonly control: Int32Array;
  private readonly output: Float64Array;
  private ticketsLeft: number;
  private error: { reason: unknown } | undefined;

  constructor(
    readonly id: number,
    fnId: number,
    name: string,
    values: NumericArray,
    tickets: number,
    private readonly settle: (
      job: MapJob,
      error: { reason: unknown } | undefined,
      output: Float64Array,
    ) => void,
  ) {
    const length = values.length;
    const buffer = new SharedArrayBuffer(MAP_JOB.HEADER_BYTES + 16 * length);
    new Float64Array(buffer, MAP_JOB.HEADER_BYTES, length).set(values);
    this.control = new Int32Array(buffer, 0, MAP_JOB.HEADER_BYTES / 4);
    this.output = new Float64Array(buffer, MAP_JOB.HEADER_BYTES + 8 * length, length);
    this.ticketsLeft = tickets;
    this.message = { type: "map", id, fn: fnId, name, length, buffer };
  }

  ticketDone(): void {
    if (--this.ticketsLeft === 0) this.finish();
  }

  /** An element threw, or a ticket's worker died too often: the job fails with the first reason. */
  ticketFailed(reason: unknown): void {
    this.error ??= { reason };
    Atomics.store(this.control, MAP_JOB.FAILED, 1);
    this.ticketDone();
  }

  private finish(): void {
    // Workers drop a finished job from their table the next time a job arrives.
    Atomics.store(this.control, MAP_JOB.FINISHED, 1);
    this.settle(this, this.error, this.error === undefined ? this.output.slice() : this.output);
  }
}
