/**
 * The GEMM shapes of one training step of the course AlexNet (1x224x224
 * input; conv1-5, then fc 6400 -> 4096 -> 4096 -> 10), as the device layer
 * sees them: each conv layer's three products, and each linear layer's
 * forward, input-gradient and weight-gradient matmuls (lib/nn_ops.ts).
 *
 * @module
 */
import type { Conv2dShape } from "../lib/device/conv2d.ts";
import type { MatmulShape } from "../lib/device/matmul.ts";
import { convShape } from "./gemm.ts";

/** The conv layers at batch `batch`, named as in bench/gemm.ts. */
export function alexnetConvs(batch: number): [string, Conv2dShape][] {
  return [
    ["conv1 1->96 k11 s4 224", convShape(batch, 1, 224, 96, 11, 4, 1)],
    ["conv2 96->256 k5 26", convShape(batch, 96, 26, 256, 5, 1, 2)],
    ["conv3 256->384 k3 12", convShape(batch, 256, 12, 384, 3, 1, 1)],
    ["conv4 384->384 k3 12", convShape(batch, 384, 12, 384, 3, 1, 1)],
    ["conv5 384->256 k3 12", convShape(batch, 384, 12, 256, 3, 1, 1)],
  ];
}

/** The linear layers' matmuls at batch `batch`: forward, input gradient, weight gradient. */
export function alexnetMatmuls(
  batch: number,
): [string, Required<MatmulShape>][] {
  const full = (s: MatmulShape): Required<MatmulShape> => ({
    transA: false,
    transB: false,
    batchA: 1,
    batchB: 1,
    ...s,
  });
  return [[6400, 4096, "fc6"], [4096, 4096, "fc7"], [4096, 10, "fc8"]]
    .flatMap(([inputs, outputs, name]) => {
      const [i, o] = [inputs as number, outputs as number];
      return [
        [
          `${name} forward`,
          full({ batch: 1, m: batch, n: o, k: i, transB: true }),
        ],
        [`${name} backwardInput`, full({ batch: 1, m: batch, n: i, k: o })],
        [
          `${name} backwardWeight`,
          full({ batch: 1, m: o, n: i, k: batch, transA: true }),
        ],
      ] as [string, Required<MatmulShape>][];
    });
}
