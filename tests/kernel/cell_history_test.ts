import assert from "node:assert/strict";
import ts from "typescript";
import {
  CellHistory,
  declaredNames,
  renameIdentifiers,
  SEPARATOR,
} from "../../kernel/cell_history.ts";

const parse = (text: string) =>
  ts.createSourceFile("c.ts", text, ts.ScriptTarget.ESNext, true);

Deno.test("declaredNames() lists a cell's top-level bindings, not inner ones", () => {
  const names = declaredNames(parse(
    'import d, { a, b as c } from "m"; import * as ns from "n";\n' +
      "const { x, y: [z], ...rest } = o; let w = 1; var v;\n" +
      "function f() { const inner = 1; } class K {} enum E {} interface I {} type T = 1; namespace N {}\n" +
      "for (const loop of []) {}",
  ));
  assert.deepEqual(
    [...names].sort(),
    [
      "E",
      "I",
      "K",
      "N",
      "T",
      "a",
      "c",
      "d",
      "f",
      "ns",
      "rest",
      "v",
      "w",
      "x",
      "z",
    ],
  );
});

Deno.test("renameIdentifiers() renames bindings and references, never property names", () => {
  const renames = new Map([["x", "x$$1"]]);
  assert.equal(
    renameIdentifiers(
      "const x = 1; const o = { x, y: x, x: 2 }; o.x; const { x: a } = o; class C { x = x; }",
      renames,
    ),
    "const x$$1 = 1; const o = { x: x$$1, y: x$$1, x: 2 }; o.x; const { x: a } = o; class C { x = x$$1; }",
  );
  assert.equal(
    renameIdentifiers(
      'import { x } from "m"; export { x }; const { x: y } = q;',
      renames,
    ),
    'import { x as x$$1 } from "m"; export { x$$1 as x }; const { x: y } = q;',
  );
  assert.equal(
    renameIdentifiers("const { x } = o; type P = { x: typeof x };", renames),
    "const { x: x$$1 } = o; type P = { x: typeof x$$1 };",
  );
});

Deno.test("CellHistory: a redeclared name is renamed in the earlier cell, its uses too; a cell run again replaces its copy", () => {
  const history = new CellHistory();
  history.add("const x = 1;\nconst y = x;");
  history.add("let n = 0;");
  history.add("let n = 0;");
  assert.equal(history.size, 2);
  // As add() will rename: the check of a cell builds the text it will add.
  const before = history.before("const x = 'a';");
  assert.equal(
    before,
    `const __kernelShadowed4_x = 1;\nconst y = __kernelShadowed4_x;${SEPARATOR}let n = 0;${SEPARATOR}`,
  );
  history.add("const x = 'a';");
  assert.equal(history.text, `${before}const x = 'a';${SEPARATOR}`);
  assert.ok(history.before("1").endsWith(`const x = 'a';${SEPARATOR}`));
});

Deno.test("CellHistory: %time cells join with the magic blanked; other magics and empty cells are left out", () => {
  const history = new CellHistory();
  assert.equal(history.add("%pip install x"), false);
  assert.equal(history.add("  \n"), false);
  assert.ok(history.add("%%time\nconst a = 1;"));
  assert.equal(history.text, `      \nconst a = 1;${SEPARATOR}`);
});

Deno.test("CellHistory shadows names declared again: variables, patterns, functions, imports", () => {
  const history = new CellHistory();
  assert.ok(history.add('import { randn, nn as layers } from "./lib.ts";'));
  assert.ok(
    history.add("const { a, b: [c] } = f();\nfunction g() {}\nlet kept = 1;"),
  );
  assert.ok(
    history.add('import { randn } from "./lib.ts";\nconst a = 1, c = 2;'),
  );
  assert.ok(history.add("class g {}\nkept = 2;"));
  const [first, second] = history.text.split("\n;\n");
  assert.equal(
    first,
    'import { randn as __kernelShadowed3_randn, nn as layers } from "./lib.ts";',
  );
  assert.equal(
    second,
    "const { a: __kernelShadowed3_a, b: [__kernelShadowed3_c] } = f();\n" +
      "function __kernelShadowed4_g() {}\nlet kept = 1;",
  );
  assert.match(history.text, /\nclass g \{\}\nkept = 2;\n;\n$/);
});

Deno.test("CellHistory leaves out a cell that does not parse and knows where each cell starts", () => {
  const history = new CellHistory();
  history.add("const one = 1;");
  assert.equal(history.add("function broken() {"), false);
  history.add("const two = 2;");
  assert.equal(history.text, "const one = 1;\n;\nconst two = 2;\n;\n");
  const second = history.text.indexOf("const two");
  assert.equal(history.cellStart(second + 6), second);
  assert.equal(history.cellStart(3), 0);
  assert.equal(history.cellStart(history.text.length + 4), history.text.length);
});
