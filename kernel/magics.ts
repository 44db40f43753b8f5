/**
 * The IPython line and cell magics users type out of habit, the TypeScript
 * way: `%time EXPR` and a first line `%%time` run the code and then print its
 * wall time and its GPU-synchronised time (after `synchronize()` of the
 * project's tensor library has waited for every recorded dispatch, since a
 * WebGPU op returns before the GPU has run it). Any other `%` line gets an
 * error that names the TypeScript way instead of a syntax error.
 */
import type { Evaluation } from "./agent_protocol.ts";

/** How a magic runs code: runCode of execute.ts. */
export type RunCode = (code: string, name: string) => Promise<Evaluation>;

// The same module URL as the notebooks' `../lib/mod.ts` reaches, so the
// import finds the already loaded module and its device.
const DEVICE_INFO = new URL("../lib/device_info.ts", import.meta.url).href;
const START = 'globalThis[Symbol.for("deno-webgpu.kernel.time")]';

const ALTERNATIVES: Record<string, string> = {
  timeit:
    "time it with a loop: `const t = performance.now(); for (let i = 0; i < 10; i++) f(); await synchronize(); console.log((performance.now() - t) / 10)`",
  pip: 'npm packages are imported directly: `import x from "npm:name@1.2.3"`',
  run: 'import the file: `await import("./script.ts")`',
  load: 'import the file: `await import("./script.ts")`',
  who: "list your variables with `Object.keys(globalThis)`",
  env: 'read the environment with `Deno.env.get("NAME")`',
  cd: 'change folder with `Deno.chdir("path")`',
  matplotlib: "plots need no set-up: call `plot({ data: [...] })`",
};

/**
 * Runs a cell that starts with a magic, or returns null for ordinary code.
 *
 * @param code the cell
 * @param name how tracebacks name it
 * @param run evaluates TypeScript in the executor
 * @returns the evaluation of the timed code (or the magic's error), or null
 */
export async function runMagic(
  code: string,
  name: string,
  run: RunCode,
): Promise<Evaluation | null> {
  const first = code.match(/^\s*(%%?)(\w+)(.*)$/m);
  if (!first || code.slice(0, first.index).trim() !== "") return null;
  const [line, percent, magic, rest] = first;
  if (magic === "time" && percent === "%%") {
    return await timed(code.slice(first.index! + line.length + 1), name, run);
  }
  if (magic === "time" && percent === "%") {
    const after = code.slice(first.index! + line.length);
    return await timed(rest + after, name, run);
  }
  const instead = ALTERNATIVES[magic] ??
    "this kernel runs TypeScript: `%time` and `%%time` are the magics it knows (see docs/kernel.md)";
  const message =
    `${percent}${magic} is an IPython magic, not TypeScript: ${instead}`;
  return {
    type: "done",
    id: `magic-${magic}`,
    status: "error",
    ename: "UsageError",
    evalue: message,
    traceback: [`UsageError: ${message}`],
  };
}

async function timed(
  body: string,
  name: string,
  run: RunCode,
): Promise<Evaluation> {
  await run(`${START} = performance.now();`, name);
  const evaluation = await run(body, name);
  if (evaluation.status === "error") return evaluation;
  const report = await run(
    `{
  const start = ${START};
  const wall = performance.now() - start;
  let gpu = "";
  try {
    await (await import(${JSON.stringify(DEVICE_INFO)})).synchronize();
    gpu = \`, GPU-synchronised: \${(performance.now() - start).toFixed(1)} ms\`;
  } catch (error) {
    gpu = \` (no GPU synchronisation: \${error})\`;
  }
  console.log(\`Wall time: \${wall.toFixed(1)} ms\${gpu}\`);
}`,
    name,
  );
  return report.status === "error" ? report : evaluation;
}
