import assert from "node:assert/strict";
import * as lib from "../../lib/mod.ts";

/** Every runtime name lib/mod.ts exports, and those of its namespaces (nn, optim, ...), sorted. */
function exportedNames(): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(lib)) {
    names.push(name);
    const isNamespace = value !== null && typeof value === "object" &&
      Object.prototype.toString.call(value) === "[object Module]";
    if (isNamespace) {
      for (const inner of Object.keys(value)) names.push(`${name}.${inner}`);
      for (const [inner, v] of Object.entries(value)) {
        if (Object.prototype.toString.call(v) === "[object Module]") {
          for (const leaf of Object.keys(v)) {
            names.push(`${name}.${inner}.${leaf}`);
          }
        }
      }
    }
  }
  for (const name of Object.getOwnPropertyNames(lib.Tensor.prototype)) {
    names.push(`Tensor#${name}`);
  }
  return names.sort();
}

const fixture = new URL("./fixtures/mod_exports.json", import.meta.url);

Deno.test("lib/mod.ts exports the same names and Tensor methods as the committed list (notebooks and the kernel import it)", async () => {
  if (Deno.env.get("UPDATE_EXPORTS") === "1") {
    await Deno.writeTextFile(
      fixture,
      JSON.stringify(exportedNames(), null, 2) + "\n",
    );
  }
  const want = JSON.parse(await Deno.readTextFile(fixture));
  assert.deepEqual(exportedNames(), want);
});
