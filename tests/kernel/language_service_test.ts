import assert from "node:assert/strict";
import { CellTypes } from "../../kernel/language_service.ts";
import { assertIncludes } from "./_assert.ts";

Deno.test("CellTypes.quickInfo() gives types and doc comments of earlier cells and imports", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${folder}/shapes.ts`,
      "/** The area of a rectangle. */\nexport function area(w: number, h: number): number { return w * h; }\n",
    );
    const types = new CellTypes(folder);
    types.addCell('import { area } from "./shapes.ts";\nconst side = 3;');
    const code = "area(side, 4)";
    const area = types.quickInfo(code, 2);
    assert.ok(area);
    assertIncludes(area.display, "area(w: number, h: number): number");
    assert.equal(area.documentation, "The area of a rectangle.");
    assertIncludes(types.quickInfo(code, 7)!.display, "const side: 3");
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
