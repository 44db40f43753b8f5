import assert from "node:assert/strict";
import ts from "typescript";
import {
  CheckHistory,
  declaredNames,
  renameIdentifiers,
  SEPARATOR,
} from "../../kernel/check_history.ts";

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

Deno.test("CheckHistory: a redeclared name is renamed in the earlier cell; a cell run again replaces its copy", () => {
  const history = new CheckHistory();
  history.add("const x = 1;\nconst y = x;");
  history.add("let n = 0;");
  history.add("let n = 0;");
  assert.equal(history.size, 2);
  assert.equal(
    history.before("const x = 'a';"),
    `const x$$0 = 1;\nconst y = x$$0;${SEPARATOR}let n = 0;${SEPARATOR}`,
  );
  history.add("const x = 'a';");
  assert.match(
    history.before("1"),
    /^const x\$\$\d+ = 1;\nconst y = x\$\$\d+;/,
  );
  assert.ok(history.before("1").endsWith(`const x = 'a';${SEPARATOR}`));
});
