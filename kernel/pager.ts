/**
 * IPython's `name?` and `name??`: a cell that is only a name (or a dotted
 * path) followed by one or two question marks runs nothing and answers with
 * the inspection as a pager payload in execute_reply, as ipykernel does
 * (spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#payloads-deprecated):
 * `{ source: "page", data: { "text/plain", "text/markdown" }, start: 0 }`.
 * `?` asks for the signature and doc comment (detail level 0), `??` also for
 * the source where the live value has one (level 1). What it shows is what
 * inspect_request shows: the type and doc comment from the language service,
 * and the live value (a tensor's shape and a preview).
 */
import { codePoints, toIndex } from "./agent_protocol.ts";
import type { HandlerContext } from "./handler_context.ts";
import type { SymbolInfo } from "./language_service.ts";

/** What the pager needs: the executor's live inspection and the language service. */
export type PagerContext = Pick<HandlerContext, "ask" | "quickInfo" | "logger">;

/** A name, then ? or ??, alone in the cell. */
const PAGER = /^\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*(\?\??)\s*$/;
const ASK_TIMEOUT_MS = 1000;

/** One pager payload entry. */
export interface PagePayload {
  source: "page";
  data: Record<string, string>;
  start: number;
}

/**
 * The pager payload for a `name?` cell, or null for any other cell.
 *
 * @param kernel the executor's inspection and the language service
 * @param code the cell
 * @returns the payload list for execute_reply, or null
 */
export async function pagerPayload(
  kernel: PagerContext,
  code: string,
): Promise<PagePayload[] | null> {
  const match = code.match(PAGER);
  if (!match) return null;
  const [, name, marks] = match;
  const cursor = codePoints(name);
  // The same two sources as inspect_request (handlers.ts), for one name.
  const live = kernel.ask({
    op: "inspect",
    id: crypto.randomUUID(),
    code: name,
    cursor,
    detail: marks.length - 1,
  }, ASK_TIMEOUT_MS);
  let typed: SymbolInfo | null = null;
  try {
    typed = await kernel.quickInfo(name, toIndex(name, cursor));
  } catch (error) {
    kernel.logger.debug(`the language service failed: ${error}`);
  }
  const answer = await live;
  const liveText = answer?.found ? answer.text : "";
  if (typed === null && liveText === "") {
    const text = `Object \`${name}\` not found.`; // ipykernel's words
    return [{
      source: "page",
      data: { "text/plain": text, "text/markdown": text },
      start: 0,
    }];
  }
  const plain = [typed?.display, typed?.documentation, liveText]
    .filter((part) => part).join("\n\n");
  const markdown = [
    typed ? "```typescript\n" + typed.display + "\n```" : "",
    typed?.documentation ?? "",
    liveText ? "```\n" + liveText + "\n```" : "",
  ].filter((part) => part).join("\n\n");
  return [{
    source: "page",
    data: { "text/plain": plain, "text/markdown": markdown },
    start: 0,
  }];
}
