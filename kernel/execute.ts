/**
 * execute_request (spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#execute):
 * count, echo the input, transpile, evaluate in the executor, publish the
 * result or error, evaluate user_expressions, reply. Every output of the
 * request is published before the kernel goes idle.
 */
import type { ErrorContent } from "./agent_protocol.ts";
import type { Evaluation } from "./executor.ts";
import type { Handler } from "./handlers.ts";
import type { Kernel } from "./kernel.ts";
import type { Message } from "./wire.ts";
import { runMagic } from "./magics.ts";
import { pagerPayload } from "./pager.ts";
import { withImportHint } from "./import_hint.ts";

let sequence = 0;

/**
 * Transpiles and evaluates code in the executor.
 *
 * @param kernel the kernel
 * @param code TypeScript
 * @param name how tracebacks call it, e.g. "In[3]"
 * @returns the evaluation (syntax errors come back as error evaluations)
 */
export async function runCode(
  kernel: Kernel,
  code: string,
  name: string,
): Promise<Evaluation> {
  const magic = await runMagic(code, name, (c, n) => runCode(kernel, c, n));
  if (magic) return magic;
  const id = `cell${++sequence}`;
  const cell = await kernel.transpile(code);
  if (!cell.ok) {
    const where = `${name}:${cell.line}:${cell.column}`;
    const line = code.split("\n")[cell.line - 1] ?? "";
    return {
      type: "done",
      id,
      status: "error",
      ename: "SyntaxError",
      evalue: `${cell.message} (${where})`,
      traceback: [
        `SyntaxError: ${cell.message}`,
        `    at ${where}`,
        "",
        `  ${line}`,
        `  ${" ".repeat(cell.column - 1)}^`,
      ],
    };
  }
  return withImportHint(
    await kernel.evaluate({
      op: "eval",
      id,
      code: cell.code,
      map: cell.map,
      url: `deno-webgpu-cell:${id}`,
      name,
    }),
  );
}

/** The execute_request handler. */
export const execute: Handler = async (kernel, request, channel) => {
  const content = request.content;
  const code = typeof content.code === "string" ? content.code : "";
  const silent = content.silent === true;
  const storeHistory = !silent && content.store_history !== false;
  const stopOnError = content.stop_on_error !== false;

  if (kernel.aborting) {
    await kernel.reply(request, channel, "execute_reply", {
      status: "aborted",
      execution_count: kernel.executionCount,
    });
    return;
  }
  if (storeHistory) {
    kernel.executionCount++;
    kernel.history.add(kernel.executionCount, code);
  }
  const count = kernel.executionCount;
  kernel.currentRequest = request;
  if (!silent) {
    kernel.publish(
      "execute_input",
      { code, execution_count: count },
      request,
    );
  }

  const name = storeHistory ? `In[${count}]` : "In[ ]";
  const page = await pagerPayload(kernel, code); // `name?`: nothing runs
  const evaluation = code.trim() === "" || page
    ? null
    : await runCode(kernel, code, name);

  if (evaluation?.status === "error") {
    const error: ErrorContent = {
      ename: evaluation.ename,
      evalue: evaluation.evalue,
      traceback: evaluation.traceback,
    };
    if (!silent) kernel.publishError(error, request);
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
    payload: page ?? [],
  });
};

async function evaluateUserExpressions(
  kernel: Kernel,
  request: Message,
): Promise<Record<string, unknown>> {
  const expressions = request.content.user_expressions;
  const results: Record<string, unknown> = {};
  if (typeof expressions !== "object" || expressions === null) return results;
  for (const [key, expression] of Object.entries(expressions)) {
    // Parenthesised so that `{a: 1}` is an object, not a block.
    const evaluation = await runCode(
      kernel,
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
