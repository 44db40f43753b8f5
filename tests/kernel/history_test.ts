import assert from "node:assert/strict";
import { History } from "../../kernel/history.ts";

Deno.test("History answers tail, range and search queries", () => {
  const history = new History();
  history.add(1, "const a = 1");
  history.add(2, "a + 1");
  history.setOutput(2, "2");
  history.add(3, "const b = a");
  assert.deepEqual(history.query({ hist_access_type: "tail", n: 2 }), [[
    0,
    2,
    "a + 1",
  ], [0, 3, "const b = a"]]);
  assert.deepEqual(
    history.query({
      hist_access_type: "range",
      start: 1,
      stop: 3,
      output: true,
    }),
    [
      [0, 1, ["const a = 1", null]],
      [0, 2, ["a + 1", "2"]],
    ],
  );
  assert.deepEqual(
    history.query({ hist_access_type: "search", pattern: "const*" }),
    [[0, 1, "const a = 1"], [0, 3, "const b = a"]],
  );
});
