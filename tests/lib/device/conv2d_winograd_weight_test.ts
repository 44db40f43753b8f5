// Winograd F(KxK, 2x2) and F(KxK, 4x4) (K = 3, 5) for the conv2d weight gradient
// against the float64 oracle on the awkward layers (odd output sizes,
// padding, groups, 5x5); the matrices have their own tests
// (winograd_transforms_test.ts).
import { tuningFor } from "../../../lib/device/tuning.ts";
import { checkConv, type Layer, WINOGRAD_LAYERS } from "./_gemm_checks.ts";
import { withTuning } from "./_helpers.ts";

/**
 * Odd output sizes (partial tiles), padding 0 to 2, batch 1 to 3, groups,
 * one channel, 3x3 and 5x5 kernels; GEMM rows below and above 32.
 */
const WINOGRAD_WEIGHT_LAYERS: Layer[] = [
  ...WINOGRAD_LAYERS,
  { batch: 2, c: 1, h: 6, w: 7, oc: 3, k: 5, pad: [0, 2] },
];

for (const method of ["winograd", "winograd4"] as const) {
  Deno.test(`the ${method} weight gradient matches the oracle`, async () => {
    const cpu = tuningFor("cpu");
    const config = cpu.candidates.weight.find((c) => c.method === method);
    if (config === undefined) throw new Error(`no ${method} weight candidate`);
    await withTuning(
      { ...cpu, weight: config, weightThin: config },
      async () => {
        for (const layer of WINOGRAD_WEIGHT_LAYERS) {
          await checkConv(layer, ["weight"]);
        }
      },
    );
  });
}
