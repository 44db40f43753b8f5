/**
 * Recording a dispatch of a tiled kernel (matmul, conv2d), whose bindings
 * may include staged textures that the shared recorder does not bind.
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import {
  commandEncoder,
  dispatch,
  dispatched,
  mayWrite,
  upload,
} from "./recorder.ts";
import { gpu } from "./webgpu.ts";

/** WebGPU's maxComputeWorkgroupsPerDimension (default and lavapipe). */
const MAX_WORKGROUPS = 65535;

/** One binding of a tiled kernel. */
export type Binding =
  | { kind: "buffer"; buffer: GPUBuffer }
  | { kind: "texture"; texture: GPUTexture };

/**
 * Records one dispatch. With buffers only it goes through the shared
 * recorder (parameters in the uniform arena); with a texture bound, its own
 * compute pass and the parameters in a small storage buffer (bound last).
 *
 * @param label names the op in validation errors
 * @param compiled the pipeline
 * @param bindings in binding order; the parameters follow them
 * @param params the kernel's parameter struct
 * @param workgroups the dispatch size
 * @throws {RangeError} when a dimension needs more than 65535 workgroups
 */
export function dispatchTiled(
  label: string,
  compiled: GPUComputePipeline,
  bindings: Binding[],
  params: Uint32Array,
  workgroups: [number, number, number],
): void {
  if (workgroups.some((count) => count > MAX_WORKGROUPS)) {
    throw new RangeError(
      `Cannot run ${label} on this shape: it needs [${workgroups}] workgroups, at most ${MAX_WORKGROUPS} per dimension`,
    );
  }
  if (bindings.every((b) => b.kind === "buffer")) {
    dispatch({
      label,
      pipeline: compiled,
      buffers: bindings.map((b) => (b as { buffer: GPUBuffer }).buffer),
      uniforms: params,
      workgroups,
    });
    return;
  }
  const paramBuffer = allocate(params.byteLength, `${label} params`);
  upload(paramBuffer, params);
  const entries: GPUBindGroupEntry[] = bindings.map((b, binding) => {
    if (b.kind === "texture") {
      return { binding, resource: b.texture.createView() };
    }
    mayWrite(b.buffer);
    return { binding, resource: { buffer: b.buffer } };
  });
  entries.push({ binding: bindings.length, resource: { buffer: paramBuffer } });
  const pass = commandEncoder().beginComputePass({ label });
  pass.setPipeline(compiled);
  pass.setBindGroup(
    0,
    gpu.createBindGroup({
      label,
      layout: compiled.getBindGroupLayout(0),
      entries,
    }),
  );
  pass.dispatchWorkgroups(...workgroups);
  pass.end();
  dispatched(label);
  release(paramBuffer); // later users of the buffer are ordered after this pass
}
