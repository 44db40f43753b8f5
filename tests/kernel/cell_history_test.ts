import assert from "node:assert/strict";
import { CellHistory } from "../../kernel/cell_history.ts";

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
    'import { randn as __kernelShadowed1_randn, nn as layers } from "./lib.ts";',
  );
  assert.equal(
    second,
    "const { a: __kernelShadowed3_a, b: [__kernelShadowed2_c] } = f();\n" +
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
