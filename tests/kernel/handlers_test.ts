import assert from "node:assert/strict";
import { HANDLERS, isRequestType } from "../../kernel/handlers.ts";
import { fakeContext, request } from "./_fake_context.ts";

Deno.test("complete_request answers the executor's matches, or none when it is busy", async () => {
  const context = fakeContext();
  context.ask = (question) =>
    Promise.resolve(
      question.op === "complete"
        ? { matches: ["alpha"], start: 0, end: 2 } as never
        : null,
    );
  await HANDLERS.complete_request(
    context,
    request("complete_request", { code: "al", cursor_pos: 2 }),
    "shell",
  );
  assert.deepEqual(context.sent[0].content, {
    status: "ok",
    matches: ["alpha"],
    cursor_start: 0,
    cursor_end: 2,
    metadata: {
      _jupyter_types_experimental: [
        { start: 0, end: 2, text: "alpha", type: "<unknown>" },
      ],
    },
  });
  const busy = fakeContext();
  await HANDLERS.complete_request(
    busy,
    request("complete_request", { code: "al", cursor_pos: 99 }),
    "shell",
  );
  assert.deepEqual(busy.sent[0].content.matches, []);
  assert.equal(
    busy.sent[0].content.cursor_start,
    2,
    "the cursor is clamped to the code",
  );
});

Deno.test("complete_request puts the language service's items first and waits for no executor after a typed value", async () => {
  const context = fakeContext();
  let asked = 0;
  context.ask = () => {
    asked++;
    return new Promise(() => {}); // a busy executor that never answers
  };
  context.completions = () =>
    Promise.resolve({
      items: [{ text: "shape", type: "property", tier: 0 }],
      start: 2,
      end: 4,
      context: "member",
    });
  const started = performance.now();
  await HANDLERS.complete_request(
    context,
    request("complete_request", { code: "t.sh", cursor_pos: 4 }),
    "shell",
  );
  assert.ok(
    performance.now() - started < 900,
    "it did not wait for the executor",
  );
  assert.equal(asked, 1);
  assert.deepEqual(context.sent[0].content.matches, ["shape"]);
  assert.equal(context.sent[0].content.cursor_start, 2);

  const scope = fakeContext();
  scope.ask = () =>
    Promise.resolve(
      {
        matches: ["display", "hasOwnProperty", "values"],
        types: ["function", "function", "variable"],
        start: 0,
        end: 0,
      } as never,
    );
  scope.completions = () =>
    Promise.resolve({
      items: [{ text: "values", type: "variable", tier: 0 }],
      start: 0,
      end: 0,
      context: "scope",
    });
  await HANDLERS.complete_request(
    scope,
    request("complete_request", { code: "", cursor_pos: 0 }),
    "shell",
  );
  const reply = scope.sent[0].content;
  assert.deepEqual(reply.matches, ["values", "display", "hasOwnProperty"]);
  assert.deepEqual(
    (reply.metadata as {
      _jupyter_types_experimental: { type: string }[];
    })._jupyter_types_experimental.map((match) => match.type),
    ["variable", "function", "function"],
  );
});

Deno.test("inspect_request joins the language service's type with the live value", async () => {
  const context = fakeContext();
  context.quickInfo = () =>
    Promise.resolve({ display: "const x: number", documentation: "" });
  context.ask = () => Promise.resolve({ found: true, text: "3" } as never);
  await HANDLERS.inspect_request(
    context,
    request("inspect_request", { code: "x", cursor_pos: 1 }),
    "shell",
  );
  const reply = context.sent[0].content;
  assert.equal(reply.found, true);
  assert.equal(
    (reply.data as Record<string, string>)["text/plain"],
    "const x: number\n\n3",
  );
});

Deno.test("is_complete_request, history_request and comm_info_request reply from the context", async () => {
  const context = fakeContext();
  context.completeness = () =>
    Promise.resolve({ status: "incomplete", indent: "  " });
  context.history.add(1, "a = 1");
  await HANDLERS.is_complete_request(
    context,
    request("is_complete_request", { code: "{" }),
    "shell",
  );
  await HANDLERS.history_request(
    context,
    request("history_request", { hist_access_type: "tail", n: 5 }),
    "shell",
  );
  await HANDLERS.comm_info_request(
    context,
    request("comm_info_request", {}),
    "shell",
  );
  assert.deepEqual(context.sent.map((s) => s.msgType), [
    "is_complete_reply",
    "history_reply",
    "comm_info_reply",
  ]);
  assert.deepEqual(context.sent[0].content, {
    status: "incomplete",
    indent: "  ",
  });
  assert.equal((context.sent[1].content.history as unknown[]).length, 1);
});

Deno.test("interrupt_request interrupts before it replies", async () => {
  const context = fakeContext();
  const order: string[] = [];
  context.interrupt = () => {
    order.push("interrupt");
    return Promise.resolve();
  };
  const reply = context.reply;
  context.reply = (...args) => {
    order.push(args[2]);
    return reply(...args);
  };
  await HANDLERS.interrupt_request(
    context,
    request("interrupt_request", {}),
    "control",
  );
  assert.deepEqual(order, ["interrupt", "interrupt_reply"]);
});

Deno.test("comm_open, comm_msg and comm_close go to the executor unanswered", async () => {
  const context = fakeContext();
  const messages = [
    request("comm_open", { comm_id: "c1", target_name: "t", data: {} }),
    request("comm_msg", { comm_id: "c1", data: { x: 1 } }),
    request("comm_close", { comm_id: "c1", data: {} }),
  ];
  for (const message of messages) {
    await HANDLERS[message.header.msg_type as "comm_msg"](
      context,
      message,
      "shell",
    );
  }
  assert.deepEqual(context.forwarded, messages);
  assert.deepEqual(context.sent, [], "the executor answers, not the handler");
});

Deno.test("comm_info_request lists the open comms, filtered by target_name", async () => {
  const context = fakeContext();
  context.comms = { a: "jupyter.widget", b: "other", c: "jupyter.widget" };
  for (
    const content of [{}, { target_name: "jupyter.widget" }, {
      target_name: "none",
    }]
  ) {
    await HANDLERS.comm_info_request(
      context,
      request("comm_info_request", content),
      "shell",
    );
  }
  assert.deepEqual(context.sent.map((s) => s.content), [
    {
      status: "ok",
      comms: {
        a: { target_name: "jupyter.widget" },
        b: { target_name: "other" },
        c: { target_name: "jupyter.widget" },
      },
    },
    {
      status: "ok",
      comms: {
        a: { target_name: "jupyter.widget" },
        c: { target_name: "jupyter.widget" },
      },
    },
    { status: "ok", comms: {} },
  ]);
});

Deno.test("isRequestType() knows the table and nothing else", () => {
  assert.ok(isRequestType("execute_request"));
  assert.ok(!isRequestType("toString"));
});
