import assert from "node:assert/strict";
import { codePoints } from "../../kernel/agent_protocol.ts";
import { completionReply } from "../../kernel/completion.ts";
import { denoTypes } from "../../kernel/deno_lib.ts";
import { CellTypes } from "../../kernel/language_service.ts";
import { fakeContext } from "./_fake_context.ts";

// The Deno declarations the kernel's service runs with.
const DENO_TYPES = await denoTypes();

Deno.test("completionReply() counts its range in code points, as Jupyter does", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const types = new CellTypes(folder, DENO_TYPES);
    const context = fakeContext();
    context.completions = (code, index) =>
      Promise.resolve(types.completions(code, index));
    const code = 'const s = "😀😀";\ns.len';
    const reply = await completionReply(context, code, codePoints(code));
    assert.deepEqual(reply.matches, ["length"]);
    assert.equal(reply.cursor_start, codePoints(code) - 3);
    assert.equal(reply.cursor_end, codePoints(code));
    assert.deepEqual(reply.metadata._jupyter_types_experimental, [{
      start: codePoints(code) - 3,
      end: codePoints(code),
      text: "length",
      type: "property",
    }]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("completionReply() answers from the executor alone when the language service fails", async () => {
  const context = fakeContext();
  context.completions = () => Promise.reject(new Error("broken"));
  context.ask = () =>
    Promise.resolve(
      { matches: ["zeta"], types: ["property"], start: 6, end: 8 } as never,
    );
  const reply = await completionReply(context, "loose.ze", 8);
  assert.deepEqual(reply.matches, ["zeta"]);
  assert.deepEqual([reply.cursor_start, reply.cursor_end], [6, 8]);
});

Deno.test("completionReply(): names in scope, the cell globals among them, do not wait on a busy executor; an idle one adds its own", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const types = new CellTypes(folder, DENO_TYPES);
    types.add("const displayed = 1;");
    const context = fakeContext();
    context.completions = (code, index) =>
      Promise.resolve(types.completions(code, index));
    types.warm(); // the program's first build is not what this measures
    // Busy: answers only at the 1 s bound.
    context.ask = () =>
      new Promise((resolve) => setTimeout(() => resolve(null), 1000));
    const started = performance.now();
    const busy = await completionReply(context, "displ", 5);
    assert.ok(performance.now() - started < 700, "not the 1 s bound");
    assert.deepEqual(busy.matches.slice(0, 2).sort(), ["display", "displayed"]);
    // Idle: a name only the session has (set on globalThis) joins.
    context.ask = () =>
      Promise.resolve(
        { matches: ["displayOnlyLive"], types: ["variable"], start: 0, end: 5 },
      ) as never;
    const idle = await completionReply(context, "displ", 5);
    assert.ok(idle.matches.includes("displayOnlyLive"));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
