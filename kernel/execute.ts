/**
 * execute_request (spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#execute):
 * count, echo the input, transpile, evaluate in the executor, publish the
 * result or error, evaluate user_expressions, reply. Every output of the
 * request is published before the kernel goes idle.
 */
import type { ErrorContent } from "./agent_protocol.ts";
import type { Evaluation } from "./agent_protocol.ts";
import type { ExecuteContext, Handler } from "./handler_context.ts";
import { runChecked } from "./checked_run.ts";
import { withImportHint } from "./import_hint.ts";
import { runMagic } from "./magics.ts";
import { type PagerContext, pagerPayload } from "./pager.ts";
import type { Message } from "./wire.ts";

/** The execute_request handler. */
export const execute: Handler = (context, request, channel) =>
  executeRequest(context, request, channel, context);

/**
 * Runs one execute_request against an ExecuteContext.
 *
 * @param kernel what the handler may use
 * @param request the execute_request
 * @param channel where it came from
 * @param pager answers `name?` cells with a pager payload; without it they run as code
 */
export async function executeRequest(
  kernel: ExecuteContext,
  request: Message,
  channel: Parameters<Handler>[2],
  pager?: PagerContext,
): Promise<void> {
  const content = request.content;
  const code = typeof content.code === "string" ? content.code : "";
  const silent = content.silent === true;
  const storeHistory = !silent && content.store_history !== false;
  const stopOnError = content.stop_on_error !== false;

  if (kernel.isAborted(request)) {
    await kernel.reply(request, channel, "execute_reply", {
      status: "aborted",
      execution_count: kernel.executionCount(),
    });
    return;
  }
  const count = storeHistory ? kernel.countCell() : kernel.executionCount();
  if (storeHistory) kernel.history.add(count, code);
  kernel.beginRequest(request);
  if (!silent) {
    kernel.publish(
      "execute_input",
      { code, execution_count: count },
      request,
    );
  }

  const name = storeHistory ? `In[${count}]` : "In[ ]";
  // `name?`: nothing runs, the reply carries the page.
  const page = pager ? await pagerPayload(pager, code) : null;
  const evaluation = code.trim() === "" || page
    ? null
    : storeHistory
    ? await runChecked(
      kernel,
      request,
      code,
      name,
      () => runCell(kernel, code, name),
    )
    : await runCell(kernel, code, name);

  if (evaluation?.status === "error") {
    const error: ErrorContent = {
      ename: evaluation.ename,
      evalue: evaluation.evalue,
      traceback: evaluation.traceback,
    };
    // stop_on_error: requests queued behind this one are answered "aborted".
    // Marked before the error is published, so that a client reacting to
    // the iopub error cannot have its next request counted among them.
    if (stopOnError) await kernel.abortQueued();
    if (!silent) kernel.publish("error", { ...error }, request);
    await kernel.reply(request, channel, "execute_reply", {
      status: "error",
      execution_count: count,
      ...error,
    });
    return;
  }
  if (evaluation?.result && !silent) {
    kernel.publish("execute_result", {
      execution_count: count,
      data: evaluation.result,
      metadata: {},
    }, request);
    const plain = evaluation.result["text/plain"];
    if (storeHistory && typeof plain === "string") {
      kernel.history.setOutput(count, plain);
    }
  }
  const userExpressions = await evaluateUserExpressions(kernel, request);
  await kernel.reply(request, channel, "execute_reply", {
    status: "ok",
    execution_count: count,
    user_expressions: userExpressions,
    payload: page ?? [],
  });
}

/**
 * Runs a cell: a `%` magic, or code whose failed import of lib/mod.ts gets a hint.
 *
 * @param kernel what runs code
 * @param code the cell
 * @param name how tracebacks call it
 * @returns the evaluation
 */
async function runCell(
  kernel: ExecuteContext,
  code: string,
  name: string,
): Promise<Evaluation> {
  const magic = await runMagic(code, name, (c, n) => runCell(kernel, c, n));
  if (magic) return magic;
  return withImportHint(await kernel.run(code, name));
}

async function evaluateUserExpressions(
  kernel: ExecuteContext,
  request: Message,
): Promise<Record<string, unknown>> {
  const expressions = request.content.user_expressions;
  const results: Record<string, unknown> = {};
  if (typeof expressions !== "object" || expressions === null) return results;
  for (const [key, expression] of Object.entries(expressions)) {
    // Parenthesised so that `{a: 1}` is an object, not a block.
    const evaluation = await kernel.run(
      `(${String(expression)}\n)`,
      `user_expressions.${key}`,
    );
    results[key] = evaluation.status === "ok"
      ? {
        status: "ok",
        data: evaluation.result ?? { "text/plain": "undefined" },
        metadata: {},
      }
      : {
        status: "error",
        ename: evaluation.ename,
        evalue: evaluation.evalue,
        traceback: evaluation.traceback,
      };
  }
  return results;
}
