import assert from "node:assert/strict";
import { assertIncludes } from "./_assert.ts";
import { withImportHint } from "../../kernel/import_hint.ts";

const LIBRARY = new URL("../../lib/mod.ts", import.meta.url).pathname;

Deno.test("withImportHint() says where the library is when ../lib/mod.ts is missing", () => {
  const failed = withImportHint({
    type: "done",
    id: "1",
    status: "error",
    ename: "TypeError",
    evalue: 'Module not found "file:///home/me/lib/mod.ts".',
    traceback: ['TypeError: Module not found "file:///home/me/lib/mod.ts".'],
  });
  assert.equal(failed.status, "error");
  if (failed.status !== "error") return;
  assertIncludes(failed.evalue, "/home/me/lib/mod.ts does not exist");
  assertIncludes(failed.evalue, `import * as torch from "${LIBRARY}"`);
  assertIncludes(failed.traceback.at(-1)!, "notebooks/ folder");
});

Deno.test("withImportHint() leaves other results and errors alone", () => {
  const other = {
    type: "done" as const,
    id: "2",
    status: "error" as const,
    ename: "TypeError",
    evalue: 'Module not found "file:///x/other.ts".',
    traceback: [],
  };
  assert.deepEqual(withImportHint(other), other);
  const ok = {
    type: "done" as const,
    id: "3",
    status: "ok" as const,
    result: null,
  };
  assert.deepEqual(withImportHint(ok), ok);
});
