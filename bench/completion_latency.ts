/**
 * What the language service adds to complete_request and inspect_request:
 * for each course notebook, its code cells are the cells run so far, then
 * the first request (which builds the program: Deno's lib, the library's
 * sources) and the median and 95th percentile of later ones, over the
 * examples of issue 13 (completion after calls, option names, the cell being
 * typed, import paths; signature help inside arguments). In-process, no GPU.
 *
 * Usage: deno run --allow-all bench/completion_latency.ts
 */
import { denoTypes } from "../kernel/deno_lib.ts";
import { CellTypes } from "../kernel/language_service.ts";

const NOTEBOOKS = new URL("../notebooks/", import.meta.url);
const EXAMPLES: [kind: "complete" | "signature", code: string][] = [
  ["complete", "models.alexnet()."],
  ["complete", "[1, 2]."],
  ["complete", "randn([2], { req"],
  ["complete", "const foo = 1;\nfo"],
  ["complete", 'import { x } from "../lib/'],
  ["complete", "randn([2]).matmul(randn([2, 2])).sh"],
  ["signature", "nn.functional.conv2d(randn([1]), "],
  ["signature", "new nn.Conv2d(3, "],
];
const ROUNDS = 5;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const rows: string[] = [];
for await (const entry of Deno.readDir(NOTEBOOKS)) {
  if (!entry.name.endsWith(".ipynb")) continue;
  const notebook = JSON.parse(
    await Deno.readTextFile(new URL(entry.name, NOTEBOOKS)),
  ) as { cells: { cell_type: string; source: string | string[] }[] };
  const types = new CellTypes(
    new URL(".", NOTEBOOKS).pathname,
    await denoTypes(),
  );
  let cells = 0;
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "code") continue;
    types.add(
      Array.isArray(cell.source) ? cell.source.join("") : cell.source,
    );
    cells++;
  }
  // The examples use the names the course imports.
  types.add('import { models, nn, randn } from "../lib/mod.ts";');
  const times: number[] = [];
  let first = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [kind, code] of EXAMPLES) {
      const started = performance.now();
      if (kind === "complete") types.completions(code, code.length);
      else types.signatureHelp(code, code.length);
      const ms = performance.now() - started;
      if (round === 0 && times.length === 0 && first === 0) first = ms;
      else times.push(ms);
    }
  }
  times.sort((a, b) => a - b);
  rows.push(
    `| ${entry.name} | ${cells} | ${first.toFixed(0)} ms | ${
      percentile(times, 0.5).toFixed(0)
    } ms | ${percentile(times, 0.95).toFixed(0)} ms |`,
  );
}
console.log("| notebook | cells | first request | median | p95 |");
console.log("| --- | --- | --- | --- | --- |");
console.log(rows.sort().join("\n"));
