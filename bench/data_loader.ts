/**
 * `deno run -A bench/data_loader.ts [--batch=128] [--batches=8]`: images
 * per second through the data pipeline on this adapter: Fashion-MNIST
 * (host bytes) -> upload -> GPU augmentation to 224x224 -> normalize, at
 * batch 128, for two augmentation chains:
 *   paper:  Resize(256), RandomCrop(224), RandomHorizontalFlip, Normalize
 *   fused:  RandomResizedCrop(224), RandomHorizontalFlip, Normalize
 * Timed from the first batch requested to the last batch's data being on
 * the GPU (synchronize), after one warm-up batch. Figures, not tests.
 *
 * @module
 */
import * as lib from "../lib/mod.ts";
import { data } from "../lib/mod.ts";

const arg = (name: string, fallback: string) =>
  Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const batchSize = Number(arg("batch", "128"));
const batches = Number(arg("batches", "8"));
const { transforms } = data;

console.log(`adapter: ${lib.device()}`);
const train = await new data.FashionMNIST({ train: true }).load();
const normalize = new transforms.Normalize([0.2860], [0.3530]);
const chains: Record<string, data.transforms.Transform> = {
  "paper (Resize 256, RandomCrop 224, flip, normalize)": new transforms.Compose(
    [
      new transforms.Resize(256),
      new transforms.RandomCrop(224),
      new transforms.RandomHorizontalFlip(),
      normalize,
    ],
  ),
  "fused (RandomResizedCrop 224, flip, normalize)": new transforms.Compose([
    new transforms.RandomResizedCrop(224),
    new transforms.RandomHorizontalFlip(),
    normalize,
  ]),
  "no augmentation (ToTensor only, 28x28)": new transforms.Compose([]),
};

for (const [name, transform] of Object.entries(chains)) {
  const loader = new data.DataLoader(train, {
    batchSize,
    shuffle: true,
    seed: 0,
    transform,
  });
  let seen = 0;
  let start = 0;
  for await (const [images, labels] of loader) {
    if (seen === 0) {
      await lib.synchronize(); // warm-up batch: pipelines compiled
      start = performance.now();
    }
    images.dispose();
    labels.dispose();
    if (++seen > batches) break;
  }
  await lib.synchronize();
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `${name}: ${(batches * batchSize / seconds).toFixed(0)} images/s (${
      (1000 * seconds / batches).toFixed(0)
    } ms per batch of ${batchSize}, ${batches} batches)`,
  );
}
