/**
 * What a transform is, and the checks and helpers the transforms share.
 *
 * A transform maps a batch of images [N, C, H, W] to a new batch on the GPU,
 * drawing its random parameters (one set per image) from a seeded
 * {@link Generator}. It never disposes its input: the caller owns it.
 *
 * @module
 */
import { Tensor } from "../../tensor.ts";
import { type CropBox, cropResize } from "../../device/augment.ts";
import type { Generator } from "../generator.ts";

export type { CropBox } from "../../device/augment.ts";

/** A batch transform, as torchvision's transforms but on whole batches. */
export interface Transform {
  /**
   * Returns a new batch made from `images` [N, C, H, W] (left as it is).
   *
   * @param generator Draws the random parameters (default: `defaultGenerator`).
   */
  apply(images: Tensor, generator?: Generator): Tensor;
}

/** What a geometric transform does to a batch: one box per output image. */
export interface CropPlan {
  boxes: CropBox[];
  outHeight: number;
  outWidth: number;
  /** Value of pixels outside the input (padding). */
  fill: number;
}

/**
 * A transform that only moves pixels: it draws its parameters as a
 * {@link CropPlan}, so `Compose` can run it and a following
 * RandomHorizontalFlip as one pass.
 */
export interface GeometricTransform extends Transform {
  /** Draws the boxes for `images` (the same draws `apply` makes). */
  plan(images: Tensor, generator: Generator): CropPlan;
}

/** Whether `transform` can hand its work over as a {@link CropPlan}. */
export function isGeometric(
  transform: Transform,
): transform is GeometricTransform {
  return typeof (transform as GeometricTransform).plan === "function";
}

/** Runs a plan on `images`. */
export function runPlan(images: Tensor, plan: CropPlan): Tensor {
  return cropBoxes(
    images,
    plan.boxes,
    plan.outHeight,
    plan.outWidth,
    plan.fill,
  );
}

/** The sizes [N, C, H, W] of a batch, or a TypeError naming `transform`. */
export function batchShape(
  images: Tensor,
  transform: string,
): [number, number, number, number] {
  if (images.ndim !== 4) {
    throw new TypeError(
      `Cannot apply ${transform} to a tensor of shape [${images.shape}]: it takes a batch of images [N, C, H, W] (use x.unsqueeze(0) for one image)`,
    );
  }
  return images.shape as unknown as [number, number, number, number];
}

/** [height, width] from a size given as one number or a pair, checked. */
export function sizePair(
  size: number | readonly [number, number],
  transform: string,
): [number, number] {
  const pair: [number, number] = typeof size === "number"
    ? [size, size]
    : [size[0], size[1]];
  if (!pair.every((s) => Number.isInteger(s) && s > 0)) {
    throw new RangeError(
      `Cannot make ${transform} with size ${
        JSON.stringify(size)
      }: give a positive integer or [height, width] of positive integers`,
    );
  }
  return pair;
}

/** Python's round(): halves go to the even neighbour (as torchvision computes centre crops). */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Samples `boxes` from `images` into a new tensor [boxes.length, C, outHeight, outWidth]. */
export function cropBoxes(
  images: Tensor,
  boxes: readonly CropBox[],
  outHeight: number,
  outWidth: number,
  fill = 0,
): Tensor {
  const shape = images.shape as unknown as [number, number, number, number];
  const buffer = cropResize(
    images.buffer,
    shape,
    boxes,
    outHeight,
    outWidth,
    fill,
  );
  return Tensor.fromBuffer(buffer, [
    boxes.length,
    shape[1],
    outHeight,
    outWidth,
  ]);
}

/** Whole-image boxes, one per image, optionally mirrored. */
export function wholeImages(
  shape: readonly number[],
  flips?: readonly boolean[],
): CropBox[] {
  const [n, , height, width] = shape;
  return Array.from({ length: n }, (_, source) => ({
    source,
    top: 0,
    left: 0,
    height,
    width,
    flip: flips?.[source] ?? false,
  }));
}
