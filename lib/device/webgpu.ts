/**
 * The one WebGPU adapter and device of this process, asked for the adapter's
 * highest buffer limits, and the errors it can raise.
 *
 * Opened once, when the library is first imported (top-level await), so that
 * tensor creation and every op stay synchronous.
 *
 * @module
 */

/** Raised for a lost device; every later op raises it too. */
export class DeviceLostError extends Error {
  override name = "DeviceLostError";
}

/** Raised when the GPU cannot allocate what an op asked for. */
export class OutOfMemoryError extends Error {
  override name = "OutOfMemoryError";
}

/** Raised when WebGPU rejects a command (a bug in an op): names the op. */
export class GPUValidationError extends Error {
  override name = "GPUValidationError";
}

const INSTALL_HINT =
  "Install a Vulkan driver: on Debian, `apt-get install mesa-vulkan-drivers libvulkan1` " +
  "gives Mesa's lavapipe, a software adapter (or run `bash scripts/setup.sh`)";

async function openDevice(): Promise<
  { adapter: GPUAdapter; device: GPUDevice }
> {
  if (!("gpu" in navigator) || !navigator.gpu) {
    throw new Error(
      `This Deno has no WebGPU (navigator.gpu is missing): use Deno 2.x. ${INSTALL_HINT}`,
    );
  }
  const adapter = await navigator.gpu.requestAdapter({
    powerPreference: "high-performance",
  });
  if (!adapter) throw new Error(`No WebGPU adapter found. ${INSTALL_HINT}`);
  const limits = adapter.limits;
  const descriptor = (features: GPUFeatureName[]): GPUDeviceDescriptor => ({
    label: "tensor library",
    requiredFeatures: features,
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup:
        limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: limits.maxComputeWorkgroupSizeY,
    },
  });
  const features: GPUFeatureName[] = adapter.features.has("timestamp-query")
    ? ["timestamp-query"]
    : [];
  // Deno 2.9 leaves "subgroups" out of adapter.features even where the
  // device grants it (lavapipe does): ask, and go without where refused.
  try {
    const device = await adapter.requestDevice(
      descriptor([...features, "subgroups" as GPUFeatureName]),
    );
    return { adapter, device };
  } catch {
    // a fresh adapter: whether a refused request used this one up varies
    const fresh = await navigator.gpu.requestAdapter({
      powerPreference: "high-performance",
    });
    if (!fresh) throw new Error(`No WebGPU adapter found. ${INSTALL_HINT}`);
    return {
      adapter: fresh,
      device: await fresh.requestDevice(descriptor(features)),
    };
  }
}

const opened = await openDevice();

/** The process's GPU device. */
export const gpu: GPUDevice = opened.device;

/** The adapter the device came from. */
export const adapter: GPUAdapter = opened.adapter;

let lostReason: string | undefined;
gpu.lost.then((info) => {
  lostReason = `${info.reason}: ${info.message}`;
});

let pendingError: Error | undefined;
gpu.addEventListener("uncapturederror", (event) => {
  const error = (event as GPUUncapturedErrorEvent).error;
  if (pendingError) return; // the first error explains the rest
  pendingError = error instanceof GPUOutOfMemoryError
    ? new OutOfMemoryError(`Out of GPU memory: ${error.message}`)
    : new GPUValidationError(`WebGPU rejected a command: ${error.message}`);
});

/** Throws the first asynchronous GPU error since the last call, or a lost device. */
export function throwPendingGpuError(): void {
  if (lostReason !== undefined) {
    throw new DeviceLostError(
      `The GPU device was lost (${lostReason}): restart the kernel or process`,
    );
  }
  if (pendingError) {
    const error = pendingError;
    pendingError = undefined;
    throw error;
  }
}

/**
 * True for a software (CPU) adapter: the flag WebGPU reports, or a name
 * that gives lavapipe/llvmpipe or SwiftShader away where the flag is
 * missing. The one place that decides it (tuning and `device()` ask here).
 */
export const isFallbackAdapter: boolean = (() => {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const flag = info.isFallbackAdapter ??
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const text = `${info.description} ${info.vendor} ${info.architecture}`;
  return Boolean(flag) || /llvmpipe|lavapipe|swiftshader/i.test(text);
})();
