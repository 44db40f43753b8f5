/**
 * IPython's `name?` and `name??`: a cell that is only a name (or a dotted
 * path) followed by one or two question marks runs nothing and answers with
 * the inspection as a pager payload in execute_reply, as ipykernel does
 * (spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#payloads-deprecated):
 * `{ source: "page", data: { "text/plain", "text/markdown" }, start: 0 }`.
 * `?` asks for the signature and doc comment (detail level 0), `??` also for
 * the declaration's TypeScript source and file (level 1). What it shows is what
 * inspect_request shows: the type and doc comment from the language service,
 * and the live value (a tensor's shape and a preview).
 */
import { codePoints } from "./agent_protocol.ts";
import { inspection, type InspectionContext } from "./inspection.ts";

/** What the pager needs: the executor's live inspection and the language service. */
export type PagerContext = InspectionContext;

/** A name, then ? or ??, alone in the cell. */
const PAGER = /^\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*(\?\??)\s*$/;

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
  // What inspect_request shows (inspection.ts), for one name.
  const found = await inspection(
    kernel,
    name,
    codePoints(name),
    marks.length - 1,
  );
  const notFound = `Object \`${name}\` not found.`; // ipykernel's words
  return [{
    source: "page",
    data: found.found
      ? { "text/plain": found.plain, "text/markdown": found.markdown }
      : { "text/plain": notFound, "text/markdown": notFound },
    start: 0,
  }];
}
