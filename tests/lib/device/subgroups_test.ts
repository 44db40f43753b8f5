import assert from "node:assert/strict";
import { compiledKeys } from "../../../lib/device/pipeline_cache.ts";
import {
  setSubgroupSharing,
  sharingLanes,
} from "../../../lib/device/subgroups.ts";
import type { AdapterTuning } from "../../../lib/device/tuning.ts";
import { checkConv, checkMatmul } from "./_gemm_checks.ts";
import { withTuning } from "./_helpers.ts";

// Workgroups of one 8-lane subgroup (lavapipe's size), with blocks small
// enough to compile fast: the register-block kernels share their row
// operand's fetches over the lanes. Conv rows are 16 so that a step's
// weight fetches (channels x kw x rows / 4) split over 8 lanes for any kw
// when two channels run per step (cg >= 2, kw <= narrowKernel).
const LANE_TILES: Partial<AdapterTuning> = {
  matmul: { rows: 16, cols: 8, groupX: 8, groupY: 1 },
  matmulFew: { rows: 8, cols: 8, groupX: 8, groupY: 1 },
  conv: {
    rows: 16,
    cols: 8,
    groupX: 8,
    groupY: 1,
    pixelRows: 2,
    shortRow: 16,
    channels: 2,
    narrowKernel: 5,
  },
  convInput: { rows: 16, cols: 8, groupX: 8, groupY: 1 },
  weight: { rows: 16, cols: 8, groupX: 8, groupY: 1 },
};

/** The products of the register-block kernels at awkward sizes. */
async function checkAll(): Promise<void> {
  await checkMatmul({ batch: 1, m: 37, n: 36, k: 20 }, true);
  await checkMatmul({ batch: 2, m: 36, n: 20, k: 12, transA: true });
  await checkMatmul({ batch: 1, m: 33, n: 9, k: 24, transB: true }, true);
  await checkMatmul({
    batch: 3,
    m: 20,
    n: 12,
    k: 16,
    transA: true,
    transB: true,
    batchB: 1,
  });
  // keeps the 16x8 block (fitBlock narrows 36 and 20 rows), so A is
  // shared transposed
  await checkMatmul({ batch: 1, m: 48, n: 64, k: 12, transA: true }, true);
  // k % 4 != 0: A read by scalars, not shared
  await checkMatmul({ batch: 1, m: 17, n: 16, k: 7 });
  await checkMatmul({ batch: 1, m: 12, n: 8, k: 9, transA: true });
  await checkConv({ batch: 2, c: 5, h: 7, w: 9, oc: 40, k: 3, pad: 1 });
  await checkConv({ batch: 1, c: 3, h: 11, w: 10, oc: 20, k: 4, stride: 2 });
  await checkConv({
    batch: 2,
    c: 4,
    h: 6,
    w: 6,
    oc: 32,
    k: [3, 2],
    pad: [1, 0],
    groups: 2,
  });
}

const sharedKeys = () => compiledKeys().filter((key) => key.endsWith("|8"));

// Sharing needs subgroups of one fixed size of 8 lanes (lavapipe's); where
// the device has none the shared test shows as ignored, not as passed.
const canShare = sharingLanes(8, 1) === 8;

Deno.test({
  name:
    "register blocks that share A's fetches over a subgroup give the oracle's products",
  ignore: !canShare,
}, async () => {
  const before = sharedKeys().length;
  await withTuning(LANE_TILES, checkAll);
  const kinds = new Set(
    sharedKeys().slice(before).map((key) =>
      key.split("|").slice(0, 2).join("|")
    ),
  );
  // every kernel that shares ran shared at least once
  for (const kind of ["conv2d|direct", "conv2d|weight"]) {
    assert.ok(kinds.has(kind), `${kind} shared: ${[...kinds]}`);
  }
  const matmuls = sharedKeys().slice(before)
    .filter((key) => key.startsWith("matmul|"))
    .map((key) => key.split("|")[3]); // transA
  assert.ok(matmuls.includes("false"), "plain A shared");
  assert.ok(matmuls.includes("true"), "transposed A shared");
});

Deno.test("the same products without sharing, as on adapters without subgroups", async () => {
  const previous = setSubgroupSharing(false);
  try {
    assert.equal(sharingLanes(8, 1), 0);
    await withTuning(LANE_TILES, checkAll);
  } finally {
    setSubgroupSharing(previous);
  }
  if (!canShare) return;
  assert.equal(sharingLanes(8, 1), 8);
  assert.equal(
    sharingLanes(8, 2),
    0,
    "a workgroup of two subgroups does not share",
  );
});
