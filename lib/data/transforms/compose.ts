/**
 * Compose: transforms in a row.
 *
 * @module
 */
import type { Tensor } from "../../tensor.ts";
import { defaultGenerator, type Generator } from "../generator.ts";
import type { Transform } from "./transform.ts";

/**
 * Applies transforms one after another, as torchvision's `Compose`,
 * freeing each intermediate batch as soon as the next one is made.
 *
 * @example
 * ```ts ignore
 * const augment = new Compose([new RandomCrop(28, { padding: 2 }), new RandomHorizontalFlip()]);
 * const out = augment.apply(images, new Generator(0));
 * ```
 */
export class Compose implements Transform {
  /** The transforms, in order. */
  readonly transforms: readonly Transform[];

  /** Runs `transforms` in order. */
  constructor(transforms: readonly Transform[]) {
    this.transforms = [...transforms];
  }

  /** The batch after every transform; `images` is left as it is. */
  apply(images: Tensor, generator: Generator = defaultGenerator): Tensor {
    let current = images;
    for (const transform of this.transforms) {
      const next = transform.apply(current, generator);
      if (current !== images) current.dispose();
      current = next;
    }
    return current === images ? images.handle() : current;
  }
}
