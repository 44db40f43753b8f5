/**
 * Writes the data order and mirror draws of notebook 04's small run (its
 * DataLoader: 1,280 images, batch 16, shuffle with seed 0, Resize(224) then
 * RandomHorizontalFlip) as JSON, so tools/references/course_curve.py can feed
 * PyTorch the same batches. Usage: deno run -A course_draws.ts OUT.json
 */
import { data } from "../../lib/mod.ts";

const setting = { trainImages: 1280, batchSize: 16, epochs: 2, loaderSeed: 0 };

// Only the order and the draws are wanted: a stand-in dataset of the same length.
const loader = new data.DataLoader(
  { length: setting.trainImages, get: () => [] as never },
  { batchSize: setting.batchSize, shuffle: true, seed: setting.loaderSeed },
);
const flip = new data.transforms.RandomHorizontalFlip();
const orders: number[][] = [];
const flips: boolean[][] = [];
for (let epoch = 0; epoch < setting.epochs; epoch++) {
  const order = Array.from(loader.order(epoch));
  const epochFlips: boolean[] = [];
  for (let b = 0; b * setting.batchSize < order.length; b++) {
    const n = Math.min(setting.batchSize, order.length - b * setting.batchSize);
    // The generator DataLoader hands the transform of this epoch's batch b.
    const generator = new data.Generator(
      data.deriveSeed(setting.loaderSeed, epoch, b),
    );
    epochFlips.push(...flip.flips(n, generator));
  }
  orders.push(order);
  flips.push(epochFlips);
}
await Deno.writeTextFile(
  Deno.args[0],
  JSON.stringify({ setting, orders, flips }),
);
console.log(`wrote ${Deno.args[0]}`);
