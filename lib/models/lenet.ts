/**
 * LeNet-5 as the course writes it (sigmoid activations, average pooling),
 * the baseline AlexNet's story is told against: 61,706 parameters.
 *
 * @module
 */
import * as nn from "../nn/mod.ts";

/** LeNet for 1x28x28 input and `numClasses` outputs. */
export function lenet(options: { numClasses?: number } = {}): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.Sigmoid(),
    new nn.AvgPool2d(2, { stride: 2 }),
    new nn.Conv2d(6, 16, 5),
    new nn.Sigmoid(),
    new nn.AvgPool2d(2, { stride: 2 }),
    new nn.Flatten(),
    new nn.Linear(16 * 5 * 5, 120),
    new nn.Sigmoid(),
    new nn.Linear(120, 84),
    new nn.Sigmoid(),
    new nn.Linear(84, options.numClasses ?? 10),
  );
}
