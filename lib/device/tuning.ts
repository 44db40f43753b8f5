/**
 * Tile shapes of the matmul and conv2d kernels per kind of adapter, in one
 * place: the deterministic default of each family (used when tuning is
 * off, and before the tuner has measured a shape class) and the candidate
 * configurations the tuner (tuner.ts) times. The defaults come from
 * measurements recorded in docs/performance.md; change them together with
 * that page.
 *
 * A configuration with `sharedDepth` belongs to the GPU family (workgroup
 * memory, gemm_tiled.ts); one without to the lavapipe family (register
 * block, operands through textures where `source` says so).
 *
 * @module
 */
import { isFallbackAdapter } from "./webgpu.ts";

/** Where the register-tiled kernels read their vec4 operands from. */
export type OperandSource = "texture" | "buffer";

/** One GEMM configuration of either family. */
export interface GemmTiling {
  /** Output rows one invocation accumulates (a multiple of 4 in the GPU family). */
  rows: number;
  /** Output columns one invocation accumulates (a multiple of 4). */
  cols: number;
  /** Invocations of a workgroup along the columns. */
  groupX: number;
  /** Invocations of a workgroup along the rows. */
  groupY: number;
  /** GPU family: stage k-slices this deep in workgroup memory. */
  sharedDepth?: number;
  /** GPU family, conv2d backward-weight: split K this many ways (at most). */
  splitK?: number;
  /** Direct conv2d: output rows per invocation where rows are at most `shortRow` pixels. */
  pixelRows?: number;
  /** See `pixelRows`. */
  shortRow?: number;
  /** Direct conv2d: input channels per loop step for kernels at most `narrowKernel` wide. */
  channels?: number;
  /** See `channels`. */
  narrowKernel?: number;
  /**
   * Conv2d by another algorithm on the matmul kernels, with this tile:
   * `im2col` (backward-weight: x unrolled into columns, then one GEMM,
   * conv2d_im2col.ts), `winograd` (stride-1 3x3 and 5x5 layers:
   * forward and backward-input by F(2x2, KxK), conv2d_winograd.ts;
   * backward-weight by F(KxK, 2x2), conv2d_winograd_weight.ts) or
   * `winograd4` (the same in tiles of 4x4: F(4x4, KxK) and F(KxK, 4x4)).
   * Where the layer does not allow it the tile runs the family's usual
   * kernel (a Winograd weight gradient tries im2col first).
   */
  method?: ConvMethod;
}

/** The conv2d algorithms on the matmul kernels (see `GemmTiling.method`). */
export type ConvMethod = "im2col" | "winograd" | "winograd4";

/** The output tile's side of a Winograd method. */
export function winogradTileOf(method: "winograd" | "winograd4"): 2 | 4 {
  return method === "winograd" ? 2 : 4;
}

/**
 * The configurations the tuner times, per family and width; each list
 * starts with the default (`conv` serves forward and backward-input, whose
 * default `convInput` the tuner times first).
 */
export interface Candidates {
  matmul: GemmTiling[];
  matmulThin: GemmTiling[];
  matmulFew: GemmTiling[];
  conv: GemmTiling[];
  convThin: GemmTiling[];
  weight: GemmTiling[];
  weightThin: GemmTiling[];
}

/** The tunings of one kind of adapter. */
export interface AdapterTuning {
  /** Which kind of adapter this is, as printed by the bench. */
  kind: AdapterKind;
  /**
   * Staging operands in rgba32float textures: on lavapipe a texel fetch
   * gathers 8 lanes at once while a storage-buffer load is a bounds-checked
   * loop over the lanes.
   */
  source: OperandSource;
  /** Matmul with many rows and columns. */
  matmul: GemmTiling;
  /** Matmul when the output has 1-4 rows (a batch of 1-4 samples). */
  matmulThin: GemmTiling;
  /**
   * Matmul when the output has 5-16 rows (a Linear layer at batch 5-16): a
   * block that spans the rows reads the weight matrix, which bounds these
   * products, once instead of once per 4 rows.
   */
  matmulFew: GemmTiling;
  /** Conv2d forward and backward-input: rows are output channels, `cols` the widest run of output pixels along a row. */
  conv: GemmTiling;
  /**
   * Conv2d backward-input (rows: input channels): `conv`'s tile, on lavapipe
   * through Winograd where the layer allows it (see CPU_INPUT_DEFAULT).
   */
  convInput: GemmTiling;
  /** Conv2d forward and backward-input with fewer than 32 GEMM rows per group. */
  convThin: GemmTiling;
  /** Conv2d backward-weight. */
  weight: GemmTiling;
  /** Conv2d backward-weight with fewer than 32 output channels per group. */
  weightThin: GemmTiling;
  /** What the tuner may pick instead. */
  candidates: Candidates;
  /** The shape of the elementwise kernels' grid (elementwise.ts). */
  elementwise: StreamShape;
  /**
   * Below this many outputs a reduction over a long axis (256 values or
   * more) shares each output among a workgroup's invocations, which then
   * combine through workgroup memory (reduce.ts); from it on, each
   * invocation reduces an output of its own.
   */
  sharedReductionOutputs: number;
}

/**
 * How a memory-bound kernel spreads its elements: invocations per
 * workgroup, and the consecutive slots of a block that each one runs.
 */
export interface StreamShape {
  workgroup: number;
  perInvocation: number;
}

/** Adapter kinds that get their own tuning. */
export type AdapterKind = "cpu" | "gpu";

/** True for a configuration of the GPU family. */
export function isTiled(
  config: GemmTiling,
): config is GemmTiling & { sharedDepth: number } {
  return config.sharedDepth !== undefined;
}

/** A GPU-family configuration: rows x cols per invocation, groupX x groupY invocations, k-slices of depth. */
function tiled(
  rows: number,
  cols: number,
  groupX: number,
  groupY: number,
  sharedDepth: number,
  splitK?: number,
): GemmTiling {
  return splitK === undefined
    ? { rows, cols, groupX, groupY, sharedDepth }
    : { rows, cols, groupX, groupY, sharedDepth, splitK };
}

// lavapipe / llvmpipe: 8 lanes per AVX2 vector; loads dominate, so each
// invocation keeps a big register block and workgroups stay small. With A's
// fetches shared over the 8-lane subgroup (subgroups.ts), 16x16 blocks beat
// 32x16 ones by 1.1-1.15x on 1024^3 and on conv2's Winograd GEMMs, and tie
// on conv3's, on a loaded machine; on a quiet one they tie on 1024^3
// (docs/performance.md, session 10). The likely reason: a 32x16
// k-step compiles to 48 KB of machine code, more than the core's 32 KB
// instruction cache, a 16x16 one to 26 KB.
const CPU_MATMUL: GemmTiling = { rows: 16, cols: 16, groupX: 8, groupY: 1 };
/**
 * The weight gradients keep 32 rows. The register weight-gradient kernel
 * (conv1's, over a k of 23328) runs 1.3-1.6x faster in 32 than in 16
 * (session 10). The Winograd weight GEMMs of conv2-5 take the same tile
 * and would be 5-9% faster in 16 rows (30.8 against 28.1 GFLOP/s on
 * conv3's, 44.2 against 42.0 on conv2's), but conv1 alone weighs more.
 */
const CPU_WEIGHT: GemmTiling = { ...CPU_MATMUL, rows: 32 };
const CPU_THIN: GemmTiling = { rows: 4, cols: 16, groupX: 8, groupY: 1 };
// 8 rows: 1.2-2.1x CPU_THIN on fc6/fc7 at batch 8 (docs/performance.md, session 4)
const CPU_FEW: GemmTiling = { rows: 8, cols: 16, groupX: 8, groupY: 1 };
const CPU_CONV: GemmTiling = {
  rows: 16,
  cols: 16,
  groupX: 8,
  groupY: 1,
  pixelRows: 2,
  shortRow: 16,
  channels: 2,
  narrowKernel: 5,
};
const CPU_CONV_THIN: GemmTiling = { rows: 4, cols: 32, groupX: 8, groupY: 1 };
/** Shorter workgroups: more of them, which two busy cores share more evenly. */
const shorter = (t: GemmTiling): GemmTiling => ({ ...t, groupX: 4 });
/** The same tile through another conv2d algorithm (see `GemmTiling.method`). */
const via = (method: ConvMethod, t: GemmTiling): GemmTiling => ({
  ...t,
  method,
});

// Discrete GPUs: many more threads in flight, smaller register blocks.
const GPU_MATMUL = tiled(4, 4, 16, 16, 16); // 64x64 output tiles
const GPU_THIN = tiled(4, 4, 16, 4, 16); // 16x64
const GPU_CONV: GemmTiling = { rows: 8, cols: 8, groupX: 16, groupY: 8 };
const GPU_CONV_THIN: GemmTiling = { rows: 4, cols: 8, groupX: 16, groupY: 4 };
const GPU_WEIGHT: GemmTiling = { rows: 4, cols: 4, groupX: 16, groupY: 16 };
const GPU_WEIGHT_THIN: GemmTiling = { rows: 4, cols: 4, groupX: 16, groupY: 4 };
/**
 * The GPU family's tiles, from 32x32 to 128x128 outputs per workgroup. Few
 * on purpose: each is tested on lavapipe, whose LLVM takes seconds to
 * compile one (tests/lib/device/gpu_family_test.ts).
 */
const GPU_TILES: GemmTiling[] = [
  GPU_MATMUL, // 64x64, 256 invocations of 4x4
  tiled(8, 8, 16, 16, 8), // 128x128, 256 invocations of 8x8
  tiled(8, 8, 8, 8, 16), // 64x64, 64 invocations of 8x8
  tiled(4, 4, 8, 8, 16), // 32x32, for small outputs
];

/**
 * The lavapipe defaults of the conv products: Winograd in 4x4 tiles for all
 * three where the layer allows it (stride 1, a 3x3 or 5x5 kernel), else
 * im2col. F(4x4, 3x3) removes 4x of a 3x3 layer's multiplications against
 * F(2x2, 3x3)'s 2.25x, and on conv3-5 it is 1.0-1.4x F(2x2) per product;
 * F(4x4, 5x5) removes 6.25x of conv2's, and its three products take
 * 0.6x the time of the 2x2 blocks of F(4x4, 3x3) that ran conv2 before
 * (session 7, docs/performance.md). Their larger transforms round more,
 * yet the course AlexNet's loss stays within 2.0e-3 of PyTorch's at steps
 * 1-20, as the DIRECT kernel's 2.1e-3 and float32 PyTorch's own drift do
 * (tests/lib/train/pytorch_curve_test.ts).
 */
const CPU_CONV_DEFAULT = via("winograd4", CPU_CONV);
const CPU_INPUT_DEFAULT = CPU_CONV_DEFAULT;
const CPU_WEIGHT_DEFAULT = via("winograd4", CPU_WEIGHT);

const GPU_THIN_CANDIDATES = [GPU_THIN, tiled(4, 4, 8, 8, 16)];

const TUNINGS: Record<AdapterKind, AdapterTuning> = {
  cpu: {
    kind: "cpu",
    source: "texture",
    matmul: CPU_MATMUL,
    matmulThin: CPU_THIN,
    matmulFew: CPU_FEW,
    conv: CPU_CONV_DEFAULT,
    convInput: CPU_INPUT_DEFAULT,
    convThin: CPU_CONV_THIN,
    weight: CPU_WEIGHT_DEFAULT,
    weightThin: CPU_THIN,
    candidates: {
      matmul: [CPU_MATMUL, CPU_WEIGHT, shorter(CPU_MATMUL)],
      matmulThin: [CPU_THIN, shorter(CPU_THIN)],
      matmulFew: [
        CPU_FEW,
        { ...CPU_FEW, rows: 16 }, // a batch of 9-16 in one block
        CPU_THIN,
      ],
      conv: [
        CPU_CONV_DEFAULT,
        CPU_CONV,
        via("winograd4", { ...CPU_CONV, rows: 32 }),
        shorter(CPU_CONV),
        via("winograd4", shorter(CPU_CONV)),
        via("winograd", CPU_CONV),
      ],
      convThin: [CPU_CONV_THIN],
      weight: [
        CPU_WEIGHT_DEFAULT,
        via("winograd4", CPU_MATMUL),
        via("im2col", CPU_WEIGHT),
        CPU_WEIGHT,
        shorter(CPU_WEIGHT),
        via("im2col", shorter(CPU_WEIGHT)),
        via("winograd4", shorter(CPU_WEIGHT)),
        via("winograd", CPU_WEIGHT),
      ],
      weightThin: [CPU_THIN, shorter(CPU_THIN)],
    },
    // one 8-lane vector per workgroup, 32 slots each: the SGD update of
    // AlexNet's weights 1.2-1.5x faster than 64 invocations of one slot
    // (docs/performance.md, session 8)
    elementwise: { workgroup: 8, perInvocation: 32 },
    // a workgroup barrier is a coroutine switch on lavapipe: the conv bias
    // gradients (768 and 2048 sums of 2916 and 676 values at batch 8) take
    // half the time one output per invocation (docs/performance.md,
    // session 8), while 512 outputs still make 8 workgroups
    sharedReductionOutputs: 512,
  },
  gpu: {
    kind: "gpu",
    source: "buffer",
    matmul: GPU_MATMUL,
    matmulThin: GPU_THIN,
    matmulFew: GPU_THIN,
    conv: GPU_CONV,
    convInput: GPU_CONV,
    convThin: GPU_CONV_THIN,
    weight: GPU_WEIGHT,
    weightThin: GPU_WEIGHT_THIN,
    candidates: {
      matmul: GPU_TILES,
      matmulThin: GPU_THIN_CANDIDATES,
      // no measurement on a GPU yet says 5-16 rows want other tiles
      matmulFew: GPU_THIN_CANDIDATES,
      conv: [
        GPU_CONV,
        ...GPU_TILES,
        via("winograd", GPU_MATMUL),
        via("winograd4", GPU_MATMUL),
      ],
      convThin: [GPU_CONV_THIN, GPU_THIN, tiled(4, 4, 8, 8, 16)],
      weight: [
        GPU_WEIGHT,
        ...[1, 4, 16].map((split) => tiled(4, 4, 16, 16, 16, split)),
        tiled(8, 8, 16, 16, 8, 4),
        tiled(4, 4, 8, 8, 16, 8),
      ],
      weightThin: [
        GPU_WEIGHT_THIN,
        ...[1, 8].map((split) => tiled(4, 4, 16, 4, 16, split)),
      ],
    },
    elementwise: { workgroup: 64, perInvocation: 1 },
    sharedReductionOutputs: 4096,
  },
};

/** A copy of the tuning table's entry for `kind` (tests run both on any adapter). */
export function tuningFor(kind: AdapterKind): AdapterTuning {
  return structuredClone(TUNINGS[kind]);
}

/**
 * The tuning of this process's adapter. Mutable on purpose: tests and
 * bench experiments swap entries in (`Object.assign(tuning, tuningFor("gpu"))`).
 */
export const tuning: AdapterTuning = tuningFor(
  isFallbackAdapter ? "cpu" : "gpu",
);

/**
 * A short name of a configuration, as the tuner's table and cache print it:
 * `reg 32x16 wg8x1` (lavapipe family) or `tiled 4x4 wg16x16 k16 split4`,
 * prefixed by the algorithm where it is not the family's own
 * (`im2col reg 32x16 wg8x1`).
 *
 * @param config the configuration
 * @returns its name
 */
export function configName(config: GemmTiling): string {
  const base =
    `${config.rows}x${config.cols} wg${config.groupX}x${config.groupY}`;
  const method = config.method === undefined ? "" : `${config.method} `;
  if (!isTiled(config)) return `${method}reg ${base}`;
  const split = config.splitK === undefined ? "" : ` split${config.splitK}`;
  return `${method}tiled ${base} k${config.sharedDepth}${split}`;
}
