/**
 * Checkpoints in the safetensors format (what the `safetensors` Python
 * package reads and writes, so weights move to and from PyTorch):
 *   8 bytes   little-endian u64 N, the header's length
 *   N bytes   JSON: { name: { dtype: "F32", shape, data_offsets: [begin, end] }, "__metadata__"?: {...} }
 *   the data  raw little-endian values, offsets relative to its start
 * Writes go to a temporary file renamed into place, so a crash never
 * leaves a half-written checkpoint; a read checks everything before
 * returning anything.
 *
 * @module
 */
import type { Tensor } from "./tensor.ts";
import { Module, type StateDict } from "./nn/module.ts";
import { tensorFromData } from "./ops/mod.ts";

/** Raised for a file that is not a usable safetensors checkpoint. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/**
 * Writes a model's state dict (or a state dict) to `path` atomically.
 * `metadata` strings go to the header's `__metadata__`.
 */
export async function save(
  source: Module | StateDict,
  path: string,
  metadata: Record<string, string> = {},
): Promise<void> {
  const state = source instanceof Module ? source.stateDict() : source;
  const names = Object.keys(state).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t: Tensor = state[name];
    header[name] = {
      dtype: "F32",
      shape: [...t.shape],
      data_offsets: [offset, offset + t.numel * 4],
    };
    offset += t.numel * 4;
  }
  let json = JSON.stringify(header);
  // The Python package pads the header with spaces to a multiple of 8 bytes.
  const headerBytes = new TextEncoder().encode(json);
  json += " ".repeat((8 - (headerBytes.length % 8)) % 8);
  const encodedHeader = new TextEncoder().encode(json);
  const temporary = `${path}.tmp-${Deno.pid}-${Date.now()}`;
  const file = await Deno.open(temporary, {
    write: true,
    create: true,
    truncate: true,
  });
  try {
    const prefix = new Uint8Array(8);
    new DataView(prefix.buffer).setBigUint64(
      0,
      BigInt(encodedHeader.length),
      true,
    );
    await writeAll(file, prefix);
    await writeAll(file, encodedHeader);
    for (const name of names) {
      const values = await state[name].data();
      await writeAll(file, littleEndian(values));
    }
    await file.sync();
  } catch (error) {
    file.close();
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
  file.close();
  try {
    await Deno.rename(temporary, path);
  } catch (error) {
    // e.g. path is a directory: leave no temporary file behind.
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await file.write(bytes.subarray(written));
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndian(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(
    values.buffer,
    values.byteOffset,
    values.byteLength,
  );
  if (LITTLE_ENDIAN) return bytes;
  const copy = new Uint8Array(bytes.length);
  const view = new DataView(copy.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return copy;
}

/**
 * Reads a safetensors file into a state dict of GPU tensors, after checking
 * the header, every entry's dtype, shape and offsets, and the file's size.
 *
 * @throws {CheckpointError} For a truncated or corrupt file or a dtype other than F32.
 */
export async function load(path: string): Promise<StateDict> {
  const bytes = await Deno.readFile(path);
  const fail = (why: string) =>
    new CheckpointError(`Cannot load checkpoint ${path}: ${why}`);
  if (bytes.length < 8) {
    throw fail(
      `the file has ${bytes.length} bytes, too few for a safetensors header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) {
    throw fail(
      `the header claims ${headerLength} bytes but the file has ${
        bytes.length - 8
      } after the length (truncated?)`,
    );
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(
        bytes.subarray(8, 8 + headerLength),
      ),
    );
  } catch (error) {
    throw fail(`the header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw fail("the header is not an object");
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries = Object.entries(header).filter(([name]) =>
    name !== "__metadata__"
  ) as [string, Entry][];
  const spans: [number, number, string][] = [];
  for (const [name, entry] of entries) {
    if (
      !entry || typeof entry !== "object" || !Array.isArray(entry.shape) ||
      !Array.isArray(entry.data_offsets)
    ) {
      throw fail(`entry ${name} lacks dtype, shape or data_offsets`);
    }
    if (entry.dtype !== "F32") {
      throw fail(
        `tensor ${name} has dtype ${entry.dtype}; this library reads F32 only (convert with .float() first)`,
      );
    }
    const [begin, end] = entry.data_offsets;
    const count = entry.shape.reduce((p: number, s: number) => p * s, 1);
    if (!entry.shape.every((s) => Number.isInteger(s) && s >= 0)) {
      throw fail(`tensor ${name} has a bad shape`);
    }
    if (
      !Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 ||
      end > dataLength || end - begin !== count * 4
    ) {
      throw fail(
        `tensor ${name} of shape [${entry.shape}] needs ${
          count * 4
        } bytes but its offsets [${begin}, ${end}] ` +
          `${
            end > dataLength
              ? `run past the data's ${dataLength} bytes (truncated?)`
              : "do not match"
          }`,
      );
    }
    spans.push([begin, end, name]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let cursor = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== cursor) {
      throw fail(`the data has a gap or an overlap at tensor ${name}`);
    }
    cursor = end;
  }
  if (cursor !== dataLength) {
    throw fail(
      `the data has ${dataLength - cursor} bytes that no tensor claims`,
    );
  }
  const state: StateDict = {};
  for (const [name, entry] of entries) {
    const [begin, end] = entry.data_offsets;
    const values = new Float32Array((end - begin) / 4);
    const source = new DataView(
      bytes.buffer,
      bytes.byteOffset + dataStart + begin,
      end - begin,
    );
    for (let i = 0; i < values.length; i++) {
      values[i] = source.getFloat32(i * 4, true);
    }
    state[name] = tensorFromData(values, entry.shape);
  }
  return state;
}

/**
 * The `__metadata__` of a safetensors file (strings), or an empty object.
 *
 * @throws {CheckpointError} For a file too short, a header claim past the
 * file's end (checked before allocating), or a header that is not JSON.
 */
export async function loadMetadata(
  path: string,
): Promise<Record<string, string>> {
  const fail = (why: string) =>
    new CheckpointError(`Cannot read metadata of ${path}: ${why}`);
  const file = await Deno.open(path);
  try {
    const size = (await file.stat()).size;
    const prefix = new Uint8Array(8);
    if (size < 8 || !await readFull(file, prefix)) {
      throw fail(
        `the file has ${size} bytes, too few for a safetensors header`,
      );
    }
    const length = Number(new DataView(prefix.buffer).getBigUint64(0, true));
    if (length > size - 8) {
      throw fail(
        `the header claims ${length} bytes but the file has ${
          size - 8
        } after the length (not a safetensors file, or truncated)`,
      );
    }
    const header = new Uint8Array(length);
    if (!await readFull(file, header)) throw fail("the header is truncated");
    let parsed: unknown;
    try {
      parsed = JSON.parse(
        new TextDecoder("utf-8", { fatal: true }).decode(header),
      );
    } catch (error) {
      throw fail(`the header is not valid JSON (${(error as Error).message})`);
    }
    if (
      typeof parsed !== "object" || parsed === null || Array.isArray(parsed)
    ) {
      throw fail("the header is not an object");
    }
    return (parsed as { __metadata__?: Record<string, string> })
      .__metadata__ ?? {};
  } finally {
    file.close();
  }
}

/** Fills `buffer` from `file`; false at an early end of file. */
async function readFull(
  file: Deno.FsFile,
  buffer: Uint8Array,
): Promise<boolean> {
  let read = 0;
  while (read < buffer.length) {
    const n = await file.read(buffer.subarray(read));
    if (n === null) return false;
    read += n;
  }
  return true;
}
