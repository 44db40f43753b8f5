import assert from "node:assert/strict";
import { assertIncludes } from "./_assert.ts";
import { cellCompleteness, transpileCell } from "../../kernel/transpile.ts";
import { originalPosition } from "../../kernel/executor/source_position.ts";

const BASE = "file:///notebooks/";

function ok(source: string) {
  const cell = transpileCell(source, BASE);
  if (!cell.ok) {
    throw new Error(
      `Expected ${JSON.stringify(source)} to transpile: ${cell.message}`,
    );
  }
  return cell;
}

Deno.test("transpileCell() turns static imports into awaited dynamic imports", () => {
  const { code } = ok([
    'import { nn, type Tensor } from "../lib/mod.ts";',
    'import * as z from "npm:zeromq@6";',
    'import def, { a as b } from "./x.ts";',
    'import "./side.ts";',
    'import type { Q } from "./q.ts";',
    'import data from "./d.json" with { type: "json" };',
  ].join("\n"));
  assertIncludes(
    code,
    'const { nn } = await __kernelAwait(import("file:///lib/mod.ts"));',
  );
  assertIncludes(
    code,
    'const z = await __kernelAwait(import("npm:zeromq@6"));',
  );
  assertIncludes(
    code,
    'const { default: def, a: b } = await __kernelAwait(import("file:///notebooks/x.ts"));',
  );
  assertIncludes(
    code,
    'await __kernelAwait(import("file:///notebooks/side.ts"));',
  );
  assertIncludes(
    code,
    'import("file:///notebooks/d.json", { with: { type: "json" } })',
  );
  assert.ok(!code.includes("q.ts"), "type-only imports vanish");
});

Deno.test("transpileCell() strips types and export keywords and keeps the last expression", () => {
  const { code } = ok(
    "export const x: number = 1;\ninterface P { a: string }\nexport function f(n: number): number { return n }\nf(x) + 1",
  );
  assertIncludes(code, "const x = 1;");
  assertIncludes(code, "function f(n) { return n; }");
  assert.ok(code.trimEnd().endsWith("f(x) + 1;"));
  assert.ok(!code.includes("export"));
});

Deno.test("transpileCell() wraps every await in the interrupt hook, nested ones too", () => {
  const { code } = ok("async function g() { await h(); }\nawait g();");
  assertIncludes(code, "await __kernelAwait(h())");
  assertIncludes(code, "await __kernelAwait(g())");
});

Deno.test("transpileCell() resolves literal dynamic imports and hooks computed ones", () => {
  const { code } = ok(
    'const m = await import("./m.ts");\nconst n = await import(name);',
  );
  assertIncludes(code, 'import("file:///notebooks/m.ts")');
  assertIncludes(code, "import(__kernelResolve(name))");
});

Deno.test("transpileCell() reports a syntax error at the cell's line and column", () => {
  const cell = transpileCell("let a = 1;\n\nlet b: string = 3 +;", BASE);
  assert.ok(!cell.ok);
  assert.deepEqual([cell.line, cell.column], [3, 20]);
  assert.deepEqual(cell.message, "Expression expected.");
});

Deno.test("transpileCell()'s map sends generated positions back to cell lines", () => {
  const cell = ok(
    "interface A {\n  x: number\n}\n\nconst a: A = { x: 1 };\nthrow new Error(String(a.x));",
  );
  const generatedLine =
    cell.code.split("\n").findIndex((line) => line.startsWith("throw")) + 1;
  assert.deepEqual(originalPosition(cell.map, generatedLine, 1), {
    line: 6,
    column: 1,
  });
});

Deno.test("cellCompleteness() tells complete, incomplete and invalid code apart", () => {
  assert.deepEqual(cellCompleteness("x = 1").status, "complete");
  assert.deepEqual(cellCompleteness("").status, "complete");
  assert.deepEqual(cellCompleteness("for (let i = 0; i < 3; i++) {"), {
    status: "incomplete",
    indent: "  ",
  });
  assert.deepEqual(cellCompleteness("f(").status, "incomplete");
  assert.deepEqual(cellCompleteness("const s = `abc").status, "incomplete");
  assert.deepEqual(cellCompleteness("1 +* 2").status, "invalid");
  assert.deepEqual(cellCompleteness("let let = 5 }").status, "invalid");
});
