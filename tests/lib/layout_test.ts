// The library's layering, checked from its source text (no GPU): the
// runtime import graph of lib/, the one seam, the one writer of WGSL
// expressions, and file sizes. docs/architecture.md draws the same picture.
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const LIB = fileURLToPath(new URL("../../lib/", import.meta.url));
/** The one cycle the library allows: Tensor's methods calling the ops. */
const SEAM = "tensor.ts";
/** The module that owns the elementwise op list. */
const OP_LIST = "ops/elementwise.ts";
const MAX_LINES = 400;

async function sources(dir = LIB): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await sources(path));
    else if (entry.name.endsWith(".ts")) out.push(relative(LIB, path));
  }
  return out.sort();
}

/** Relative imports that exist at run time (not `import type`/`export type`). */
function runtimeImports(file: string, text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(
    /^\s*\/\/.*$/gm,
    "",
  );
  const pattern =
    /(?:^|;|\n)\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*"(\.[^"]+)"/g;
  const bare = /(?:^|\n)\s*import\s+"(\.[^"]+)"/g;
  const out: string[] = [];
  for (const match of code.matchAll(pattern)) {
    if (match[2]) continue; // import type { ... }
    // `import { type A, type B }` only names types as well.
    const names = match[3].replace(/[{}]/g, "").split(",").map((n) => n.trim())
      .filter(Boolean);
    if (names.length && names.every((n) => n.startsWith("type "))) continue;
    out.push(match[4]);
  }
  for (const match of code.matchAll(bare)) out.push(match[1]);
  return out.map((spec) => relative(LIB, resolve(LIB, dirname(file), spec)))
    .filter((path) => !path.startsWith(".."));
}

async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of await sources()) {
    graph.set(
      file,
      runtimeImports(file, await Deno.readTextFile(join(LIB, file))),
    );
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, order.get(w)!));
      }
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!order.has(v)) visit(v);
  return found;
}

const isCore = (file: string) =>
  file.startsWith("core/") || file.startsWith("device/");

Deno.test("the core and the device layer import no op module", async () => {
  for (const [file, imports] of await importGraph()) {
    if (!isCore(file)) continue;
    const upward = imports.filter((i) => !isCore(i) && i !== "display.ts");
    assert.deepEqual(upward, [], `${file} imports ${upward}`);
  }
});

Deno.test("lib/ has one import cycle, through the seam lib/tensor.ts, and none in the core", async () => {
  const graph = await importGraph();
  const all = cycles(graph);
  assert.equal(all.length, 1, `cycles: ${JSON.stringify(all)}`);
  assert.ok(all[0].includes(SEAM));
  assert.deepEqual(all[0].filter(isCore), [], "a core file is in the cycle");
  // Without the seam nothing is circular: the ops form layers.
  const withoutSeam = new Map(
    [...graph].filter(([file]) => file !== SEAM).map((
      [file, imports],
    ) => [file, imports.filter((i) => i !== SEAM)]),
  );
  assert.deepEqual(cycles(withoutSeam), []);
});

Deno.test("only the op list runs the elementwise shader, and no file above device/ writes its expressions", async () => {
  for (const [file, imports] of await importGraph()) {
    if (file.startsWith("device/") || file === OP_LIST) continue;
    assert.ok(
      !imports.includes("device/elementwise.ts"),
      `${file} imports device/elementwise.ts`,
    );
  }
});

Deno.test(`no file in lib/ outside device/ is over ${MAX_LINES} lines`, async () => {
  for (const file of await sources()) {
    if (file.startsWith("device/")) continue;
    const lines =
      (await Deno.readTextFile(join(LIB, file))).split("\n").length - 1;
    assert.ok(lines <= MAX_LINES, `${file} has ${lines} lines`);
  }
});

Deno.test("doc examples assert with node:assert (console.assert only logs)", async () => {
  for (const file of await sources()) {
    const text = await Deno.readTextFile(join(LIB, file));
    assert.ok(!text.includes("console.assert"), `${file} uses console.assert`);
  }
});

Deno.test("the import scanner sees value imports and skips type-only ones", () => {
  const text = [
    'import { a } from "./a.ts";',
    'import type { B } from "./b.ts";',
    'import { type C, type D } from "./c.ts";',
    'export { e } from "../e.ts";',
    'export type { F } from "./f.ts";',
    'import "./g.ts";',
    '// import { h } from "./h.ts";',
  ].join("\n");
  assert.deepEqual(runtimeImports("ops/x.ts", text), [
    "ops/a.ts",
    "e.ts",
    "ops/g.ts",
  ]);
});
