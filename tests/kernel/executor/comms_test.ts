import assert from "node:assert/strict";
import type { CommFrame } from "../../../kernel/agent_protocol.ts";
import {
  CommManager,
  COMMS_KEY,
  type KernelComm,
} from "../../../kernel/executor/comms.ts";
import { type Comms, COMMS_KEY as LIB_COMMS_KEY } from "../../../lib/comms.ts";
import { startExecutor } from "../_executor.ts";

/** A manager whose frames and reports are recorded. */
function recorded() {
  const frames: CommFrame[] = [];
  const cellErrors: string[] = [];
  const logs: string[] = [];
  const manager = new CommManager({
    send: (frame) => frames.push(frame),
    cellError: (text) => cellErrors.push(text),
    log: (text) => logs.push(text),
  });
  return { manager, frames, cellErrors, logs };
}

function fromFrontend(
  kind: CommFrame["kind"],
  commId: string,
  extra: Partial<CommFrame> = {},
): CommFrame {
  return { kind, commId, data: {}, metadata: {}, buffers: [], ...extra };
}

/** Lets rejected handler promises be reported. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("the executor's manager is what lib/comms.ts expects, under its key", () => {
  const comms: Comms = recorded().manager; // fails to type-check if the shapes part
  assert.equal(COMMS_KEY, LIB_COMMS_KEY);
  assert.equal(comms.frontendHasWidgets, false);
  assert.equal(comms.currentMessageId, undefined);
});

Deno.test("open, send and close from the kernel make frames with base64 buffers", () => {
  const { manager, frames } = recorded();
  const comm = manager.open("t", { a: 1 }, {
    metadata: { version: "2.1.0" },
    buffers: [new Uint8Array([1, 2, 3]), new Float32Array([1.5]).buffer],
  });
  assert.match(comm.id, /^[0-9a-f]{32}$/);
  assert.notEqual(manager.open("t").id, comm.id);
  comm.send({ b: 2 }, { buffers: [new DataView(new Uint8Array([9]).buffer)] });
  comm.close({ bye: true });
  comm.close(); // once only
  assert.equal(comm.closed, true);
  assert.throws(() => comm.send({}), /is closed/);
  assert.deepEqual(frames.filter((f) => f.commId === comm.id), [
    {
      kind: "open",
      commId: comm.id,
      targetName: "t",
      data: { a: 1 },
      metadata: { version: "2.1.0" },
      buffers: ["AQID", "AADAPw=="],
    },
    {
      kind: "msg",
      commId: comm.id,
      data: { b: 2 },
      metadata: {},
      buffers: ["CQ=="],
    },
    {
      kind: "close",
      commId: comm.id,
      data: { bye: true },
      metadata: {},
      buffers: [],
    },
  ]);
  assert.equal(manager.openCount, 1, "the second comm is still open");
});

Deno.test("what cannot be sent throws where it is sent", () => {
  const { manager, frames } = recorded();
  assert.throws(() => manager.open(""), TypeError);
  const comm = manager.open("t");
  assert.throws(() => comm.send({ n: 1n }), /must be JSON/);
  assert.throws(
    () => comm.send({}, { buffers: ["text" as unknown as Uint8Array] }),
    /buffers must be/,
  );
  assert.throws(
    () => manager.registerTarget("t", "nope" as never),
    /needs a function/,
  );
  assert.equal(frames.length, 1, "only the open left");
});

Deno.test("a frontend comm_open reaches its target with decoded buffers; answers name it as cause", () => {
  const { manager, frames, logs } = recorded();
  let opened: KernelComm | undefined;
  manager.registerTarget("echo", (comm, open) => {
    opened = comm;
    assert.deepEqual(open.data, { hello: 1 });
    assert.deepEqual(open.buffers, [new Uint8Array([0, 255])]);
    comm.send({ ready: true });
    comm.onMessage((m) => comm.send({ echo: m.data }));
  });
  manager.receive(
    fromFrontend("open", "c1", {
      targetName: "echo",
      data: { hello: 1 },
      buffers: ["AP8="],
      cause: "open-msg",
    }),
  );
  assert.equal(opened?.id, "c1");
  assert.equal(opened?.targetName, "echo");
  manager.receive(fromFrontend("msg", "c1", { data: { x: 1 }, cause: "m1" }));
  opened!.send({ later: true });
  assert.deepEqual(
    frames.map((f) => [f.kind, f.data, f.cause]),
    [
      ["msg", { ready: true }, "open-msg"],
      ["msg", { echo: { x: 1 } }, "m1"],
      ["msg", { later: true }, undefined],
    ],
  );
  assert.deepEqual(logs, []);
});

Deno.test("unknown targets are closed and logged; the control target sets the flag", () => {
  const { manager, frames, logs } = recorded();
  manager.receive(fromFrontend("open", "u1", { targetName: "nobody" }));
  manager.receive(
    fromFrontend("open", "w1", { targetName: "jupyter.widget.control" }),
  );
  assert.deepEqual(frames.map((f) => [f.kind, f.commId]), [
    ["close", "u1"],
    ["close", "w1"],
  ]);
  assert.equal(logs.length, 1);
  assert.match(logs[0], /no comm target named "nobody": closed comm u1/);
  assert.equal(manager.frontendHasWidgets, true);
  assert.equal(manager.openCount, 0);
  // Once registered, the control target is served like any other.
  const seen: string[] = [];
  manager.registerTarget(
    "jupyter.widget.control",
    (comm) => comm.onMessage((m) => void seen.push(String(m.data.method))),
  );
  manager.receive(
    fromFrontend("open", "w2", { targetName: "jupyter.widget.control" }),
  );
  manager.receive(
    fromFrontend("msg", "w2", { data: { method: "request_states" } }),
  );
  assert.deepEqual(seen, ["request_states"]);
  manager.unregisterTarget("jupyter.widget.control");
  manager.receive(
    fromFrontend("open", "w3", { targetName: "jupyter.widget.control" }),
  );
  assert.deepEqual(frames.at(-1)?.commId, "w3");
});

Deno.test("messages for unknown or closed comms and duplicate opens are logged, not delivered", () => {
  const { manager, logs } = recorded();
  const seen: unknown[] = [];
  manager.registerTarget(
    "t",
    (comm) => comm.onMessage((m) => void seen.push(m)),
  );
  manager.receive(fromFrontend("msg", "ghost"));
  manager.receive(fromFrontend("close", "ghost"));
  manager.receive(fromFrontend("open", "c", { targetName: "t" }));
  manager.receive(fromFrontend("open", "c", { targetName: "t" }));
  manager.receive(fromFrontend("close", "c"));
  manager.receive(fromFrontend("msg", "c"));
  assert.deepEqual(seen, []);
  assert.equal(logs.length, 4);
  assert.match(logs[0], /comm_msg for unknown comm id "ghost"/);
  assert.match(logs[1], /comm_close for unknown comm id "ghost"/);
  assert.match(logs[2], /open already/);
  assert.match(logs[3], /comm_msg for unknown comm id "c"/);
});

Deno.test("handlers run in order; the frontend's close calls onClose once and sends nothing", () => {
  const { manager, frames } = recorded();
  const calls: string[] = [];
  let comm: KernelComm | undefined;
  manager.registerTarget("t", (c) => {
    comm = c;
    c.onMessage((m) => void calls.push(`first ${m.data.n}`));
    c.onMessage((m) => void calls.push(`second ${m.data.n}`));
    c.onClose((m) => void calls.push(`closed ${m.data.why}`));
  });
  manager.receive(fromFrontend("open", "c", { targetName: "t" }));
  manager.receive(fromFrontend("msg", "c", { data: { n: 1 } }));
  manager.receive(fromFrontend("close", "c", { data: { why: "done" } }));
  assert.deepEqual(calls, ["first 1", "second 1", "closed done"]);
  assert.equal(comm?.closed, true);
  assert.deepEqual(frames, [], "no comm_close goes back");
  comm?.close();
  assert.deepEqual(frames, [], "closing a closed comm sends nothing");
});

Deno.test("a throwing handler goes to the running cell's stderr, else to the log; a failing target closes its comm", async () => {
  const { manager, frames, cellErrors, logs } = recorded();
  manager.registerTarget("t", (comm, open) => {
    if (open.data.fail === "sync") throw new Error("open sync");
    comm.onMessage((m) => {
      if (m.data.sync) throw new Error("sync boom");
      return Promise.reject(new Error("async boom"));
    });
    comm.onClose(() => {
      throw new Error("close boom");
    });
    if (open.data.fail === "async") {
      return Promise.reject(new Error("open async"));
    }
  });
  manager.receive(
    fromFrontend("open", "bad1", { targetName: "t", data: { fail: "sync" } }),
  );
  manager.receive(
    fromFrontend("open", "bad2", { targetName: "t", data: { fail: "async" } }),
  );
  await settle(); // a rejection is reported when it happens
  manager.receive(fromFrontend("open", "c", { targetName: "t" }));
  manager.receive(fromFrontend("msg", "c", { data: { sync: true } }));
  manager.beginCell("exec-1");
  assert.equal(manager.currentMessageId, "exec-1");
  manager.receive(fromFrontend("msg", "c", { data: { sync: true } }));
  manager.receive(fromFrontend("msg", "c"));
  await settle();
  manager.endCell();
  assert.equal(manager.currentMessageId, undefined);
  manager.receive(fromFrontend("close", "c"));
  await settle();
  assert.deepEqual(
    frames.map((f) => [f.kind, f.commId]),
    [["close", "bad1"], ["close", "bad2"]],
  );
  assert.equal(cellErrors.length, 2);
  assert.match(
    cellErrors[0],
    /^Error in a message handler of comm c: Error: sync boom/,
  );
  assert.match(cellErrors[1], /async boom/);
  assert.equal(logs.length, 4);
  assert.match(logs[0], /the handler of comm target "t".*open sync/s);
  assert.match(logs[1], /open async/);
  assert.match(logs[2], /sync boom/);
  assert.match(
    logs[3],
    /Error in a close handler of comm c: Error: close boom/,
  );
});

Deno.test("in a real executor, comms is a cell global and its frames arrive as events", async () => {
  const executor = await startExecutor();
  try {
    const done = await executor.run(
      `const c = comms.open("t", { v: 1 }, { buffers: [new Uint8Array([7])] });
       c.send({ w: 2 });
       [c.id, comms === globalThis[Symbol.for("deno-webgpu.kernel.comms")]]`,
    );
    assert.equal(done.status, "ok");
    const comm = executor.events.filter((e) => e.type === "comm");
    assert.deepEqual(
      comm.map((e) => e.type === "comm" && [e.kind, e.data, e.buffers]),
      [["open", { v: 1 }, ["Bw=="]], ["msg", { w: 2 }, []]],
    );
    const id = comm[0].type === "comm" ? comm[0].commId : "";
    assert.equal(
      done.status === "ok" && done.result?.["text/plain"],
      `[ "${id}", true ]`,
    );
  } finally {
    await executor.stop();
  }
});
