/**
 * complete_request's answer: the language service's completions (members
 * of the type it works out, after calls too; names in scope, the cell being
 * typed included; option names; import paths) merged with the live
 * session's names where the static type says nothing (`any`, a name it
 * cannot see, the kernel's globals).
 */
import { codePoints, toIndex } from "./agent_protocol.ts";
import {
  mergeCompletions,
  type TypedMatch,
  typedMatches,
} from "./completion_items.ts";
import type { HandlerContext } from "./handler_context.ts";
import type { StaticCompletions } from "./language_service.ts";

/** What completion needs: the executor and the language service. */
export type CompletionContext = Pick<
  HandlerContext,
  "ask" | "completions" | "logger"
>;

/** How long a completion may wait for a busy executor (as before the language service). */
export const ASK_TIMEOUT_MS = 1000;

/**
 * How long a completion of names in scope waits for the executor when the
 * service has found names: the service sees every cell that ran, Deno's lib
 * and the cell globals (cell_globals.d.ts), so the session only adds what no
 * cell declares (`globalThis.x = ...`, a `store_history: false` cell). An
 * idle executor answers well within this; a busy one is not waited for.
 */
export const SCOPE_WAIT_MS = 100;

/** complete_reply's content, less its status. */
export interface CompletionReply {
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: { _jupyter_types_experimental: TypedMatch[] };
}

/**
 * The completions at a cursor.
 *
 * @param context the executor and the language service
 * @param code the cell being typed
 * @param cursor the cursor in code points
 * @returns the reply's matches, range and typed metadata
 */
export async function completionReply(
  context: CompletionContext,
  code: string,
  cursor: number,
): Promise<CompletionReply> {
  // Asked first, so the executor works while the language service does.
  const live = context.ask({
    op: "complete",
    id: crypto.randomUUID(),
    code,
    cursor,
  }, ASK_TIMEOUT_MS);
  let typed: StaticCompletions | null = null;
  try {
    typed = await context.completions(code, toIndex(code, cursor));
  } catch (error) {
    context.logger.debug(`the language service failed: ${error}`);
  }
  // The members of a known type are all a value offers: no waiting on a
  // busy executor for them. Names in scope the service found: a short wait.
  // Elsewhere the live names join, within the bound.
  const answer = typed?.context === "member"
    ? null
    : typed?.context === "scope" && typed.items.length > 0
    ? await within(live, SCOPE_WAIT_MS)
    : await live;
  const start = typed ? codePoints(code.slice(0, typed.start)) : answer?.start;
  const end = typed ? codePoints(code.slice(0, typed.end)) : answer?.end;
  const liveItems = answer && answer.start === (start ?? answer.start)
    ? answer.matches.map((text, i) => ({
      text,
      type: answer.types?.[i] ?? "<unknown>",
    }))
    : [];
  const items = mergeCompletions(typed?.items ?? [], liveItems);
  const from = start ?? cursor;
  const to = end ?? cursor;
  return {
    matches: items.map((item) => item.text),
    cursor_start: from,
    cursor_end: to,
    metadata: { _jupyter_types_experimental: typedMatches(items, from, to) },
  };
}

// The promise's value, or null when it takes longer than `ms`.
async function within<T>(promise: Promise<T | null>, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) =>
    timer = setTimeout(() => resolve(null), ms)
  );
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
