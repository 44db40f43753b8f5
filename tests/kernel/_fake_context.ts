/**
 * A HandlerContext without sockets or executor, for unit tests of handlers:
 * it records every reply and publication, and answers `run` and `ask` with
 * what the test scripts.
 */
import type { Evaluation } from "../../kernel/agent_protocol.ts";
import type { HandlerContext } from "../../kernel/handler_context.ts";
import { History } from "../../kernel/history.ts";
import type { Message } from "../../kernel/wire.ts";

/** One recorded reply or iopub message. */
export interface Sent {
  kind: "reply" | "publish";
  msgType: string;
  content: Record<string, unknown>;
  /** Binary buffers of a publication (comms). */
  buffers?: Uint8Array[];
}

/** The fake and what it recorded. */
export interface FakeContext extends HandlerContext {
  sent: Sent[];
  ran: string[];
  /** The cells added to the language service's history. */
  added: string[];
  aborted: boolean;
  /** The comm messages forwarded to the executor. */
  forwarded: Message[];
  /** What openComms answers: comm_id to target name. */
  comms: Record<string, string>;
}

/**
 * Makes a fake context.
 *
 * @param evaluate answers `run(code)`
 * @returns the fake
 */
export function fakeContext(
  evaluate: (code: string) => Evaluation = () => ({
    type: "done",
    id: "x",
    status: "ok",
    result: null,
  }),
): FakeContext {
  let count = 0;
  const fake: FakeContext = {
    sent: [],
    ran: [],
    added: [],
    aborted: false,
    forwarded: [],
    comms: {},
    logger: { debug() {}, warn() {} },
    history: new History(),
    reply: (_request, _channel, msgType, content) => {
      fake.sent.push({ kind: "reply", msgType, content });
      return Promise.resolve();
    },
    publish: (msgType, content, _parent, extras) => {
      fake.sent.push({
        kind: "publish",
        msgType,
        content,
        ...(extras?.buffers ? { buffers: extras.buffers } : {}),
      });
      return Promise.resolve();
    },
    executionCount: () => count,
    countCell: () => ++count,
    isAborted: () => fake.aborted,
    abortQueued: () => {
      fake.aborted = true;
      return Promise.resolve();
    },
    beginRequest() {},
    run: (code) => {
      fake.ran.push(code);
      return Promise.resolve(evaluate(code));
    },
    addRanCell: (code) => {
      fake.added.push(code);
    },
    ask: () => Promise.resolve(null),
    quickInfo: () => Promise.resolve(null),
    signatureHelp: () => Promise.resolve(null),
    completions: () => Promise.resolve(null),
    completeness: () => Promise.resolve({ status: "complete" }),
    forwardComm: (message) => {
      fake.forwarded.push(message);
      return Promise.resolve();
    },
    openComms: (targetName) =>
      Object.fromEntries(
        Object.entries(fake.comms).filter(([, target]) =>
          targetName === undefined || target === targetName
        ).map(([id, target]) => [id, { target_name: target }]),
      ),
    interrupt: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  return fake;
}

/**
 * A request message as handlers receive it.
 *
 * @param msgType the request type
 * @param content its content
 * @returns the message
 */
export function request(
  msgType: string,
  content: Record<string, unknown>,
): Message {
  return {
    identities: [],
    header: {
      msg_id: crypto.randomUUID(),
      session: "test",
      username: "test",
      date: new Date().toISOString(),
      msg_type: msgType,
      version: "5.3",
    },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}
