/**
 * The course's full configuration, as notebook 04 runs it with
 * ALEXNET_SIZE=full, for a GPU machine without Jupyter:
 * `deno run -A tools/train_course.ts [epochs]` prints each epoch's loss,
 * accuracies and examples per second. Fashion-MNIST is found as usual
 * (FASHION_MNIST_DIR, the Debian package, the cache, a download).
 *
 * @module
 */
import { data, device, models, optim, train, training } from "../lib/mod.ts";

const epochs = Number(Deno.args[0] ?? 10);
const { transforms } = data;
console.log(
  `AlexNet (course), Fashion-MNIST at 224x224, batch 128, SGD lr 0.01, ${epochs} epochs on ${device()}`,
);
const trainSet = await new data.FashionMNIST({ train: true }).load();
const testSet = await new data.FashionMNIST({ train: false }).load();
const trainLoader = new data.DataLoader(trainSet, {
  batchSize: 128,
  shuffle: true,
  seed: 0,
  transform: new transforms.Compose([
    new transforms.Resize(224),
    new transforms.RandomCrop(224, { padding: 16 }),
    new transforms.RandomHorizontalFlip(),
  ]),
});
const testLoader = new data.DataLoader(testSet, {
  batchSize: 128,
  transform: new transforms.Resize(224),
});
const net = models.alexnet({ inChannels: 1, numClasses: 10 });
models.initXavier(net);
const history = await train(net, trainLoader, testLoader, {
  epochs,
  optimizer: new optim.SGD(net.parameters(), { lr: 0.01 }),
  live: false,
  pointsPerEpoch: 10,
});
console.log(training.historyTable(history));
