import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { denoTypes } from "../../kernel/deno_lib.ts";
import { CellTypes } from "../../kernel/language_service.ts";
import { assertIncludes } from "./_assert.ts";

// The Deno declarations the kernel's service runs with.
const DENO_TYPES = await denoTypes();

// The checkout's library, imported by absolute path from a temporary folder.
const LIB = fromFileUrl(new URL("../../lib/mod.ts", import.meta.url));

Deno.test("CellTypes.quickInfo() gives types and doc comments of earlier cells and imports", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${folder}/shapes.ts`,
      "/** The area of a rectangle. */\nexport function area(w: number, h: number): number { return w * h; }\n",
    );
    const types = new CellTypes(folder, DENO_TYPES);
    types.add('import { area } from "./shapes.ts";\nconst side = 3;');
    const code = "area(side, 4)";
    const area = types.quickInfo(code, 2);
    assert.ok(area);
    assertIncludes(area.display, "area(w: number, h: number): number");
    assert.equal(area.documentation, "The area of a rectangle.");
    assertIncludes(types.quickInfo(code, 7)!.display, "const side: 3");
    const source = types.quickInfo(code, 2, true)!.source!;
    assert.equal(source.file, `${folder}/shapes.ts`);
    assert.equal(source.line, 2);
    assertIncludes(source.text, "export function area(w: number, h: number)");
    types.add(
      "const unused = 0;\n\nfunction perimeter(w: number) {\n  return 4 * w;\n}",
    );
    const cell = types.quickInfo("perimeter", 2, true)!.source!;
    assert.deepEqual(cell, {
      file: null,
      line: 3,
      text: "function perimeter(w: number) {\n  return 4 * w;\n}",
    });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("CellTypes.quickInfo() renders @param, @returns and @example as markdown", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${folder}/twice.ts`,
      [
        "/**",
        " * Doubles.",
        " *",
        " * @param x - a number",
        " * @returns two of it",
        " * @example",
        " * ```ts",
        " * twice(2); // 4",
        " * ```",
        " */",
        "export function twice(x: number): number { return 2 * x; }",
      ].join("\n"),
    );
    const types = new CellTypes(folder, DENO_TYPES);
    types.add('import { twice } from "./twice.ts";');
    assert.equal(
      types.quickInfo("twice", 1)!.documentation,
      "Doubles.\n\n**Parameters**\n\n- `x`: a number\n\n**Returns**: two of it" +
        "\n\n**Example**\n\n```ts\ntwice(2); // 4\n```",
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("CellTypes.completions() after calls, in object literals, in the cell being typed and in import paths", () => {
  const folder = fromFileUrl(new URL("../../notebooks", import.meta.url));
  const types = new CellTypes(folder, DENO_TYPES);
  types.add(
    `import { models, randn, nn } from ${JSON.stringify(LIB)};\n` +
      "const t = randn([2, 2]);\nconst net = models.alexnet();\n" +
      "const loose: any = 1;",
  );
  const names = (code: string) =>
    types.completions(code, code.length)?.items.map((item) => item.text) ?? [];
  const alexnet = types.completions("models.alexnet().", 17)!;
  assert.equal(alexnet.context, "member");
  assert.ok(alexnet.items.some((item) => item.text === "forward"));
  const forward = alexnet.items.find((item) => item.text === "forward")!;
  assert.equal(forward.type, "method");
  assertIncludes(forward.signature!, "(input: Tensor): Tensor");
  assert.ok(names("net.forward(t).").includes("matmul"));
  assert.ok(names("[1, 2].").includes("map"));
  assert.deepEqual(names("t.matmul(t).sh"), ["shape"]);
  const shape = types.completions("t.matmul(t).sh", 14)!;
  assert.deepEqual([shape.start, shape.end], [12, 14]);
  assert.deepEqual(names("randn([2], { req"), ["requiresGrad"]);
  assert.equal(names("const foo = 1;\nfo")[0], "foo");
  assert.ok(names("const foo = 1;\nfo").includes("for"));
  const path = 'import { x } from "../lib/';
  const paths = types.completions(path, path.length)!;
  assert.ok(paths.items.some((item) => item.text === "mod.ts"));
  assert.ok(paths.items.some((item) => item.text === "nn/"));
  assert.equal(paths.start, path.length);
  assert.equal(types.completions("loose.", 6)!.context, "untyped");
  // Imported names are what they alias, not "alias".
  assert.equal(
    types.completions("rand", 4)!.items.find((i) => i.text === "randn")!.type,
    "function",
  );
  assert.equal(
    types.completions("n", 1)!.items.find((i) => i.text === "nn")!.type,
    "module",
  );
});

Deno.test("CellTypes.completions() lists a tensor's @internal members last", () => {
  const types = new CellTypes(
    fromFileUrl(new URL("../../notebooks", import.meta.url)),
    DENO_TYPES,
  );
  types.add(
    `import { randn } from ${JSON.stringify(LIB)};\nconst t = randn([2]);`,
  );
  const items = types.completions("t.", 2)!.items;
  const last = items.slice(-4).map((item) => item.text);
  for (const name of ["buffer", "handle"]) {
    assert.ok(last.includes(name), `${name} is among the last: ${last}`);
  }
  assert.equal(items.find((item) => item.text === "buffer")!.tier, 2);
  assert.ok(
    items.findIndex((item) => item.text === "shape") <
      items.findIndex((item) => item.text === "buffer"),
  );
});

Deno.test("CellTypes.signatureHelp() gives the whole signature and the current parameter", () => {
  const types = new CellTypes(
    fromFileUrl(new URL("../../notebooks", import.meta.url)),
    DENO_TYPES,
  );
  types.add(
    `import { conv2d, nn, randn } from ${JSON.stringify(LIB)};\n` +
      "const t = randn([1, 3, 8, 8]);",
  );
  const conv = types.signatureHelp("conv2d(t, ", 10)!;
  assert.equal(
    conv.label,
    "conv2d(input: Tensor, weight: Tensor, bias?: Tensor, options?: Conv2dOptions): Tensor",
  );
  assert.equal(conv.parameter!.name, "weight");
  assert.equal(conv.argumentIndex, 1);
  const layer = types.signatureHelp("new nn.Conv2d(3, ", 17, true)!;
  assert.match(
    layer.label,
    /^new Conv2d\(inChannels: number, outChannels: number/,
  );
  assert.equal(layer.parameter!.name, "outChannels");
  assertIncludes(layer.documentation, "2-D convolution");
  assert.match(layer.source!.file!, /lib\/nn\/layers\.ts$/);
  // Defaults with braces do not cut the signature short.
  assert.equal(
    types.signatureHelp("randn(", 6)!.label,
    "randn(shape: readonly number[], options?: CreationOptions): Tensor",
  );
  assert.equal(types.signatureHelp("t", 1), null);
});

Deno.test("CellTypes.add() leaves out a cell that does not parse, so later cells still count", () => {
  const types = new CellTypes(
    fromFileUrl(new URL("../../notebooks", import.meta.url)),
    DENO_TYPES,
  );
  types.add("function broken() {");
  types.add("const after = { zeta: 1 };");
  assert.deepEqual(
    types.completions("after.ze", 8)?.items.map((item) => item.text),
    ["zeta"],
  );
});

Deno.test("CellTypes sees the latest declaration of a name declared again, as the session does", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const types = new CellTypes(folder, DENO_TYPES);
    types.add("const t = 1;");
    types.add('const t = "text";');
    assert.equal(types.quickInfo("t", 1)!.display, 'const t: "text"');
    const names = types.completions("t.", 2)!.items.map((item) => item.text);
    assert.ok(
      names.includes("charAt") && !names.includes("toFixed"),
      `${names}`,
    );
    const scope = types.completions("", 0)!.items.map((item) => item.text);
    assert.ok(!scope.some((name) => name.startsWith("__kernel")));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("CellTypes: completion and quick info see what the checker sees, Deno's lib and the cell globals", () => {
  const types = new CellTypes(
    fromFileUrl(new URL("../../notebooks", import.meta.url)),
    DENO_TYPES,
  );
  const members = types.completions("Deno.env.", 9)!.items.map((i) => i.text);
  assert.ok(members.includes("get"), members.join(" "));
  const display = types.quickInfo("display", 3)!;
  assert.match(display.display, /const display/);
  assert.match(display.documentation, /output of the cell/);
  assert.match(types.quickInfo("comms", 2)!.display, /CommManager/);
  assert.deepEqual(
    types.check("const id: number = setTimeout(() => {}, 1);"),
    [],
  );
  // No DOM: the kernel has none.
  assert.deepEqual(
    types.check("document.title").map((d) => d.code),
    [2584],
  );
});
