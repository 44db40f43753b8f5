/**
 * Records every op into one shared command encoder and submits it when the
 * host needs data, when it grows past a bound, or on `flush()`: one
 * `queue.submit` per op costs about 11 ms on wgpu, a recorded dispatch about
 * 0.15 ms.
 *
 * Uniforms of all dispatches of an encoder live in one arena, written with a
 * single `writeBuffer` just before the submit; uploads go through fresh
 * staging buffers copied inside the encoder, so a pooled buffer that earlier
 * recorded commands still read is never overwritten ahead of them.
 *
 * @module
 */
import { gpu, throwPendingGpuError } from "./webgpu.ts";

/** Dispatches recorded before an automatic submit. */
const MAX_DISPATCHES = 2048;
/** WebGPU's minUniformBufferOffsetAlignment is at most 256. */
const UNIFORM_ALIGN = 256;
const ARENA_BYTES = 1 << 20;
const MAX_WORKGROUPS = 65535;

let encoder: GPUCommandEncoder | undefined;
let pass: GPUComputePassEncoder | undefined;
let dispatches = 0;
const arenaHost = new Uint8Array(ARENA_BYTES);
let arenaUsed = 0;
const arena = gpu.createBuffer({
  size: ARENA_BYTES,
  usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  label: "uniform arena",
});
let afterSubmit: (() => void)[] = [];
/** The most bytes one binding may span. */
export const bindingLimit: number = gpu.limits.maxStorageBufferBindingSize;

/**
 * Throws when a float32 tensor of `shape` is larger than one binding, so an
 * op that binds its operands whole fails before dispatch, with its own name,
 * rather than at a later readback with WebGPU's validation message.
 *
 * @param op the op, as its error names it ("matmul")
 * @param what the operand ("the first operand", "the output")
 * @throws {RangeError} naming the op, the operand, its size and the limit
 */
export function checkBindable(
  op: string,
  what: string,
  shape: readonly number[],
): void {
  const bytes = shape.reduce((n, d) => n * d, 4);
  if (bytes <= bindingLimit) return;
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  throw new RangeError(
    `Cannot ${op}: ${what} [${shape.join(", ")}] takes ${mib(bytes)}, ` +
      `more than the ${mib(bindingLimit)} one binding holds on this adapter; ` +
      `split the work into smaller tensors`,
  );
}

/** What one dispatch binds and runs. */
export interface Dispatch {
  /** Names the op in error messages and GPU labels. */
  label: string;
  pipeline: GPUComputePipeline;
  /** Storage buffers (or ranges of them) in binding order (0, 1, ...). */
  buffers: (GPUBuffer | GPUBufferBinding)[];
  /** Bound after the buffers, as one uniform struct. */
  uniforms?: ArrayBufferView;
  /** Workgroup counts; x larger than the device limit is folded into y. */
  workgroups: [number, number?, number?];
}

/** The open encoder (ending any open compute pass). */
export function commandEncoder(): GPUCommandEncoder {
  if (pass) {
    pass.end();
    pass = undefined;
  }
  return encoder ??= gpu.createCommandEncoder({ label: "ops" });
}

/**
 * Splits a workgroup count over x and y when it exceeds the per-dimension
 * limit; shaders recover the linear id as `wid.x + wid.y * nwg.x`.
 */
export function foldWorkgroups(count: number): [number, number] {
  if (count <= MAX_WORKGROUPS) return [Math.max(1, count), 1];
  const y = Math.ceil(count / MAX_WORKGROUPS);
  return [Math.ceil(count / y), y];
}

const writeObservers: ((buffer: GPUBuffer) => void)[] = [];

/**
 * Calls `observer` with each buffer that a command being recorded may
 * write (bound to a dispatch, the target of an upload or copy) and each
 * buffer handed back to the pool, from now on: texture_staging.ts then
 * forgets the texture it staged from it.
 *
 * @param observer called once per buffer and command, before the command
 */
export function observeWrites(observer: (buffer: GPUBuffer) => void): void {
  writeObservers.push(observer);
}

/** Tells the observers of `observeWrites` that `buffer` may change. */
export function mayWrite(buffer: GPUBuffer): void {
  for (const observer of writeObservers) observer(buffer);
}

let dispatchObserver: ((label: string) => void) | undefined;

/**
 * Calls `observer` with each dispatch's label right after it is recorded
 * (bench/profile.ts puts a timestamp there); `undefined` stops it.
 *
 * @param observer called once per dispatch, in recording order
 */
export function observeDispatches(
  observer: ((label: string) => void) | undefined,
): void {
  dispatchObserver = observer;
}

/**
 * Tells the observer of `observeDispatches` that `label` was recorded
 * (for dispatches recorded outside `dispatch`).
 */
export function dispatched(label: string): void {
  dispatchObserver?.(label);
}

/** Records one compute dispatch. */
export function dispatch(d: Dispatch): void {
  throwPendingGpuError();
  let uniformOffset = -1;
  const uniformBytes = d.uniforms?.byteLength ?? 0;
  if (d.uniforms) {
    if (arenaUsed + uniformBytes > ARENA_BYTES) flush();
    uniformOffset = arenaUsed;
    arenaHost.set(
      new Uint8Array(d.uniforms.buffer, d.uniforms.byteOffset, uniformBytes),
      uniformOffset,
    );
    arenaUsed += Math.ceil(uniformBytes / UNIFORM_ALIGN) * UNIFORM_ALIGN;
  }
  const entries: GPUBindGroupEntry[] = d.buffers.map((item, binding) => {
    const resource = item instanceof GPUBuffer ? { buffer: item } : item;
    mayWrite(resource.buffer);
    const bytes = resource.size ??
      resource.buffer.size - (resource.offset ?? 0);
    if (bytes > bindingLimit) {
      throw new RangeError(
        `Cannot run ${d.label} on a ${
          (bytes / 2 ** 20).toFixed(1)
        } MiB tensor: this adapter binds at most ` +
          `${(bindingLimit / 2 ** 20).toFixed(1)} MiB per buffer`,
      );
    }
    return { binding, resource };
  });
  if (d.uniforms) {
    entries.push({
      binding: d.buffers.length,
      resource: {
        buffer: arena,
        offset: uniformOffset,
        size: Math.max(16, Math.ceil(uniformBytes / 16) * 16),
      },
    });
  }
  const bindGroup = gpu.createBindGroup({
    label: d.label,
    layout: d.pipeline.getBindGroupLayout(0),
    entries,
  });
  if (!pass) {
    pass = (encoder ??= gpu.createCommandEncoder({ label: "ops" }))
      .beginComputePass({ label: "ops" });
  }
  pass.setPipeline(d.pipeline);
  pass.setBindGroup(0, bindGroup);
  let [x, y = 1, z = 1] = d.workgroups;
  if (x > MAX_WORKGROUPS && y === 1) [x, y] = foldWorkgroups(x);
  pass.dispatchWorkgroups(x, y, z);
  dispatched(d.label);
  if (++dispatches >= MAX_DISPATCHES) flush();
}

/** Copies host data into `target` at `offset` bytes, in recording order. */
export function upload(
  target: GPUBuffer,
  data: ArrayBufferView,
  offset = 0,
): void {
  const bytes = Math.ceil(data.byteLength / 4) * 4;
  if (bytes === 0) return;
  const staging = gpu.createBuffer({
    size: bytes,
    usage: GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC,
    mappedAtCreation: true,
    label: "upload",
  });
  new Uint8Array(staging.getMappedRange()).set(
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  );
  staging.unmap();
  mayWrite(target);
  commandEncoder().copyBufferToBuffer(staging, 0, target, offset, bytes);
  afterSubmit.push(() => staging.destroy());
}

/** Copies `bytes` bytes between GPU buffers, in recording order. */
export function copyBuffer(
  source: GPUBuffer,
  target: GPUBuffer,
  bytes: number,
  sourceOffset = 0,
  targetOffset = 0,
) {
  mayWrite(target);
  commandEncoder().copyBufferToBuffer(
    source,
    sourceOffset,
    target,
    targetOffset,
    Math.ceil(bytes / 4) * 4,
  );
}

/** Submits everything recorded so far. */
export function flush(): void {
  if (!encoder && arenaUsed === 0) return;
  const commands = commandEncoder().finish();
  encoder = undefined;
  if (arenaUsed > 0) gpu.queue.writeBuffer(arena, 0, arenaHost, 0, arenaUsed);
  gpu.queue.submit([commands]);
  arenaUsed = 0;
  dispatches = 0;
  const callbacks = afterSubmit;
  afterSubmit = [];
  for (const callback of callbacks) callback();
}

let idleTask: (() => Promise<void>) | undefined;
let idleRunning = false;

/**
 * Sets work to run after each readback and `synchronize()`, once the GPU
 * has caught up (the tuner times the shape classes met since then). Its
 * own readbacks and waits do not run it again.
 *
 * @param task the work, or undefined for none
 */
export function setIdleTask(task: (() => Promise<void>) | undefined): void {
  idleTask = task;
}

async function runIdleTask(): Promise<void> {
  if (!idleTask || idleRunning) return;
  idleRunning = true;
  try {
    await idleTask();
  } finally {
    idleRunning = false;
  }
}

/** Submits pending work and reads `bytes` bytes of `source` back to the host. */
export async function readBuffer(
  source: GPUBuffer,
  bytes: number,
  offset = 0,
): Promise<ArrayBuffer> {
  const size = Math.ceil(bytes / 4) * 4;
  const staging = gpu.createBuffer({
    size: Math.max(4, size),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    label: "readback",
  });
  if (size > 0) {
    commandEncoder().copyBufferToBuffer(source, offset, staging, 0, size);
  }
  flush();
  let data: ArrayBuffer;
  try {
    await staging.mapAsync(GPUMapMode.READ);
    throwPendingGpuError();
    data = staging.getMappedRange().slice(0, bytes);
  } finally {
    staging.destroy();
  }
  await runIdleTask();
  return data;
}

/** Waits until the GPU has finished everything submitted so far. */
export async function synchronize(): Promise<void> {
  flush();
  await gpu.queue.onSubmittedWorkDone();
  throwPendingGpuError();
  await runIdleTask();
}
