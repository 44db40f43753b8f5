/**
 * The IDX file format of MNIST and Fashion-MNIST
 * (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT"): a 4-byte magic
 * number (two zero bytes, a type code, the number of dimensions), then each
 * dimension's size as a big-endian 32-bit integer, then the values
 * row-major. Files may be gzip-compressed; the bytes say which, not the name.
 *
 * @module
 */

/** An unsigned-byte IDX array: sizes of its dimensions and its values. */
export interface IdxArray {
  /** Sizes of the dimensions, outermost first (e.g. [60000, 28, 28]). */
  dims: number[];
  /** The values, row-major. */
  data: Uint8Array;
}

/** IDX type codes (the third byte of the magic number). */
const TYPE_NAMES: Record<number, string> = {
  0x08: "unsigned byte",
  0x09: "signed byte",
  0x0b: "16-bit integer",
  0x0c: "32-bit integer",
  0x0d: "float32",
  0x0e: "float64",
};
const UNSIGNED_BYTE = 0x08;

/**
 * Parses unsigned-byte IDX data (already decompressed).
 *
 * @param bytes The whole file's content.
 * @param name Names the file in error messages.
 * @returns The dimensions and a view of the values (no copy).
 * @throws {Error} On a wrong magic number, another value type, or a size
 * that does not match the header (a truncated or padded file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIdx } from "./idx.ts";
 * const file = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]);
 * const { dims, data } = parseIdx(file, "labels");
 * assert.deepEqual(dims, [3]);
 * assert.equal(data[2], 9);
 * ```
 */
export function parseIdx(bytes: Uint8Array, name = "IDX data"): IdxArray {
  if (bytes.length < 4) {
    throw new Error(
      `Cannot read ${name}: it has ${bytes.length} bytes, too short for an IDX header (the file is truncated or empty; delete it and fetch it again)`,
    );
  }
  const [zero0, zero1, type, rank] = bytes;
  if (zero0 !== 0 || zero1 !== 0 || !(type in TYPE_NAMES)) {
    const magic = Array.from(
      bytes.subarray(0, 4),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    throw new Error(
      `Cannot read ${name}: magic number 0x${magic} is not IDX (expected 0x000008NN for unsigned bytes): is it the right file, or still compressed?`,
    );
  }
  if (type !== UNSIGNED_BYTE) {
    throw new Error(
      `Cannot read ${name}: it holds ${
        TYPE_NAMES[type]
      } values; only unsigned-byte IDX files (type 0x08) are supported`,
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new Error(
      `Cannot read ${name}: the header announces ${rank} dimensions (${headerBytes} bytes) but the file has ${bytes.length} bytes: it is truncated; delete it and fetch it again`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from(
    { length: rank },
    (_, d) => view.getUint32(4 + 4 * d, false),
  );
  const expected = dims.reduce((p, s) => p * s, 1);
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    throw new Error(
      `Cannot read ${name}: dimensions [${dims}] need ${expected} bytes of data but the file has ${actual}: it is ${
        actual < expected ? "truncated" : "longer than its header says"
      }; delete it and fetch it again`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Whether `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip data with the platform's DecompressionStream; other
 * data is returned as it is.
 *
 * @throws {Error} Naming `name` when the gzip stream is corrupt or cut short.
 */
export async function gunzipIfNeeded(
  bytes: Uint8Array,
  name = "data",
): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
      .pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new Error(
      `Cannot decompress ${name}: the gzip data is corrupt or truncated (${
        (error as Error).message
      }); delete the file and fetch it again`,
    );
  }
}

/**
 * Reads an IDX file, gzip-compressed or not.
 *
 * @returns The parsed array and the decompressed bytes (for content checks).
 */
export async function readIdxFile(
  path: string,
): Promise<IdxArray & { raw: Uint8Array }> {
  const raw = await gunzipIfNeeded(await Deno.readFile(path), path);
  return { ...parseIdx(raw, path), raw };
}
