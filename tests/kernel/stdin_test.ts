import assert from "node:assert/strict";
import { Session } from "../../kernel/session.ts";
import type { Outbox } from "../../kernel/sockets.ts";
import { StdinChannel } from "../../kernel/stdin.ts";
import type { Message } from "../../kernel/wire.ts";
import { request } from "./_fake_context.ts";

function channel() {
  const sent: Message[] = [];
  const outbox = {
    send: (message: Message) => {
      sent.push(message);
      return Promise.resolve();
    },
  } as unknown as Outbox;
  const stdin = new StdinChannel(new Session(), outbox, {
    debug() {},
    warn() {},
  });
  return { sent, stdin };
}

function inputReply(value: string, parent: Message["header"] | null): Message {
  const reply = request("input_reply", { value });
  return { ...reply, parent_header: parent ?? {} };
}

Deno.test("StdinChannel takes only the input_reply to the pending input_request", async () => {
  const { sent, stdin } = channel();
  const answer = stdin.ask(request("execute_request", {}), "Name? ", false);
  await Promise.resolve();
  const asked = sent[0];
  assert.equal(asked.header.msg_type, "input_request");
  stdin.receive(inputReply("stale", { ...asked.header, msg_id: "other" }));
  stdin.receive(inputReply("Ada", asked.header));
  assert.equal(await answer, "Ada");
});

Deno.test("StdinChannel accepts a reply without parent header (jupyter_client's input())", async () => {
  const { stdin } = channel();
  const answer = stdin.ask(request("execute_request", {}), "", false);
  await Promise.resolve();
  stdin.receive(inputReply("yes", null));
  assert.equal(await answer, "yes");
});

Deno.test("StdinChannel: a reply that came before the question does not answer it", async () => {
  const { stdin } = channel();
  stdin.receive(inputReply("early", null));
  const answer = stdin.ask(request("execute_request", {}), "", false);
  await Promise.resolve();
  stdin.receive(inputReply("asked", null));
  assert.equal(await answer, "asked");
});
