/**
 * Deno's own type declarations (the `Deno` namespace, the web APIs, WebGPU),
 * as `deno types` prints them for the deno that runs the kernel, so cells are
 * checked against the runtime they run in.
 */

let cached: Promise<string> | undefined;

/**
 * The declarations, read once per process (`deno types` takes milliseconds:
 * it prints what is built into the binary).
 *
 * @returns the text of lib.deno.d.ts, ready to be a root file next to lib.esnext
 * @throws {Error} when `deno types` fails
 */
export function denoTypes(): Promise<string> {
  cached ??= (async () => {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["types"],
      stdin: "null",
    }).output();
    const decoder = new TextDecoder();
    if (code !== 0) {
      throw new Error(`deno types failed: ${decoder.decode(stderr)}`);
    }
    // The parts are already concatenated; the npm typescript package has no
    // lib of these names and would report each reference as missing.
    return decoder.decode(stdout).replace(
      /^\/\/\/ <reference lib="deno\.[^"]*" \/>$/gm,
      "",
    );
  })();
  return cached;
}
