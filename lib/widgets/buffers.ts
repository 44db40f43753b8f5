/**
 * Binary buffers inside widget state (protocol 2.x): a `Uint8Array` anywhere
 * in the state travels as an extra frame of the message, and `buffer_paths`
 * says where it goes back (a path of keys and list indices). In the JSON a
 * buffer that was a dict value is left out and one in a list becomes null.
 *
 * @module
 */

/** A path from the state's top to one buffer: object keys and list indices. */
export type BufferPath = (string | number)[];

/** State split for the wire: JSON, the paths of its buffers, the buffers. */
export interface SplitState {
  state: Record<string, unknown>;
  bufferPaths: BufferPath[];
  buffers: Uint8Array[];
}

function isBinary(
  value: unknown,
): value is Uint8Array | ArrayBuffer | DataView {
  return value instanceof Uint8Array || value instanceof ArrayBuffer ||
    value instanceof DataView;
}

function bytes(value: Uint8Array | ArrayBuffer | DataView): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * Takes the binary values out of `state` (which is not changed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeBuffers } from "./buffers.ts";
 * const png = new Uint8Array([137, 80]);
 * const split = removeBuffers({ value: png, format: "png" });
 * assert.deepEqual(split.state, { format: "png" });
 * assert.deepEqual(split.bufferPaths, [["value"]]);
 * assert.equal(split.buffers[0], png);
 * ```
 */
export function removeBuffers(state: Record<string, unknown>): SplitState {
  const bufferPaths: BufferPath[] = [];
  const buffers: Uint8Array[] = [];
  const walk = (value: unknown, path: BufferPath): unknown => {
    if (Array.isArray(value)) {
      return value.map((item, i) => {
        if (!isBinary(item)) return walk(item, [...path, i]);
        bufferPaths.push([...path, i]);
        buffers.push(bytes(item));
        return null;
      });
    }
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (isBinary(item)) {
          bufferPaths.push([...path, key]);
          buffers.push(bytes(item));
        } else {
          out[key] = walk(item, [...path, key]);
        }
      }
      return out;
    }
    return value;
  };
  return {
    state: walk(state, []) as Record<string, unknown>,
    bufferPaths,
    buffers,
  };
}

/**
 * Puts buffers back at their paths, in place. A path that does not fit the
 * state (a missing parent, a non-object on the way) is an error the caller
 * reports: the frontend sent malformed state.
 *
 * @throws {TypeError} When the paths and buffers do not match the state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { putBuffers } from "./buffers.ts";
 * const state: Record<string, unknown> = { data: [null, 2] };
 * putBuffers(state, [["data", 0]], [new Uint8Array([1])]);
 * assert.deepEqual(state.data, [new Uint8Array([1]), 2]);
 * ```
 */
export function putBuffers(
  state: Record<string, unknown>,
  bufferPaths: unknown,
  buffers: Uint8Array[],
): void {
  if (!Array.isArray(bufferPaths)) {
    throw new TypeError(
      `buffer_paths must be a list of paths, got ${
        JSON.stringify(bufferPaths)
      }`,
    );
  }
  if (bufferPaths.length !== buffers.length) {
    throw new TypeError(
      `buffer_paths names ${bufferPaths.length} buffers but the message has ${buffers.length}`,
    );
  }
  bufferPaths.forEach((path, i) => {
    const valid = Array.isArray(path) && path.length > 0 &&
      path.every((p) => typeof p === "string" || typeof p === "number");
    if (!valid) {
      throw new TypeError(
        `buffer path ${
          JSON.stringify(path)
        } must be a non-empty list of keys and indices`,
      );
    }
    let parent: unknown = state;
    for (const key of path.slice(0, -1)) {
      parent = (parent as Record<string | number, unknown>)?.[key];
    }
    if (parent === null || typeof parent !== "object") {
      throw new TypeError(
        `buffer path ${JSON.stringify(path)} does not lead into the state`,
      );
    }
    (parent as Record<string | number, unknown>)[path.at(-1)!] = buffers[i];
  });
}
