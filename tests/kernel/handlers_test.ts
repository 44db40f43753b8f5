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
    metadata: {},
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
