/**
 * Tile shapes of the matmul and conv2d kernels, per kind of adapter, in one
 * place. The numbers come from measurements recorded in
 * docs/performance.md; change them together with that page.
 *
 * @module
 */
import { adapter } from "./webgpu.ts";

/** Where the register-tiled kernels read their vec4 operands from. */
export type OperandSource = "texture" | "buffer";

/** One register-tiled GEMM configuration. */
export interface GemmTiling {
  /** Output rows one invocation accumulates. */
  rows: number;
  /** Output columns one invocation accumulates (a multiple of 4). */
  cols: number;
  /** Invocations of a workgroup along the columns. */
  groupX: number;
  /** Invocations of a workgroup along the rows. */
  groupY: number;
  /** Matmul: stage k-slices this deep in workgroup memory (the SHARED variant). */
  sharedDepth?: number;
  /** Direct conv2d: output rows per invocation where rows are at most `shortRow` pixels. */
  pixelRows?: number;
  /** See `pixelRows`. */
  shortRow?: number;
  /** Direct conv2d: input channels per loop step for kernels at most `narrowKernel` wide. */
  channels?: number;
  /** See `channels`. */
  narrowKernel?: number;
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
  /** Matmul when the output has few rows or columns (a batch of 1-16 samples). */
  matmulThin: GemmTiling;
  /** Direct conv2d: rows are output channels, `cols` the widest run of output pixels along a row. */
  conv: GemmTiling;
  /** Direct conv2d with fewer than 32 output channels per group. */
  convThin: GemmTiling;
}

/** Adapter kinds that get their own tuning. */
export type AdapterKind = "cpu" | "gpu";

const TUNINGS: Record<AdapterKind, AdapterTuning> = {
  // lavapipe / llvmpipe: 8 lanes per AVX2 vector; loads dominate, so each
  // invocation keeps a big register block and workgroups stay small.
  cpu: {
    kind: "cpu",
    source: "texture",
    matmul: { rows: 32, cols: 16, groupX: 8, groupY: 1 },
    matmulThin: { rows: 4, cols: 16, groupX: 8, groupY: 1 },
    conv: {
      rows: 32,
      cols: 16,
      groupX: 8,
      groupY: 1,
      pixelRows: 2,
      shortRow: 16,
      channels: 2,
      narrowKernel: 5,
    },
    convThin: { rows: 4, cols: 32, groupX: 8, groupY: 1 },
  },
  // Discrete GPUs: many more threads in flight, smaller register blocks.
  gpu: {
    kind: "gpu",
    source: "buffer",
    // 64x64 output tiles, 16-deep k-slices in workgroup memory
    matmul: { rows: 4, cols: 4, groupX: 16, groupY: 16, sharedDepth: 16 },
    matmulThin: { rows: 4, cols: 4, groupX: 16, groupY: 4, sharedDepth: 16 },
    conv: { rows: 8, cols: 8, groupX: 16, groupY: 8 },
    convThin: { rows: 4, cols: 8, groupX: 16, groupY: 4 },
  },
};

function adapterKind(): AdapterKind {
  const info = adapter.info;
  const text = `${info.description} ${info.vendor} ${info.architecture}`;
  return info.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader/i.test(text)
    ? "cpu"
    : "gpu";
}

/** A copy of the tuning table's entry for `kind` (tests run both on any adapter). */
export function tuningFor(kind: AdapterKind): AdapterTuning {
  return structuredClone(TUNINGS[kind]);
}

/**
 * The tuning of this process's adapter. Mutable on purpose: tests and
 * bench experiments swap entries in (`Object.assign(tuning, tuningFor("gpu"))`).
 */
export const tuning: AdapterTuning = tuningFor(adapterKind());
