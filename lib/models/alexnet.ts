/**
 * AlexNet (Krizhevsky, Sutskever, Hinton, 2012) in two versions: the
 * course's single-tower network for 1x224x224 Fashion-MNIST, and the
 * paper's two-tower network for 3x224x224 ImageNet images.
 *
 * @module
 */
import * as nn from "../nn/mod.ts";
import type { Module } from "../nn/module.ts";

/** Options of {@link alexnet}. */
export interface AlexNetOptions {
  /** Input channels (1 for Fashion-MNIST). */
  inChannels?: number;
  /** Output classes. */
  numClasses?: number;
  /** Dropout probability of the two hidden fully connected layers. */
  dropout?: number;
}

/**
 * The course's AlexNet: 1x224x224 in, 96x54x54 after the first conv, a
 * 6400-wide flatten, 46,764,746 parameters for 10 classes. No LRN and no
 * two-GPU split, as the course (and most modern re-implementations) drop them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { models, zeros } from "../mod.ts";
 * const net = models.alexnet();
 * assert.equal(net.numParameters(), 46_764_746);
 * ```
 */
export function alexnet(options: AlexNetOptions = {}): nn.Sequential {
  const { inChannels = 1, numClasses = 10, dropout = 0.5 } = options;
  return new nn.Sequential(
    new nn.Conv2d(inChannels, 96, 11, { stride: 4, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(96, 256, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(256, 384, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.Conv2d(384, 384, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.Conv2d(384, 256, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Flatten(),
    new nn.Linear(6400, 4096),
    new nn.ReLU(),
    new nn.Dropout(dropout),
    new nn.Linear(4096, 4096),
    new nn.ReLU(),
    new nn.Dropout(dropout),
    new nn.Linear(4096, numClasses),
  );
}

/** Options of {@link alexnetPaper}. */
export interface AlexNetPaperOptions {
  /** Output classes (ImageNet's 1000). */
  numClasses?: number;
  /** Input channels (RGB). */
  inChannels?: number;
}

/**
 * The 2012 paper's network: conv1 96 11x11/4, LRN, overlapping max pooling,
 * conv2 256 5x5 (two groups, as the two GPUs), LRN, pool, conv3 384 (across
 * both GPUs), conv4 384 and conv5 256 3x3 (two groups), pool, then 4096 ->
 * 4096 -> classes with dropout 0.5: 60,965,224 parameters for 1000 classes.
 *
 * The paper states a 224x224 input, but 11x11 kernels at stride 4 give its
 * 55x55 first-layer maps only from 227x227 (or 224 padded by 2). We take
 * 224x224 with padding 2, so the paper's stated input size works as is.
 * LRN uses the paper's constants (k 2, n 5, alpha 1e-4, beta 0.75); the
 * layer divides alpha by n (PyTorch's formula), so it is given n * 1e-4.
 */
export function alexnetPaper(options: AlexNetPaperOptions = {}): nn.Sequential {
  const { numClasses = 1000, inChannels = 3 } = options;
  const lrn = () =>
    new nn.LocalResponseNorm(5, { alpha: 5 * 1e-4, beta: 0.75, k: 2 });
  return new nn.Sequential(
    new nn.Conv2d(inChannels, 96, 11, { stride: 4, padding: 2 }),
    new nn.ReLU(),
    lrn(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(96, 256, 5, { padding: 2, groups: 2 }),
    new nn.ReLU(),
    lrn(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(256, 384, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.Conv2d(384, 384, 3, { padding: 1, groups: 2 }),
    new nn.ReLU(),
    new nn.Conv2d(384, 256, 3, { padding: 1, groups: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Flatten(),
    new nn.Dropout(0.5),
    new nn.Linear(256 * 6 * 6, 4096),
    new nn.ReLU(),
    new nn.Dropout(0.5),
    new nn.Linear(4096, 4096),
    new nn.ReLU(),
    new nn.Linear(4096, numClasses),
  );
}

/**
 * The paper's initialisation (section 5): weights N(0, 0.01^2); biases 1 in
 * conv2, conv4, conv5 and the hidden fully connected layers (to give ReLUs
 * positive inputs early), 0 elsewhere.
 */
export function initPaper(model: nn.Sequential): nn.Sequential {
  const weighted = model.layers.filter((m): m is nn.Conv2d | nn.Linear =>
    m instanceof nn.Conv2d || m instanceof nn.Linear
  );
  const biasOne = new Set([1, 3, 4, 5, 6]); // conv2, conv4, conv5, fc6, fc7 (0-based among weighted layers)
  weighted.forEach((layer, i) => {
    nn.init.normal(layer.weight, 0, 0.01);
    if (layer.bias) nn.init.constant(layer.bias, biasOne.has(i) ? 1 : 0);
  });
  return model;
}

/** The course's initialisation: Xavier uniform weights in every Linear and Conv2d. */
export function initXavier(model: Module): Module {
  return model.apply((m) => {
    if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
      nn.init.xavierUniform(m.weight);
    }
  });
}
