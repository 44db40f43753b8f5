/**
 * Compose: transforms in a row.
 *
 * @module
 */
import type { Tensor } from "../../tensor.ts";
import { defaultGenerator, type Generator } from "../generator.ts";
import { isGeometric, runPlan, type Transform } from "./transform.ts";
import { RandomHorizontalFlip } from "./random_horizontal_flip.ts";

/**
 * Applies transforms one after another, as torchvision's `Compose`,
 * freeing each intermediate batch as soon as the next one is made. A crop
 * or resize followed by RandomHorizontalFlip runs as one pass (the same
 * draws and the same values as two passes; one pass less over the batch).
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
    const list = this.transforms;
    for (let i = 0; i < list.length; i++) {
      const transform = list[i];
      let next: Tensor;
      const following = list[i + 1];
      if (isGeometric(transform) && following instanceof RandomHorizontalFlip) {
        const plan = transform.plan(current, generator);
        const flips = following.flips(plan.boxes.length, generator);
        plan.boxes.forEach((box, k) => box.flip = box.flip !== flips[k]);
        next = runPlan(current, plan);
        i++;
      } else {
        next = transform.apply(current, generator);
      }
      if (current !== images) current.dispose();
      current = next;
    }
    return current === images ? images.handle() : current;
  }
}
