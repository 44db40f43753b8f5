/**
 * The same rows through TensorFlow.js's WebGPU backend, on its own device of
 * the same adapter. tfjs is NHWC with [KH, KW, C, OC] filters, its native
 * layout; the backward products run the kernels tf.conv2d's gradient runs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgpu";
import type { BenchRow, Timed } from "./gemm.ts";

/** Starts the tfjs WebGPU backend; false (with the reason printed) when it cannot. */
export async function startTfjs(): Promise<boolean> {
  try {
    return await tf.setBackend("webgpu") && tf.getBackend() === "webgpu";
  } catch (error) {
    console.error(`tfjs-webgpu unavailable: ${error}`);
    return false;
  }
}

/** The result of the last call, read back (one element) to wait for the device. */
let last: tf.Tensor | undefined;

/**
 * Waits for tfjs's work by reading one element of the last result: the
 * backend's own queue submit followed by onSubmittedWorkDone returned
 * before the work was done (it gave 180-580 "GFLOP/s").
 */
async function syncTfjs(): Promise<void> {
  if (!last) return;
  const one = tf.tidy(() => tf.slice(tf.reshape(last!, [-1]), 0, 1));
  await one.data();
  one.dispose();
}

/** tfjs-webgpu on `row`, ready to time. */
export function prepareTfjs(row: BenchRow): Timed {
  const kept: tf.Tensor[] = [];
  let run: () => tf.Tensor;
  if (row.kind === "matmul") {
    const a = tf.randomUniform([row.m, row.k], -1, 1);
    const b = tf.randomUniform([row.k, row.n], -1, 1);
    kept.push(a, b);
    run = () => tf.matMul(a, b);
  } else {
    const s = row.shape;
    const x = tf.randomUniform(
      [s.batch, s.inHeight, s.inWidth, s.inChannels],
      -1,
      1,
    ) as tf.Tensor4D;
    const w = tf.randomUniform(
      [s.kernelHeight, s.kernelWidth, s.inChannels, s.outChannels],
      -1,
      1,
    ) as tf.Tensor4D;
    const dy = tf.randomUniform(
      [s.batch, s.outHeight, s.outWidth, s.outChannels],
      -1,
      1,
    );
    kept.push(x, w, dy);
    const strides: [number, number] = [s.strideHeight, s.strideWidth];
    const pad = s.padHeight;
    const attrs = {
      strides,
      pad,
      dataFormat: "NHWC",
    };
    if (row.product === "forward") run = () => tf.conv2d(x, w, strides, pad);
    else if (row.product === "backwardInput") {
      run = () =>
        tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: w }, {
          ...attrs,
          inputShape: x.shape,
        }) as tf.Tensor;
    } else {
      run = () =>
        tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
          ...attrs,
          filterShape: w.shape,
        }) as tf.Tensor;
    }
  }
  return {
    run() {
      last?.dispose();
      last = run();
    },
    sync: syncTfjs,
    dispose() {
      last?.dispose();
      last = undefined;
      kept.forEach((t) => t.dispose());
    },
  };
}
