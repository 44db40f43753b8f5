import assert from "node:assert/strict";
import { executeRequest } from "../../kernel/execute.ts";
import { fakeContext, request } from "./_fake_context.ts";

const types = (sent: { kind: string; msgType: string }[]) =>
  sent.map((s) => `${s.kind}:${s.msgType}`);

Deno.test("execute counts a stored cell, echoes it, publishes the result and replies ok", async () => {
  const context = fakeContext(() => ({
    type: "done",
    id: "c",
    status: "ok",
    result: { "text/plain": "42" },
  }));
  await executeRequest(
    context,
    request("execute_request", { code: "40 + 2" }),
    "shell",
  );
  assert.deepEqual(types(context.sent), [
    "publish:execute_input",
    "publish:execute_result",
    "reply:execute_reply",
  ]);
  assert.deepEqual(context.sent[0].content, {
    code: "40 + 2",
    execution_count: 1,
  });
  assert.equal(context.sent[2].content.status, "ok");
  assert.equal(
    context.history.query({ hist_access_type: "tail", n: 1, output: true })
      .length,
    1,
  );
  assert.deepEqual(context.ran, ["40 + 2"]);
});

Deno.test("execute with silent does not count, echo or publish a result", async () => {
  const context = fakeContext(() => ({
    type: "done",
    id: "c",
    status: "ok",
    result: { "text/plain": "1" },
  }));
  await executeRequest(
    context,
    request("execute_request", { code: "1", silent: true }),
    "shell",
  );
  assert.deepEqual(types(context.sent), ["reply:execute_reply"]);
  assert.equal(context.sent[0].content.execution_count, 0);
});

Deno.test("execute of a failing cell publishes the error, aborts the queue and replies error", async () => {
  const context = fakeContext(() => ({
    type: "done",
    id: "c",
    status: "error",
    ename: "Error",
    evalue: "boom",
    traceback: ["Error: boom"],
  }));
  await executeRequest(
    context,
    request("execute_request", { code: "throw 1" }),
    "shell",
  );
  assert.deepEqual(types(context.sent), [
    "publish:execute_input",
    "publish:error",
    "reply:execute_reply",
  ]);
  assert.equal(context.aborted, true);
  assert.deepEqual(context.sent[2].content, {
    status: "error",
    execution_count: 1,
    ename: "Error",
    evalue: "boom",
    traceback: ["Error: boom"],
  });
});

Deno.test("execute while aborting replies aborted without running the cell", async () => {
  const context = fakeContext();
  context.aborted = true;
  await executeRequest(
    context,
    request("execute_request", { code: "1" }),
    "shell",
  );
  assert.deepEqual(context.ran, []);
  assert.deepEqual(context.sent.map((s) => s.content.status), ["aborted"]);
});

Deno.test("execute evaluates user_expressions after the cell, each in parentheses", async () => {
  const context = fakeContext((code) => ({
    type: "done",
    id: "c",
    status: "ok",
    result: { "text/plain": code.length > 5 ? "expr" : "cell" },
  }));
  await executeRequest(
    context,
    request("execute_request", { code: "1", user_expressions: { a: "x + 1" } }),
    "shell",
  );
  assert.deepEqual(context.ran, ["1", "(x + 1\n)"]);
  const reply = context.sent.at(-1)!.content;
  assert.deepEqual(reply.user_expressions, {
    a: { status: "ok", data: { "text/plain": "expr" }, metadata: {} },
  });
});
