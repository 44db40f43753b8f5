import assert from "node:assert/strict";
import type { Question } from "../../kernel/agent_protocol.ts";
import { inspection } from "../../kernel/inspection.ts";
import { fakeContext } from "./_fake_context.ts";

const CALL = {
  label: "conv2d(input: Tensor, weight: Tensor): Tensor",
  documentation: "2-D convolution.",
  argumentIndex: 1,
  parameter: {
    name: "weight",
    label: "weight: Tensor",
    documentation: "the filters",
  },
  source: {
    file: "/lib/ops/conv.ts",
    line: 24,
    text: "export function conv2d(",
  },
};

Deno.test("inspection() inside arguments shows the call, and a name at the cursor before it", async () => {
  const context = fakeContext();
  const asked: Question[] = [];
  const { source: _, ...withoutSource } = CALL;
  context.signatureHelp = (_code, _index, withSource) =>
    Promise.resolve(withSource ? CALL : withoutSource);
  context.quickInfo = (code) =>
    Promise.resolve(
      code.endsWith("w")
        ? { display: "const w: Tensor", documentation: "" }
        : null,
    );
  context.ask = (question) => {
    asked.push(question);
    return Promise.resolve(null);
  };
  const call = await inspection(context, "conv2d(t, ", 10, 0);
  assert.equal(
    call.plain,
    "conv2d(input: Tensor, weight: Tensor): Tensor\n\n" +
      "Argument 2: weight: Tensor — the filters\n\n2-D convolution.",
  );
  assert.equal(
    call.markdown.split("\n\n")[0],
    "```typescript\nconv2d(input: Tensor, weight: Tensor): Tensor\n```",
  );
  const named = await inspection(context, "conv2d(t, w", 11, 0);
  assert.match(named.plain, /^const w: Tensor\n\nconv2d\(/);
  // Detail 1: the TypeScript source, and no transpiled JavaScript from the executor.
  const detailed = await inspection(context, "conv2d(t, ", 10, 1);
  assert.match(
    detailed.plain,
    /Source: \/lib\/ops\/conv.ts:24\nexport function conv2d\(/,
  );
  assert.equal((asked.at(-1) as { detail: number }).detail, 0);
});

Deno.test("inspection() finds nothing where neither side does", async () => {
  const found = await inspection(fakeContext(), "nothing", 3, 0);
  assert.deepEqual(found, { found: false, plain: "", markdown: "" });
});
