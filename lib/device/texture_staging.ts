/**
 * Operand staging through rgba32float textures, for the register-block
 * kernels on adapters whose tuning says so (lavapipe): a texel fetch there
 * serves 8 lanes at once while a storage-buffer load loops over the lanes.
 * The copies are recorded inside the shared command encoder.
 *
 * A staged texture stays with its buffer until a command may write the
 * buffer or the buffer goes back to the pool (`observeWrites`), so an
 * operand read by several products in a row is copied once: a Linear
 * layer's weight serves its forward and its input gradient from one copy
 * (on lavapipe staging fc6's 105 MB weight takes 25-35 ms). At most
 * KEPT_BYTES of textures are kept, the least recently used going first;
 * `memory()` does not count them, and an allocation that runs out of
 * memory drops them all (buffer_pool.ts).
 *
 * @module
 */
import { commandEncoder, observeWrites } from "./recorder.ts";
import { gpu } from "./webgpu.ts";

/**
 * How kernels bind staged textures: `storage` as read-only storage
 * textures, where WGSL has them; `sampled` as `texture_2d<f32>`, which
 * every adapter has. On lavapipe (Mesa 22.3) a storage-image load is an
 * inline vectorised gather, while `textureLoad` of a sampled rgba32float
 * texture is a call into a generated sampling function: matmul 1024^3 runs
 * 1.3-1.45x as fast through storage textures (docs/performance.md,
 * session 9).
 */
export type TextureAccess = "storage" | "sampled";

// Deno implements wgslLanguageFeatures; its type declarations lack it
const storageReadable =
  (navigator.gpu as GPU & { wgslLanguageFeatures?: ReadonlySet<string> })
    .wgslLanguageFeatures?.has("readonly_and_readwrite_storage_textures") ??
    false;
let access: TextureAccess = storageReadable ? "storage" : "sampled";

/**
 * How staged textures are bound now: kernels put it in their pipeline keys.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert";
 * import { textureAccess } from "./texture_staging.ts";
 * ok(["storage", "sampled"].includes(textureAccess()));
 * ```
 */
export function textureAccess(): TextureAccess {
  return access;
}

/**
 * Binds staged textures as `next` from now on; the tests run both ways.
 *
 * @param next the access to use
 * @returns the access used before
 * @throws where `next` is `storage` and this WGSL cannot read storage textures
 */
export function setTextureAccess(next: TextureAccess): TextureAccess {
  if (next === "storage" && !storageReadable) {
    throw new Error(
      "This adapter's WGSL cannot read storage textures " +
        "(no readonly_and_readwrite_storage_textures language feature)",
    );
  }
  const previous = access;
  access = next;
  return previous;
}

/**
 * The WGSL declaration of staged texture `name` at `binding`, as
 * {@link textureAccess} binds it; {@link fetchFunction} reads it.
 */
export function textureBinding(name: string, binding: number): string {
  const type = access === "storage"
    ? "texture_storage_2d<rgba32float, read>"
    : "texture_2d<f32>";
  return `@group(0) @binding(${binding}) var ${name}: ${type};`;
}

/** Texels per texture row: a power of two so the shader splits an index by shift and mask. */
const TEXTURE_SHIFT = 12;
const TEXTURE_WIDTH = 1 << TEXTURE_SHIFT;
/** WebGPU's default maxTextureDimension2D. */
const TEXTURE_MAX_HEIGHT = 8192;
const freeTextures = new Map<string, GPUTexture[]>();
/** The texture staged from each buffer that no command has written since, and how many floats it holds. */
const stagedFrom = new Map<
  GPUBuffer,
  { texture: GPUTexture; floats: number }
>();
/** Textures of `stagedFrom`. */
const kept = new Set<GPUTexture>();
/**
 * The most bytes of kept textures: AlexNet's largest staged operands, the
 * fc6 and fc7 weights of the paper's network, take 218 MB.
 */
const KEPT_BYTES = 256 * 2 ** 20;
let keptBytes = 0;
/** Textures handed out by stageInTexture and not yet returned, with their counts. */
const lent = new Map<GPUTexture, number>();

observeWrites(forget);

/** Drops the texture staged from `buffer`, which may change. */
function forget(buffer: GPUBuffer): void {
  const entry = stagedFrom.get(buffer);
  if (!entry) return;
  stagedFrom.delete(buffer);
  kept.delete(entry.texture);
  keptBytes -= bytesOf(entry.texture);
  if (!lent.has(entry.texture)) free(entry.texture);
}

function bytesOf(texture: GPUTexture): number {
  return texture.width * texture.height * 16;
}

/** Forgets the least recently used textures until the kept ones fit KEPT_BYTES. */
function keepWithinBudget(): void {
  for (const [buffer, { texture }] of stagedFrom) {
    if (keptBytes <= KEPT_BYTES) return;
    if (!lent.has(texture)) forget(buffer);
  }
}

/** True when `floats` floats fit one staging texture. */
export function fitsTexture(floats: number): boolean {
  return Math.ceil(floats / 4) <= TEXTURE_WIDTH * TEXTURE_MAX_HEIGHT;
}

/** Size of the staging texture for `texels` texels, rounded so that few sizes exist. */
function textureSize(texels: number): [number, number] {
  texels = Math.max(1, texels);
  // bytesPerRow must be a multiple of 256 bytes: at least 16 texels
  const width = Math.max(
    16,
    Math.min(TEXTURE_WIDTH, 2 ** Math.ceil(Math.log2(texels))),
  );
  // heights in quarter steps of a power of two: few sizes, at most 25% waste
  const rows = Math.ceil(texels / width);
  const step = Math.max(1, 2 ** Math.floor(Math.log2(rows)) / 4);
  return [width, Math.ceil(rows / step) * step];
}

/** A staging texture to hold `texels` texels; hand it back with {@link returnTexture}. */
function takeTexture(texels: number): GPUTexture {
  const [width, height] = textureSize(texels);
  const key = `${width}x${height}`;
  return freeTextures.get(key)?.pop() ?? gpu.createTexture({
    label: `staged operand ${key}`,
    size: [width, height],
    format: "rgba32float",
    // both ways where both exist, so a switch of access keeps the pool
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST |
      (storageReadable ? GPUTextureUsage.STORAGE_BINDING : 0),
  });
}

/** Puts `texture` on the free list. */
function free(texture: GPUTexture): void {
  const key = `${texture.width}x${texture.height}`;
  let list = freeTextures.get(key);
  if (!list) freeTextures.set(key, list = []);
  list.push(texture);
}

/**
 * Hands back a texture from {@link stageInTexture}. Safe right after
 * recording the dispatch that reads it: commands of one encoder run in
 * order, so a later copy into it waits for that dispatch.
 *
 * @param texture a texture from {@link stageInTexture}
 */
export function returnTexture(texture: GPUTexture): void {
  const count = (lent.get(texture) ?? 1) - 1;
  if (count > 0) {
    lent.set(texture, count);
    return;
  }
  lent.delete(texture);
  if (!kept.has(texture)) free(texture);
}

/**
 * Destroys the cached staging textures (the next op makes new ones): call
 * it beside the buffer pool's emptyCache(); `memory()` does not count them.
 */
export function releaseStagingTextures(): void {
  for (const buffer of [...stagedFrom.keys()]) forget(buffer);
  for (const list of freeTextures.values()) {
    for (const texture of list) texture.destroy();
  }
  freeTextures.clear();
}

/**
 * Records copies of the first `floats` floats of `buffer` into a staging
 * rgba32float texture, laid out flat: vec4 i sits at texel (i mod width,
 * i / width), width 2^TEXTURE_SHIFT once a row is full. The texture staged
 * from `buffer` before serves again while no command has written the
 * buffer since and it holds at least `floats` floats.
 *
 * @param buffer the operand
 * @param floats how many of its floats to stage
 * @returns a texture to bind, then hand back with {@link returnTexture}
 */
export function stageInTexture(buffer: GPUBuffer, floats: number): GPUTexture {
  const staged = stagedFrom.get(buffer);
  if (staged && staged.floats >= floats) {
    // the most recently used last: the budget drops from the front
    stagedFrom.delete(buffer);
    stagedFrom.set(buffer, staged);
    return lend(staged.texture);
  }
  forget(buffer);
  const texels = Math.ceil(floats / 4);
  const texture = takeTexture(texels);
  stagedFrom.set(buffer, { texture, floats });
  kept.add(texture);
  keptBytes += bytesOf(texture);
  const encoder = commandEncoder();
  const width = texture.width;
  const rows = Math.floor(texels / width);
  const rest = texels - rows * width;
  const bytesPerRow = width * 16;
  if (rows > 0) {
    encoder.copyBufferToTexture({ buffer, bytesPerRow }, { texture }, [
      width,
      rows,
    ]);
  }
  if (rest > 0) {
    // the last, partial row: its last texel may read up to 12 bytes past
    // the operand, which the pool's size classes (multiples of 64) hold
    encoder.copyBufferToTexture(
      { buffer, offset: rows * bytesPerRow, bytesPerRow },
      { texture, origin: [0, rows] },
      [rest, 1],
    );
  }
  lend(texture); // first: a lent texture is never dropped
  keepWithinBudget();
  return texture;
}

function lend(texture: GPUTexture): GPUTexture {
  lent.set(texture, (lent.get(texture) ?? 0) + 1);
  return texture;
}

/**
 * WGSL of `fetch_<name>(float index) -> vec4`, reading a staged texture
 * (the layout of {@link stageInTexture}) or a vec4 storage array.
 *
 * @param name the binding's name
 * @param texture whether it is a staged texture
 * @returns the WGSL function
 */
export function fetchFunction(name: string, texture: boolean): string {
  return texture
    ? `fn fetch_${name}(i: u32) -> vec4<f32> {
  let t = i >> 2u;
  return textureLoad(${name}, vec2<u32>(t & ${
      TEXTURE_WIDTH - 1
    }u, t >> ${TEXTURE_SHIFT}u)${access === "storage" ? "" : ", 0"});
}`
    : `fn fetch_${name}(i: u32) -> vec4<f32> { return ${name}[i >> 2u]; }`;
}
