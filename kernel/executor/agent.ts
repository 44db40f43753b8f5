/**
 * The executor's agent: the only code that runs user cells. It lives in its
 * own Deno process, started by the kernel (../executor_process.ts), reads
 * one JSON command per line on stdin and answers with event frames (see
 * ../agent_protocol.ts). Evaluation: evaluate.ts; the cells' globals:
 * cell_globals.ts; interrupts: interrupt.ts; tracebacks: traceback.ts.
 *
 * Usage (by the kernel only): deno run [permissions] kernel/executor/agent.ts NONCE REPLY_FOLDER
 */
import type { Command } from "../agent_protocol.ts";
import {
  answerInput,
  comms,
  exitExecutor,
  installCellGlobals,
  isExiting,
  rejectInputs,
} from "./cell_globals.ts";
import { connectInspector, evaluate } from "./evaluate.ts";
import { queuedSent, send, sendFromTask, sendSync } from "./events.ts";
import { completeAt, inspectAt } from "./introspect.ts";
import { interruptCell, Interrupted } from "./interrupt.ts";
import { errorContent, installStackTraces } from "./traceback.ts";

installStackTraces();
installCellGlobals();

// Errors after a cell returned (timers, forgotten promises) must not kill the
// executor silently: report them, and the kernel shows them in the current cell.
globalThis.addEventListener("error", (event) => {
  event.preventDefault();
  send({ type: "late_error", ...errorContent(event.error ?? event.message) });
});
globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  send({ type: "late_error", ...errorContent(event.reason) });
});

const session = connectInspector();

async function handle(command: Command): Promise<void> {
  switch (command.op) {
    case "eval": {
      comms.beginCell(command.msgId);
      let event;
      try {
        event = await evaluate(session, command);
      } finally {
        comms.endCell();
      }
      if (isExiting()) return; // no reply: the kernel sees the exit instead
      await queuedSent(); // the cell's displays precede its reply
      // Everything the cell wrote to stderr precedes this marker.
      sendSync(command.id);
      send(event);
      break;
    }
    case "interrupt":
      interruptCell();
      rejectInputs(new Interrupted());
      break;
    case "comm":
      // At once, also while a cell runs: it sees the effect at its next await.
      comms.receive(command);
      // After the frames its handlers sent (same queue): the kernel publishes
      // the message's idle on this answer.
      sendFromTask({ type: "reply", id: command.id, value: { handled: true } });
      break;
    case "frontend_widgets":
      comms.markFrontendWidgets();
      break;
    case "input_reply":
      answerInput(command);
      break;
    case "complete": {
      const value = await completeAt(session, command.code, command.cursor);
      send({ type: "reply", id: command.id, value });
      break;
    }
    case "inspect": {
      const value = await inspectAt(
        session,
        command.code,
        command.cursor,
        command.detail,
      );
      send({ type: "reply", id: command.id, value });
      break;
    }
    default:
      command satisfies never;
  }
}

async function readCommands(): Promise<void> {
  const decoder = new TextDecoder();
  // The start of a line whose newline has not come, in chunks: searching a
  // string grown by `+=` copies it, which made a command of megabytes (a comm
  // message with an image) cost quadratic time.
  let partial: string[] = [];
  for await (const chunk of Deno.stdin.readable) {
    let text = decoder.decode(chunk, { stream: true });
    let newline;
    while ((newline = text.indexOf("\n")) >= 0) {
      partial.push(text.slice(0, newline));
      const line = partial.join("");
      partial = [];
      text = text.slice(newline + 1);
      // Commands run concurrently: an interrupt must reach a cell that awaits.
      handle(JSON.parse(line) as Command).catch((error) =>
        send({ type: "late_error", ...errorContent(error) })
      );
    }
    if (text !== "") partial.push(text);
  }
  // The kernel closed our stdin: it is gone or wants us gone.
  exitExecutor(0);
}

// Ctrl-C in the terminal that runs Jupyter reaches the whole process group:
// the kernel turns its copy into an interrupt, so the executor ignores its own.
Deno.addSignalListener("SIGINT", () => {});

send({ type: "ready" });
await readCommands();
