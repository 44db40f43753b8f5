/**
 * The course AlexNet's training step in TensorFlow.js (tfjs-core ops on
 * the WebGPU backend, NHWC), for bench/alexnet_step.ts's comparison.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgpu";

export { startTfjs } from "./tfjs.ts";

/** Median milliseconds of one forward + backward + SGD step at `batch`, over `steps` steps after a warm-up. */
export async function tfjsAlexnetStep(
  batch: number,
  steps: number,
): Promise<number> {
  const conv = (k: number, c: number, o: number) =>
    tf.variable(tf.randomNormal([k, k, c, o], 0, 0.01));
  const dense = (i: number, o: number) =>
    tf.variable(tf.randomNormal([i, o], 0, 0.01));
  const bias = (o: number) => tf.variable(tf.zeros([o]));
  const w = {
    c1: conv(11, 1, 96),
    b1: bias(96),
    c2: conv(5, 96, 256),
    b2: bias(256),
    c3: conv(3, 256, 384),
    b3: bias(384),
    c4: conv(3, 384, 384),
    b4: bias(384),
    c5: conv(3, 384, 256),
    b5: bias(256),
    f1: dense(6400, 4096),
    g1: bias(4096),
    f2: dense(4096, 4096),
    g2: bias(4096),
    f3: dense(4096, 10),
    g3: bias(10),
  };
  const x = tf.randomNormal([batch, 224, 224, 1]);
  const labels = tf.oneHot(
    tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), "int32"),
    10,
  );
  const pad1 = (t: tf.Tensor4D) => tf.pad(t, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  const forward = () => {
    let h = tf.relu(
      tf.add(
        tf.conv2d(pad1(x as tf.Tensor4D), w.c1 as tf.Tensor4D, 4, "valid"),
        w.b1,
      ),
    ) as tf.Tensor4D;
    h = tf.maxPool(h, 3, 2, "valid");
    h = tf.relu(
      tf.add(tf.conv2d(h, w.c2 as tf.Tensor4D, 1, "same"), w.b2),
    ) as tf.Tensor4D;
    h = tf.maxPool(h, 3, 2, "valid");
    h = tf.relu(
      tf.add(tf.conv2d(h, w.c3 as tf.Tensor4D, 1, "same"), w.b3),
    ) as tf.Tensor4D;
    h = tf.relu(
      tf.add(tf.conv2d(h, w.c4 as tf.Tensor4D, 1, "same"), w.b4),
    ) as tf.Tensor4D;
    h = tf.relu(
      tf.add(tf.conv2d(h, w.c5 as tf.Tensor4D, 1, "same"), w.b5),
    ) as tf.Tensor4D;
    h = tf.maxPool(h, 3, 2, "valid");
    let f = tf.reshape(h, [batch, 6400]) as tf.Tensor2D;
    f = tf.dropout(
      tf.relu(tf.add(tf.matMul(f, w.f1 as tf.Tensor2D), w.g1)),
      0.5,
    ) as tf.Tensor2D;
    f = tf.dropout(
      tf.relu(tf.add(tf.matMul(f, w.f2 as tf.Tensor2D), w.g2)),
      0.5,
    ) as tf.Tensor2D;
    const logits = tf.add(tf.matMul(f, w.f3 as tf.Tensor2D), w.g3);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  };
  const optimizer = tf.train.sgd(0.01);
  const times: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const start = performance.now();
    const loss = optimizer.minimize(forward, true)!;
    await loss.data();
    loss.dispose();
    if (i > 0) times.push(performance.now() - start);
  }
  for (const v of Object.values(w)) v.dispose();
  x.dispose();
  labels.dispose();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
