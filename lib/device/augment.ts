/**
 * Dispatchers of the augmentation shaders: `shaders/augment_crop.wgsl`
 * (crop, resize, mirror, pad: the geometric transforms) and
 * `shaders/augment_bytes.wgsl` (bytes to floats).
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import { pipeline, shaderSource } from "./pipeline_cache.ts";
import { dispatch, upload } from "./recorder.ts";

const WORKGROUP = 64;

/** Workgroups for `total` invocations (the recorder folds large counts into y). */
function groupsFor(total: number): [number] {
  return [Math.max(1, Math.ceil(total / WORKGROUP))];
}

/** The region of an input image one output image samples, in input pixels. */
export interface CropBox {
  /** Index of the input image. */
  source: number;
  /** Row of the box's top edge (negative or past the image: padding). */
  top: number;
  /** Column of the box's left edge. */
  left: number;
  /** Box height in input pixels (at least 1). */
  height: number;
  /** Box width in input pixels (at least 1). */
  width: number;
  /** Mirror the output left to right. */
  flip: boolean;
}

/**
 * Samples one box per output image from a batch [N, C, H, W] into a new
 * buffer [boxes.length, C, outHeight, outWidth] (bilinear, PyTorch's
 * align_corners=False; pixels outside the input read `fill`).
 */
export function cropResize(
  input: GPUBuffer,
  shape: readonly [number, number, number, number],
  boxes: readonly CropBox[],
  outHeight: number,
  outWidth: number,
  fill = 0,
): GPUBuffer {
  const [, channels, height, width] = shape;
  const total = boxes.length * channels * outHeight * outWidth;
  const out = allocate(total * 4, "crop resize");
  if (total === 0) return out;
  const table = new Int32Array(boxes.length * 8);
  boxes.forEach((box, m) => {
    table.set(
      [
        box.source,
        box.top,
        box.left,
        box.flip ? 1 : 0,
        box.height,
        box.width,
        0,
        0,
      ],
      m * 8,
    );
  });
  const boxBuffer = allocate(table.byteLength, "crop boxes");
  upload(boxBuffer, table);
  const params = new ArrayBuffer(32);
  const u32 = new Uint32Array(params);
  const i32 = new Int32Array(params);
  const f32 = new Float32Array(params);
  const rows = boxes.length * channels * outHeight;
  u32[0] = rows;
  u32[1] = channels;
  i32[2] = height;
  i32[3] = width;
  u32[4] = outHeight;
  u32[5] = outWidth;
  f32[6] = fill;
  dispatch({
    label: "crop resize",
    pipeline: pipeline("augment_crop", () => shaderSource("augment_crop")),
    buffers: [input, boxBuffer, out],
    uniforms: u32,
    workgroups: groupsFor(rows),
  });
  // Later writes to a reused buffer are recorded after this dispatch: safe.
  release(boxBuffer);
  return out;
}

/**
 * Uploads bytes and converts them to float32 (`byte * scale`) in a new
 * buffer of `bytes.length` values.
 */
export function bytesToFloats(bytes: Uint8Array, scale: number): GPUBuffer {
  const total = bytes.length;
  const out = allocate(total * 4, "to tensor");
  if (total === 0) return out;
  const packed = allocate(bytes.length, "image bytes");
  upload(packed, bytes);
  const params = new ArrayBuffer(16);
  new Uint32Array(params)[0] = total;
  new Float32Array(params)[1] = scale;
  dispatch({
    label: "to tensor",
    pipeline: pipeline("augment_bytes", () => shaderSource("augment_bytes")),
    buffers: [packed, out],
    uniforms: new Uint32Array(params),
    workgroups: groupsFor(total),
  });
  release(packed);
  return out;
}
