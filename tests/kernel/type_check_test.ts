import assert from "node:assert/strict";
import ts from "typescript";
import { denoTypes } from "../../kernel/deno_lib.ts";
import { CellTypes } from "../../kernel/language_service.ts";

const NOTEBOOKS = new URL("../../notebooks/", import.meta.url).pathname;

// One checker's first check parses Deno's and the library's declarations
// (most of a second); the tests share what they can.
const checker = async (folder = NOTEBOOKS) =>
  new CellTypes(folder, await denoTypes());

/** The diagnostics as "code line:column" strings. */
function brief(diagnostics: { code: number; line: number; column: number }[]) {
  return diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`);
}

Deno.test("type errors are located in the cell, with TypeScript's code and message", async () => {
  const types = await checker();
  types.add("const first = 1;\nconst second = 2;");
  const found = types.check(
    'const ok = first + second;\nconst n: number = "x";',
  );
  assert.deepEqual(brief(found), ["2322 2:7"]);
  assert.equal(
    found[0].message,
    "Type 'string' is not assignable to type 'number'.",
  );
  assert.deepEqual(
    brief(types.check('function f(x: number) { return x * 2 }; f("3")')),
    ["2345 1:43"],
  );
  // Earlier cells' errors are theirs, not this cell's.
  types.add('const wrong: number = "y";');
  assert.deepEqual(types.check("wrong + 1"), []);
});

Deno.test("a message chain is flattened onto indented lines", async () => {
  const types = await checker();
  const [found] = types.check(
    "const p: { a: { b: number } } = { a: { b: 'x' } };",
  );
  assert.equal(found.code, 2322);
  assert.match(found.message, /^Type 'string' is not assignable/);
  const nested = types.check(
    "type P = { a: { b: number } }; const q = { a: { b: 'x' } }; const r: P = q;",
  );
  assert.equal(nested[0].code, 2322);
  assert.match(nested[0].message, /\n {2}/, nested[0].message);
});

Deno.test("an import of a name the module does not export is a diagnostic; the library's exports are typed", async () => {
  const types = await checker();
  assert.deepEqual(
    brief(types.check('import { nothere } from "../lib/mod.ts"; nothere')),
    ["2305 1:10"],
  );
  types.add('import { tensor } from "../lib/mod.ts";');
  assert.deepEqual(
    brief(types.check("const t = tensor([1, 2]);\nt.noSuchMethod();")),
    ["2339 2:3"],
  );
});

Deno.test("re-running a cell, or redeclaring its names in another, is no error and the new type wins", async () => {
  const types = await checker();
  const cell =
    'import { tensor } from "../lib/mod.ts";\nconst x = 1;\nfunction f() { return x; }\nclass K {}';
  types.add(cell);
  assert.deepEqual(types.check(cell), []);
  types.add(cell);
  const edited =
    'const x = "now a string";\nlet { length } = x;\nfunction f(a: string) { return a; }';
  assert.deepEqual(types.check(edited), []);
  types.add(edited);
  // The earlier cell's own uses keep its binding; later cells see the new one.
  assert.deepEqual(
    types.check("x.toUpperCase(); f('a'); length.toFixed()"),
    [],
  );
  assert.deepEqual(brief(types.check("x.toFixed()")), ["2551 1:3"]);
  // An edited cell's earlier version still declared what it declared: the
  // executor keeps it.
  types.add("const y: number = 1;");
  types.add("const z: string = 'a';");
  assert.deepEqual(types.check("y.toFixed(); z.length"), []);
});

Deno.test("cells may await at top level, use Deno's API, the cell globals and npm: imports", async () => {
  const types = await checker();
  const cells = [
    "const text = await Deno.readTextFile('x'); Deno.env.get('HOME')?.length;",
    'await display(html`<b>${1}</b>`, { displayId: "a" }); clearOutput({ wait: true });',
    "display(plot({ data: [{ y: [1, 2] }] })); md`# hi`; svg('<svg/>'); image(new Uint8Array(8));",
    "const answer: string = await input('name?', { password: true }); prompt('a'); confirm('b'); alert('c');",
    'import assert from "node:assert/strict"; assert.equal(1, 1);',
    'import { decode } from "npm:fast-png@8.0.0"; decode(new Uint8Array(8)).width.toFixed();',
    'import x from "npm:not-installed-here@1"; import { y } from "jsr:@std/path@1"; x(y);',
    "for await (const line of Deno.stdin.readable) break;",
    "const gpu = await navigator.gpu.requestAdapter(); gpu?.info.vendor;",
    "await new Promise((r) => setTimeout(r, 1)); const id: number = setInterval(() => {}, 5); clearInterval(id); clearTimeout(setTimeout(() => {}, 1, 'a'));",
    "process.env.HOME; Buffer.from('a'); global.structuredClone(1); queueMicrotask(() => {}); setImmediate(() => {});",
  ];
  for (const cell of cells) assert.deepEqual(types.check(cell), [], cell);
  // The npm package's own types apply where node_modules has it.
  assert.deepEqual(
    brief(
      types.check('import { decode } from "npm:fast-png@8.0.0"; decode(1)'),
    ),
    ["2345 1:53"],
  );
});

Deno.test("every global the executor installs for cells is declared for the checker", async () => {
  const source = await Deno.readTextFile(
    new URL("../../kernel/executor/cell_globals.ts", import.meta.url),
  );
  const file = ts.createSourceFile("g.ts", source, ts.ScriptTarget.ESNext);
  const names: string[] = [];
  file.forEachChild((node) => {
    if (!ts.isVariableStatement(node)) return;
    for (const declaration of node.declarationList.declarations) {
      if (
        declaration.name.getText(file) === "cellGlobals" &&
        declaration.initializer &&
        ts.isObjectLiteralExpression(declaration.initializer)
      ) {
        for (const property of declaration.initializer.properties) {
          names.push(property.name!.getText(file));
        }
      }
    }
  });
  assert.ok(names.length >= 10, `found ${names}`);
  const types = await checker();
  for (const name of names) {
    assert.deepEqual(types.check(`typeof ${name} === "function";`), [], name);
  }
  assert.deepEqual(brief(types.check("notAGlobal")), ["2304 1:1"]);
});

Deno.test("magics: %%time and %time cells are checked without the magic; other magics and syntax errors are not checked", async () => {
  const types = await checker();
  assert.deepEqual(brief(types.check('%%time\nconst n: number = "x";')), [
    "2322 2:7",
  ]);
  assert.deepEqual(brief(types.check("%time Math.max('a')")), ["2345 1:16"]);
  assert.deepEqual(types.check("%pip install x"), []);
  assert.deepEqual(types.check("const = 1"), []);
  types.add("%%time\nconst timed = 1;");
  types.add("const broken = ;");
  assert.deepEqual(types.check("timed.toFixed()"), []);
  assert.deepEqual(brief(types.check("broken")), ["2304 1:1"]);
});

Deno.test("a relative module edited between cells is read again", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${folder}/m.ts`, "export const a = 1;\n");
    const types = await checker(folder);
    assert.deepEqual(
      types.check('import { a } from "./m.ts"; a.toFixed()'),
      [],
    );
    // A different mtime even on a coarse clock.
    await Deno.writeTextFile(`${folder}/m.ts`, 'export const a = "s";\n');
    await Deno.utime(`${folder}/m.ts`, new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(
      brief(types.check('import { a } from "./m.ts"; a.toFixed()')),
      ["2551 1:31"],
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("the notebooks' code cells, run in order, have no type errors", async () => {
  const problems: string[] = [];
  for await (const entry of Deno.readDir(NOTEBOOKS)) {
    if (!entry.name.endsWith(".ipynb")) continue;
    const notebook = JSON.parse(
      await Deno.readTextFile(`${NOTEBOOKS}${entry.name}`),
    ) as { cells: { cell_type: string; source: string | string[] }[] };
    const types = await checker();
    for (const cell of notebook.cells) {
      if (cell.cell_type !== "code") continue;
      const code = [cell.source].flat().join("");
      for (const d of types.check(code)) {
        problems.push(
          `${entry.name} [${d.line}:${d.column}] TS${d.code} ${d.message}\n${code}`,
        );
      }
      types.add(code);
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("a notebook's own JavaScript module is typed by inference", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${folder}/helper.js`,
      "export function twice(x) { return x * 2; }\nexport const name = 'h';\n",
    );
    const types = await checker(folder);
    assert.deepEqual(
      types.check(
        'import { twice, name } from "./helper.js"; twice(2); name.length',
      ),
      [],
    );
    assert.deepEqual(
      brief(types.check('import { name } from "./helper.js"; name.toFixed()')),
      ["2551 1:42"],
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
