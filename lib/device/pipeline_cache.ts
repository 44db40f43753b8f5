/**
 * Compiled compute pipelines, cached by the key of what changes the code,
 * and the one function that fills a WGSL template.
 *
 * Set `WGSL_DEBUG=1` to print each shader on its first compile.
 *
 * @module
 */
import { gpu } from "./webgpu.ts";

const pipelines = new Map<string, GPUComputePipeline>();
const sources = new Map<string, string>();
const debug = (() => {
  try {
    return Deno.env.get("WGSL_DEBUG") === "1";
  } catch {
    return false; // no env permission: no debug output
  }
})();

/** The text of `shaders/<name>.wgsl`. */
export function shaderSource(name: string): string {
  let source = sources.get(name);
  if (source === undefined) {
    source = Deno.readTextFileSync(
      new URL(`../../shaders/${name}.wgsl`, import.meta.url),
    );
    sources.set(name, source);
  }
  return source;
}

/**
 * Replaces each `{{NAME}}` in a shader with its value; a placeholder left
 * without a value is an error, so a template and its caller cannot drift.
 */
export function fillTemplate(
  source: string,
  values: Record<string, string | number>,
): string {
  return source.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (!(name in values)) {
      throw new Error(`Shader template needs a value for {{${name}}}`);
    }
    return String(values[name]);
  });
}

/**
 * The keys of the pipelines compiled so far: tests read which variants of a
 * kernel really ran.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert";
 * import { compiledKeys } from "./pipeline_cache.ts";
 * ok(Array.isArray(compiledKeys()));
 * ```
 */
export function compiledKeys(): string[] {
  return [...pipelines.keys()];
}

/**
 * The pipeline compiled from `code` (entry point `main`), cached under `key`:
 * the key must name everything that changes the code.
 */
export function pipeline(key: string, code: () => string): GPUComputePipeline {
  let cached = pipelines.get(key);
  if (!cached) {
    const text = code();
    if (debug) console.error(`// ---- ${key}\n${text}`);
    const module = gpu.createShaderModule({ label: key, code: text });
    cached = gpu.createComputePipeline({
      label: key,
      layout: "auto",
      compute: { module, entryPoint: "main" },
    });
    pipelines.set(key, cached);
  }
  return cached;
}
