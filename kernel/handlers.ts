/**
 * What the kernel does for each request type: a table keyed by message type
 * (spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html).
 * Each handler sends its reply; the kernel wraps it in busy/idle status.
 */
import { PROTOCOL_VERSION } from "./wire.ts";
import { execute } from "./execute.ts";
import type { Handler } from "./handler_context.ts";
import type { HistoryQuery } from "./history.ts";
import { codePoints, toIndex } from "./agent_protocol.ts";
import type { SymbolInfo } from "./language_service.ts";

export type { Handler };

/** Every message type the kernel answers. */
export type RequestType =
  | "kernel_info_request"
  | "execute_request"
  | "complete_request"
  | "inspect_request"
  | "is_complete_request"
  | "history_request"
  | "comm_info_request"
  | "comm_open"
  | "comm_msg"
  | "comm_close"
  | "shutdown_request"
  | "interrupt_request";

/** How long a completion or inspection may wait for a busy executor. */
const ASK_TIMEOUT_MS = 1000;

const kernelInfo: Handler = async (context, request, channel) => {
  await context.reply(request, channel, "kernel_info_reply", {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "deno-webgpu",
    implementation_version: "0.1.0",
    language_info: {
      name: "typescript",
      version: Deno.version.typescript,
      mimetype: "text/typescript",
      file_extension: ".ts",
      codemirror_mode: { name: "javascript", typescript: true },
      pygments_lexer: "typescript",
      nbconvert_exporter: "script",
    },
    banner:
      `Deno WebGPU kernel: TypeScript cells on Deno ${Deno.version.deno} (V8 ${Deno.version.v8}).\n` +
      "Globals: display, clearOutput, html, md, svg, image, plot, input, comms.",
    help_links: [
      { text: "Deno manual", url: "https://docs.deno.com/runtime/" },
      {
        text: "WebGPU API",
        url: "https://developer.mozilla.org/en-US/docs/Web/API/WebGPU_API",
      },
      {
        text: "TypeScript handbook",
        url: "https://www.typescriptlang.org/docs/handbook/",
      },
    ],
    debugger: false,
  });
};

const complete: Handler = async (context, request, channel) => {
  const code = String(request.content.code ?? "");
  const cursor = clampCursor(request.content.cursor_pos, code);
  const answer = await context.ask({
    op: "complete",
    id: crypto.randomUUID(),
    code,
    cursor,
  }, ASK_TIMEOUT_MS);
  const found = answer ?? { matches: [], start: cursor, end: cursor };
  await context.reply(request, channel, "complete_reply", {
    status: "ok",
    matches: found.matches,
    cursor_start: found.start,
    cursor_end: found.end,
    metadata: {},
  });
};

// Types and doc comments come from the TypeScript language service over the
// cells run so far; the value (or a function's signature) from the live session.
const inspect: Handler = async (context, request, channel) => {
  const code = String(request.content.code ?? "");
  const cursor = clampCursor(request.content.cursor_pos, code);
  const detail = Number(request.content.detail_level ?? 0);
  const live = context.ask({
    op: "inspect",
    id: crypto.randomUUID(),
    code,
    cursor,
    detail,
  }, ASK_TIMEOUT_MS);
  let typed: SymbolInfo | null = null;
  try {
    typed = await context.quickInfo(code, toIndex(code, cursor));
  } catch (error) {
    context.logger.debug(`the language service failed: ${error}`);
  }
  const answer = await live;
  const liveText = answer?.found ? answer.text : "";
  const found = typed !== null || liveText !== "";
  const plain = [typed?.display, typed?.documentation, liveText].filter((
    part,
  ) => part).join("\n\n");
  const markdown = [
    typed ? "```typescript\n" + typed.display + "\n```" : "",
    typed?.documentation ?? "",
    liveText ? "```\n" + liveText + "\n```" : "",
  ].filter((part) => part).join("\n\n");
  const data = found ? { "text/plain": plain, "text/markdown": markdown } : {};
  await context.reply(request, channel, "inspect_reply", {
    status: "ok",
    found,
    data,
    metadata: {},
  });
};

const isComplete: Handler = async (context, request, channel) => {
  await context.reply(
    request,
    channel,
    "is_complete_reply",
    await context.completeness(String(request.content.code ?? "")),
  );
};

const history: Handler = async (context, request, channel) => {
  const entries = context.history.query(request.content as HistoryQuery);
  await context.reply(request, channel, "history_reply", {
    status: "ok",
    history: entries,
  });
};

// The comm targets live in the executor: the kernel forwards the frontend's
// comm messages there at once (the executor answers an unknown target with
// comm_close), and lists the open comms from its own record.
const commInfo: Handler = async (context, request, channel) => {
  const target = request.content.target_name;
  await context.reply(request, channel, "comm_info_reply", {
    status: "ok",
    comms: context.openComms(
      typeof target === "string" && target !== "" ? target : undefined,
    ),
  });
};

// The kernel's idle follows the handlers' run (ipywidgets sends a widget's
// next update on it), so the handler waits for the executor.
const commForward: Handler = (context, request) => context.forwardComm(request);

const shutdown: Handler = async (context, request, channel) => {
  const restart = request.content.restart === true;
  await context.reply(request, channel, "shutdown_reply", {
    status: "ok",
    restart,
  });
  // The client restarts a kernel by starting a new process, so both cases end this one.
  queueMicrotask(() => context.shutdown());
};

const interrupt: Handler = async (context, request, channel) => {
  await context.interrupt();
  await context.reply(request, channel, "interrupt_reply", { status: "ok" });
};

/** The handler table. */
export const HANDLERS: Record<RequestType, Handler> = {
  kernel_info_request: kernelInfo,
  execute_request: execute,
  complete_request: complete,
  inspect_request: inspect,
  is_complete_request: isComplete,
  history_request: history,
  comm_info_request: commInfo,
  comm_open: commForward,
  comm_msg: commForward,
  comm_close: commForward,
  shutdown_request: shutdown,
  interrupt_request: interrupt,
};

/**
 * Whether the kernel has a handler for a message type.
 *
 * @param type a msg_type from a header
 * @returns true for the types in the table
 */
export function isRequestType(type: string): type is RequestType {
  return Object.hasOwn(HANDLERS, type);
}

function clampCursor(cursor: unknown, code: string): number {
  const length = codePoints(code);
  return typeof cursor === "number" && Number.isInteger(cursor)
    ? Math.max(0, Math.min(cursor, length))
    : length;
}
