/**
 * The notebook's one TypeScript language service: a cell's type diagnostics
 * before it runs, completions for complete_request, the signature of the
 * call being typed and the types and doc comments for inspect_request. The
 * cells that ran (cell_history.ts) form one virtual file in the notebook's
 * folder (notebook_host.ts: Deno's lib, the cell globals, strict), so
 * `import ... from "../lib/mod.ts"` resolves to the real sources and their
 * JSDoc; the cell being checked or typed is appended to it.
 *
 * One LanguageService lives as long as the notebook: only the cells' file
 * changes between requests, so the parsed library files are reused, and its
 * version changes only when its text does, so a request after a check of the
 * same text (completion right after a cell ran) reuses the check's program.
 */
import ts from "typescript";
import {
  type CompletionItem,
  isDropped,
  jupyterType,
  nameTier,
} from "./completion_items.ts";
import { CellHistory, SEPARATOR } from "./cell_history.ts";
import { docMarkdown } from "./doc_markdown.ts";
import { notebookHost } from "./notebook_host.ts";
import {
  type CellDiagnostic,
  cellDiagnostics,
  checkedSource,
} from "./type_check.ts";
import {
  aliased,
  innermostNode,
  isInternal,
  receiverType,
  scopeSymbols,
  signatureOf,
  symbolType,
} from "./ts_symbols.ts";

/** What the language service knows about a symbol. */
export interface SymbolInfo {
  /** The signature or type, e.g. `const answer: number`. */
  display: string;
  /** Its doc comment, markdown. */
  documentation: string;
  /** Where it is declared, and its TypeScript source (with `withSource`). */
  source?: DeclarationSource;
}

/** A declaration's TypeScript text and where it is. */
export interface DeclarationSource {
  /** The file's absolute path, or null for a cell of the notebook. */
  file: string | null;
  /** Its first line, 1-based (in its cell, for a cell). */
  line: number;
  /** The declaration's text. */
  text: string;
}

/** The call whose arguments the cursor is in. */
export interface SignatureInfo {
  /** The whole signature, e.g. `conv2d(input: Tensor, weight: Tensor): Tensor`. */
  label: string;
  /** The function's doc comment, markdown. */
  documentation: string;
  /** The parameter the cursor is at, when the signature has one there. */
  parameter?: { name: string; label: string; documentation: string };
  /** The argument the cursor is at, 0-based. */
  argumentIndex: number;
  /** The callee's source (with `withSource`). */
  source?: DeclarationSource;
}

/** Completions at a cursor; positions are UTF-16 indices into the code. */
export interface StaticCompletions {
  items: CompletionItem[];
  /** The typed part that the items replace: [start, end). */
  start: number;
  end: number;
  /**
   * "member" after `value.` where the service knows the value's type,
   * "untyped" after `value.` where it does not (`any`, an unknown name):
   * the live value's members are what is there; "scope" otherwise.
   */
  context: "member" | "untyped" | "scope";
}

// Declarations longer than this are shown up to here, with a note.
const SOURCE_LINES = 120;
// Signatures are worked out for this many items at most (the list's head).
const SIGNATURE_ITEMS = 200;

/** The language service over the cells run so far. */
export class CellTypes {
  readonly #fileName: string;
  readonly #history = new CellHistory();
  readonly #service: ts.LanguageService;
  /** The cell being checked or typed, after the history. */
  #current = "";
  /** The text of the cells file, and its version. */
  #text = "";
  #version = 0;

  /**
   * @param folder the notebook's folder (absolute path)
   * @param denoTypes Deno's declarations, as deno_lib.ts gives them
   */
  constructor(folder: string, denoTypes: string) {
    const trimmed = folder.replace(/(.)\/+$/, "$1");
    this.#fileName = `${trimmed}/__notebook_cells__.ts`;
    this.#service = ts.createLanguageService(
      notebookHost({
        folder: trimmed,
        denoTypes,
        cellsFile: this.#fileName,
        cells: () => ({ text: this.#text, version: this.#version }),
      }),
      ts.createDocumentRegistry(),
    );
  }

  /** How many cells the history holds. */
  get cells(): number {
    return this.#history.size;
  }

  /**
   * Adds a cell that ran, so later cells see its declarations (which cells
   * join: cell_history.ts).
   *
   * @param code the cell as the user wrote it
   * @returns false when it is left out
   */
  add(code: string): boolean {
    return this.#history.add(code);
  }

  /**
   * The type errors in a cell, as if it ran after the cells added so far.
   * A cell that does not parse gets none: the transpiler reports it.
   *
   * @param code the cell
   * @returns the diagnostics located in the cell, in order
   */
  check(code: string): CellDiagnostic[] {
    const source = checkedSource(code);
    if (source === null || source.trim() === "") return [];
    const before = this.#history.before(source);
    this.#setText(before + source + SEPARATOR);
    return cellDiagnostics(
      this.#service,
      this.#fileName,
      before.length,
      source,
    );
  }

  /**
   * Parses and binds what the first request would otherwise wait for (most
   * of a second): Deno's declarations, the cell globals and, in the course's
   * layout, the library at `../lib/mod.ts`.
   */
  warmUp(): void {
    this.check("Deno.env; await display(1);");
  }

  /** Builds the program over the history and its checker now, so the next request is quick. */
  warm(): void {
    this.#update("").getProgram()?.getTypeChecker();
  }

  /**
   * The type and doc comment of the symbol at a cursor.
   *
   * @param code the cell being edited
   * @param index cursor as a JavaScript string index
   * @param withSource also find the declaration's source
   * @returns what the service knows, or null
   */
  quickInfo(
    code: string,
    index: number,
    withSource = false,
  ): SymbolInfo | null {
    const service = this.#update(code);
    const position = this.#history.text.length + index;
    // The symbol may end at the cursor: look just before it too.
    const at = service.getQuickInfoAtPosition(this.#fileName, position)
      ? position
      : Math.max(this.#history.text.length, position - 1);
    const info = service.getQuickInfoAtPosition(this.#fileName, at);
    const display = info ? ts.displayPartsToString(info.displayParts) : "";
    // An unknown name is the error type, shown as a bare "any": nothing found.
    if (!info || display === "any") return null;
    const source = withSource ? this.#source(service, at) : undefined;
    return {
      display,
      documentation: docMarkdown(info.documentation, info.tags),
      ...(source ? { source } : {}),
    };
  }

  /**
   * The signature of the call whose arguments hold the cursor, with the
   * current parameter's doc.
   *
   * @param code the cell being edited
   * @param index cursor as a JavaScript string index
   * @param withSource also find the callee's source
   * @returns the signature, or null outside a call's arguments
   */
  signatureHelp(
    code: string,
    index: number,
    withSource = false,
  ): SignatureInfo | null {
    const service = this.#update(code);
    const help = service.getSignatureHelpItems(
      this.#fileName,
      this.#history.text.length + index,
      { triggerReason: { kind: "invoked" } },
    );
    const item = help?.items[help.selectedItemIndex];
    if (!help || !item) return null;
    const text = ts.displayPartsToString;
    const params = item.parameters.map((p) => text(p.displayParts));
    // The callee ends just before the "(" that opens the arguments.
    const callee = this.#calleeEnd(help.applicableSpan.start);
    const label = (callee !== null && this.#isNew(callee) ? "new " : "") +
      text(item.prefixDisplayParts) +
      params.join(text(item.separatorDisplayParts)) +
      text(item.suffixDisplayParts);
    const parameter = item.parameters[
      item.isVariadic
        ? Math.min(help.argumentIndex, item.parameters.length - 1)
        : help.argumentIndex
    ];
    let documentation = docMarkdown(item.documentation, item.tags);
    if (documentation === "" && callee !== null) {
      // A constructor without a doc of its own: its class's doc.
      const info = service.getQuickInfoAtPosition(this.#fileName, callee);
      documentation = info ? docMarkdown(info.documentation, info.tags) : "";
    }
    const source = withSource && callee !== null
      ? this.#source(service, callee)
      : undefined;
    return {
      label,
      documentation,
      argumentIndex: help.argumentIndex,
      ...(parameter
        ? {
          parameter: {
            name: parameter.name,
            label: text(parameter.displayParts),
            // `@param x - text`: the dash is JSDoc's separator.
            documentation: docMarkdown(parameter.documentation, [])
              .replace(/^-\s*/, ""),
          },
        }
        : {}),
      ...(source ? { source } : {}),
    };
  }

  /**
   * Completions at a cursor: members after a dot (of the type the service
   * works out, after calls too), names in scope with the cell's own
   * declarations first, option names in object literals, import paths.
   *
   * @param code the cell being typed
   * @param index cursor as a JavaScript string index
   * @returns the items and the range they replace, or null where the
   *   service offers nothing (not even an "untyped" member position)
   */
  completions(code: string, index: number): StaticCompletions | null {
    const service = this.#update(code);
    const offset = this.#history.text.length;
    const position = offset + index;
    const before = code.slice(0, index);
    const info = service.getCompletionsAtPosition(this.#fileName, position, {
      includeCompletionsWithInsertText: true,
      // Deno imports name the file: "./x.ts", never "./x".
      importModuleSpecifierEnding: "js",
    });
    if (!info || info.entries.length === 0) {
      const partial = before.match(/\.\s*([\w$]*)$/);
      if (!partial) return null;
      return {
        items: [],
        start: index - partial[1].length,
        end: index,
        context: "untyped",
      };
    }
    const pathLike = info.entries.some((entry) =>
      entry.kind === "script" || entry.kind === "directory"
    );
    const span = info.optionalReplacementSpan;
    const start = pathLike
      ? index - before.match(/[^"'`/]*$/)![0].length
      : span && span.start >= offset && span.start <= position
      ? span.start - offset
      : index - before.match(/[\w$]*$/)![0].length;
    const partial = code.slice(start, index);
    const program = service.getProgram();
    const checker = program?.getTypeChecker();
    const file = program?.getSourceFile(this.#fileName);
    const node = file ? innermostNode(file, Math.max(0, position - 1)) : null;
    const receiver = info.isMemberCompletion && node && checker
      ? receiverType(node, position, checker)
      : null;
    const scope = !info.isMemberCompletion && node && checker
      ? scopeSymbols(node, checker)
      : null;
    const items: CompletionItem[] = [];
    const order: string[] = [];
    for (const entry of info.entries) {
      const text = entry.kind === "directory" ? `${entry.name}/` : entry.name;
      if (!text.startsWith(partial) || isDropped(text)) continue;
      // Names that need brackets (`value["a-b"]`) come with an insert text.
      if (entry.insertText !== undefined && entry.insertText !== text) continue;
      const symbol = receiver && checker
        ? checker.getPropertyOfType(receiver, entry.name)
        : scope?.get(entry.name);
      const resolved = symbol && checker ? aliased(symbol, checker) : symbol;
      const deprecated = entry.kindModifiers?.includes("deprecated") ?? false;
      items.push({
        text,
        type: entry.kind === "alias" && resolved
          ? symbolType(resolved)
          : jupyterType(entry.kind),
        tier: resolved && isInternal(resolved)
          ? 2
          : Math.max(nameTier(text), deprecated ? 1 : 0),
      });
      order.push(entry.sortText);
      if (items.length <= SIGNATURE_ITEMS && resolved && checker && node) {
        const signature = signatureOf(resolved, node, checker);
        if (signature) items[items.length - 1].signature = signature;
      }
    }
    // The service's order (locals before globals), then ours by tier.
    const ranked = items.map((item, i) => ({ item, key: order[i] }))
      .sort((a, b) =>
        a.item.tier - b.item.tier ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
      ).map(({ item }) => item);
    return {
      items: ranked,
      start,
      end: index,
      context: info.isMemberCompletion ? "member" : "scope",
    };
  }

  #update(code: string): ts.LanguageService {
    this.#current = code;
    this.#setText(this.#history.text + code);
    return this.#service;
  }

  #setText(text: string): void {
    if (text === this.#text) return;
    this.#text = text;
    this.#version++;
  }

  // The position of the callee's last character, from where its "(" is.
  #calleeEnd(argumentsStart: number): number | null {
    const text = this.#history.text + this.#current;
    let at = text.lastIndexOf("(", argumentsStart);
    while (at > 0 && /\s/.test(text[at - 1])) at--;
    // Skip type arguments: f<T>(...).
    if (text[at - 1] === ">") {
      let depth = 0;
      for (at--; at > 0; at--) {
        if (text[at] === ">") depth++;
        else if (text[at] === "<" && --depth === 0) break;
      }
    }
    return at > this.#history.text.length ? at - 1 : null;
  }

  // Whether the callee ending at a position follows `new`.
  #isNew(calleeEnd: number): boolean {
    const before = (this.#history.text + this.#current).slice(0, calleeEnd + 1);
    return /\bnew\s+[\w$.\s]+$/.test(before);
  }

  #source(
    service: ts.LanguageService,
    position: number,
  ): DeclarationSource | undefined {
    const definition = service.getDefinitionAtPosition(
      this.#fileName,
      position,
    )?.[0];
    if (!definition) return undefined;
    const span = definition.contextSpan ?? definition.textSpan;
    const inCells = definition.fileName === this.#fileName;
    const whole = inCells
      ? this.#history.text + this.#current
      : service.getProgram()?.getSourceFile(definition.fileName)?.text;
    if (whole === undefined) return undefined;
    // From the start of the declaration's line, so its indent stays.
    const lineStart = whole.lastIndexOf("\n", span.start - 1) + 1;
    const lines = whole.slice(lineStart, span.start + span.length).split("\n");
    const text = lines.length > SOURCE_LINES
      ? [
        ...lines.slice(0, SOURCE_LINES),
        `// … ${lines.length - SOURCE_LINES} more lines`,
      ].join("\n")
      : lines.join("\n");
    return {
      file: inCells ? null : definition.fileName,
      line:
        whole.slice(inCells ? this.#history.cellStart(lineStart) : 0, lineStart)
          .split("\n").length,
      text,
    };
  }
}
