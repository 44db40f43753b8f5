/**
 * Deno's own type declarations (the `Deno` namespace, the web APIs, WebGPU),
 * as `deno types` prints them for the deno that runs the kernel, so cells are
 * checked against the runtime they run in.
 */

// `deno types` leaves out one part: its globals file refers to a library
// "node" (Deno's copy of @types/node's globals) without printing it, and the
// timers live there. These declarations stand in for it, with Deno's types
// (a timer id is a number); the rest of Node's globals are `any`.
const NODE_GLOBALS = `
declare function setTimeout(callback: (...args: any[]) => void, delay?: number, ...args: any[]): number;
declare function setInterval(callback: (...args: any[]) => void, delay?: number, ...args: any[]): number;
declare function clearTimeout(id?: number): void;
declare function clearInterval(id?: number): void;
declare function setImmediate(callback: (...args: any[]) => void, ...args: any[]): any;
declare function clearImmediate(id: any): void;
declare var process: any;
declare var Buffer: any;
declare var global: typeof globalThis;
`;

let cached: Promise<string> | undefined;

/**
 * The declarations, read once per process (`deno types` takes milliseconds:
 * it prints what is built into the binary).
 *
 * @returns the text of lib.deno.d.ts and the timers, ready to be a root file next to lib.esnext
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
      /^\/\/\/ <reference lib="(deno\.[^"]*|node)" \/>$/gm,
      "",
    ) + NODE_GLOBALS;
  })();
  return cached;
}
