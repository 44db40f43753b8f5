/**
 * What inspect_request and the `name?` pager show. Inside a call's
 * arguments (`conv2d(t, `) the call comes first, as IPython's inspector
 * prefers the callable: its whole signature from the language service, the
 * current argument's parameter and doc, the function's doc. Elsewhere the
 * symbol at the cursor: its type and doc comment. Detail level 1 adds the
 * declaration's TypeScript source and file. The live session adds what only
 * the running value knows (a tensor's shape and a preview of its values).
 */
import { toIndex } from "./agent_protocol.ts";
import type { HandlerContext } from "./handler_context.ts";
import type {
  DeclarationSource,
  SignatureInfo,
  SymbolInfo,
} from "./language_service.ts";

/** What inspection needs: the executor and the language service. */
export type InspectionContext = Pick<
  HandlerContext,
  "ask" | "quickInfo" | "signatureHelp" | "logger"
>;

/** How long an inspection may wait for a busy executor. */
const ASK_TIMEOUT_MS = 1000;

/** What was found, as the two MIME types of inspect_reply's data. */
export interface Inspection {
  found: boolean;
  plain: string;
  markdown: string;
}

/**
 * Inspects the code at a cursor.
 *
 * @param context the executor and the language service
 * @param code the cell
 * @param cursor the cursor in code points
 * @param detail 0, or 1 for the source too
 * @returns the texts, or found: false
 */
export async function inspection(
  context: InspectionContext,
  code: string,
  cursor: number,
  detail: number,
): Promise<Inspection> {
  const index = toIndex(code, cursor);
  const withSource = detail > 0;
  let call: SignatureInfo | null = null;
  let typed: SymbolInfo | null = null;
  // A name at the cursor inside the arguments (what JupyterLab's completer
  // asks about for each item) is shown too, before the call.
  const onName = /[\w$]$/.test(code.slice(0, index)) ||
    /^[\w$]/.test(code.slice(index));
  try {
    call = await context.signatureHelp(code, index, withSource);
    if (call === null || onName) {
      typed = await context.quickInfo(code, index, withSource && !call);
    }
  } catch (error) {
    context.logger.debug(`the language service failed: ${error}`);
  }
  const source = call?.source ?? typed?.source;
  // With the TypeScript source at hand, the live side's transpiled JavaScript
  // would only repeat it.
  const answer = await context.ask({
    op: "inspect",
    id: crypto.randomUUID(),
    code,
    cursor,
    detail: source ? 0 : detail,
  }, ASK_TIMEOUT_MS);
  const liveText = answer?.found ? answer.text : "";
  const plain: string[] = [];
  const markdown: string[] = [];
  if (typed) {
    plain.push(typed.display);
    markdown.push(fence(typed.display, "typescript"));
    if (typed.documentation) {
      plain.push(typed.documentation);
      markdown.push(typed.documentation);
    }
  }
  if (call) {
    plain.push(call.label);
    markdown.push(fence(call.label, "typescript"));
    if (call.parameter) {
      const { label, documentation } = call.parameter;
      const head = `Argument ${call.argumentIndex + 1}`;
      plain.push(
        `${head}: ${label}${documentation ? ` — ${documentation}` : ""}`,
      );
      markdown.push(
        `**${head}**: \`${label}\`${
          documentation ? ` — ${documentation}` : ""
        }`,
      );
    }
    if (call.documentation) {
      plain.push(call.documentation);
      markdown.push(call.documentation);
    }
  }
  if (source) {
    plain.push(`Source: ${where(source)}\n${source.text}`);
    markdown.push(
      `**Source**: \`${where(source)}\`\n\n${fence(source.text, "typescript")}`,
    );
  }
  if (liveText) {
    plain.push(liveText);
    markdown.push(fence(liveText, ""));
  }
  return {
    found: plain.length > 0,
    plain: plain.join("\n\n"),
    markdown: markdown.join("\n\n"),
  };
}

function where(source: DeclarationSource): string {
  return source.file === null
    ? `a cell of this notebook, line ${source.line}`
    : `${source.file}:${source.line}`;
}

// A fence longer than any run of backticks inside, so the block stays whole.
function fence(text: string, language: string): string {
  const longest = Math.max(
    2,
    ...[...text.matchAll(/`+/g)].map((run) => run[0].length),
  );
  const marks = "`".repeat(longest + 1);
  return `${marks}${language}\n${text}\n${marks}`;
}
