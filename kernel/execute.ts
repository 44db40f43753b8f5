/**
 * execute_request (spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#execute):
 * count, echo the input, transpile, evaluate in the executor, publish the
 * result or error, evaluate user_expressions, reply. Every output of the
 * request is published before the kernel goes idle.
 */
import type { ErrorContent } from "./agent_protocol.ts";
import type { ExecuteContext, Handler } from "./handler_context.ts";
import type { Message } from "./wire.ts";

/** The execute_request handler. */
export const execute: Handler = (context, request, channel) =>
  executeRequest(context, request, channel);

/**
 * Runs one execute_request against an ExecuteContext.
 *
 * @param kernel what the handler may use
 * @param request the execute_request
 * @param channel where it came from
 */
export async function executeRequest(
  kernel: ExecuteContext,
  request: Message,
  channel: Parameters<Handler>[2],
): Promise<void> {
  const content = request.content;
  const code = typeof content.code === "string" ? content.code : "";
  const silent = content.silent === true;
  const storeHistory = !silent && content.store_history !== false;
  const stopOnError = content.stop_on_error !== false;

  if (kernel.aborting()) {
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
  const evaluation = code.trim() === "" ? null : await kernel.run(code, name);

  if (evaluation?.status === "error") {
    const error: ErrorContent = {
      ename: evaluation.ename,
      evalue: evaluation.evalue,
      traceback: evaluation.traceback,
    };
    if (!silent) kernel.publish("error", { ...error }, request);
    // stop_on_error: requests queued behind this one are answered "aborted".
    if (stopOnError) await kernel.abortQueued();
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
  if (storeHistory && evaluation) kernel.addRanCell(code);
  const userExpressions = await evaluateUserExpressions(kernel, request);
  await kernel.reply(request, channel, "execute_reply", {
    status: "ok",
    execution_count: count,
    user_expressions: userExpressions,
    payload: [],
  });
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
