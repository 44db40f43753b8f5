import assert from "node:assert/strict";
import { CommRelay } from "../../kernel/comm_relay.ts";
import { request } from "./_fake_context.ts";

Deno.test("frontend comm messages become executor frames with base64 buffers and their cause", () => {
  const relay = new CommRelay();
  const open = request("comm_open", {
    comm_id: "c1",
    target_name: "echo",
    data: { a: 1 },
  });
  open.metadata = { version: "2.1.0" };
  open.buffers = [new Uint8Array([1, 2, 3])];
  assert.deepEqual(relay.fromFrontend(open), {
    ok: true,
    frame: {
      kind: "open",
      commId: "c1",
      targetName: "echo",
      data: { a: 1 },
      metadata: { version: "2.1.0" },
      buffers: ["AQID"],
      cause: open.header.msg_id,
    },
  });
  assert.deepEqual(relay.list(), { c1: { target_name: "echo" } });
  // comm_close without data reads as {}; it leaves the list.
  const close = relay.fromFrontend(request("comm_close", { comm_id: "c1" }));
  assert.ok(close.ok && close.frame.kind === "close");
  assert.deepEqual(close.ok && close.frame.data, {});
  assert.deepEqual(relay.list(), {});
});

Deno.test("malformed comm messages are refused with a reason", () => {
  const relay = new CommRelay();
  const problems = [
    request("comm_msg", { data: {} }),
    request("comm_msg", { comm_id: 7, data: {} }),
    request("comm_msg", { comm_id: "c" }),
    request("comm_msg", { comm_id: "c", data: [1] }),
    request("comm_open", { comm_id: "c", data: {} }),
    request("execute_request", { comm_id: "c", data: {} }),
  ].map((message) => {
    const checked = relay.fromFrontend(message);
    assert.ok(!checked.ok);
    return checked.problem;
  });
  assert.match(problems[0], /comm_msg without a comm_id/);
  assert.match(problems[1], /without a comm_id/);
  assert.match(problems[2], /comm_msg for comm c whose data is not an object/);
  assert.match(problems[3], /not an object \(\[1\]\)/);
  assert.match(problems[4], /without a target_name/);
  assert.match(problems[5], /not a comm message/);
  assert.deepEqual(relay.list(), {});
});

Deno.test("executor frames become iopub messages; the list follows both sides and filters by target", () => {
  const relay = new CommRelay();
  const cause = request("comm_msg", { comm_id: "f1", data: {} });
  relay.fromFrontend(request("comm_open", {
    comm_id: "f1",
    target_name: "t",
    data: {},
  }));
  relay.fromFrontend(cause);
  const opened = relay.fromExecutor({
    kind: "open",
    commId: "k1",
    targetName: "jupyter.widget",
    data: { state: {} },
    metadata: { version: "2.1.0" },
    buffers: ["/w=="],
  });
  assert.deepEqual(opened, {
    msgType: "comm_open",
    content: {
      comm_id: "k1",
      target_name: "jupyter.widget",
      data: { state: {} },
    },
    metadata: { version: "2.1.0" },
    buffers: [new Uint8Array([255])],
    cause: undefined,
  });
  const answer = relay.fromExecutor({
    kind: "msg",
    commId: "f1",
    data: { x: 1 },
    metadata: {},
    buffers: [],
    cause: cause.header.msg_id,
  });
  assert.equal(answer.msgType, "comm_msg");
  assert.deepEqual(answer.content, { comm_id: "f1", data: { x: 1 } });
  assert.equal(answer.cause, cause);
  assert.deepEqual(relay.list("jupyter.widget"), {
    k1: { target_name: "jupyter.widget" },
  });
  assert.deepEqual(Object.keys(relay.list()), ["f1", "k1"]);
  // The executor closes the frontend's comm (an unknown target, say).
  relay.fromExecutor({
    kind: "close",
    commId: "f1",
    data: {},
    metadata: {},
    buffers: [],
  });
  assert.deepEqual(Object.keys(relay.list()), ["k1"]);
  // A replaced executor takes its comms along.
  assert.deepEqual(relay.executorReplaced(), ["k1"]);
  assert.deepEqual(relay.list(), {});
});

Deno.test("the widget control comm marks the frontend for good", () => {
  const relay = new CommRelay();
  assert.equal(relay.frontendHasWidgets, false);
  relay.fromFrontend(request("comm_open", {
    comm_id: "w",
    target_name: "jupyter.widget.control",
  }));
  relay.executorReplaced();
  assert.equal(relay.frontendHasWidgets, true);
});
